package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemmFunc is the signature shared by Gemm and its implementations.
type gemmFunc func(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool)

// gemmImpls are the implementations under test: Gemm as dispatched on
// this machine (the assembly kernel on amd64 with AVX2 and FMA), the
// pure-Go path called directly, and the loop around a GemmKernel with
// kernelRef, the reference kernel.
var gemmImpls = []struct {
	name string
	gemm gemmFunc
}{
	{"Gemm", Gemm},
	{"gemmGo", func(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
		if m == 0 || n == 0 || k == 0 {
			Gemm(buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
			return
		}
		gemmGo(buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
	}},
	{"gemmWith", func(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
		if m == 0 || n == 0 || k == 0 {
			Gemm(buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
			return
		}
		gemmWith(kernelRef, buf, transA, m, n, k, a, lda, operandB{trans: transB, b: b, ld: ldb}, c, ldc, accumulate)
	}},
	{"gemmWith rows", func(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
		if m == 0 || n == 0 || k == 0 {
			Gemm(buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
			return
		}
		gemmWith(kernelRef, buf, transA, m, n, k, a, lda, operandB{rows: rowsOf(transB, n, k, b, ldb)}, c, ldc, accumulate)
	}},
}

// rowsOf returns the k rows of op(B), n values each: slices of b where
// B is not transposed, and copies where it is.
func rowsOf(transB bool, n, k int, b []float32, ldb int) [][]float32 {
	rows := make([][]float32, k)
	for p := range rows {
		if !transB {
			rows[p] = b[p*ldb : p*ldb+n]
			continue
		}
		rows[p] = make([]float32, n)
		for j := range n {
			rows[p][j] = b[j*ldb+p]
		}
	}
	return rows
}

// TestGemmRows checks that GemmRows computes Gemm's bits on the matrix of
// its rows, with Gemm's own kernel and with a GemmKernel set, packing
// with Go's loops and with a GatherKernel, over the shapes of
// TestGemmAgainstNaive without transposes.
func TestGemmRows(t *testing.T) {
	var gathers int
	gather := func(dst []float32, rows [][]float32, j0, panels int) {
		gathers++
		for t := range panels {
			for p, r := range rows {
				copy(dst[(t*len(rows)+p)*8:], r[j0+8*t:j0+8*t+8])
			}
		}
	}
	for _, setup := range []struct {
		name           string
		kernel, gather bool
	}{{"own kernel", false, false}, {"GemmKernel", true, false}, {"GemmKernel and GatherKernel", true, true}} {
		t.Run(setup.name, func(t *testing.T) {
			if setup.kernel {
				SetGemmKernel(kernelRef)
				defer SetGemmKernel(nil)
			}
			if setup.gather {
				SetGatherKernel(gather)
				defer SetGatherKernel(nil)
			}
			gathers = 0
			rng := rand.New(rand.NewPCG(2, 2))
			var buf, rowsBuf GemmBuffer
			for _, tc := range gemmCases(rng) {
				if tc.transA || tc.transB {
					continue
				}
				a, lda, b, ldb, c, ldc := tc.operands()
				for _, s := range [][]float32{a, b, c} {
					copy(s, randSlice(rng, len(s)))
				}
				want := append([]float32(nil), c...)
				Gemm(&buf, false, false, tc.m, tc.n, tc.k, a, lda, b, ldb, want, ldc, tc.accumulate)
				got := append([]float32(nil), c...)
				GemmRows(&rowsBuf, tc.m, tc.n, a, lda, rowsOf(false, tc.n, tc.k, b, ldb), got, ldc, tc.accumulate)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%v: c[%d] = %v, Gemm's %v", tc, i, got[i], want[i])
					}
				}
			}
			if setup.gather != (gathers > 0) {
				t.Errorf("%d calls of the GatherKernel", gathers)
			}
			// With a warm buffer and the rows made, GemmRows allocates
			// nothing.
			tc := gemmCase{m: 13, n: 37, k: 300}
			a, lda, b, ldb, c, ldc := tc.operands()
			rows := rowsOf(false, tc.n, tc.k, b, ldb)
			run := func() { GemmRows(&rowsBuf, tc.m, tc.n, a, lda, rows, c, ldc, false) }
			run()
			if got := testing.AllocsPerRun(10, run); got != 0 {
				t.Errorf("%v: %v allocations per call with a warm buffer, want 0", tc, got)
			}
		})
	}
}

// gemmNaive is the reference loop of Gemm's documentation, accumulating
// in float64. It also sets bound[i*ldc+j] to the sum of the magnitudes of
// the terms of c[i*ldc+j], which bounds its rounding error.
func gemmNaive(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool, bound []float64) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, abs float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
				abs += math.Abs(float64(av) * float64(bv))
			}
			if accumulate {
				s += float64(c[i*ldc+j])
				abs += math.Abs(float64(c[i*ldc+j]))
			}
			c[i*ldc+j] = float32(s)
			bound[i*ldc+j] = abs
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// gemmCase is one call of Gemm: its shape and layout. Its leading
// dimensions are those of the operands plus ldPad, to catch stride
// mistakes; c's padding columns must come back untouched.
type gemmCase struct {
	m, n, k        int
	transA, transB bool
	accumulate     bool
	ldPad          int
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("m%d_n%d_k%d_ta%v_tb%v_acc%v_pad%d", tc.m, tc.n, tc.k, tc.transA, tc.transB, tc.accumulate, tc.ldPad)
}

// operands returns tc's leading dimensions and zeroed operands.
func (tc gemmCase) operands() (a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	rowsA, lda := tc.m, tc.k+tc.ldPad
	if tc.transA {
		rowsA, lda = tc.k, tc.m+tc.ldPad
	}
	rowsB, ldb := tc.k, tc.n+tc.ldPad
	if tc.transB {
		rowsB, ldb = tc.n, tc.k+tc.ldPad
	}
	ldc = tc.n + tc.ldPad
	return make([]float32, max(rowsA*lda, 1)), lda, make([]float32, max(rowsB*ldb, 1)), ldb, make([]float32, tc.m*ldc), ldc
}

// checkGemm runs f on tc with the given operands and compares it with
// gemmNaive: within rounding of the sum, or exactly when exact is set. The
// operands are left as they were.
func checkGemm(t *testing.T, f gemmFunc, buf *GemmBuffer, tc gemmCase, a []float32, lda int, b []float32, ldb int, c0 []float32, ldc int, exact bool) {
	t.Helper()
	got := append([]float32(nil), c0...)
	want := append([]float32(nil), c0...)
	bound := make([]float64, len(c0))
	f(buf, tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, got, ldc, tc.accumulate)
	gemmNaive(tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, want, ldc, tc.accumulate, bound)
	// Float32 sums of k+1 terms, in any order, err by at most (k+1)u
	// times the sum of their magnitudes, u = 2⁻²⁴; allow twice that.
	rel := float64(tc.k+1) * 0x1p-23
	for i := range got {
		tol := rel*bound[i] + 1e-30
		if exact {
			tol = 0
		}
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= tol) {
			t.Fatalf("%v: c[%d] (row %d, column %d) = %v, want %v", tc, i, i/ldc, i%ldc, got[i], want[i])
		}
	}
}

