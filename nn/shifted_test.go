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

// TestShiftedConv checks that a convolution's output and weight
// gradient read from the shifted input are those from the written-out
// im2col matrix, bit for bit, the gradient added to one that is not
// zero: with the assembly kernels (gemmShifted, addShiftedWeightGrads)
// where they run, else through GemmRows.
func TestShiftedConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 3))
	for _, shape := range [][2]int{{16, 16}, {2, 32}, {32, 64}, {6, 16}, {3, 4}, {8, 12}, {3, 5}, {4, 48}, {12, 80}} {
		in, out := shape[0], shape[1]
		for _, hw := range shiftedPlanes {
			h, w := hw[0], hw[1]
			t.Run(fmt.Sprintf("%d-%d/%dx%d", in, out, h, w), func(t *testing.T) {
				c := NewConv2D(in, out, 3, 1, 1, false, rng)
				x := &Tensor{Shape: []int{2, in, h, w}, Data: signedValues(rng, 2*in*h*w)}
				dy := &Tensor{Shape: []int{2, out, h, w}, Data: signedValues(rng, 2*out*h*w)}
				start := signedValues(rng, len(c.Weight.Grad))
				run := func(shifted bool) (y, grad []float32) {
					shiftedIm2col = shifted
					defer func() { shiftedIm2col = true }()
					copy(c.Weight.Grad, start)
					y = append([]float32(nil), c.Forward(x, true).Data...)
					c.Backward(dy)
					return y, append([]float32(nil), c.Weight.Grad...)
				}
				wantY, wantGrad := run(false)
				y, grad := run(true)
				for _, r := range []struct {
					name      string
					got, want []float32
				}{{"output", y, wantY}, {"weight gradient", grad, wantGrad}} {
					for i, v := range r.want {
						if math.Float32bits(r.got[i]) != math.Float32bits(v) {
							t.Fatalf("%s [%d] = %v, want %v", r.name, i, r.got[i], v)
						}
					}
				}
			})
		}
	}
}
