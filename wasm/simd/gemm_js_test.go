//go:build js && wasm

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
)

// gemmCase is one call of nn.Gemm: its shape and layout. Its leading
// dimensions are those of the operands plus pad, and C's padding
// columns must come back untouched.
type gemmCase struct {
	m, n, k        int
	transA, transB bool
	accumulate     bool
	pad            int
}

func (g gemmCase) String() string {
	return fmt.Sprintf("m%d_n%d_k%d_ta%v_tb%v_acc%v_pad%d", g.m, g.n, g.k, g.transA, g.transB, g.accumulate, g.pad)
}

// operands returns g's leading dimensions and operands of seeded random
// values.
func (g gemmCase) operands(rng *rand.Rand) (a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	rowsA, lda := g.m, g.k+g.pad
	if g.transA {
		rowsA, lda = g.k, g.m+g.pad
	}
	rowsB, ldb := g.k, g.n+g.pad
	if g.transB {
		rowsB, ldb = g.n, g.k+g.pad
	}
	ldc = g.n + g.pad
	return randSlice(rng, rowsA*lda), lda, randSlice(rng, rowsB*ldb), ldb, randSlice(rng, g.m*ldc), ldc
}

// check runs nn.Gemm on g with random operands and compares C with a
// float64 loop, within rounding of each sum; the padding must keep its
// values.
func (g gemmCase) check(t *testing.T, buf *nn.GemmBuffer, rng *rand.Rand) {
	t.Helper()
	a, lda, b, ldb, c, ldc := g.operands(rng)
	got := append([]float32(nil), c...)
	nn.Gemm(buf, g.transA, g.transB, g.m, g.n, g.k, a, lda, b, ldb, got, ldc, g.accumulate)
	rel := float64(g.k+1) * 0x1p-23
	for i := range got {
		row, col := i/ldc, i%ldc
		want, tol := float64(c[i]), 0.0
		if col < g.n {
			var s, abs float64
			if g.accumulate {
				s, abs = float64(c[i]), math.Abs(float64(c[i]))
			}
			for p := 0; p < g.k; p++ {
				ia, ib := row*lda+p, p*ldb+col
				if g.transA {
					ia = p*lda + row
				}
				if g.transB {
					ib = col*ldb + p
				}
				av, bv := a[ia], b[ib]
				s += float64(av) * float64(bv)
				abs += math.Abs(float64(av) * float64(bv))
			}
			want, tol = float64(float32(s)), rel*abs+1e-30
		}
		if d := math.Abs(float64(got[i]) - want); !(d <= tol) {
			t.Fatalf("%v: c[%d] (row %d, column %d) = %v, want %v", g, i, row, col, got[i], want)
		}
	}
}

// networkShapes are the im2col products of the reference network's
// convolutions for one image: output channels, output pixels, and input
// channels times 9.
var networkShapes = [][3]int{{16, 1024, 27}, {16, 1024, 144}, {32, 256, 144}, {32, 256, 288}, {64, 64, 288}, {64, 64, 576}}

// gemmCases returns small shapes with every remainder against the
// kernel's tile in every layout, depths around the blocking, the
// network's products (forward, weight gradient, column gradient) and
// seeded random shapes.
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
		for n := 1; n <= 17; n++ {
			all(m, n, 1+(m+n)%5, (m*n)%3)
		}
	}
	for _, k := range []int{255, 256, 257, 511, 513} {
		all(5, 19, k, 1)
	}
	for _, s := range networkShapes {
		out, hw, kk := s[0], s[1], s[2]
		cases = append(cases,
			gemmCase{m: out, n: hw, k: kk},
			gemmCase{m: out, n: kk, k: hw, transB: true, accumulate: true},
			gemmCase{m: kk, n: hw, k: out, transA: true})
	}
	dims := []int{1, 3, 4, 5, 8, 9, 15, 16, 17, 31, 32, 33, 64, 65}
	for range 100 {
		cases = append(cases, gemmCase{dims[rng.IntN(len(dims))], dims[rng.IntN(len(dims))], 1 + rng.IntN(600),
			rng.IntN(2) == 0, rng.IntN(2) == 0, rng.IntN(2) == 0, rng.IntN(3)})
	}
	return cases
}
