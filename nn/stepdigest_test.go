package nn

import (
	"encoding/binary"
	"hash"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// stepDigests are the digests of digestSteps for each case, recorded once
// from code known to be right, by rounding: the kernels named
// "avx2-fma" (AVX2 and AVX-512 round alike) and nn's own Go kernel, on
// amd64 without assembly and under WebAssembly, which do not fuse
// multiplications and additions. A change anywhere in the engine that
// moves one bit of a forward or backward pass changes them. With the
// assembly, inference's 3×3 convolutions of stride 1 are Winograd's (see
// winograd.go); without, direct, as they were when all were recorded.
var stepDigests = map[string]map[string]uint64{
	"avx2-fma": {
		"reference/replicas=1": 0x5859fccf765a0a3c,
		"reference/replicas=2": 0xd84aa66c4ff63a1a,
		"odd/replicas=3":       0x22cd963600bdf9fe,
	},
	"go": {
		"reference/replicas=1": 0xbe2f14e83faff73f,
		"reference/replicas=2": 0x9daecdb9e4a74b82,
		"odd/replicas=3":       0x56cf742c9be450eb,
	},
}

// digestCases are training runs that go through every path of the layers:
// the reference network on one replica and on two that normalize over the
// whole batch, and a small network of odd plane sides, 1×1 shortcuts and
// augmentation on three replicas that each normalize their own share.
var digestCases = []struct {
	name           string
	cfg            Config
	batch          int
	replicas       int
	augment, apart bool
}{
	{"reference/replicas=1", Reference(), 16, 1, false, false},
	{"reference/replicas=2", Reference(), 16, 2, false, false},
	{"odd/replicas=3", Config{InputSize: 15, Width: 6, Stages: []int{1, 2, 1}, Shortcut: "conv1x1", Classes: 4}, 23, 3, true, true},
}

// TestStepDigests checks that three training steps, and then eval-mode
// forward passes, compute every value to the bit as the recorded digests
// say, so that work on the engine's speed cannot change its results.
func TestStepDigests(t *testing.T) {
	kernel := KernelName()
	if kernel == "go" && runtime.GOARCH != "amd64" && runtime.GOARCH != "wasm" {
		t.Skipf("nn's Go kernel on %s may fuse multiplications and additions", runtime.GOARCH)
	}
	want := stepDigests[kernel]
	for _, c := range digestCases {
		t.Run(c.name, func(t *testing.T) {
			got := digestSteps(t, c.cfg, c.batch, c.replicas, c.augment, c.apart)
			w, ok := want[c.name]
			switch {
			case !ok:
				t.Errorf("kernel %s: no digest recorded; got %#016x", kernel, got)
			case got != w:
				t.Errorf("kernel %s: digest %#016x, want %#016x", kernel, got, w)
			}
		})
	}
}

// digestSteps trains a fresh model of cfg for three steps on batches of
// batch images over the given number of replicas, and returns a digest of
// the bits of every loss, count of right answers, replica's gradients,
// statistics and BatchNorm sums (in float64, whose rounding seldom shows
// in float32), and the model's whole state after each step, and of the
// logits of Forward in eval mode and of Infer at the end.
func digestSteps(t *testing.T, cfg Config, batch, replicas int, augment, apart bool) uint64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	set := tinySet(2*batch, cfg.InputSize, cfg.Classes, rng)
	m, err := NewModel(cfg, set.Classes, rng)
	if err != nil {
		t.Fatal(err)
	}
	r := ReferenceRecipe()
	r.Config, r.BatchSize, r.BatchNormPerShare = cfg, batch, apart
	if augment {
		r.Augment = DefaultRecipe().Augment
	}
	tr, err := NewTrainer(m, r, 10, replicas)
	if err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	for s := range 3 {
		idx := rng.Perm(set.Len())[:batch]
		loss, right, err := tr.Step(set, idx)
		if err != nil {
			t.Fatal(err)
		}
		writeBits(h, math.Float64bits(loss), uint64(right))
		for i, sh := range tr.shards[:min(replicas, batch)] {
			writeFloats(h, sh.Grads)
			writeFloats(h, sh.Stats)
			for _, bn := range tr.reps[i].(*LocalReplica).net.batchNorms() {
				writeFloat64s(h, bn.mean, bn.inv, bn.sums)
			}
		}
		for _, p := range m.Net.Params() {
			writeFloats(h, p.Value.Data)
			writeFloats(h, p.Grad)
		}
		if t.Failed() {
			t.Fatalf("step %d failed", s)
		}
	}
	x := NewTensor(batch, 3, cfg.InputSize, cfg.InputSize)
	labels := make([]int, batch)
	set.Fill(x.Data, labels, rng.Perm(set.Len())[:batch], m.Meta.Norm, nil, nil)
	writeFloats(h, m.Net.Forward(x, false).Data)
	writeFloats(h, m.Net.Infer(x).Data)
	return h.Sum64()
}

// writeFloats writes the bits of s to h.
func writeFloats(h hash.Hash64, s []float32) {
	b := make([]byte, 4*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	h.Write(b)
}

// writeFloat64s writes the bits of each of ss to h.
func writeFloat64s(h hash.Hash64, ss ...[]float64) {
	for _, s := range ss {
		for _, v := range s {
			writeBits(h, math.Float64bits(v))
		}
	}
}

// writeBits writes vs to h.
func writeBits(h hash.Hash64, vs ...uint64) {
	for _, v := range vs {
		h.Write(binary.LittleEndian.AppendUint64(nil, v))
	}
}
