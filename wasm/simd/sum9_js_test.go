//go:build js && wasm

package simd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
)

// TestSum9 checks the kernel's Sum9 against its definition, in its
// order, bit for bit but for NaNs' payloads, on one and three planes of
// 4 to 40 sums at scattered offsets; and that a convolution's backward pass, whose
// col2im sums with it, gives the same bits with it set.
func TestSum9(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 9))
	for name, k := range kernels(t) {
		t.Run(name, func(t *testing.T) {
			terms := reluValues(900, rng)
			for n := 4; n <= 40; n += 4 {
				for _, planes := range []int{1, 3} {
					var offs [9]int
					for i := range offs {
						offs[i] = rng.IntN(300 - n)
					}
					dPlane, tPlane := n+rng.IntN(5), 300
					want := reluValues((planes-1)*dPlane+n, rng) // between the planes' sums, left as they are
					got := append([]float32(nil), want...)
					for q := range planes {
						for i := range n {
							v := func(t int) float32 { return terms[q*tPlane+offs[t]+i] }
							want[q*dPlane+i] = ((v(0) + v(1)) + v(2)) + ((v(3) + v(4)) + v(5)) + ((v(6) + v(7)) + v(8))
						}
					}
					k.Sum9(got, terms, offs, n, planes, dPlane, tPlane)
					if i := sameValues(got, want); i >= 0 {
						t.Fatalf("%d planes of %d: d[%d] = %#08x, want %#08x", planes, n, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
					}
				}
			}
			for _, side := range []int{3, 5, 8, 13, 32} {
				c := nn.NewConv2D(4, 6, 3, 1, 1, false, rand.New(rand.NewPCG(3, 3)))
				x, dy := nn.NewTensor(2, 4, side, side), nn.NewTensor(2, 6, side, side)
				for _, s := range [][]float32{x.Data, dy.Data} {
					for i := range s {
						s[i] = float32(rng.NormFloat64())
					}
				}
				c.Forward(x, true)
				want := append([]float32(nil), c.Backward(dy).Data...)
				nn.SetSum9Kernel(k.Sum9)
				got := c.Backward(dy).Data
				nn.SetSum9Kernel(nil)
				if i := sameBits(got, want); i >= 0 {
					t.Fatalf("side %d: dx[%d] = %v with the kernel, %v without", side, i, got[i], want[i])
				}
			}
		})
	}
}
