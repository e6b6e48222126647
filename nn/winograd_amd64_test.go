//go:build !noasm

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sameBits reports whether a and b have the same bits, or are both NaNs:
// a NaN's sign and payload are the operands' order's, which Go's compiler
// does not keep either.
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// winogradValues returns n values of mixed magnitudes, one in 32 of
// them one of the values whose bits can go wrong (see passValues): few,
// that most of the transforms' sums stay finite.
func winogradValues(rng *rand.Rand, n int) []float32 {
	v := passValues(rng, n, false)
	specials := passValues(rng, n/32+1, true)
	for i := range v {
		if rng.IntN(32) == 0 {
			v[i] = specials[rng.IntN(len(specials))]
		}
	}
	return v
}

// winogradCase is a geometry of the transforms' tests: Row and Plane
// and Channel leave extra values between rows, images and channels, and
// Stride room for the spill. The output transform's planes are a row
// shorter.
func winogradCase(channels, images, rows, cols, extra int) WinogradTiles {
	g := WinogradTiles{Channels: channels, Images: images, Rows: rows, Cols: cols}
	g.Row = 2*cols + 1 + extra
	g.Plane = (2*rows+1)*g.Row + extra // the input reads a row below the last tiles
	g.Channel = images*g.Plane + 3*extra
	g.Stride = g.tiles() + WinogradSpill + extra
	g.Matrix = channels*g.Stride + extra
	return g
}

// winogradShapes are the geometries the tests run the transforms on.
func winogradShapes() []WinogradTiles {
	var gs []WinogradTiles
	for _, cols := range []int{1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 16, 20} {
		for _, rows := range []int{1, 2, 4, 5, 16} {
			for _, images := range []int{1, 3} {
				for _, channels := range []int{1, 3, 16} {
					for _, extra := range []int{0, 5} {
						gs = append(gs, winogradCase(channels, images, rows, cols, extra))
					}
				}
			}
		}
	}
	return gs
}

// TestBuiltinWinogradInput checks the assembly input transform against
// winogradInput, every value of v, on planes of mixed values (NaNs,
// infinities, zeros of both signs, subnormals among them, see
// winogradValues): it must
// write what Go does, and nothing else but past a channel's last tile,
// within the spill.
func TestBuiltinWinogradInput(t *testing.T) {
	if builtinWinograd == nil {
		t.Skip("skipped: this CPU has no AVX2, so there are no assembly transforms to check")
	}
	rng := rand.New(rand.NewPCG(11, 11))
	for _, g := range winogradShapes() {
		name := fmt.Sprintf("%d channels, %d images of %d×%d tiles, rows %d", g.Channels, g.Images, g.Rows, g.Cols, g.Row)
		// As long as Go's loops need, the spill past it in the capacity
		// only, as in a view of some of a padded's channels.
		need := (g.Channels-1)*g.Channel + (g.Images-1)*g.Plane + (2*g.Rows+1)*g.Row + 2*g.Cols + 2
		x := winogradValues(rng, need+WinogradSpill)[:need]
		size := 16 * g.Matrix
		got, want := make([]float32, size), make([]float32, size)
		for i := range got {
			got[i] = math.Float32frombits(0x7fa00000 | uint32(i)) // a NaN marking each value
			want[i] = got[i]
		}
		builtinWinograd.Input(got, x, &g)
		winogradInput(want, x, &g)
		for i := range want {
			if sameBits(got[i], want[i]) {
				continue
			}
			if col := i % g.Matrix % g.Stride; i%g.Matrix < g.Channels*g.Stride && col >= g.tiles() && col < g.tiles()+WinogradSpill {
				continue // the spill past a channel's last tile
			}
			xi, rest := i/g.Matrix, i%g.Matrix
			t.Fatalf("%s: element %d of channel %d's column %d = %#08x, want %#08x", name, xi, rest/g.Stride, rest%g.Stride,
				math.Float32bits(got[i]), math.Float32bits(want[i]))
		}
	}
}

