package nn

import "testing"

// TestSplitRand checks that SplitSeed, when set, alone decides the split.
func TestSplitRand(t *testing.T) {
	first := func(r Recipe) uint64 { return r.SplitRand().Uint64() }
	a, b := ReferenceRecipe(), ReferenceRecipe()
	b.Seed = 7
	if first(a) == first(b) {
		t.Fatal("seeds 1 and 7 split alike")
	}
	one := uint64(1)
	b.SplitSeed = &one
	if first(a) != first(b) {
		t.Error("seed 7 with split seed 1 does not split as seed 1")
	}
}
