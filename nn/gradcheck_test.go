package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// weightedLoss is L = sum_i w_i*y_i, a loss whose gradient dL/dy = w
// differs at every position, so a misplaced gradient cannot cancel out.
func weightedLoss(y *Tensor, w []float32) float64 {
	var s float64
	for i, v := range y.Data {
		s += float64(v) * float64(w[i])
	}
	return s
}

// checkGradients compares l's Backward with central differences of the
// weighted loss, for the input and every trainable parameter, at up to
// 30 positions each.
func checkGradients(t *testing.T, l Layer, x *Tensor, rng *rand.Rand) {
	t.Helper()
	y := l.Forward(x, true)
	w := randSlice(rng, y.Len())
	dy := &Tensor{Shape: append([]int(nil), y.Shape...), Data: w}
	ps := l.Params()
	ZeroGrad(ps)
	dx := l.Backward(dy)
	analytic := map[string][]float32{"x": append([]float32(nil), dx.Data...)}
	values := map[string][]float32{"x": x.Data}
	for _, p := range ps {
		if p.Trainable() {
			analytic[p.Name] = append([]float32(nil), p.Grad...)
			values[p.Name] = p.Value.Data
		}
	}
	// Where a perturbation moves a ReLU input across zero, the loss is
	// not smooth within the step and central differences mean nothing:
	// such positions are recognized by a ReLU's mask changing, and skipped
	// (but not too many).
	rs := relus(l)
	base := reluMasks(rs)
	checked, skipped := 0, 0
	for name, v := range values {
		for _, i := range samplePositions(len(v), 30, rng) {
			const h = 1e-3
			orig := v[i]
			v[i] = orig + h
			plus := weightedLoss(l.Forward(x, true), w)
			kink := reluMasks(rs) != base
			v[i] = orig - h
			minus := weightedLoss(l.Forward(x, true), w)
			kink = kink || reluMasks(rs) != base
			v[i] = orig
			if kink {
				skipped++
				continue
			}
			checked++
			num := (plus - minus) / (2 * h)
			got := float64(analytic[name][i])
			if math.Abs(num-got) > 5e-3+5e-3*math.Abs(num) {
				t.Errorf("d%s[%d] = %.6g, want %.6g by central differences", name, i, got, num)
			}
		}
	}
	if skipped > 2*checked {
		t.Errorf("%d positions skipped for crossing a ReLU kink, %d checked: too few checked", skipped, checked)
	}
}

// relus returns the ReLU layers inside l.
func relus(l Layer) []*ReLU {
	switch l := l.(type) {
	case *ReLU:
		return []*ReLU{l}
	case *Sequential:
		var out []*ReLU
		for _, x := range l.Layers {
			out = append(out, relus(x)...)
		}
		return out
	case *Block:
		out := append(relus(&l.main), &l.relu)
		if l.shortcut != nil {
			out = append(out, relus(l.shortcut)...)
		}
		return out
	case *ResNet:
		return relus(&l.net)
	}
	return nil
}

// reluMasks returns a string with one character per ReLU output: whether
// it passed its input.
func reluMasks(rs []*ReLU) string {
	var b []byte
	for _, r := range rs {
		for _, v := range r.y.Data {
			if v > 0 {
				b = append(b, '1')
			} else {
				b = append(b, '0')
			}
		}
	}
	return string(b)
}

func samplePositions(n, k int, rng *rand.Rand) []int {
	if n <= k {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := make([]int, k)
	for i := range idx {
		idx[i] = rng.IntN(n)
	}
	return idx
}

// randInput returns a tensor of normal values kept at least 0.1 from 0,
// so that ReLU kinks are not crossed by the finite differences.
func randInput(rng *rand.Rand, shape ...int) *Tensor {
	t := NewTensor(shape...)
	for i := range t.Data {
		v := rng.NormFloat64()
		t.Data[i] = float32(v + math.Copysign(0.1, v))
	}
	return t
}

func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	tiny := Config{InputSize: 8, Width: 4, Stages: []int{1, 1}, Shortcut: "conv3x3", Classes: 3}
	tiny1x1 := tiny
	tiny1x1.Shortcut = "conv1x1"
	net := func(c Config) Layer {
		r, err := NewResNet(c, rng)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	bn := NewBatchNorm2D(3)
	for i := range bn.Weight.Value.Data {
		bn.Weight.Value.Data[i] = float32(1 + rng.NormFloat64()/2)
		bn.Bias.Value.Data[i] = float32(rng.NormFloat64())
	}
	cases := []struct {
		name  string
		layer Layer
		x     *Tensor
	}{
		{"conv stride 1", NewConv2D(3, 4, 3, 1, 1, false, rng), randInput(rng, 2, 3, 5, 5)},
		{"conv stride 1 bias", NewConv2D(2, 3, 3, 1, 1, true, rng), randInput(rng, 2, 2, 4, 6)},
		{"conv stride 2", NewConv2D(3, 4, 3, 2, 1, false, rng), randInput(rng, 2, 3, 6, 6)},
		{"conv stride 2 odd", NewConv2D(2, 3, 3, 2, 1, true, rng), randInput(rng, 1, 2, 7, 7)},
		{"conv 1x1 stride 2", NewConv2D(3, 2, 1, 2, 0, false, rng), randInput(rng, 2, 3, 6, 6)},
		{"batchnorm", bn, randInput(rng, 4, 3, 3, 5)},
		{"relu", &ReLU{}, randInput(rng, 2, 3, 4, 4)},
		{"global average pool", &GlobalAvgPool{}, randInput(rng, 2, 3, 4, 4)},
		{"max pool 2x2", &MaxPool2D{Kernel: 2, Stride: 2}, randInput(rng, 2, 2, 6, 6)},
		{"max pool 3x3 pad 1", &MaxPool2D{Kernel: 3, Stride: 2, Pad: 1}, randInput(rng, 1, 2, 7, 7)},
		{"linear", NewLinear(5, 3, rng), randInput(rng, 4, 5)},
		{"identity block", NewBlock(3, 3, 1, "conv3x3", rng), randInput(rng, 4, 3, 8, 8)},
		{"downsampling block", NewBlock(3, 5, 2, "conv3x3", rng), randInput(rng, 4, 3, 8, 8)},
		{"resnet conv3x3", net(tiny), randInput(rng, 6, 3, 8, 8)},
		{"resnet conv1x1", net(tiny1x1), randInput(rng, 6, 3, 8, 8)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c.layer, c.x, rng) })
	}
}