// gemmCases returns the shapes tested against gemmNaive: every remainder
// of m and n against the tile sizes, depths across the blocking
// boundaries, row strides of B on both sides of Gemm's packing threshold,
// the network's shapes, and seeded random ones.
func gemmCases(rng *rand.Rand) []gemmCase {
	var cases []gemmCase
	all := func(m, n, k, pad int) {
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, acc := range []bool{false, true} {
					cases = append(cases, gemmCase{m, n, k, ta, tb, acc, pad})
				}
			}
		}
	}
	for m := 1; m <= 9; m++ {
		for n := 1; n <= 50; n++ {
			all(m, n, 1+(m+n)%5, (m*n)%3)
		}
	}
	for _, k := range []int{1, 2, 3, 4, 5, 8, 255, 256, 257, 300, 511, 512, 513, 1025} {
		all(5, 27, k, 1)
		all(8, 48, k, 0)
	}
	for _, s := range [][3]int{{16, 1024, 27}, {16, 1024, 144}, {32, 256, 144}, {32, 256, 288}, {64, 64, 288}, {64, 64, 576}} {
		out, hw, kk := s[0], s[1], s[2]
		all(out, hw, kk, 0)
		all(out, kk, hw, 0)
		all(kk, hw, out, 0)
	}
	all(7, 31, 40, 1024) // rows of B 4 KiB or more apart
	all(4, 24, 9, 1000)
	dims := []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 64, 65, 100}
	for range 300 {
		m, n, k := dims[rng.IntN(len(dims))], dims[rng.IntN(len(dims))], 1+rng.IntN(600)
		cases = append(cases, gemmCase{m, n, k, rng.IntN(2) == 0, rng.IntN(2) == 0, rng.IntN(2) == 0, rng.IntN(3)})
	}
	return cases
}

func TestGemmAgainstNaive(t *testing.T) {
	for _, impl := range gemmImpls {
		t.Run(impl.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 1))
			var buf GemmBuffer // one for all shapes, as a layer reuses it
			for _, tc := range gemmCases(rng) {
				a, lda, b, ldb, c, ldc := tc.operands()
				for _, s := range [][]float32{a, b, c} {
					for i := range s {
						s[i] = float32(rng.NormFloat64())
					}
				}
				checkGemm(t, impl.gemm, &buf, tc, a, lda, b, ldb, c, ldc, false)
			}
		})
	}
}

