//go:build !noasm

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// passValues returns n values of mixed magnitudes, so that the order of
// additions shows in the last bits of a sum, with the values ReLU's bits
// can go wrong on among them when specials is set: zeros of both signs,
// infinities, NaNs of both signs, subnormals.
func passValues(rng *rand.Rand, n int, specials bool) []float32 {
	bits := []uint32{0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 1, 0x80000001, 0x7f7fffff}
	v := make([]float32, n)
	for i := range v {
		if specials && rng.IntN(4) == 0 {
			v[i] = math.Float32frombits(bits[rng.IntN(len(bits))])
			continue
		}
		v[i] = float32(rng.NormFloat64() * math.Exp(3*rng.NormFloat64()))
	}
	return v
}

// TestBuiltinChannelPasses checks the assembly channel passes against
// Go's loops, all bits, on channels of 1 to 32 planes (the last group
// of four cut or not) of 4 to 1600 values, padded apart.
func TestBuiltinChannelPasses(t *testing.T) {
	if builtinPasses == nil {
		t.Skip("skipped: this CPU has no AVX2, so there are no assembly passes to check")
	}
	k, g := builtinPasses, &goChannelPasses
	rng := rand.New(rand.NewPCG(4, 4))
	for _, s := range [][3]int{{1, 4, 4}, {2, 8, 12}, {3, 12, 12}, {4, 64, 64}, {5, 100, 108}, {7, 400, 400}, {9, 256, 300}, {32, 1024, 1030}, {6, 1600, 1604}} {
		n, hw, stride := s[0], s[1], s[2]
		size := (n-1)*stride + hw
		x, dy := passValues(rng, size, false), passValues(rng, size, false)
		name := fmt.Sprintf("%d planes of %d, %d apart", n, hw, stride)
		check := func(what string, got, want float64) {
			t.Helper()
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("%s: %s = %v in assembly, %v in Go", name, what, got, want)
			}
		}
		check("sum", k.Sum(x, hw, n, stride), g.Sum(x, hw, n, stride))
		check("squared deviations", k.SquaredDeviations(x, hw, n, stride, 0.3), g.SquaredDeviations(x, hw, n, stride, 0.3))
		a, ax := k.GradientSums(dy, x, hw, n, stride, 0.1, 1.7)
		b, bx := g.GradientSums(dy, x, hw, n, stride, 0.1, 1.7)
		check("sum of dy", a, b)
		check("sum of dy*xhat", ax, bx)

		for _, f := range []struct {
			what string
			run  func(p *ChannelPasses, out []float32)
		}{
			{"affine", func(p *ChannelPasses, out []float32) { p.Affine(out, x, hw, n, stride, 1.3, -0.7) }},
			{"input gradient", func(p *ChannelPasses, out []float32) {
				p.InputGradient(out, dy, x, hw, n, stride, 0.9, 0.01, -0.02, 0.1, 1.7)
			}},
		} {
			got, want := passValues(rng, size, false), make([]float32, size)
			copy(want, got) // the gaps between planes must stay as they were
			f.run(k, got)
			f.run(g, want)
			if i := firstDifference(got, want); i >= 0 {
				t.Errorf("%s: %s[%d] = %v in assembly, %v in Go", name, f.what, i, got[i], want[i])
			}
		}
	}
}

// TestBuiltinReLU checks relu and reluBackward with their assembly bulk
// against Go's loops, all bits (NaNs' too), at lengths around multiples
// of 8, at each alignment, into another slice and in place.
func TestBuiltinReLU(t *testing.T) {
	if !asmPasses {
		t.Skip("skipped: this CPU has no AVX2, so there is no assembly ReLU to check")
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 255, 256, 1030} {
		for lo := range 4 {
			x, dy := passValues(rng, lo+n, true)[lo:], passValues(rng, lo+n, true)[lo:]
			want, wantDx := make([]float32, n), make([]float32, n)
			reluGo(want, x)
			reluBackwardGo(wantDx, dy, want)

			got := make([]float32, n+1)[1:]
			relu(got, x)
			if i := firstDifference(got, want); i >= 0 {
				t.Fatalf("n %d at %d: relu(%#08x) = %#08x, want %#08x", n, lo, math.Float32bits(x[i]), math.Float32bits(got[i]), math.Float32bits(want[i]))
			}
			relu(x, x)
			if i := firstDifference(x, want); i >= 0 {
				t.Fatalf("n %d at %d, in place: relu gives %#08x, want %#08x", n, lo, math.Float32bits(x[i]), math.Float32bits(want[i]))
			}
			// y = dy itself, so that y holds NaNs and zeros of both signs.
			gotDx := make([]float32, n)
			reluBackward(gotDx, dy, dy)
			reluBackwardGo(wantDx, dy, dy)
			if i := firstDifference(gotDx, wantDx); i >= 0 {
				t.Fatalf("n %d at %d: reluBackward at y %#08x gives %#08x, want %#08x", n, lo, math.Float32bits(dy[i]), math.Float32bits(gotDx[i]), math.Float32bits(wantDx[i]))
			}
		}
	}
}

