//go:build !noasm

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// kernelAVX2Naive is the reference loop of kernelAVX2's documentation, in
// float64, with the bound on the rounding error of each sum as in
// gemmNaive.
func kernelAVX2Naive(k, tiles int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc, nv int, add bool, bound []float64) {
	for i := 0; i < 4*tiles; i++ {
		for j := 0; j < 8*nv; j++ {
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

// TestKernelAVX2 checks the assembly kernel itself against its reference
// loop: every width, depths around its unrolling by 4, one tile or
// several, A by rows and by columns, B packed and strided, on random
// data, zeros and impulses.
func TestKernelAVX2(t *testing.T) {
	if !haveAVX2FMA {
		t.Skip("no AVX2 and FMA on this CPU")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for nv := 1; nv <= 3; nv++ {
		for _, k := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 27, 64, 255} {
			tiles := 1 + k%3
			for _, layout := range []string{"rows", "columns"} {
				for _, data := range []string{"random", "zeros", "impulse"} {
					for _, add := range []bool{false, true} {
						rs, cs := k+1, 1
						if layout == "columns" {
							rs, cs = 1, 4*tiles+1
						}
						bs, ldc := 8*nv+(k%3)*8, 8*nv+k%5
						a := make([]float32, (4*tiles-1)*rs+(k-1)*cs+1)
						b := make([]float32, (k-1)*bs+8*nv)
						c := randSlice(rng, (4*tiles-1)*ldc+8*nv)
						switch data {
						case "random":
							copy(a, randSlice(rng, len(a)))
							copy(b, randSlice(rng, len(b)))
						case "impulse":
							a[(4*tiles-2)*rs+(k-1)/2*cs] = 1
							for j := range b {
								b[j] = float32(j%17) - 8
							}
						}
						name := fmt.Sprintf("nv%d_k%d_tiles%d_%s_%s_add%v", nv, k, tiles, layout, data, add)
						got := append([]float32(nil), c...)
						want := append([]float32(nil), c...)
						bound := make([]float64, len(c))
						tilesAVX2(k, tiles, a, rs, cs, b, bs, got, ldc, nv, add)
						kernelAVX2Naive(k, tiles, a, rs, cs, b, bs, want, ldc, nv, add, bound)
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

// TestPackBAVX2 checks the assembly packing of B against packB, into
// buffers holding NaN.
func TestPackBAVX2(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{1, 7, 8, 16, 23, 24, 25, 40, 48, 49, 64, 72, 100} {
		for _, kb := range []int{1, 3, 8, 16, 30} {
			for _, trans := range []bool{false, true} {
				ldb, rows := n+3, 2+kb+1
				if trans {
					ldb, rows = 2+kb+1, n
				}
				b := randSlice(rng, rows*ldb)
				size := (n + 7) / 8 * 8 * kb
				got, want, stage := make([]float32, size+1), make([]float32, size+1), make([]float32, 8*kb)
				for _, s := range [][]float32{got, want, stage} {
					for i := range s {
						s[i] = float32(math.NaN())
					}
				}
				packBAVX2(got, stage, trans, b, ldb, n, 2, kb)
				packB(want, avxNR, 8, trans, b, ldb, n, 2, kb)
				if v := got[size]; !math.IsNaN(float64(v)) {
					t.Fatalf("n%d_kb%d_trans%v: dst[%d] past the panels = %v, want NaN untouched", n, kb, trans, size, v)
				}
				for i := range size {
					if got[i] != want[i] {
						t.Fatalf("n%d_kb%d_trans%v: dst[%d] = %v, want %v", n, kb, trans, i, got[i], want[i])
					}
				}
			}
		}
	}
}
