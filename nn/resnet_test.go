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
