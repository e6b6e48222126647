package nn

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// TestTrainingStepsAgainstPyTorch takes three steps of the reference
// recipe from the reference weights and compares the whole state with
// PyTorch's after the same three steps, on one replica and on several,
// whose BatchNorms normalize over the whole batch.
func TestTrainingStepsAgainstPyTorch(t *testing.T) {
	f := loadFixture(t, "train.safetensors")
	for _, replicas := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("replicas=%d", replicas), func(t *testing.T) {
			m := seedModel(t)
			start := map[string][]float32{}
			for _, p := range m.Net.Params() {
				start[p.Name] = append([]float32(nil), p.Value.Data...)
			}
			tr, err := NewTrainer(m, ReferenceRecipe(), 24*176, replicas)
			if err != nil {
				t.Fatal(err)
			}
			for s := 0; s < 3; s++ {
				loss, _, err := tr.StepTensor(f.get(fmt.Sprintf("xs%d", s)), f.labels(fmt.Sprintf("ys%d", s)))
				if err != nil {
					t.Fatal(err)
				}
				expectClose(t, fmt.Sprintf("loss%d", s), []float32{float32(loss)}, f.get(fmt.Sprintf("loss%d", s)).Data, 1e-4, 0)
			}
			for _, p := range m.Net.Params() {
				want := f.get("final." + p.Name).Data
				rtol := 0.0
				if strings.HasSuffix(p.Name, "running_var") {
					rtol = 1e-4
				}
				expectClose(t, "final."+p.Name, p.Value.Data, want, 1e-4, rtol)
				if !p.Trainable() {
					continue
				}
				// Three Adam steps move a weight by about 1e-3, so the
				// absolute tolerance above would pass an update several
				// percent off: the update itself must match to 1e-3 of its
				// size (seen: 4e-5 at most).
				var moved, off float64
				for i, v := range p.Value.Data {
					d := float64(want[i]) - float64(start[p.Name][i])
					e := float64(v) - float64(want[i])
					moved += d * d
					off += e * e
				}
				if off > 1e-6*moved {
					t.Errorf("%s: update off PyTorch's by %.2g of its size (root mean square)", p.Name, math.Sqrt(off/moved))
				}
			}
		})
	}
}

// TestSharesNormalizeApart checks that the test above can tell: replicas
// whose BatchNorms each see their own share (NewTrainerOn) end the same
// three steps measurably away from PyTorch's state.
func TestSharesNormalizeApart(t *testing.T) {
	f := loadFixture(t, "train.safetensors")
	m := seedModel(t)
	r := ReferenceRecipe()
	var reps []Replica
	for range 2 {
		lr, err := NewLocalReplica(m.Net.Config, m.Meta.Norm, r)
		if err != nil {
			t.Fatal(err)
		}
		reps = append(reps, lr)
	}
	tr, err := NewTrainerOn(m, r, 24*176, reps)
	if err != nil {
		t.Fatal(err)
	}
	for s := 0; s < 3; s++ {
		if _, _, err := tr.StepTensor(f.get(fmt.Sprintf("xs%d", s)), f.labels(fmt.Sprintf("ys%d", s))); err != nil {
			t.Fatal(err)
		}
	}
	var worst float64
	for _, p := range m.Net.Params() {
		want := f.get("final." + p.Name).Data
		for i, v := range p.Value.Data {
			worst = math.Max(worst, math.Abs(float64(v)-float64(want[i])))
		}
	}
	if worst < 1e-3 {
		t.Errorf("two shares normalized apart end within %.2g of PyTorch's state; want a visible difference", worst)
	}
}

// tinySet returns n random images of side s in k classes, where each
// class has its own color so that a network can learn them.
func tinySet(n, s, k int, rng *rand.Rand) *data.Set {
	set := &data.Set{Size: s, Pix: make([]uint8, n*s*s*3), Labels: make([]int, n), Names: make([]string, n)}
	for c := 0; c < k; c++ {
		set.Classes = append(set.Classes, fmt.Sprint("class", c))
	}
	for i := 0; i < n; i++ {
		y := i % k
		set.Labels[i] = y
		set.Names[i] = fmt.Sprintf("img%d.png", i)
		for j := 0; j < s*s*3; j++ {
			v := rng.IntN(96)
			if j%3 == y%3 {
				v += 128 + 32*(y/3)
			}
			set.Pix[i*s*s*3+j] = uint8(min(v, 255))
		}
	}
	return set
}

