//go:build !noasm

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// asmKernels are the assembly kernels this CPU can run.
func asmKernels() []*asmKernel {
	var ks []*asmKernel
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, &avx2)
		if cpu.X86.HasAVX512F {
			ks = append(ks, &avx512)
		}
	}
	return ks
}

func init() {
	// Every assembly kernel this CPU can run joins the implementations
	// under test, not only the one Gemm chose.
	for _, kern := range asmKernels() {
		gemmImpls = append(gemmImpls, struct {
			name string
			gemm gemmFunc
		}{"gemmAsm/" + kern.name, func(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
			if m == 0 || n == 0 || k == 0 {
				Gemm(buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
				return
			}
			gemmAsm(kern, buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
		}})
	}
}

// kernelNaive is the reference loop of kernelAVX2's documentation for
// kern's tile, in float64, with the bound on the rounding error of each
// sum as in gemmNaive.
func kernelNaive(kern *asmKernel, k, tiles int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc, nv int, add bool, bound []float64) {
	for i := 0; i < kern.mr*tiles; i++ {
		for j := 0; j < kern.lanes*nv; j++ {
			var s, abs float64
			for p := 0; p < k; p++ {
				s += float64(a[i*rs+p*cs]) * float64(b[p*bs+j])
				abs += math.Abs(float64(a[i*rs+p*cs]) * float64(b[p*bs+j]))
			}
			if add {
				s += float64(c[i*ldc+j])
				abs += math.Abs(float64(c[i*ldc+j]))
			}
			c[i*ldc+j] = float32(s)
			bound[i*ldc+j] = abs
		}
	}
}

// TestKernelAsm checks each assembly kernel itself against its reference
// loop: every width, depths around its unrolling by 4, one tile or
// several, A by rows and by columns, B packed and strided, on random
// data, zeros and impulses.
func TestKernelAsm(t *testing.T) {
	if len(asmKernels()) == 0 {
		t.Skip("no AVX2 and FMA on this CPU")
	}
	for _, kern := range asmKernels() {
		t.Run(kern.name, func(t *testing.T) { testKernel(t, kern) })
	}
}

func testKernel(t *testing.T, kern *asmKernel) {
	rng := rand.New(rand.NewPCG(1, 1))
	mr, lanes := kern.mr, kern.lanes
	for nv := 1; nv <= kern.nr/lanes; nv++ {
		for _, k := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 27, 64, 255} {
			tiles := 1 + k%3
			for _, layout := range []string{"rows", "columns"} {
				for _, data := range []string{"random", "zeros", "impulse"} {
					for _, add := range []bool{false, true} {
						rs, cs := k+1, 1
						if layout == "columns" {
							rs, cs = 1, mr*tiles+1
						}
						bs, ldc := lanes*nv+(k%3)*lanes, lanes*nv+k%5
						a := make([]float32, (mr*tiles-1)*rs+(k-1)*cs+1)
						b := make([]float32, (k-1)*bs+lanes*nv)
						c := randSlice(rng, (mr*tiles-1)*ldc+lanes*nv)
						switch data {
						case "random":
							copy(a, randSlice(rng, len(a)))
							copy(b, randSlice(rng, len(b)))
						case "impulse":
							a[(mr*tiles-2)*rs+(k-1)/2*cs] = 1
							for j := range b {
								b[j] = float32(j%17) - 8
							}
						}
						name := fmt.Sprintf("nv%d_k%d_tiles%d_%s_%s_add%v", nv, k, tiles, layout, data, add)
						got := append([]float32(nil), c...)
						want := append([]float32(nil), c...)
						bound := make([]float64, len(c))
						tilesAsm(kern, k, tiles, a, rs, cs, b, bs, got, ldc, nv, add)
						kernelNaive(kern, k, tiles, a, rs, cs, b, bs, want, ldc, nv, add, bound)
						for i := range got {
							tol := float64(k+1) * 0x1p-23 * bound[i]
							if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= tol) {
								t.Fatalf("%s: c[%d] = %v, want %v", name, i, got[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

// TestPackBAsm checks each kernel's assembly packing of B against packB,
// into buffers holding NaN.
func TestPackBAsm(t *testing.T) {
	for _, kern := range asmKernels() {
		rng := rand.New(rand.NewPCG(1, 1))
		for _, n := range []int{1, 7, 8, 16, 23, 24, 25, 40, 48, 49, 64, 72, 100} {
			for _, kb := range []int{1, 3, 8, 16, 30} {
				for _, trans := range []bool{false, true} {
					ldb, rows := n+3, 2+kb+1
					if trans {
						ldb, rows = 2+kb+1, n
					}
					b := randSlice(rng, rows*ldb)
					size := (n + kern.lanes - 1) / kern.lanes * kern.lanes * kb
					got, want, stage := make([]float32, size+1), make([]float32, size+1), make([]float32, 8*kb)
					for _, s := range [][]float32{got, want, stage} {
						for i := range s {
							s[i] = float32(math.NaN())
						}
					}
					packBAsm(kern, got, stage, trans, b, ldb, n, 2, kb)
					packB(want, kern.nr, kern.lanes, trans, b, ldb, n, 2, kb)
					name := fmt.Sprintf("%s_n%d_kb%d_trans%v", kern.name, n, kb, trans)
					if v := got[size]; !math.IsNaN(float64(v)) {
						t.Fatalf("%s: dst[%d] past the panels = %v, want NaN untouched", name, size, v)
					}
					for i := range size {
						if got[i] != want[i] {
							t.Fatalf("%s: dst[%d] = %v, want %v", name, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestKernelsRoundAlike checks that the AVX-512 kernel gives the AVX2
// kernel's results to the bit, on every shape of the reference network's
// products and on shapes cut by every edge, which is what lets a
// checkpoint name one rounding for both and the page's kernel match
// either.
func TestKernelsRoundAlike(t *testing.T) {
	ks := asmKernels()
	if len(ks) < 2 {
		t.Skip("this CPU has no AVX-512: only one assembly kernel to compare")
	}
	rng := rand.New(rand.NewPCG(2, 2))
	cases := gemmCases(rng)
	for _, l := range [][3]int{{16, 1024, 27}, {16, 1024, 144}, {32, 256, 144}, {32, 256, 288}, {64, 64, 288}, {64, 64, 576}} {
		out, hw, kk := l[0], l[1], l[2]
		cases = append(cases,
			gemmCase{m: out, n: hw, k: kk},
			gemmCase{m: out, n: kk, k: hw, transB: true, accumulate: true},
			gemmCase{m: kk, n: hw, k: out, transA: true})
	}
	for _, tc := range cases {
		a, lda, b, ldb, c, ldc := tc.operands()
		for _, s := range [][]float32{a, b, c} {
			copy(s, randSlice(rng, len(s)))
		}
		var results [][]float32
		for _, kern := range ks {
			got := append([]float32(nil), c...)
			var buf GemmBuffer
			gemmAsm(kern, &buf, tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, got, ldc, tc.accumulate)
			results = append(results, got)
		}
		for i := range c {
			if x, y := results[0][i], results[1][i]; math.Float32bits(x) != math.Float32bits(y) {
				t.Fatalf("%+v: c[%d] is %v by %s, %v by %s", tc, i, x, ks[0].name, y, ks[1].name)
			}
		}
	}
}

// TestKernelRows checks each kernel that reads the rows of B through a
// table of offsets (kernelRowsAVX2, kernelRowsAVX512) against the same
// kernel on those rows copied into a strided B, bit for bit: every
// width, depths around the unrolling by 4, one tile or several, rows in
// any order and repeated, with and without add.
func TestKernelRows(t *testing.T) {
	if len(asmKernels()) == 0 {
		t.Skip("no AVX2 and FMA on this CPU")
	}
	rng := rand.New(rand.NewPCG(3, 1))
	for _, kern := range asmKernels() {
		mr, lanes := kern.mr, kern.lanes
		for nv := 1; nv <= kern.nr/lanes; nv++ {
			for _, k := range []int{1, 3, 4, 5, 8, 9, 27, 144} {
				for tiles := 1; tiles <= 3; tiles++ {
					for _, add := range []bool{false, true} {
						w := lanes * nv
						lda, ldc := k+3, w+5
						a := randSlice(rng, (mr*tiles-1)*lda+k)
						src := randSlice(rng, 7*w*k+w)
						offs := make([]int, k)
						packed := make([]float32, k*w) // B(p, j) = packed[p*w+j]
						for p := range offs {
							offs[p] = rng.IntN(len(src) - w + 1)
							copy(packed[p*w:(p+1)*w], src[offs[p]:])
						}
						c := randSlice(rng, (mr*tiles-1)*ldc+w)
						got, want := append([]float32(nil), c...), append([]float32(nil), c...)
						tilesRows(kern, k, tiles, a, lda, src, offs, got, ldc, nv, add)
						tilesAsm(kern, k, tiles, a, lda, 1, packed, w, want, ldc, nv, add)
						for i := range want {
							if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
								t.Fatalf("%s nv%d k%d tiles%d add%v: c[%d] = %v, want %v", kern.name, nv, k, tiles, add, i, got[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}
