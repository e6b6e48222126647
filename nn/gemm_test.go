package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemmNaive is the reference loop of Gemm's documentation, accumulating
// in float64.
func gemmNaive(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
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
			}
			if accumulate {
				s += float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(s)
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

func TestGemmAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	shapes := [][3]int{{1, 1, 1}, {4, 4, 4}, {5, 7, 3}, {16, 1024, 27}, {32, 256, 144}, {64, 64, 576}, {3, 5, 300}, {6, 64, 10}, {13, 9, 513}}
	var buf GemmBuffer
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, transA := range []bool{false, true} {
			for _, transB := range []bool{false, true} {
				for _, acc := range []bool{false, true} {
					name := fmt.Sprintf("m%d_n%d_k%d_ta%v_tb%v_acc%v", m, n, k, transA, transB, acc)
					// Leading dimensions larger than needed, to catch stride mistakes.
					lda, ldb, ldc := k+3, n+2, n+1
					if transA {
						lda = m + 3
					}
					if transB {
						ldb = k + 2
					}
					rowsA, rowsB := m, k
					if transA {
						rowsA = k
					}
					if transB {
						rowsB = n
					}
					a, b := randSlice(rng, rowsA*lda), randSlice(rng, rowsB*ldb)
					c0 := randSlice(rng, m*ldc)
					got := append([]float32(nil), c0...)
					want := append([]float32(nil), c0...)
					Gemm(&buf, transA, transB, m, n, k, a, lda, b, ldb, got, ldc, acc)
					gemmNaive(transA, transB, m, n, k, a, lda, b, ldb, want, ldc, acc)
					for i := range got {
						tol := 1e-4 * math.Sqrt(float64(k)+1)
						if d := math.Abs(float64(got[i] - want[i])); d > tol {
							t.Fatalf("%s: c[%d] = %v, want %v", name, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

func TestGemmSpecialInputs(t *testing.T) {
	var buf GemmBuffer
	// Zeros give zeros; an impulse picks one element.
	m, n, k := 6, 9, 5
	a := make([]float32, m*k)
	b := make([]float32, k*n)
	c := make([]float32, m*n)
	for i := range c {
		c[i] = 7
	}
	Gemm(&buf, false, false, m, n, k, a, k, b, n, c, n, false)
	for i, v := range c {
		if v != 0 {
			t.Fatalf("zeros: c[%d] = %v, want 0", i, v)
		}
	}
	a[2*k+3] = 1 // A(2, 3)
	for j := 0; j < n; j++ {
		b[3*n+j] = float32(j + 1) // B(3, j)
	}
	Gemm(&buf, false, false, m, n, k, a, k, b, n, c, n, false)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			want := float32(0)
			if i == 2 {
				want = float32(j + 1)
			}
			if got := c[i*n+j]; got != want {
				t.Fatalf("impulse: c[%d][%d] = %v, want %v", i, j, got, want)
			}
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	// The im2col GEMM shapes of the reference network at one image:
	// Out × Ho*Wo × In*9.
	shapes := [][3]int{{16, 1024, 27}, {16, 1024, 144}, {32, 256, 144}, {32, 256, 288}, {64, 64, 288}, {64, 64, 576}}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, n, k), func(b *testing.B) {
			var buf GemmBuffer
			a, bb, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float32, m*n)
			for b.Loop() {
				Gemm(&buf, false, false, m, n, k, a, k, bb, n, c, n, false)
			}
			b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