// TestOverfitTiny trains the reference recipe's optimizer on a handful of
// images until it knows them all.
func TestOverfitTiny(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	set := tinySet(12, 16, 4, rng)
	r := ReferenceRecipe()
	r.Config = Config{InputSize: 16, Width: 8, Stages: []int{1, 1}, Shortcut: "conv3x3", Classes: 4}
	m, err := NewModel(r.Config, set.Classes, rand.New(rand.NewPCG(r.Seed, 0)))
	if err != nil {
		t.Fatal(err)
	}
	const steps = 60
	tr, err := NewTrainer(m, r, steps, 2)
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	var first float64
	for s := 0; s < steps; s++ {
		loss, _, err := tr.Step(set, idx)
		if err != nil {
			t.Fatal(err)
		}
		if s == 0 {
			first = loss
		}
	}
	loss, cm := tr.Evaluate(set, 5)
	if cm.Correct() != set.Len() || loss > first/4 {
		t.Errorf("after %d steps: %d of %d right, loss %.4f (first %.4f); want all right and loss below a quarter", steps, cm.Correct(), set.Len(), loss, first)
	}
	checkGoldenWeights(t, m, filepath.Join("testdata", "overfit.golden"))
}

var update = flag.Bool("update", false, "rewrite golden files")

// checkGoldenWeights compares a digest of m's state, one sum of absolute
// values per tensor, with a golden file, so that the same seed is seen to
// give the same weights natively and under GOOS=js. Summation order and
// math.Exp differ between the amd64 kernels and the portable ones, so the
// comparison allows for rounding.
func checkGoldenWeights(t *testing.T, m *Model, path string) {
	t.Helper()
	var got []float64
	var b strings.Builder
	for _, p := range m.Net.Params() {
		var s float64
		for _, v := range p.Value.Data {
			s += math.Abs(float64(v))
		}
		got = append(got, s)
		fmt.Fprintf(&b, "%s %.9g\n", p.Name, s)
	}
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != len(got) {
		t.Fatalf("%s has %d tensors, the model %d", path, len(lines), len(got))
	}
	for i, line := range lines {
		name, value, _ := strings.Cut(line, " ")
		want, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("%s line %d: %v", path, i+1, err)
		}
		if math.Abs(got[i]-want) > 1e-3*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: sum |w| = %.9g, want %.9g", name, got[i], want)
		}
	}
}

func TestTrainerRefusesBadBatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	set := tinySet(4, 8, 2, rng)
	cfg := Config{InputSize: 8, Width: 2, Stages: []int{1}, Shortcut: "conv3x3", Classes: 2}
	m, err := NewModel(cfg, set.Classes, rng)
	if err != nil {
		t.Fatal(err)
	}
	r := ReferenceRecipe()
	r.Config = cfg
	tr, err := NewTrainer(m, r, 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tr.Step(set, nil); err == nil {
		t.Error("Step with no images: got no error")
	}
	if _, _, err := tr.StepTensor(NewTensor(2, 3, 8, 8), []int{0}); err == nil {
		t.Error("StepTensor with 2 images and 1 label: got no error")
	}
	if _, _, err := Evaluate(m, set, 0, 1); err == nil {
		t.Error("Evaluate with batch 0: got no error")
	}
	// A replica that panics (here on an image index out of range) fails
	// the step, and only the step.
	if _, _, err := tr.Step(set, []int{0, 1, 2, 99}); err == nil || !strings.Contains(err.Error(), "replica 1") {
		t.Errorf("Step with an image out of range: got error %v, want replica 1's", err)
	}
	if tr.Steps() != 0 {
		t.Errorf("refused steps counted: Steps() = %d, want 0", tr.Steps())
	}
	// The replica waiting for the failed one's statistics stopped too, and
	// the next step works.
	if _, _, err := tr.Step(set, []int{0, 1, 2, 3}); err != nil {
		t.Errorf("a good step after a failed one: %v", err)
	}
}

// TestTrainerDeterministic trains twice from one seed on three replicas,
// with uneven shares, and wants the same weights to the last bit: the
// replicas' BatchNorm statistics and gradients are summed in a fixed
// order, whichever replica finishes first.
func TestTrainerDeterministic(t *testing.T) {
	set := tinySet(11, 8, 3, rand.New(rand.NewPCG(3, 4)))
	train := func() []*Param {
		m, tr := tinyTrainer(t, set, 4, 5, 8, 3)
		idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
		for range 8 {
			if _, _, err := tr.Step(set, idx); err != nil {
				t.Fatal(err)
			}
		}
		return m.Net.Params()
	}
	a, b := train(), train()
	for i, p := range a {
		for j, v := range p.Value.Data {
			if w := b[i].Value.Data[j]; math.Float32bits(v) != math.Float32bits(w) {
				t.Fatalf("%s[%d]: %v, then %v from the same seed", p.Name, j, v, w)
			}
		}
	}
}

