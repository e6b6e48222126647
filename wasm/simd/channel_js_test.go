//go:build js && wasm

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
)

// TestChannelPasses runs a BatchNorm2D's training forward and backward
// and its evaluation forward with Go's passes and then with the kernel's,
// on planes of the network's sizes and smaller, of a multiple of 4
// values and not (which stay in Go), and checks that every output,
// gradient and running statistic has the same bits.
func TestChannelPasses(t *testing.T) {
	k := kernels(t)["simd"]
	for _, s := range [][3]int{{1, 1, 4}, {3, 5, 4}, {2, 3, 8}, {4, 16, 32}, {7, 32, 16}, {2, 64, 8}, {2, 3, 3}, {3, 2, 11}} {
		n, c, side := s[0], s[1], s[2]
		t.Run(fmt.Sprintf("%dx%dx%dx%d", n, c, side, side), func(t *testing.T) {
			run := func(passes *nn.ChannelPasses) [][]float32 {
				nn.SetChannelPasses(passes)
				defer nn.SetChannelPasses(nil)
				rng := rand.New(rand.NewPCG(uint64(n*c), uint64(side)))
				b := nn.NewBatchNorm2D(c)
				for i := range c {
					b.Weight.Value.Data[i] = float32(0.5 + rng.Float64())
					b.Bias.Value.Data[i] = float32(rng.NormFloat64())
				}
				x := &nn.Tensor{Shape: []int{n, c, side, side}, Data: randSlice(rng, n*c*side*side)}
				for i := range x.Data {
					x.Data[i] = 3*x.Data[i] + 1
				}
				dy := &nn.Tensor{Shape: x.Shape, Data: randSlice(rng, len(x.Data))}
				y := append([]float32(nil), b.Forward(x, true).Data...)
				dx := append([]float32(nil), b.Backward(dy).Data...)
				eval := append([]float32(nil), b.Forward(x, false).Data...)
				return [][]float32{y, dx, eval, b.Weight.Grad, b.Bias.Grad, b.RunningMean.Value.Data, b.RunningVar.Value.Data}
			}
			want, got := run(nil), run(k.ChannelPasses())
			for i, name := range []string{"y", "dx", "y in evaluation", "weight gradient", "bias gradient", "running mean", "running variance"} {
				for j := range want[i] {
					if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
						t.Fatalf("%s[%d] = %v with the kernel's passes, %v with Go's", name, j, got[i][j], want[i][j])
					}
				}
			}
		})
	}
}

// TestChannelSums checks the kernel's sums against Go's, all 64 bits, on
// channels of planes padded apart, with values of mixed magnitudes so
// that the order of the additions shows in the last bits.
func TestChannelSums(t *testing.T) {
	k, g := kernels(t)["simd"].ChannelPasses(), nn.GoChannelPasses()
	rng := rand.New(rand.NewPCG(9, 9))
	for _, s := range [][3]int{{1, 4, 4}, {3, 8, 12}, {5, 64, 64}, {2, 1024, 1030}, {9, 256, 300}} {
		n, hw, stride := s[0], s[1], s[2]
		x, dy := randSlice(rng, (n-1)*stride+hw), randSlice(rng, (n-1)*stride+hw)
		for i := range x {
			x[i] *= float32(math.Exp(4 * rng.NormFloat64()))
		}
		check := func(what string, got, want float64) {
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("%d planes of %d, %d apart: %s = %v with the kernel, %v with Go", n, hw, stride, what, got, want)
			}
		}
		check("sum", k.Sum(x, hw, n, stride), g.Sum(x, hw, n, stride))
		check("squared deviations", k.SquaredDeviations(x, hw, n, stride, 0.3), g.SquaredDeviations(x, hw, n, stride, 0.3))
		a, ax := k.GradientSums(dy, x, hw, n, stride, 0.1, 1.7)
		b, bx := g.GradientSums(dy, x, hw, n, stride, 0.1, 1.7)
		check("sum of dy", a, b)
		check("sum of dy*xhat", ax, bx)
	}
}
