package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestFlippedInputGrad compares dL/dx of 3×3 stride-1 convolutions,
// computed as the convolution of dy by the flipped kernel, with its
// definition: the im2col matrix of Wᵀ·dy summed into the plane by the
// general col2im, on planes from the smallest (2×2) to the network's,
// square or not, into a gradient holding garbage.
func TestFlippedInputGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, hw := range [][2]int{{2, 2}, {2, 5}, {5, 2}, {3, 3}, {4, 7}, {8, 8}, {10, 10}, {32, 32}} {
		h, w := hw[0], hw[1]
		for _, io := range [][2]int{{3, 4}, {16, 16}, {8, 32}} {
			in, out := io[0], io[1]
			t.Run(fmt.Sprintf("%d-%d/%dx%d", in, out, h, w), func(t *testing.T) {
				c := NewConv2D(in, out, 3, 1, 1, false, rng)
				dy := make([]float32, out*h*w)
				for i := range dy {
					dy[i] = float32(rng.NormFloat64())
				}
				kk := in * 9
				c.col = make([]float32, kk*colStride(h*w))
				for p := range kk {
					for j := range h * w {
						var s float32
						for o := range out {
							s += c.Weight.Value.Data[o*kk+p] * dy[o*h*w+j]
						}
						c.col[p*colStride(h*w)+j] = s
					}
				}
				want := make([]float32, in*h*w)
				c.scatterCols(want, h, w, h, w)
				got := make([]float32, in*h*w)
				for i := range got {
					got[i] = 7 // overwritten, not added to
				}
				c.flipWeights()
				c.flippedInputGrad(got, dy, h, w, true)
				for i := range want {
					if math.Abs(float64(got[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("dx[%d] = %v, want %v", i, got[i], want[i])
					}
				}
			})
		}
	}
}

// TestShiftPlane checks shiftPlane against its definition, dst[y][x] =
// src[y+di][x+dj] or 0 outside, for shifts up to 2 either way, into a
// buffer holding garbage.
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
				dst := make([]float32, h*w)
				for i := range dst {
					dst[i] = -1
				}
				shiftPlane(dst, src, h, w, di, dj)
				for i, got := range dst {
					if got != want[i] {
						t.Fatalf("%dx%d shifted by (%d, %d): element %d = %v, want %v", h, w, di, dj, i, got, want[i])
					}
				}
			}
		}
	}
}