// TestGroupFailures makes one replica of three fail at each of its
// BatchNorm reductions in turn, first forward, last backward and all
// between: the step fails, nothing waits forever, and the next step
// works. Batches smaller than the number of replicas (some replicas
// idle) train too.
func TestGroupFailures(t *testing.T) {
	set := tinySet(6, 8, 2, rand.New(rand.NewPCG(1, 3)))
	_, tr := tinyTrainer(t, set, 2, 1, 100, 3)
	idx := []int{0, 1, 2, 3, 4, 5}
	bns := tr.reps[1].(*LocalReplica).net.batchNorms()
	orig := make([]func([]float64), len(bns))
	for i, bn := range bns {
		orig[i] = bn.reduce
	}
	calls := 3 * len(bns) // two reductions forward, one backward
	for fail := range calls {
		n := 0
		for i, bn := range bns {
			bn.reduce = func(v []float64) {
				if n++; n-1 == fail {
					panic("injected")
				}
				orig[i](v)
			}
		}
		_, _, err := tr.Step(set, idx)
		if err == nil || !strings.Contains(err.Error(), "injected") {
			t.Fatalf("replica 1 failing at reduction %d: got error %v", fail, err)
		}
		if n != fail+1 {
			t.Fatalf("replica 1 made %d reductions, want to fail at number %d", n, fail+1)
		}
		for i, bn := range bns {
			bn.reduce = orig[i]
		}
		if _, _, err := tr.Step(set, idx); err != nil {
			t.Fatalf("the step after a failure at reduction %d: %v", fail, err)
		}
	}
	for _, n := range []int{1, 2} {
		if _, _, err := tr.Step(set, idx[:n]); err != nil {
			t.Errorf("a batch of %d on 3 replicas: %v", n, err)
		}
	}
}

// tinyTrainer returns a two-stage ResNet of the given width for set's
// 8×8 images, initialized from seed, and the reference recipe's trainer
// for it over steps steps on replicas replicas.
func tinyTrainer(t *testing.T, set *data.Set, width int, seed uint64, steps, replicas int) (*Model, *Trainer) {
	t.Helper()
	r := ReferenceRecipe()
	r.Config = Config{InputSize: 8, Width: width, Stages: []int{1, 1}, Shortcut: "conv3x3", Classes: len(set.Classes)}
	m, err := NewModel(r.Config, set.Classes, rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, r, steps, replicas)
	if err != nil {
		t.Fatal(err)
	}
	return m, tr
}

// TestLabelSmoothing checks that a recipe's label smoothing is the loss
// a training step reports and descends, on one replica and on two, and
// that evaluating the trained model scores the plain loss.
func TestLabelSmoothing(t *testing.T) {
	set := tinySet(12, 8, 3, rand.New(rand.NewPCG(3, 4)))
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	for _, replicas := range []int{1, 2} {
		m, tr := tinyTrainer(t, set, 4, 5, 3, replicas)
		// What a replica computes, by hand: the batch's forward in
		// training mode (whole-batch BatchNorm, no augmentation), which
		// moves only the running statistics, before the trainer copies
		// the model.
		var x Tensor
		x.Resize(len(idx), 3, set.Size, set.Size)
		labels := make([]int, len(idx))
		set.Fill(x.Data, labels, idx, m.Meta.Norm, nil, nil)
		logits := m.Net.Forward(&x, true)
		smooth := CrossEntropy{Smoothing: 0.2}
		want := float64(smooth.Forward(logits, labels))
		var ce CrossEntropy
		if plain := float64(ce.Forward(logits, labels)); math.Abs(plain-want) < 1e-3 {
			t.Fatalf("smoothing changes the loss by %g only: a useless test", math.Abs(plain-want))
		}
		r := tr.Recipe
		r.LabelSmoothing = 0.2
		tr, err := NewTrainer(m, r, 3, replicas)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := tr.Step(set, idx)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-5*want {
			t.Errorf("%d replicas: a step's loss is %v, want the smoothed %v", replicas, got, want)
		}
		evalLoss, _ := tr.Evaluate(set, 5)
		plainLoss, _, err := Evaluate(m, set, 5, 1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(evalLoss-plainLoss) > 1e-6*plainLoss {
			t.Errorf("%d replicas: evaluation scores %v, want the plain loss %v", replicas, evalLoss, plainLoss)
		}
	}
}
