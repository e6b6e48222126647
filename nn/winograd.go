package nn

import (
	"fmt"
	"sync/atomic"
)

// Winograd's minimal filtering F(2×2, 3×3) for inference's 3×3
// convolutions of stride 1 and padding 1 on planes of even sides: each
// 2×2 block of the output, a tile, comes from the 4×4 block of the input
// around it, d, as
//
//	Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A
//
// summed over the input channels, with g a 3×3 kernel and
//
//	Bᵀ = ⎡1  0 -1  0⎤   G = ⎡ 1    0    0 ⎤   Aᵀ = ⎡1 1  1  0⎤
//	     ⎢0  1  1  0⎥       ⎢ 1/2  1/2  1/2⎥        ⎣0 1 -1 -1⎦
//	     ⎢0 -1  1  0⎥       ⎢ 1/2 -1/2  1/2⎥
//	     ⎣0  1  0 -1⎦       ⎣ 0    0    1 ⎦
//
// The sum over channels is then 16 products, one for each of the 16
// elements ξ of the transformed tile: U_ξ (Out × In, the transformed
// kernels) times V_ξ (In × tiles, the transformed inputs). They do 16
// multiply-adds a tile and channel pair where the direct convolution does
// 36, a multiplication by 2.25 fewer; the transforms are additions and
// subtractions only, and G's halves are exact.
//
// The transforms are written out below, each addition in its order, so
// that every kernel that computes them, in Go, in assembly or in
// WebAssembly, gives the same bits: inference then computes the same
// logits natively and in the page.

// WinogradTiles is the geometry of a transform's call: Channels planes
// of Images images each, of 2*Rows × 2*Cols values, and their transforms.
type WinogradTiles struct {
	Channels, Images int
	Rows, Cols       int // tiles an image, down and across
	// In the planes: the values between two rows, two images' planes and
	// two channels.
	Row, Plane, Channel int
	// In the transforms: the values between two channels' rows of a
	// matrix, and between two of the 16 matrices. Tile (n, i, j) of a
	// channel is column (n*Rows+i)*Cols+j of its row.
	Stride, Matrix int
}

// tiles returns the tiles of a channel's row, Images*Rows*Cols.
func (g *WinogradTiles) tiles() int { return g.Images * g.Rows * g.Cols }

// WinogradSpill is how far a WinogradKernels' transform may reach past
// what winogradInput reads and writes: it may read up to that many
// values past the last one of each row of the planes it needs, and write
// up to that many past the last tile of each row of tiles, into columns
// that the next row of tiles overwrites, or past the channel's last tile,
// where Stride leaves room.
const WinogradSpill = 32

// WinogradKernels are the transforms of inference's Winograd
// convolutions, run faster than Go can, as the WebAssembly SIMD kernel of
// the page's worker does (see wasm/simd). Each must give winogradInput's
// or winogradOutput's bits, touching nothing else but what
// WinogradSpill allows; nn calls them with slices that hold every
// element, WinogradSpill included, from any goroutine.
type WinogradKernels struct {
	// Input is winogradInput.
	Input func(v, x []float32, g *WinogradTiles)
	// Output is winogradOutput.
	Output func(y, m []float32, g *WinogradTiles, bias []float32, add bool, relu int)
}

// WinogradGo are the transforms in Go's loops, whose bits every
// WinogradKernels must give.
var WinogradGo = WinogradKernels{Input: winogradInput, Output: winogradOutput}

// winogradKernels are the kernels set by SetWinogradKernels, or nil.
var winogradKernels atomic.Pointer[WinogradKernels]

// SetWinogradKernels makes inference transform with k from now on, in
// every goroutine, or with the built-in kernels again when k is nil.
// Without kernels, set or built in (assembly, where the CPU has AVX2),
// inference convolves directly: Go's loops are far slower than the
// products they save.
func SetWinogradKernels(k *WinogradKernels) { winogradKernels.Store(k) }

// winogradTransforms returns the kernels inference transforms with, or
// nil for none.
func winogradTransforms() *WinogradKernels {
	if k := winogradKernels.Load(); k != nil {
		return k
	}
	return builtinWinograd
}

