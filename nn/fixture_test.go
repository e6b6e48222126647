package nn

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/intelscenes/resnet-browser/nn/modelfile"
)

// fixture is one file of PyTorch reference numbers from
// testdata/torch (see its README for what each holds).
type fixture struct {
	t       *testing.T
	tensors map[string]*Tensor
	meta    map[string]string
}

// openTestdata opens a file for reading and returns its size; the test
// closes it at its end.
func openTestdata(t *testing.T, path string) (*os.File, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return f, st.Size()
}

func loadFixture(t *testing.T, name string) *fixture {
	t.Helper()
	f, size := openTestdata(t, filepath.Join("testdata", "torch", name))
	ts, meta, err := modelfile.ReadSafetensors(f, size)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	fx := &fixture{t: t, tensors: map[string]*Tensor{}, meta: meta}
	for _, x := range ts {
		fx.tensors[x.Name] = &Tensor{Shape: x.Shape, Data: x.Data}
	}
	return fx
}

// get returns a copy of the named tensor.
func (f *fixture) get(name string) *Tensor {
	f.t.Helper()
	x, ok := f.tensors[name]
	if !ok {
		f.t.Fatalf("fixture has no tensor %q", name)
	}
	return &Tensor{Shape: append([]int(nil), x.Shape...), Data: append([]float32(nil), x.Data...)}
}

func (f *fixture) labels(name string) []int {
	x := f.get(name)
	out := make([]int, len(x.Data))
	for i, v := range x.Data {
		out[i] = int(v)
	}
	return out
}

// expectClose fails unless got and want have as many elements and agree
// within atol + rtol*|want| everywhere.
func expectClose(t *testing.T, name string, got, want []float32, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d values, want %d", name, len(got), len(want))
		return
	}
	worst, at := 0.0, -1
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if lim := atol + rtol*math.Abs(float64(want[i])); d > lim && d-lim > worst {
			worst, at = d-lim, i
		}
	}
	if at >= 0 {
		t.Errorf("%s[%d] = %v, want %v (atol %g, rtol %g)", name, at, got[at], want[at], atol, rtol)
	}
}

func TestConvAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "conv.safetensors")
	for k := 0; ; k++ {
		p := fmt.Sprintf("c%d.", k)
		if _, ok := f.tensors[p+"x"]; !ok {
			if k == 0 {
				t.Fatal("no cases")
			}
			break
		}
		x, w := f.get(p+"x"), f.get(p+"w")
		var stride int
		fmt.Sscan(f.meta[p+"stride"], &stride)
		bias := f.meta[p+"bias"] == "true"
		c := &Conv2D{In: w.Shape[1], Out: w.Shape[0], Kernel: 3, Stride: stride, Pad: 1,
			Weight: &Param{Name: "weight", Value: w, Grad: make([]float32, w.Len())}}
		if bias {
			b := f.get(p + "b")
			c.Bias = &Param{Name: "bias", Value: b, Grad: make([]float32, b.Len())}
		}
		y := c.Forward(x, true)
		expectClose(t, p+"y", y.Data, f.get(p+"y").Data, 1e-5, 1e-5)
		dx := c.Backward(f.get(p + "dy"))
		expectClose(t, p+"dx", dx.Data, f.get(p+"dx").Data, 1e-5, 1e-5)
		expectClose(t, p+"dw", c.Weight.Grad, f.get(p+"dw").Data, 1e-5, 1e-5)
		if bias {
			expectClose(t, p+"db", c.Bias.Grad, f.get(p+"db").Data, 1e-5, 1e-5)
		}
	}
}

func TestBatchNormAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "batchnorm.safetensors")
	for _, train := range []bool{true, false} {
		b := NewBatchNorm2D(3)
		copy(b.Weight.Value.Data, f.get("weight").Data)
		copy(b.Bias.Value.Data, f.get("bias").Data)
		copy(b.RunningMean.Value.Data, f.get("running_mean").Data)
		copy(b.RunningVar.Value.Data, f.get("running_var").Data)
		suffix := ""
		if !train {
			suffix = "_eval"
		}
		y := b.Forward(f.get("x"), train)
		expectClose(t, "y"+suffix, y.Data, f.get("y"+suffix).Data, 1e-5, 1e-5)
		if !train {
			continue
		}
		dx := b.Backward(f.get("dy"))
		expectClose(t, "dx", dx.Data, f.get("dx").Data, 1e-5, 1e-5)
		expectClose(t, "dweight", b.Weight.Grad, f.get("dweight").Data, 1e-5, 1e-5)
		expectClose(t, "dbias", b.Bias.Grad, f.get("dbias").Data, 1e-5, 1e-5)
		expectClose(t, "running_mean_after", b.RunningMean.Value.Data, f.get("running_mean_after").Data, 1e-6, 1e-6)
		expectClose(t, "running_var_after", b.RunningVar.Value.Data, f.get("running_var_after").Data, 1e-6, 1e-6)
		if got := b.Count.Value.Data[0]; got != 1 {
			t.Errorf("num_batches_tracked = %v, want 1", got)
		}
	}
}

func TestLinearAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "linear.safetensors")
	w, b := f.get("w"), f.get("b")
	l := &Linear{In: w.Shape[1], Out: w.Shape[0],
		Weight: &Param{Value: w, Grad: make([]float32, w.Len())},
		Bias:   &Param{Value: b, Grad: make([]float32, b.Len())}}
	y := l.Forward(f.get("x"), true)
	expectClose(t, "y", y.Data, f.get("y").Data, 1e-5, 1e-5)
	dx := l.Backward(f.get("dy"))
	expectClose(t, "dx", dx.Data, f.get("dx").Data, 1e-5, 1e-5)
	expectClose(t, "dw", l.Weight.Grad, f.get("dw").Data, 1e-5, 1e-5)
	expectClose(t, "db", l.Bias.Grad, f.get("db").Data, 1e-5, 1e-5)
}

func TestPoolingAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "pool.safetensors")
	var g GlobalAvgPool
	y := g.Forward(f.get("x"), true)
	expectClose(t, "y", y.Data, f.get("y").Data, 1e-6, 1e-6)
	dx := g.Backward(f.get("dy"))
	expectClose(t, "dx", dx.Data, f.get("dx").Data, 1e-6, 1e-6)
	for _, c := range []struct {
		prefix              string
		kernel, stride, pad int
	}{{"m", 2, 2, 0}, {"m3", 3, 2, 1}} {
		m := &MaxPool2D{Kernel: c.kernel, Stride: c.stride, Pad: c.pad}
		y := m.Forward(f.get(c.prefix+"x"), true)
		expectClose(t, c.prefix+"y", y.Data, f.get(c.prefix+"y").Data, 0, 0)
		dx := m.Backward(f.get(c.prefix + "dy"))
		expectClose(t, c.prefix+"dx", dx.Data, f.get(c.prefix+"dx").Data, 0, 0)
	}
}

func TestCrossEntropyAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "loss.safetensors")
	for _, p := range []string{"", "big_"} {
		for _, smooth := range []string{"", "smooth_"} {
			ce := CrossEntropy{}
			if smooth != "" {
				ce.Smoothing = 0.1
			}
			loss := ce.Forward(f.get(p+"logits"), f.labels(p+"labels"))
			expectClose(t, p+smooth+"loss", []float32{loss}, f.get(p+smooth+"loss").Data, 1e-6, 1e-5)
			expectClose(t, p+smooth+"dlogits", ce.Backward().Data, f.get(p+smooth+"dlogits").Data, 1e-6, 1e-5)
		}
	}
}

func TestOneCycleAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "onecycle.safetensors")
	for _, c := range []struct {
		prefix string
		total  int
		three  bool
	}{{"", 4224, false}, {"small_", 10, false}, {"three_", 20, true}} {
		o := NewOneCycle(0.01, c.total)
		o.ThreePhase = c.three
		lr, beta1 := f.get(c.prefix+"lr"), f.get(c.prefix+"beta1")
		if lr.Len() != c.total {
			t.Fatalf("%slr has %d steps, want %d", c.prefix, lr.Len(), c.total)
		}
		gotLR, gotB1 := make([]float32, c.total), make([]float32, c.total)
		for s := range gotLR {
			l, m := o.At(s)
			gotLR[s], gotB1[s] = float32(l), float32(m)
		}
		expectClose(t, c.prefix+"lr", gotLR, lr.Data, 0, 1e-6)
		expectClose(t, c.prefix+"beta1", gotB1, beta1.Data, 0, 1e-6)
	}
}

// firstDifference returns the first index where got and want differ in
// any bit, or -1.
func firstDifference(got, want []float32) int {
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			return i
		}
	}
	return -1
}
