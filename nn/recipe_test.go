package nn

import (
	"slices"
	"testing"
)

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

// TestSeedStreams checks that a seed's initial weights, split and epoch
// orders come from separate streams: SplitSeed changes neither the
// weights nor the order, each epoch is its own permutation, and the same
// seed repeats them.
func TestSeedStreams(t *testing.T) {
	a, b := ReferenceRecipe(), ReferenceRecipe()
	seven := uint64(7)
	b.SplitSeed = &seven
	if a.InitRand().Uint64() != b.InitRand().Uint64() {
		t.Error("SplitSeed changed the initial weights")
	}
	if a.SplitRand().Uint64() == a.InitRand().Uint64() {
		t.Error("the split and the initial weights draw the same numbers")
	}
	const n = 100
	e0 := a.EpochOrder(0, n)
	for i, v := range slices.Sorted(slices.Values(e0)) {
		if v != i || len(e0) != n {
			t.Fatalf("epoch 0's order %v is not a permutation of 0..%d", e0, n-1)
		}
	}
	if !slices.Equal(e0, b.EpochOrder(0, n)) {
		t.Error("SplitSeed changed epoch 0's order")
	}
	if slices.Equal(e0, a.EpochOrder(1, n)) {
		t.Error("epochs 0 and 1 visit the images in the same order")
	}
	b.Seed = 7
	if slices.Equal(e0, b.EpochOrder(0, n)) {
		t.Error("seeds 1 and 7 give epoch 0 the same order")
	}
}
