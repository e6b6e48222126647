package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// shiftedPlanes are the plane sides of the shifted layout's tests: the
// smallest a 3×3 convolution shifts (2×2), unequal and odd sides, and
// the network's.
var shiftedPlanes = [][2]int{{2, 2}, {2, 5}, {5, 3}, {7, 7}, {8, 8}, {10, 10}, {32, 32}}

// TestShiftedRows checks that every row of the im2col matrix read from
// the shifted input is the row im2col writes, bit for bit, after a
// first fill with other values.
func TestShiftedRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 2))
	for _, hw := range shiftedPlanes {
		h, w := hw[0], hw[1]
		t.Run(fmt.Sprintf("%dx%d", h, w), func(t *testing.T) {
			c := NewConv2D(3, 4, 3, 1, 1, false, rng)
			var s shifted
			s.fill(signedValues(rng, c.In*h*w), c.In, h, w)
			x := signedValues(rng, c.In*h*w)
			s.fill(x, c.In, h, w)
			ld := colStride(h * w)
			c.col = make([]float32, c.In*9*ld)
			c.copyCols(x, h, w, h, w)
			for ch := range c.In {
				for pos := range 9 {
					row := c.col[(ch*9+pos)*ld:][:h*w]
					at := s.row(ch, pos/3, pos%3)
					for j, v := range row {
						if got := s.Data[at+j]; math.Float32bits(got) != math.Float32bits(v) {
							t.Fatalf("row (%d, %d, %d)[%d] = %v, want %v", ch, pos/3, pos%3, j, got, v)
						}
					}
				}
			}
		})
	}
}

// TestShiftedWeightGrads checks that a convolution's weight gradient
// read from the shifted input is the one from the written-out im2col
// matrix, bit for bit, added to a gradient that is not zero.
func TestShiftedWeightGrads(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 3))
	for _, shape := range [][2]int{{16, 16}, {2, 32}, {32, 64}, {6, 16}} {
		in, out := shape[0], shape[1]
		if !shiftedWeightGrads(in, out) {
			t.Skipf("no shifted weight gradient here (%s kernel)", builtinInstructions())
		}
		for _, hw := range shiftedPlanes {
			h, w := hw[0], hw[1]
			t.Run(fmt.Sprintf("%d-%d/%dx%d", in, out, h, w), func(t *testing.T) {
				c := NewConv2D(in, out, 3, 1, 1, false, rng)
				x := &Tensor{Shape: []int{2, in, h, w}, Data: signedValues(rng, 2*in*h*w)}
				dy := &Tensor{Shape: []int{2, out, h, w}, Data: signedValues(rng, 2*out*h*w)}
				start := signedValues(rng, len(c.Weight.Grad))
				grad := func(shifted bool) []float32 {
					shiftedIm2col = shifted
					defer func() { shiftedIm2col = true }()
					copy(c.Weight.Grad, start)
					c.Forward(x, true)
					c.Backward(dy)
					return append([]float32(nil), c.Weight.Grad...)
				}
				want, got := grad(false), grad(true)
				for i, v := range want {
					if math.Float32bits(got[i]) != math.Float32bits(v) {
						t.Fatalf("weight gradient [%d] = %v, want %v", i, got[i], v)
					}
				}
			})
		}
	}
}