// TestCrossEntropyGradient checks dL/dlogits against finite differences,
// for the plain loss, with label smoothing, and with a teacher's share
// of the targets.
func TestCrossEntropyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	teacher := make([]float32, 5*4)
	for i := 0; i < 5; i++ {
		row := teacher[i*4 : (i+1)*4]
		var sum float32
		for j := range row {
			row[j] = rng.Float32()
			sum += row[j]
		}
		for j := range row {
			row[j] /= sum
		}
	}
	for _, ce := range []CrossEntropy{{}, {Smoothing: 0.1}, {Smoothing: 0.1, Distill: 0.4, Teacher: teacher}} {
		t.Run(fmt.Sprintf("smoothing %g distill %g", ce.Smoothing, ce.Distill), func(t *testing.T) {
			checkCrossEntropyGradient(t, ce, randInput(rng, 5, 4), []int{0, 3, 2, 2, 1})
		})
	}
}

// TestDistillTarget checks the loss with a teacher's share: a teacher
// that puts everything on each image's label gives the loss and gradient
// of the label with a share (1-δ) of the smoothing, and a uniform
// teacher with all the share gives the loss of a uniform target.
func TestDistillTarget(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	logits := randInput(rng, 4, 3)
	labels := []int{2, 0, 1, 1}
	onehot := make([]float32, 4*3)
	for i, y := range labels {
		onehot[i*3+y] = 1
	}
	smooth := CrossEntropy{Smoothing: 0.7 * 0.1}
	want := smooth.Forward(logits, labels)
	wantD := append([]float32(nil), smooth.Backward().Data...)
	same := CrossEntropy{Smoothing: 0.1, Distill: 0.3, Teacher: onehot}
	if got := same.Forward(logits, labels); math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("a teacher sure of the labels: loss %v, want the labels' %v", got, want)
	}
	for i, v := range same.Backward().Data {
		if math.Abs(float64(v-wantD[i])) > 1e-6 {
			t.Errorf("a teacher sure of the labels: dlogits[%d] = %v, want %v", i, v, wantD[i])
		}
	}
	uniform := make([]float32, 4*3)
	for i := range uniform {
		uniform[i] = 1. / 3
	}
	// With δ = 1 and a uniform teacher the target is uniform: the loss
	// is the mean over classes of lse - x_j, what smoothing of 1 gives.
	ce := CrossEntropy{Distill: 1, Teacher: uniform}
	all := CrossEntropy{Smoothing: 1}
	if got, want := ce.Forward(logits, labels), all.Forward(logits, labels); math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("a uniform teacher with all the share: loss %v, want %v", got, want)
	}
}

func checkCrossEntropyGradient(t *testing.T, ce CrossEntropy, logits *Tensor, labels []int) {
	t.Helper()
	ce.Forward(logits, labels)
	d := append([]float32(nil), ce.Backward().Data...)
	const h = 1e-3
	for i := range logits.Data {
		orig := logits.Data[i]
		logits.Data[i] = orig + h
		plus := float64(ce.Forward(logits, labels))
		logits.Data[i] = orig - h
		minus := float64(ce.Forward(logits, labels))
		logits.Data[i] = orig
		num := (plus - minus) / (2 * h)
		if math.Abs(num-float64(d[i])) > 1e-3 {
			t.Errorf("dlogits[%d] = %.6g, want %.6g", i, d[i], num)
		}
	}
}

func ExampleConfig_Name() {
	fmt.Println(Reference().Name())
	// Output: resnet14
}
