package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/chewxy/math32"
)

// TestAdamAgainstPyTorch replays six steps of the notebook's optimizer
// (clip, coupled weight decay, Adam, one-cycle with momentum cycling) on
// three small parameters, with value and with norm clipping.
func TestAdamAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "adam.safetensors")
	for _, prefix := range []string{"", "norm."} {
		ps := make([]*Param, 3)
		for i := range ps {
			v := f.get(fmt.Sprintf("p%d.init", i))
			ps[i] = &Param{Name: fmt.Sprint(i), Value: v, Grad: make([]float32, v.Len())}
		}
		opt := NewAdam(ps)
		opt.WeightDecay = 1e-4
		sched := NewOneCycle(0.01, 8)
		for s := 0; s < 6; s++ {
			for i, p := range ps {
				copy(p.Grad, f.get(fmt.Sprintf("%sg%d.s%d", prefix, i, s)).Data)
			}
			if prefix == "" {
				ClipByValue(ps, 0.1)
			} else {
				norm := ClipByNorm(ps, 1)
				expectClose(t, fmt.Sprintf("norm.total_norm[%d]", s), []float32{float32(norm)}, f.get("norm.total_norm").Data[s:s+1], 1e-6, 1e-6)
			}
			for i, p := range ps {
				expectClose(t, fmt.Sprintf("%sgc%d.s%d", prefix, i, s), p.Grad, f.get(fmt.Sprintf("%sgc%d.s%d", prefix, i, s)).Data, 1e-7, 1e-6)
			}
			opt.LR, opt.Beta1 = sched.At(s)
			opt.Step()
			for i, p := range ps {
				name := fmt.Sprintf("%sp%d.s%d", prefix, i, s)
				expectClose(t, name, p.Value.Data, f.get(name).Data, 1e-6, 0)
			}
		}
	}
}

func TestClipAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "adam.safetensors")
	for _, kind := range []string{"value", "norm"} {
		ps := make([]*Param, 3)
		for i := range ps {
			g := f.get(fmt.Sprintf("clip.g%d", i))
			ps[i] = &Param{Value: NewTensor(g.Shape...), Grad: g.Data}
		}
		if kind == "value" {
			ClipByValue(ps, 0.1)
		} else {
			norm := ClipByNorm(ps, 1)
			expectClose(t, "clip.total_norm", []float32{float32(norm)}, f.get("clip.total_norm").Data, 1e-6, 1e-6)
		}
		for i, p := range ps {
			name := fmt.Sprintf("clip.%s%d", kind, i)
			expectClose(t, name, p.Grad, f.get(name).Data, 1e-7, 1e-6)
		}
	}
}

// TestSqrt32 wants math32.Sqrt's bits from sqrt32 on special values and
// on a spread of floats, subnormals included.
func TestSqrt32(t *testing.T) {
	vals := []float32{0, float32(math.Copysign(0, -1)), 1, 2, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.SmallestNonzeroFloat32, math.MaxFloat32}
	rng := rand.New(rand.NewPCG(3, 3))
	for range 100000 {
		vals = append(vals, math.Float32frombits(rng.Uint32()&0x7fffffff))
	}
	for _, v := range vals {
		got, want := sqrt32(v), math32.Sqrt(v)
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("sqrt32(%v) = %v, math32.Sqrt gives %v", v, got, want)
		}
	}
}