// TestGemmSpecialInputs checks exact results: zero operands give zeros
// (NaN already in C included, unless accumulating), and an impulse in A
// copies a row of B, over shapes with every kind of edge tile.
func TestGemmSpecialInputs(t *testing.T) {
	shapes := [][3]int{{1, 1, 1}, {3, 5, 2}, {4, 24, 4}, {5, 9, 5}, {6, 9, 5}, {7, 33, 3}, {9, 50, 7}, {13, 17, 260}}
	for _, impl := range gemmImpls {
		t.Run(impl.name, func(t *testing.T) {
			var buf GemmBuffer
			for _, s := range shapes {
				for _, ta := range []bool{false, true} {
					for _, tb := range []bool{false, true} {
						tc := gemmCase{m: s[0], n: s[1], k: s[2], transA: ta, transB: tb, ldPad: 2}
						a, lda, b, ldb, c, ldc := tc.operands()
						for i := range c {
							c[i] = float32(math.NaN())
						}
						checkGemmZeros(t, impl.gemm, &buf, tc, a, lda, b, ldb, c, ldc)
						for i := range c {
							c[i] = float32(i%7) - 3
						}
						for i := range b {
							b[i] = float32(i%13) + 1
						}
						for _, ip := range [][2]int{{0, 0}, {tc.m - 1, tc.k - 1}, {tc.m / 2, tc.k / 3}} {
							i, p := ip[0], ip[1]
							at := i*lda + p
							if ta {
								at = p*lda + i
							}
							a[at] = 1
							for _, acc := range []bool{false, true} {
								tc.accumulate = acc
								checkGemm(t, impl.gemm, &buf, tc, a, lda, b, ldb, c, ldc, true)
							}
							a[at] = 0
						}
					}
				}
			}
		})
	}
}

// checkGemmZeros checks that zero a and b give zero c, whatever c held,
// and leave c's padding columns alone.
func checkGemmZeros(t *testing.T, f gemmFunc, buf *GemmBuffer, tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	t.Helper()
	got := append([]float32(nil), c...)
	f(buf, tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, got, ldc, false)
	for i, v := range got {
		inside := i%ldc < tc.n
		if inside && v != 0 {
			t.Fatalf("%v zeros: c[%d] = %v, want 0", tc, i, v)
		}
		if !inside && !math.IsNaN(float64(v)) {
			t.Fatalf("%v zeros: padding c[%d] = %v, want NaN untouched", tc, i, v)
		}
	}
}

// TestPackLayouts checks packA and packB against the layouts their
// documentation gives, padding zeros included, into buffers holding NaN.
func TestPackLayouts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	nan := float32(math.NaN())
	for _, tile := range [][2]int{{4, 4}, {8, 8}, {24, 8}} {
		r, align := tile[0], tile[1]
		for _, m := range []int{1, 3, 4, 5, 8, 23, 24, 25, 31, 49} {
			for _, trans := range []bool{false, true} {
				const p0, kb = 2, 5
				ld, rows := kb+p0+1, m // op(X)(i, p) = x[i*ld+p], or x[p*ld+i] when trans
				if trans {
					ld, rows = m+1, kb+p0
				}
				x := randSlice(rng, rows*ld)
				at := func(i, p int) float32 {
					if trans {
						return x[(p0+p)*ld+i]
					}
					return x[i*ld+p0+p]
				}
				// packB of op(B)ᵀ = op(X): B(p, j) = op(X)(j, p).
				name := fmt.Sprintf("r%d_m%d_trans%v", r, m, trans)
				w := (m + align - 1) / align * align
				dst := make([]float32, ((m+r-1)/r*r)*kb)
				for i := range dst {
					dst[i] = nan
				}
				packB(dst, r, align, !trans, x, ld, m, p0, kb)
				for j := 0; j < w; j++ {
					j0 := j / r * r
					pw := min(r, w-j0)
					for p := 0; p < kb; p++ {
						want := float32(0)
						if j < m {
							want = at(j, p)
						}
						if got := dst[j0*kb+p*pw+j-j0]; got != want {
							t.Fatalf("packB %s: B(%d, %d) = %v, want %v", name, p, j, got, want)
						}
					}
				}
				if r != 4 {
					continue
				}
				for i := range dst {
					dst[i] = nan
				}
				packA(dst, r, trans, x, ld, m, p0, kb)
				for i := 0; i < (m+r-1)/r*r; i++ {
					for p := 0; p < kb; p++ {
						want := float32(0)
						if i < m {
							want = at(i, p)
						}
						if got := dst[i/r*r*kb+p*r+i%r]; got != want {
							t.Fatalf("packA %s: A(%d, %d) = %v, want %v", name, i, p, got, want)
						}
					}
				}
			}
		}
	}
}

