package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomizeBatchNorms gives every BatchNorm of ps random affine weights
// and running statistics, so that folding them is not the identity.
func randomizeBatchNorms(ps []*Param, rng *rand.Rand) {
	for _, p := range ps {
		lo, hi := -0.5, 0.5
		switch {
		case p.Integer || p.Value.Len() == 0:
			continue
		case strings.HasSuffix(p.Name, "running_var"):
			lo, hi = 0.2, 2
		case strings.HasSuffix(p.Name, "bn1.weight"), strings.HasSuffix(p.Name, "bn2.weight"), strings.HasSuffix(p.Name, "bn.weight"), strings.HasSuffix(p.Name, "downsample.1.weight"):
			lo, hi = 0.5, 1.5
		case !strings.HasSuffix(p.Name, "running_mean") && !strings.HasSuffix(p.Name, ".bias"):
			continue
		}
		for i := range p.Value.Data {
			p.Value.Data[i] = float32(lo + (hi-lo)*rng.Float64())
		}
	}
}

// TestInferMatchesForward compares Infer with the plain eval-mode Forward
// on networks of every shape of block, with batches smaller than, equal
// to and not a multiple of inferGroup. The two differ only in rounding:
// folding BatchNorm reassociates (Σ w·x)·scale + shift, and the products
// sum in another order; each layer's float32 error is a few units of
// 1e-7 of its values' size, and a few dozen layers stay far below the
// tolerance of 1e-5 of the largest logit.
func TestInferMatchesForward(t *testing.T) {
	ref := Reference()
	conv1x1 := ref
	conv1x1.Shortcut = "conv1x1"
	odd := Config{InputSize: 15, Width: 8, Stages: []int{1, 2, 1}, Shortcut: "conv3x3", Classes: 3}
	tiny := Config{InputSize: 3, Width: 4, Stages: []int{1, 1, 1}, Shortcut: "conv1x1", Classes: 2}
	for _, tc := range []struct {
		cfg Config
		n   int
	}{
		{ref, 1}, {ref, 16}, {ref, 37}, {conv1x1, 20}, {odd, 5}, {tiny, 3},
	} {
		t.Run(fmt.Sprintf("%s-%s-%d-n%d", tc.cfg.Name(), tc.cfg.Shortcut, tc.cfg.InputSize, tc.n), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(4, 5))
			net, err := NewResNet(tc.cfg, rng)
			if err != nil {
				t.Fatal(err)
			}
			randomizeBatchNorms(net.Params(), rng)
			x := randInput(rng, tc.n, 3, tc.cfg.InputSize, tc.cfg.InputSize)
			want := append([]float32(nil), net.Forward(x, false).Data...)
			got := net.Infer(x)
			if got.Shape[0] != tc.n || got.Shape[1] != tc.cfg.Classes {
				t.Fatalf("logits of shape %v, want [%d %d]", got.Shape, tc.n, tc.cfg.Classes)
			}
			expectClose(t, "logits", got.Data, want, 1e-5*maxAbs(want), 0)
		})
	}
}

// splitRef is SplitKernel's documented loop.
func splitRef(even, odd, src []float32, w, rows, planes, srcRow, srcPlane, dstRow, dstPlane int) {
	for t := range planes {
		for r := range rows {
			for j := range w {
				even[t*dstPlane+r*dstRow+j] = src[t*srcPlane+r*srcRow+2*j]
				odd[t*dstPlane+r*dstRow+j] = src[t*srcPlane+r*srcRow+2*j+1]
			}
		}
	}
}

