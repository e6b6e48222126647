package nn

import (
	"math/rand/v2"
	"testing"
)

// kernelRef is GemmKernel's documented loop.
func kernelRef(k, tiles, panels int, a, b []float32, ps, bs int, c []float32, ldc int, add bool) {
	for i := 0; i < 4*tiles; i++ {
		for j := 0; j < 8*panels; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a[i/4*4*k+p*4+i%4] * b[j/8*ps+p*bs+j%8]
			}
			if add {
				c[i*ldc+j] += s
			} else {
				c[i*ldc+j] = s
			}
		}
	}
}

func TestSetGemmKernel(t *testing.T) {
	calls := 0
	counting := func(k, tiles, panels int, a, b []float32, ps, bs int, c []float32, ldc int, add bool) {
		calls++
		kernelRef(k, tiles, panels, a, b, ps, bs, c, ldc, add)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	tc := gemmCase{m: 9, n: 20, k: 300, transB: true, accumulate: true, ldPad: 1}
	a, lda, b, ldb, c, ldc := tc.operands()
	for _, s := range [][]float32{a, b, c} {
		copy(s, randSlice(rng, len(s)))
	}
	var buf GemmBuffer

	SetGemmKernel(counting)
	t.Cleanup(func() { SetGemmKernel(nil) })
	checkGemm(t, Gemm, &buf, tc, a, lda, b, ldb, c, ldc, false)
	// Two blocks of depth, each with whole tiles, the cut row tile and
	// the cut panel.
	if calls != 6 {
		t.Errorf("with a kernel set: got %d calls of it, want 6", calls)
	}

	SetGemmKernel(nil)
	calls = 0
	checkGemm(t, Gemm, &buf, tc, a, lda, b, ldb, c, ldc, false)
	if calls != 0 {
		t.Errorf("after SetGemmKernel(nil): got %d calls of the kernel, want 0", calls)
	}
}