// TestBuiltinAdd checks add and ReLU's forwardSum, a residual block's
// sum with and without its ReLU, with their assembly bulk against Go's
// loops, all bits (NaNs' too), at lengths around multiples of 8.
func TestBuiltinAdd(t *testing.T) {
	if !asmPasses {
		t.Skip("skipped: this CPU has no AVX2, so there is no assembly addition to check")
	}
	rng := rand.New(rand.NewPCG(8, 8))
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 255, 256, 1030} {
		a := &Tensor{Shape: []int{n}, Data: passValues(rng, n, true)}
		b := &Tensor{Shape: []int{n}, Data: passValues(rng, n, true)}
		run := func() (sum, out []float32) {
			sum = make([]float32, n)
			add(sum, a.Data, b.Data)
			var r ReLU
			return sum, r.forwardSum(a, b, new(Tensor)).Data
		}
		gotSum, got := run()
		asmPasses = false
		wantSum, want := run()
		asmPasses = true
		for i := range wantSum {
			if math.Float32bits(wantSum[i]) != math.Float32bits(a.Data[i]+b.Data[i]) {
				t.Fatalf("n %d: Go's add of %v and %v gives %v", n, a.Data[i], b.Data[i], wantSum[i])
			}
		}
		if i := firstDifference(gotSum, wantSum); i >= 0 {
			t.Fatalf("n %d: add[%d] = %#08x in assembly, %#08x in Go", n, i, math.Float32bits(gotSum[i]), math.Float32bits(wantSum[i]))
		}
		if i := firstDifference(got, want); i >= 0 {
			t.Fatalf("n %d: forwardSum[%d] = %#08x in assembly, %#08x in Go", n, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
		}
		reluGo(wantSum, wantSum)
		if i := firstDifference(want, wantSum); i >= 0 {
			t.Fatalf("n %d: Go's forwardSum[%d] = %v, relu of the sum %v", n, i, want[i], wantSum[i])
		}
	}
}

// TestBuiltinSplit checks splitRows in assembly against its Go loop on
// rows of 1 to 20 output columns (each remainder of 4 and 8), padded
// apart.
func TestBuiltinSplit(t *testing.T) {
	if !asmPasses {
		t.Skip("skipped: this CPU has no AVX2, so there is no assembly split to check")
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for w := 1; w <= 20; w++ {
		const rows = 3
		srcRow, dstRow := 2*w+3, w+1
		src := passValues(rng, (rows-1)*srcRow+2*w, true)
		run := func() (even, odd []float32) {
			even, odd = make([]float32, (rows-1)*dstRow+w), make([]float32, (rows-1)*dstRow+w)
			splitRows(even, odd, src, w, rows, srcRow, dstRow)
			return even, odd
		}
		gotEven, gotOdd := run()
		asmPasses = false
		wantEven, wantOdd := run()
		asmPasses = true
		if i := firstDifference(gotEven, wantEven); i >= 0 {
			t.Fatalf("w %d: even[%d] = %v in assembly, %v in Go", w, i, gotEven[i], wantEven[i])
		}
		if i := firstDifference(gotOdd, wantOdd); i >= 0 {
			t.Fatalf("w %d: odd[%d] = %v in assembly, %v in Go", w, i, gotOdd[i], wantOdd[i])
		}
		for r := range rows {
			for j := range w {
				if math.Float32bits(wantEven[r*dstRow+j]) != math.Float32bits(src[r*srcRow+2*j]) || math.Float32bits(wantOdd[r*dstRow+j]) != math.Float32bits(src[r*srcRow+2*j+1]) {
					t.Fatalf("w %d: row %d column %d is not src's", w, r, j)
				}
			}
		}
	}
}
