package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// stride2Planes are the plane sides of the stride-2 paths' tests: the
// smallest (2×2), unequal sides, and the network's.
var stride2Planes = [][2]int{{2, 2}, {2, 6}, {6, 2}, {4, 4}, {8, 6}, {16, 16}, {32, 32}, {64, 64}}

// signedValues returns n normal values, every seventh a zero of either
// sign, so that a sum started other than from +0 shows.
func signedValues(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		switch {
		case i%7 == 3:
			s[i] = float32(math.Copysign(0, rng.NormFloat64()))
		default:
			s[i] = float32(rng.NormFloat64())
		}
	}
	return s
}

// TestIm2col3x3Stride2 compares the shifting im2col of 3×3 stride-2
// convolutions with the general one, bit for bit, into buffers holding
// garbage.
func TestIm2col3x3Stride2(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	for _, hw := range stride2Planes {
		h, w := hw[0], hw[1]
		t.Run(fmt.Sprintf("%dx%d", h, w), func(t *testing.T) {
			c := NewConv2D(3, 4, 3, 2, 1, false, rng)
			ho, wo := c.OutSize(h), c.OutSize(w)
			x := signedValues(rng, c.In*h*w)
			n := c.In * 9 * colStride(ho*wo)
			c.col = make([]float32, n)
			for i := range c.col {
				c.col[i] = 7
			}
			c.copyCols(x, h, w, ho, wo)
			want := append([]float32(nil), c.col...)
			for i := range c.col {
				c.col[i] = 7
			}
			c.im2col(x, h, w, ho, wo)
			for i, v := range want {
				if math.Float32bits(c.col[i]) != math.Float32bits(v) {
					t.Fatalf("col[%d] = %v, want %v", i, c.col[i], v)
				}
			}
		})
	}
}

// TestCol2im3x3Stride2 compares the gathering col2im of 3×3 stride-2
// convolutions with the general one, bit for bit.
func TestCol2im3x3Stride2(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 2))
	for _, hw := range stride2Planes {
		h, w := hw[0], hw[1]
		t.Run(fmt.Sprintf("%dx%d", h, w), func(t *testing.T) {
			c := NewConv2D(3, 4, 3, 2, 1, false, rng)
			ho, wo := c.OutSize(h), c.OutSize(w)
			c.col = signedValues(rng, c.In*9*colStride(ho*wo))
			got, want := make([]float32, c.In*h*w), make([]float32, c.In*h*w)
			for i := range got {
				got[i] = 7 // overwritten, not added to
			}
			c.col2im(got, h, w, ho, wo)
			c.scatterCols(want, h, w, ho, wo)
			for i, v := range want {
				if math.Float32bits(got[i]) != math.Float32bits(v) {
					t.Fatalf("dx[%d] = %v, want %v", i, got[i], v)
				}
			}
		})
	}
}
