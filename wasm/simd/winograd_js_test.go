//go:build js && wasm

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
)

// winogradValues returns n values of magnitudes over 6 binades either
// side of 1, so that any addition out of Go's order rounds differently,
// with now and then one of the values whose bits go wrong most easily:
// zeros of both signs, infinities, NaNs, subnormals, the largest finite
// values (whose sums overflow).
func winogradValues(n int, rng *rand.Rand) []float32 {
	specials := []uint32{0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001,
		1, 0x80000001, 0x007fffff, 0x7f7fffff, 0xff7fffff}
	v := make([]float32, n)
	for i := range v {
		if rng.IntN(64) == 0 {
			v[i] = math.Float32frombits(specials[rng.IntN(len(specials))])
		} else {
			v[i] = float32(math.Ldexp(rng.NormFloat64(), rng.IntN(13)-6))
		}
	}
	return v
}

// winogradLayouts are the layouts of the tests' planes and transforms:
// inference's padded one (rows and planes sharing a border, transforms
// WinogradSpill apart), and looser ones with odd distances, so that the
// vectors fall at every alignment.
var winogradLayouts = []struct {
	name string
	// Row is 2*Cols + rowPad; Plane (2*Rows + planeRows)*Row + planePad;
	// Channel Images*Plane + channelPad; Stride the tiles +
	// WinogradSpill + stridePad; Matrix Channels*Stride + matrixPad.
	rowPad, planeRows, planePad, channelPad, stridePad, matrixPad int
}{
	{"padded", 1, 1, 0, -1, 0, 0}, // channelPad -1: 2*(W+2), the gaps
	{"loose", 2, 2, 3, 7, 1, 5},
	{"wide", 5, 3, 1, 2, 16, 3},
}

// winogradTiles returns the tiles of channels planes of images images
// of rows × cols tiles in layout l.
func winogradTiles(l int, channels, images, rows, cols int) nn.WinogradTiles {
	lay := winogradLayouts[l]
	g := nn.WinogradTiles{Channels: channels, Images: images, Rows: rows, Cols: cols}
	g.Row = 2*cols + lay.rowPad
	g.Plane = (2*rows+lay.planeRows)*g.Row + lay.planePad
	g.Channel = images*g.Plane + lay.channelPad
	if lay.channelPad < 0 {
		g.Channel = images*g.Plane + 2*(2*cols+2)
	}
	g.Stride = images*rows*cols + nn.WinogradSpill + lay.stridePad
	g.Matrix = channels*g.Stride + lay.matrixPad
	return g
}

// sameFloat reports whether a and b have the same bits, or are both NaN:
// Go's arithmetic and the kernel's may give NaNs different payloads.
func sameFloat(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// TestWinograd checks the kernel's Winograd transforms against
// nn.WinogradGo's bit for bit (but for NaNs' payloads), on rows of 1 to
// 20 tiles (every remainder of a group of 4, and several groups), in
// every layout of winogradLayouts, adding or not, with ReLU on none,
// some or all of the channels (and on fewer than none and more than all,
// which are none and all). It also checks that the kernel writes
// nothing else: the output not a value but the tiles', though its last
// group of a row loads 8 values; the input's transforms nothing but
// what nn.WinogradSpill allows past each channel's last tile; and
// neither its input.
func TestWinograd(t *testing.T) {
	const sentinel = 0x5ca1ab1e // a value no transform of winogradValues' gives
	for name, k := range kernels(t) {
		wk := k.Winograd()
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 11))
			for l := range winogradLayouts {
				for _, channels := range []int{1, 3, 16} {
					for _, images := range []int{1, 3} {
						for _, rows := range []int{1, 2, 5} {
							for _, cols := range []int{1, 2, 3, 4, 5, 7, 8, 10, 20} {
								g := winogradTiles(l, channels, images, rows, cols)
								name := fmt.Sprintf("%s/%dch-%dn-%dx%d", winogradLayouts[l].name, channels, images, rows, cols)
								checkWinogradInput(t, name, wk, &g, rng, sentinel)
								checkWinogradOutput(t, name, wk, &g, rng)
							}
						}
					}
				}
			}
		})
	}
}

