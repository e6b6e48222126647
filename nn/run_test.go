package nn

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn/data"
)

func TestPresets(t *testing.T) {
	for _, name := range []string{"reference", "default", "quick", "best"} {
		r, ok := Preset(name)
		if !ok || r.Name != name || r.Validate() != nil {
			t.Errorf("Preset(%q) = %+v, %v", name, r, ok)
		}
	}
	if q, _ := Preset("quick"); q.Epochs != 8 || q.Augment.Pad != 0 || q.Augment.FlipProb != 0.5 {
		t.Errorf("quick: %+v", q)
	}
	if b, _ := Preset("best"); b.Config.InputSize != 40 || b.LabelSmoothing != 0.1 || b.Augment != DefaultRecipe().Augment || b.Epochs != 24 {
		t.Errorf("best: %+v", b)
	}
	if _, ok := Preset("magic"); ok {
		t.Error("Preset(magic): found")
	}
}

func TestCheckWorkers(t *testing.T) {
	r := DefaultRecipe()
	r.BatchNormPerShare = true
	for _, tt := range []struct {
		n    int
		want string
	}{{1, ""}, {4, ""}, {5, "shares of 12 images"}, {0, "0 workers"}, {65, "65 workers"}} {
		err := r.CheckWorkers(tt.n)
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckWorkers(%d) = %v, want %q", tt.n, err, tt.want)
		}
	}
	r.BatchNormPerShare = false
	if err := r.CheckWorkers(16); err != nil {
		t.Errorf("whole-batch BatchNorm on 16 workers: %v", err)
	}
}

// TestRunIsTheTrainersLoop checks that a Run trains on the split and
// batches cmd/resnet train always had: the trainer stepped by hand on
// the same split and epoch orders ends with the same weights.
func TestRunIsTheTrainersLoop(t *testing.T) {
	a := &data.Archive{Train: numberedSet(t, 50, 8)}
	r := DefaultRecipe()
	r.Config = Config{InputSize: 8, Width: 4, Stages: []int{1}, Shortcut: "conv1x1"}
	r.Epochs, r.BatchSize = 2, 16
	newTrainer := func(m *Model, r Recipe, steps int) (*Trainer, error) { return NewTrainer(m, r, steps, 2) }
	run, err := NewRun(r, a, newTrainer)
	if err != nil {
		t.Fatal(err)
	}
	for !run.Done() {
		st, err := run.Next()
		if err != nil {
			t.Fatal(err)
		}
		if st.EndEpoch {
			run.EndEpoch(nil)
		}
	}
	train, _ := a.Train.Split(r.ValFraction, r.SplitRand())
	rc := r
	rc.Config.Classes = 3
	m, err := NewModel(rc.Config, a.Train.Classes, r.InitRand())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, rc, run.TotalSteps(), 2)
	if err != nil {
		t.Fatal(err)
	}
	for e := range r.Epochs {
		order := r.EpochOrder(e, train.Len())
		for lo := 0; lo < len(order); lo += r.BatchSize {
			if _, _, err := tr.Step(train, order[lo:min(lo+r.BatchSize, len(order))]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !reflect.DeepEqual(m.Net.StateDict(), run.Model.Net.StateDict()) || len(run.Model.Meta.History) != 2 {
		t.Errorf("a Run's weights differ from the trainer's stepped by hand (%d epochs of history)", len(run.Model.Meta.History))
	}
}

// numberedSet returns n random images of side size in 3 classes.
func numberedSet(t *testing.T, n, size int) *data.Set {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	s := &data.Set{Size: size, Classes: []string{"a", "b", "c"}}
	for i := range n {
		for range size * size * 3 {
			s.Pix = append(s.Pix, uint8(rng.IntN(256)))
		}
		s.Labels = append(s.Labels, i%3)
		s.Names = append(s.Names, "img")
	}
	return s
}

func TestEstimateTrainMemory(t *testing.T) {
	ref := Reference()
	net, err := NewResNet(ref, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	small, big := EstimateTrainMemory(ref, 1), EstimateTrainMemory(ref, 64)
	// The fixed part is the 195,478 parameters four times over.
	if fixed := small - (big-small)/63; fixed < 4*4*int64(net.NumParams())*9/10 || fixed > 4*4*int64(net.NumParams())*11/10 {
		t.Errorf("the estimate's fixed part is %d bytes, want about %d", fixed, 16*net.NumParams())
	}
	if per := (big - small) / 63; per < 500_000 || per > 5_000_000 {
		t.Errorf("%d bytes an image of 32×32 for ResNet-14", per)
	}
	r64 := ref
	r64.InputSize = 64
	if EstimateTrainMemory(r64, 64) < 3*big {
		t.Errorf("64×64 images should cost about four times 32×32's")
	}
}