// winogradInput sets the transforms of x's tiles in v: for channel c and
// tile t = (n, i, j), whose 4×4 block d starts at x[c*Channel +
// n*Plane + 2i*Row + 2j], element ξ = 4a+b of Bᵀ d B at v[ξ*Matrix +
// c*Stride + t], computed as below.
func winogradInput(v, x []float32, g *WinogradTiles) {
	for c := range g.Channels {
		for n := range g.Images {
			for i := range g.Rows {
				src := c*g.Channel + n*g.Plane + 2*i*g.Row
				dst := c*g.Stride + (n*g.Rows+i)*g.Cols
				for j := range g.Cols {
					var d, t [4][4]float32
					for r := range 4 {
						copy(d[r][:], x[src+r*g.Row+2*j:][:4])
					}
					// Bᵀ d, then (Bᵀ d) B.
					for q := range 4 {
						t[0][q] = d[0][q] - d[2][q]
						t[1][q] = d[1][q] + d[2][q]
						t[2][q] = d[2][q] - d[1][q]
						t[3][q] = d[1][q] - d[3][q]
					}
					for a := range 4 {
						at := a*4*g.Matrix + dst + j
						v[at] = t[a][0] - t[a][2]
						v[at+g.Matrix] = t[a][1] + t[a][2]
						v[at+2*g.Matrix] = t[a][2] - t[a][1]
						v[at+3*g.Matrix] = t[a][1] - t[a][3]
					}
				}
			}
		}
	}
}

// winogradOutput sets y's values from the products m, laid out as
// winogradInput lays out v, with Channels the output channels: for tile
// t = (n, i, j) of channel o, the 2×2 block at y[o*Channel + n*Plane +
// 2i*Row + 2j] becomes Aᵀ M A + bias[o], with M element ξ at m[ξ*Matrix
// + o*Stride + t]; or the block plus that, in that order, when add is
// set; then ReLU's of it (as ReLU.Forward computes it) in the first relu
// channels. It writes nothing else.
func winogradOutput(y, m []float32, g *WinogradTiles, bias []float32, add bool, relu int) {
	if len(bias) < g.Channels {
		panic(fmt.Sprintf("nn: Winograd output of %d channels with %d biases", g.Channels, len(bias)))
	}
	for o := range g.Channels {
		for n := range g.Images {
			for i := range g.Rows {
				src := o*g.Stride + (n*g.Rows+i)*g.Cols
				dst := o*g.Channel + n*g.Plane + 2*i*g.Row
				for j := range g.Cols {
					// Aᵀ M, then (Aᵀ M) A.
					var u [2][4]float32
					for q := range 4 {
						at := q*g.Matrix + src + j
						m0, m1, m2, m3 := m[at], m[at+4*g.Matrix], m[at+8*g.Matrix], m[at+12*g.Matrix]
						u[0][q] = m0 + m1 + m2
						u[1][q] = m1 - m2 - m3
					}
					for r := range 2 {
						out := y[dst+r*g.Row+2*j:][:2]
						s := [2]float32{u[r][0] + u[r][1] + u[r][2], u[r][1] - u[r][2] - u[r][3]}
						for q, val := range s {
							val += bias[o]
							if add {
								val = out[q] + val
							}
							if o < relu {
								val = reluValue(val)
							}
							out[q] = val
						}
					}
				}
			}
		}
	}
}

// reluValue is ReLU.Forward's value for x: +0 for zeros and negatives, x
// itself otherwise, NaN included.
func reluValue(x float32) float32 {
	if x <= 0 {
		return 0
	}
	return x
}

// winogradWeights sets u, element ξ of G g Gᵀ for output o and input c
// at u[ξ*out*in + o*in + c], from the 3×3 kernels g[(o*in + c)*9:] of
// a weight matrix with rows ld apart: U_ξ is the Out × In matrix at
// u[ξ*out*in:].
func winogradWeights(u, w []float32, ld, out, in int) {
	for o := range out {
		for c := range in {
			k := w[o*ld+c*9:][:9]
			// G g, then (G g) Gᵀ.
			var t [4][3]float32
			for q := range 3 {
				g0, g1, g2 := k[q], k[3+q], k[6+q]
				t[0][q] = g0
				t[1][q] = (g0 + g1 + g2) * 0.5
				t[2][q] = (g0 - g1 + g2) * 0.5
				t[3][q] = g2
			}
			for a := range 4 {
				g0, g1, g2 := t[a][0], t[a][1], t[a][2]
				at := 4*a*out*in + o*in + c
				u[at] = g0
				u[at+out*in] = (g0 + g1 + g2) * 0.5
				u[at+2*out*in] = (g0 - g1 + g2) * 0.5
				u[at+3*out*in] = g2
			}
		}
	}
}