// TestInferWithPackingKernels checks that Infer gives the same bits with the
// kernels that only move values set (GatherKernel and SplitKernel, in
// their documented loops, under a GemmKernel) as with Go's loops, over
// sides that split into phases of every width: multiples of 4, with a
// rest, odd, and under 4.
func TestInferWithPackingKernels(t *testing.T) {
	gather := func(dst []float32, rows [][]float32, j0, panels int) {
		for t := range panels {
			for p, r := range rows {
				copy(dst[(t*len(rows)+p)*8:], r[j0+8*t:j0+8*t+8])
			}
		}
	}
	for _, size := range []int{32, 40, 36, 13, 6} {
		for _, shortcut := range []string{"conv3x3", "conv1x1"} {
			cfg := Config{InputSize: size, Width: 4, Stages: []int{1, 1, 1}, Shortcut: shortcut, Classes: 3}
			rng := rand.New(rand.NewPCG(4, uint64(size)))
			net, err := NewResNet(cfg, rng)
			if err != nil {
				t.Fatal(err)
			}
			randomizeBatchNorms(net.Params(), rng)
			x := randInput(rng, 9, 3, size, size)
			SetGemmKernel(kernelRef)
			want := append([]float32(nil), net.Infer(x).Data...)
			SetGatherKernel(gather)
			SetSplitKernel(splitRef)
			got := net.Infer(x).Data
			SetGemmKernel(nil)
			SetGatherKernel(nil)
			SetSplitKernel(nil)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("side %d, %s: logit %d = %v with the kernels, %v without", size, shortcut, i, got[i], want[i])
				}
			}
		}
	}
}

// TestInferReusesItsBuffers checks that Infer gives the same bits on a
// network that inferred batches of other sizes before, whose buffers then
// hold old activations where the new shapes have their gaps and borders,
// as on a fresh one, with either shortcut (a 1×1 shortcut has an output of
// its own; a 3×3 one shares conv1's) and blocks of stride 1 after a
// stride-2 one.
func TestInferReusesItsBuffers(t *testing.T) {
	for _, shortcut := range []string{"conv3x3", "conv1x1"} {
		t.Run(shortcut, func(t *testing.T) { inferReusesItsBuffers(t, shortcut) })
	}
}

func inferReusesItsBuffers(t *testing.T, shortcut string) {
	cfg := Config{InputSize: 12, Width: 4, Stages: []int{1, 2, 2}, Shortcut: shortcut, Classes: 3}
	newNet := func() *ResNet { // the same weights each time
		rng := rand.New(rand.NewPCG(6, 7))
		net, err := NewResNet(cfg, rng)
		if err != nil {
			t.Fatal(err)
		}
		randomizeBatchNorms(net.Params(), rng)
		return net
	}
	rng := rand.New(rand.NewPCG(8, 9))
	used := newNet()
	for _, n := range []int{40, 3, 17} {
		used.Infer(randInput(rng, n, 3, 12, 12))
	}
	for _, n := range []int{5, inferGroup} { // each one group: the fresh network's buffers are fresh
		x := randInput(rng, n, 3, 12, 12)
		got, want := used.Infer(x).Data, newNet().Infer(x).Data
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("batch of %d after others: logit %d = %v, on a fresh network %v", n, i, got[i], want[i])
			}
		}
	}
}

// TestInferFollowsParameters checks that Infer uses the parameters as
// they are at each call, not as they were at the first.
func TestInferFollowsParameters(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	cfg := Config{InputSize: 8, Width: 4, Stages: []int{1, 1}, Shortcut: "conv3x3", Classes: 3}
	net, err := NewResNet(cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	x := randInput(rng, 4, 3, 8, 8)
	net.Infer(x)
	randomizeBatchNorms(net.Params(), rng)
	for _, p := range net.Params() {
		if p.Trainable() && len(p.Value.Shape) == 4 {
			p.Value.Data[0] += 0.5
		}
	}
	want := append([]float32(nil), net.Forward(x, false).Data...)
	expectClose(t, "logits", net.Infer(x).Data, want, 1e-5*maxAbs(want), 0)
}

// TestInferAgainstPyTorch runs Infer on the reference weights and compares
// its logits with PyTorch's in eval mode, as TestResNetAgainstPyTorch
// does for Forward.
func TestInferAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "resnet.safetensors")
	m := seedModel(t)
	logits := m.Net.Infer(f.get("x"))
	expectClose(t, "logits_eval", logits.Data, f.get("logits_eval").Data, 1e-4, 1e-4)
}
