package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestCol2im3x3 compares the gathering col2im of 3×3 stride-1
// convolutions with the general one, which adds every column row into the
// plane in turn, on planes from the smallest it takes (2×2) to the
// network's, square or not.
func TestCol2im3x3(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, hw := range [][2]int{{2, 2}, {2, 5}, {5, 2}, {3, 3}, {4, 7}, {8, 8}, {32, 32}} {
		h, w := hw[0], hw[1]
		t.Run(fmt.Sprintf("%dx%d", h, w), func(t *testing.T) {
			c := NewConv2D(3, 4, 3, 1, 1, false, rng)
			c.col = make([]float32, c.In*9*colStride(h*w))
			for i := range c.col {
				c.col[i] = float32(rng.NormFloat64())
			}
			got, want := make([]float32, c.In*h*w), make([]float32, c.In*h*w)
			for i := range got {
				got[i] = 7 // overwritten, not added to
			}
			c.col2im(got, h, w, h, w)
			c.scatterCols(want, h, w, h, w)
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-5 {
					t.Fatalf("dx[%d] = %v, want %v", i, got[i], want[i])
				}
			}
		})
	}
}

// TestShiftPlane checks shiftPlane, and shiftBand on every band of the
// plane, against their definition, dst[y][x] = src[y+di][x+dj] or 0
// outside, for shifts up to 2 either way, into a buffer holding garbage.
func TestShiftPlane(t *testing.T) {
	for _, hw := range [][2]int{{3, 4}, {5, 5}, {4, 3}, {1, 6}} {
		h, w := hw[0], hw[1]
		src := make([]float32, h*w)
		for i := range src {
			src[i] = float32(i + 1)
		}
		for di := -2; di <= 2; di++ {
			for dj := -2; dj <= 2; dj++ {
				want := make([]float32, h*w)
				for y := 0; y < h; y++ {
					for x := 0; x < w; x++ {
						if sy, sx := y+di, x+dj; sy >= 0 && sy < h && sx >= 0 && sx < w {
							want[y*w+x] = src[sy*w+sx]
						}
					}
				}
				check := func(name string, dst []float32, j0 int) {
					for i, got := range dst {
						if got != want[j0+i] {
							t.Fatalf("%s of %dx%d shifted by (%d, %d): element %d = %v, want %v", name, h, w, di, dj, j0+i, got, want[j0+i])
						}
					}
				}
				garbage := func(n int) []float32 {
					dst := make([]float32, n)
					for i := range dst {
						dst[i] = -1
					}
					return dst
				}
				dst := garbage(h * w)
				shiftPlane(dst, src, h, w, di, dj)
				check("shiftPlane", dst, 0)
				for j0 := 0; j0 < h*w; j0++ {
					for n := 1; j0+n <= h*w; n++ {
						dst := garbage(n)
						shiftBand(dst, src, h, w, di, dj, j0/w, j0%w)
						check(fmt.Sprintf("shiftBand from %d", j0), dst, j0)
					}
				}
			}
		}
	}
}
