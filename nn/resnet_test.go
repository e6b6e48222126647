package nn

import (
	"math/rand/v2"
	"testing"
)

func TestReferenceShape(t *testing.T) {
	r, err := NewResNet(Reference(), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.NumParams(), 195478; got != want {
		t.Errorf("NumParams() = %d, want %d", got, want)
	}
	if got, want := len(r.Params()), 92; got != want {
		t.Errorf("len(Params()) = %d, want %d", got, want)
	}
	if got, want := r.Config.Name(), "resnet14"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
	x := NewTensor(2, 3, 32, 32)
	y := r.Forward(x, true)
	if got := y.Shape; len(got) != 2 || got[0] != 2 || got[1] != 6 {
		t.Errorf("logits shape %v, want [2 6]", got)
	}
}

// TestBackwardParams checks that training's backward pass, which spares
// the stem's input gradient, adds every parameter the same gradient, to
// the bit, as Backward.
func TestBackwardParams(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r, err := NewResNet(Config{InputSize: 8, Width: 4, Stages: []int{1, 1}, Shortcut: "conv1x1", Classes: 3}, rng)
	if err != nil {
		t.Fatal(err)
	}
	x := randInput(rng, 3, 3, 8, 8)
	dy := randInput(rng, 3, 3)
	grads := func(backward func()) [][]float32 {
		ZeroGrad(r.Params())
		r.Forward(x, true)
		backward()
		var g [][]float32
		for _, p := range r.Params() {
			g = append(g, append([]float32(nil), p.Grad...))
		}
		return g
	}
	want := grads(func() { r.Backward(dy) })
	got := grads(func() { r.backwardParams(dy) })
	for i, p := range r.Params() {
		if j := firstDifference(got[i], want[i]); j >= 0 {
			t.Fatalf("%s[%d]: %v, Backward's %v", p.Name, j, got[i][j], want[i][j])
		}
	}
}
