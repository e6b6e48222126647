package nn

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// seedModel reads the reference notebook's trained weights, kept in the
// repository beside the model-file reader.
func seedModel(t *testing.T) *Model {
	t.Helper()
	path := filepath.Join("modelfile", "testdata", "seed-resnet14.pth")
	f, size := openTestdata(t, path)
	m, err := ReadModel(f, size, path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func maxAbs(s []float32) float64 {
	m := 0.0
	for _, v := range s {
		m = max(m, math.Abs(float64(v)))
	}
	return m
}

// TestResNetAgainstPyTorch runs the reference weights in eval and in
// training mode on one batch and compares logits, loss, every gradient and
// every running statistic with PyTorch's.
func TestResNetAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "resnet.safetensors")
	m := seedModel(t)
	if got, want := m.Net.Config.Name(), "resnet14"; got != want {
		t.Fatalf("architecture %s, want %s", got, want)
	}
	x := f.get("x")
	logits := m.Net.Forward(x, false)
	expectClose(t, "logits_eval", logits.Data, f.get("logits_eval").Data, 1e-4, 1e-4)

	var ce CrossEntropy
	ps := m.Net.Params()
	ZeroGrad(ps)
	logits = m.Net.Forward(x, true)
	expectClose(t, "logits_train", logits.Data, f.get("logits_train").Data, 1e-4, 1e-4)
	loss := ce.Forward(logits, f.labels("labels"))
	expectClose(t, "loss", []float32{loss}, f.get("loss").Data, 1e-5, 0)
	m.Net.Backward(ce.Backward())
	grads, stats := 0, 0
	for _, p := range ps {
		if p.Trainable() {
			want := f.get("grad." + p.Name).Data
			expectClose(t, "grad."+p.Name, p.Grad, want, 1e-4*maxAbs(want), 0)
			grads++
			continue
		}
		want := f.get("after." + p.Name).Data
		tol := 1e-4
		if strings.HasSuffix(p.Name, "num_batches_tracked") {
			tol = 0
		}
		expectClose(t, "after."+p.Name, p.Value.Data, want, tol, tol)
		stats++
	}
	if grads != 47 || stats != 45 {
		t.Errorf("checked %d gradients and %d buffers, want 47 and 45", grads, stats)
	}
}
