package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestInitialization checks PyTorch's default initialization: weights
// and biases uniform in ±1/sqrt(fan_in) (so with the variance of that
// uniform law), BatchNorm weight 1, bias 0, running mean 0, variance 1;
// and that the same seed gives the same network.
func TestInitialization(t *testing.T) {
	a, err := NewResNet(Reference(), rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewResNet(Reference(), rand.New(rand.NewPCG(7, 7)))
	for i, p := range a.Params() {
		for j, v := range p.Value.Data {
			if v != b.Params()[i].Value.Data[j] {
				t.Fatalf("%s[%d]: %v and %v from the same seed", p.Name, j, v, b.Params()[i].Value.Data[j])
			}
		}
	}
	fanIn := map[string]int{"conv.weight": 27, "layer1.0.conv1.weight": 144, "layer2.0.downsample.0.weight": 144,
		"layer3.1.conv2.weight": 576, "fc.weight": 64, "fc.bias": 64}
	constant := map[string]float32{"bn.weight": 1, "bn.bias": 0, "bn.running_mean": 0, "bn.running_var": 1, "layer3.1.bn2.weight": 1}
	for _, p := range a.Params() {
		if want, ok := constant[p.Name]; ok {
			for j, v := range p.Value.Data {
				if v != want {
					t.Errorf("%s[%d] = %v, want %v", p.Name, j, v, want)
				}
			}
		}
		fan, ok := fanIn[p.Name]
		if !ok {
			continue
		}
		bound := 1 / math.Sqrt(float64(fan))
		var ss float64
		for j, v := range p.Value.Data {
			if math.Abs(float64(v)) > bound {
				t.Errorf("%s[%d] = %v, beyond ±%v", p.Name, j, v, bound)
			}
			ss += float64(v) * float64(v)
		}
		variance, want := ss/float64(len(p.Value.Data)), bound*bound/3
		if n := len(p.Value.Data); n >= 400 && math.Abs(variance-want) > 0.15*want {
			t.Errorf("%s: variance %.3g, want %.3g (uniform in ±%.3g)", p.Name, variance, want, bound)
		}
	}
}