// TestBuiltinWinogradOutput checks the assembly output transform against
// winogradOutput, every value of y, with and without adding to y, with
// ReLU in none, some or all channels: it must write the tiles' values as
// Go does, and nothing else.
func TestBuiltinWinogradOutput(t *testing.T) {
	if builtinWinograd == nil {
		t.Skip("skipped: this CPU has no AVX2, so there are no assembly transforms to check")
	}
	rng := rand.New(rand.NewPCG(12, 12))
	for _, g := range winogradShapes() {
		g.Plane -= g.Row // the input's plane has a row more
		m := winogradValues(rng, 16*g.Matrix)
		bias := passValues(rng, g.Channels, false)
		if g.Channels == 3 {
			bias[1] = float32(math.NaN())
		}
		size := (g.Channels-1)*g.Channel + (g.Images-1)*g.Plane + (2*g.Rows-1)*g.Row + 2*g.Cols
		y := winogradValues(rng, size+1)
		for _, add := range []bool{false, true} {
			for _, relu := range []int{0, g.Channels / 2, g.Channels} {
				name := fmt.Sprintf("%d channels, %d images of %d×%d tiles, rows %d, add %v, ReLU in %d", g.Channels, g.Images, g.Rows, g.Cols, g.Row, add, relu)
				got, want := append([]float32(nil), y...), append([]float32(nil), y...)
				// Exactly as long as Go's loops need, but for the last
				// value, which must stay.
				builtinWinograd.Output(got[:size], m, &g, bias, add, relu)
				winogradOutput(want[:size], m, &g, bias, add, relu)
				for i := range want {
					if !sameBits(got[i], want[i]) {
						t.Fatalf("%s: y[%d] = %#08x, want %#08x", name, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
					}
				}
			}
		}
	}
}

// TestBuiltinWinogradShortSlices checks that slices without room for the
// spill get Go's loops' values.
func TestBuiltinWinogradShortSlices(t *testing.T) {
	if builtinWinograd == nil {
		t.Skip("skipped: this CPU has no AVX2, so there are no assembly transforms to check")
	}
	rng := rand.New(rand.NewPCG(13, 13))
	g := winogradCase(2, 1, 2, 5, 0)
	g.Stride = g.tiles()
	g.Matrix = g.Channels * g.Stride
	x := passValues(rng, (g.Channels-1)*g.Channel+(g.Images-1)*g.Plane+(2*g.Rows+1)*g.Row+2*g.Cols+2, false)
	got, want := make([]float32, 16*g.Matrix), make([]float32, 16*g.Matrix)
	builtinWinograd.Input(got, x, &g)
	winogradInput(want, x, &g)
	if i := firstDifference(got, want); i >= 0 {
		t.Fatalf("input transform: v[%d] = %v, want %v", i, got[i], want[i])
	}
	g.Plane -= g.Row
	y := passValues(rng, (g.Channels-1)*g.Channel+(g.Images-1)*g.Plane+(2*g.Rows-1)*g.Row+2*g.Cols, false)
	yg := append([]float32(nil), y...)
	bias := []float32{0.5, -0.25}
	builtinWinograd.Output(yg, want, &g, bias, true, 1)
	winogradOutput(y, want, &g, bias, true, 1)
	if i := firstDifference(yg, y); i >= 0 {
		t.Fatalf("output transform: y[%d] = %v, want %v", i, yg[i], y[i])
	}
}

// BenchmarkWinogradTransforms times the transforms, in assembly and in
// Go, on chunks of the reference network's three stages, as
// forwardWinograd makes them: 16 channels of 32×32 planes, 32 of 16×16,
// 64 of 8×8, in the padded layout.
func BenchmarkWinogradTransforms(b *testing.B) {
	rng := rand.New(rand.NewPCG(14, 14))
	kernels := []struct {
		name string
		k    *WinogradKernels
	}{{"asm", builtinWinograd}, {"go", &WinogradGo}}
	for _, stage := range [][2]int{{16, 32}, {32, 16}, {64, 8}} {
		channels, side := stage[0], stage[1]
		tiles := side * side / 4
		images := max(1, winogradChunkFloats/(16*channels*tiles))
		g := WinogradTiles{Channels: channels, Images: images, Rows: side / 2, Cols: side / 2,
			Row: side + 1, Plane: (side + 1) * (side + 1)}
		g.Channel = images*g.Plane + 2*(side+2)
		g.Stride = images*tiles + WinogradSpill
		if gemmAliasedRows(g.Stride) {
			g.Stride += 16
		}
		g.Matrix = channels * g.Stride
		x := passValues(rng, channels*g.Channel+WinogradSpill, false)
		v := make([]float32, 16*g.Matrix)
		bias := make([]float32, channels)
		for _, k := range kernels {
			if k.k == nil {
				continue
			}
			name := fmt.Sprintf("%d×%d/", channels, side)
			b.Run(name+"input/"+k.name, func(b *testing.B) {
				for b.Loop() {
					k.k.Input(v, x, &g)
				}
			})
			b.Run(name+"output/"+k.name, func(b *testing.B) {
				for b.Loop() {
					k.k.Output(x[side+2:], v, &g, bias, true, channels)
				}
			})
		}
	}
}
