package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// withTransforms runs f with inference's Winograd transforms set to k, or
// with none (so direct convolutions) when k is nil, built-in ones
// included.
func withTransforms(k *WinogradKernels, f func()) {
	builtin := builtinWinograd
	defer func() { builtinWinograd = builtin; SetWinogradKernels(nil) }()
	builtinWinograd = nil
	SetWinogradKernels(k)
	f()
}

// TestWinogradMatchesDirect compares a Winograd convolution, with Go's
// transforms, with the direct one on the same input: with and without
// accumulating into the output, with ReLU on none, some and all of its
// channels, on planes of 2 to 20 values a side (1 to 10 tiles, so every
// remainder of a kernel's group of 4 or 8 tiles), and batches of one
// and several chunks. They agree to rounding: the transforms add and
// subtract four inputs twice over, and the products sum 16 terms where
// the direct one sums 9 times as many, with errors of a few units of
// 1e-7 of the sums' size. The test also checks that the output's borders
// and the gaps between its channels keep their zeros.
func TestWinogradMatchesDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 7))
	for _, tc := range []struct{ in, out, n, side int }{
		{3, 5, 2, 2}, {4, 4, 3, 6}, {16, 16, 4, 10}, {8, 12, 2, 20}, {32, 32, 7, 16}, {5, 3, 1, 14},
	} {
		for _, accumulate := range []bool{false, true} {
			for _, relu := range []int{0, tc.out / 2, tc.out} {
				name := fmt.Sprintf("%d→%d-n%d-%d×%d-add%v-relu%d", tc.in, tc.out, tc.n, tc.side, tc.side, accumulate, relu)
				t.Run(name, func(t *testing.T) {
					conv := NewConv2D(tc.in, tc.out, 3, 1, 1, false, rng)
					bn := NewBatchNorm2D(tc.out)
					for i := range bn.Weight.Value.Data {
						bn.Weight.Value.Data[i] = float32(0.5 + rng.Float64())
						bn.RunningVar.Value.Data[i] = float32(0.2 + rng.Float64())
						bn.RunningMean.Value.Data[i] = float32(rng.Float64() - 0.5)
						bn.Bias.Value.Data[i] = float32(rng.Float64() - 0.5)
					}
					c := newInferConv([]*Conv2D{conv}, []*BatchNorm2D{bn})
					c.fold()
					var x padded
					x.resize(tc.in, tc.n, tc.side, tc.side)
					pad(&x, randSlice(rng, tc.in*tc.n*tc.side*tc.side))
					start := randSlice(rng, tc.out*tc.n*tc.side*tc.side)
					run := func(k *WinogradKernels) *padded {
						y := new(padded)
						y.resizeOutput(tc.out, tc.n, tc.side, tc.side)
						pad(y, start) // what accumulate adds to
						var s convScratch
						withTransforms(k, func() {
							c.fold()
							c.forward(y, &x, accumulate, relu, &s)
						})
						return y
					}
					want, got := run(nil), run(&WinogradGo)
					var scale float64
					for _, v := range want.Data {
						scale = max(scale, math.Abs(float64(v)))
					}
					for ch := range tc.out {
						for n := range tc.n {
							for i := -1; i <= tc.side; i++ {
								for j := -1; j <= tc.side; j++ {
									at := got.at(ch, n) + (i+1)*(tc.side+1) + j
									inside := i >= 0 && i < tc.side && j >= 0 && j < tc.side
									g, w := got.Data[at], want.Data[at]
									switch {
									case inside && !(math.Abs(float64(g-w)) <= 1e-5*scale):
										t.Fatalf("channel %d image %d (%d, %d): got %v, want %v (scale %g)", ch, n, i, j, g, w, scale)
									case !inside && ch < relu && g != 0:
										t.Fatalf("channel %d image %d border (%d, %d): got %v, want 0", ch, n, i, j, g)
									}
								}
							}
						}
						gap := got.gap()
						for _, v := range got.Data[ch*got.stride() : ch*got.stride()+gap] {
							if v != 0 {
								t.Fatalf("channel %d: gap before the planes holds %v", ch, v)
							}
						}
					}
				})
			}
		}
	}
}

// TestWinogradWeights checks G g Gᵀ on kernels whose transforms are
// known: a kernel of one 1 at (p, q) gives G's column p times Gᵀ's row
// q, and a sum of kernels the sum of their transforms.
func TestWinogradWeights(t *testing.T) {
	G := [4][3]float32{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	for p := range 3 {
		for q := range 3 {
			w := make([]float32, 9)
			w[p*3+q] = 1
			u := make([]float32, 16)
			winogradWeights(u, w, 9, 1, 1)
			for a := range 4 {
				for b := range 4 {
					if want := G[a][p] * G[b][q]; u[4*a+b] != want {
						t.Fatalf("kernel of a 1 at (%d, %d): U[%d][%d] = %v, want %v", p, q, a, b, u[4*a+b], want)
					}
				}
			}
		}
	}
	// Two outputs and two inputs: U_ξ is the 2×2 matrix at u[4ξ:], its
	// element (o, c) from the kernel at w[o*ld + c*9:].
	rng := rand.New(rand.NewPCG(1, 9))
	const ld = 2*9 + 1
	w := randSlice(rng, 2*ld)
	u := make([]float32, 16*4)
	winogradWeights(u, w, ld, 2, 2)
	for o := range 2 {
		for c := range 2 {
			one := make([]float32, 16)
			winogradWeights(one, w[o*ld+c*9:], 9, 1, 1)
			for xi := range 16 {
				if got := u[xi*4+o*2+c]; got != one[xi] {
					t.Fatalf("U_%d(%d, %d) = %v, want %v", xi, o, c, got, one[xi])
				}
			}
		}
	}
}