// checkWinogradInput checks k's Input on g, x random, v's values
// sentinel before.
func checkWinogradInput(t *testing.T, name string, k *nn.WinogradKernels, g *nn.WinogradTiles, rng *rand.Rand, sentinel uint32) {
	t.Helper()
	tiles := g.Images * g.Rows * g.Cols
	// What winogradInput reads and writes last, and the spill after.
	nx := (g.Channels-1)*g.Channel + (g.Images-1)*g.Plane + (2*g.Rows+1)*g.Row + 2*g.Cols + 2 + nn.WinogradSpill
	nv := 15*g.Matrix + (g.Channels-1)*g.Stride + tiles + nn.WinogradSpill
	xs := winogradValues(nx, rng)
	x0 := append([]float32(nil), xs...)
	x := xs[:nx-nn.WinogradSpill] // the spill in its capacity only, as in a view of channels
	want, got := make([]float32, nv), make([]float32, nv)
	for i := range want {
		want[i] = math.Float32frombits(sentinel)
		got[i] = want[i]
	}
	nn.WinogradGo.Input(want, x, g)
	k.Input(got, x, g)
	if i := sameBits(xs, x0); i >= 0 {
		t.Fatalf("%s input: x[%d] became %#08x", name, i, math.Float32bits(x[i]))
	}
	for xi := range 16 {
		for c := range g.Channels {
			row := xi*g.Matrix + c*g.Stride
			for j := range tiles {
				if at := row + j; !sameFloat(got[at], want[at]) {
					n, i, jj := j/(g.Rows*g.Cols), j/g.Cols%g.Rows, j%g.Cols
					t.Fatalf("%s input: matrix %d channel %d tile (%d, %d, %d): got %#08x, want %#08x",
						name, xi, c, n, i, jj, math.Float32bits(got[at]), math.Float32bits(want[at]))
				}
			}
		}
	}
	// Outside the rows of tiles and their spills, v keeps its sentinels.
	inside := make([]bool, nv)
	for xi := range 16 {
		for c := range g.Channels {
			row := xi*g.Matrix + c*g.Stride
			for j := range tiles + nn.WinogradSpill {
				inside[row+j] = true
			}
		}
	}
	for i, in := range inside {
		if !in && math.Float32bits(got[i]) != sentinel {
			t.Fatalf("%s input: v[%d], outside the transforms, became %#08x", name, i, math.Float32bits(got[i]))
		}
	}
}

// checkWinogradOutput checks k's Output on g, m, y and the biases
// random, adding or not, with ReLU on channels from none to all.
func checkWinogradOutput(t *testing.T, name string, k *nn.WinogradKernels, g *nn.WinogradTiles, rng *rand.Rand) {
	t.Helper()
	tiles := g.Images * g.Rows * g.Cols
	ny := (g.Channels-1)*g.Channel + (g.Images-1)*g.Plane + (2*g.Rows-1)*g.Row + 2*g.Cols + nn.WinogradSpill
	nm := 15*g.Matrix + (g.Channels-1)*g.Stride + tiles + nn.WinogradSpill
	m, y0 := winogradValues(nm, rng), winogradValues(ny, rng)
	m0 := append([]float32(nil), m...)
	bias := winogradValues(g.Channels, rng)
	// The values that winogradOutput writes.
	written := make([]bool, ny)
	for o := range g.Channels {
		for n := range g.Images {
			for r := range 2 * g.Rows {
				at := o*g.Channel + n*g.Plane + r*g.Row
				for j := range 2 * g.Cols {
					written[at+j] = true
				}
			}
		}
	}
	for _, add := range []bool{false, true} {
		for _, relu := range []int{-1, 0, g.Channels / 2, g.Channels, g.Channels + 3} {
			want, got := append([]float32(nil), y0...), append([]float32(nil), y0...)
			nn.WinogradGo.Output(want, m, g, bias, add, relu)
			k.Output(got, m, g, bias, add, relu)
			if i := sameBits(m, m0); i >= 0 {
				t.Fatalf("%s output: m[%d] became %#08x", name, i, math.Float32bits(m[i]))
			}
			for i, w := range written {
				if w && !sameFloat(got[i], want[i]) || !w && math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s output add %v relu %d: y[%d] (written %v) = %#08x, want %#08x",
						name, add, relu, i, w, math.Float32bits(got[i]), math.Float32bits(want[i]))
				}
			}
		}
	}
}

// BenchmarkWinograd runs the transforms of one chunk of inference's
// Winograd convolutions, as forwardWinograd sizes them, on the
// reference network's planes of 32, 16 and 8 values a side, in Go and
// with each kernel.
func BenchmarkWinograd(b *testing.B) {
	ks := kernels(b)
	for _, s := range []struct{ channels, images, side int }{{16, 1, 32}, {32, 2, 16}, {64, 4, 8}} {
		g := winogradTiles(0, s.channels, s.images, s.side/2, s.side/2)
		tiles := g.Images * g.Rows * g.Cols
		rng := rand.New(rand.NewPCG(1, 1))
		x := winogradValues((g.Channels-1)*g.Channel+(g.Images-1)*g.Plane+(2*g.Rows+1)*g.Row+2*g.Cols+2+nn.WinogradSpill, rng)
		v := make([]float32, 15*g.Matrix+(g.Channels-1)*g.Stride+tiles+nn.WinogradSpill)
		bias := winogradValues(g.Channels, rng)
		for _, name := range []string{"go", "simd", "fma"} {
			wk := &nn.WinogradGo
			if k := ks[name]; k != nil {
				wk = k.Winograd()
			}
			prefix := fmt.Sprintf("%dch-%dn-%dx%d/", s.channels, s.images, s.side, s.side)
			b.Run(prefix+"input/kernel="+name, func(b *testing.B) {
				for b.Loop() {
					wk.Input(v, x, &g)
				}
				b.ReportMetric(float64(g.Channels*tiles)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mtiles/s")
			})
			b.Run(prefix+"output/kernel="+name, func(b *testing.B) {
				for b.Loop() {
					wk.Output(x, v, &g, bias, true, g.Channels)
				}
				b.ReportMetric(float64(g.Channels*tiles)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mtiles/s")
			})
		}
	}
}