func TestGemmEmpty(t *testing.T) {
	for _, impl := range gemmImpls {
		var buf GemmBuffer
		c := []float32{1, 2, 3, 4, 5, 6}
		impl.gemm(&buf, false, false, 2, 3, 0, nil, 0, nil, 3, c, 3, true)
		if got, want := fmt.Sprint(c), "[1 2 3 4 5 6]"; got != want {
			t.Errorf("%s: k = 0 accumulating: c = %s, want %s", impl.name, got, want)
		}
		impl.gemm(&buf, false, false, 2, 2, 0, nil, 0, nil, 2, c, 3, false)
		if got, want := fmt.Sprint(c), "[0 0 3 0 0 6]"; got != want {
			t.Errorf("%s: k = 0: c = %s, want %s", impl.name, got, want)
		}
		impl.gemm(&buf, false, false, 0, 3, 4, nil, 4, nil, 3, nil, 3, false)
	}
}

func TestGemmPanicsOnMisuse(t *testing.T) {
	a, b, c := make([]float32, 64), make([]float32, 64), make([]float32, 64)
	for _, tc := range []struct {
		name          string
		lda, ldb, ldc int
		c             []float32
	}{
		{"negative lda", -4, 4, 4, c},
		{"negative ldb", 4, -4, 4, c},
		{"negative ldc", 4, 4, -4, c},
		{"short a", 10, 4, 4, c},
		{"short c", 4, 4, 4, c[:15]},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Gemm did not panic", tc.name)
				}
			}()
			var buf GemmBuffer
			Gemm(&buf, false, false, 4, 4, 4, a[32:], tc.lda, b[32:], tc.ldb, tc.c, tc.ldc, false)
		}()
	}
}

func TestGemmDoesNotAllocate(t *testing.T) {
	for _, impl := range gemmImpls {
		if impl.name == "gemmWith rows" {
			continue // its rows are made for each call; GemmRows' own test is below
		}
		rng := rand.New(rand.NewPCG(1, 1))
		for _, tc := range []gemmCase{{m: 16, n: 1024, k: 27}, {m: 13, n: 27, k: 600, transB: true}, {m: 27, n: 64, k: 64, transA: true}} {
			a, lda, b, ldb, c, ldc := tc.operands()
			copy(a, randSlice(rng, len(a)))
			copy(b, randSlice(rng, len(b)))
			var buf GemmBuffer
			run := func() { impl.gemm(&buf, tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, c, ldc, false) }
			run()
			if got := testing.AllocsPerRun(10, run); got != 0 {
				t.Errorf("%s %v: %v allocations per call with a warm buffer, want 0", impl.name, tc, got)
			}
		}
	}
}

// BenchmarkGemm runs the im2col GEMMs of the reference network's
// convolutions at one image, for each layer shape Out × Ho*Wo × In*9: the
// forward product y = w·col (named by its m×n×k), and in backward the
// weight gradient dw += dy·colᵀ and the column gradient dcol = wᵀ·dy.
func BenchmarkGemm(b *testing.B) {
	layers := [][3]int{{16, 1024, 27}, {16, 1024, 144}, {32, 256, 144}, {32, 256, 288}, {64, 64, 288}, {64, 64, 576}}
	for _, l := range layers {
		out, hw, kk := l[0], l[1], l[2]
		benchGemm(b, "", gemmCase{m: out, n: hw, k: kk})
	}
	for _, l := range layers {
		out, hw, kk := l[0], l[1], l[2]
		benchGemm(b, "dw/", gemmCase{m: out, n: kk, k: hw, transB: true, accumulate: true})
	}
	for _, l := range layers {
		out, hw, kk := l[0], l[1], l[2]
		benchGemm(b, "dcol/", gemmCase{m: kk, n: hw, k: out, transA: true})
	}
}

func benchGemm(b *testing.B, prefix string, tc gemmCase) {
	rng := rand.New(rand.NewPCG(1, 1))
	b.Run(fmt.Sprintf("%s%dx%dx%d", prefix, tc.m, tc.n, tc.k), func(b *testing.B) {
		a, lda, bb, ldb, c, ldc := tc.operands()
		copy(a, randSlice(rng, len(a)))
		copy(bb, randSlice(rng, len(bb)))
		var buf GemmBuffer
		for b.Loop() {
			Gemm(&buf, tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, bb, ldb, c, ldc, tc.accumulate)
		}
		b.ReportMetric(2*float64(tc.m*tc.n*tc.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
