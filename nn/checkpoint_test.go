package nn

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/nn/modelfile"
)

// TestCheckpointResumes stops a run mid-epoch and at an epoch's end,
// resumes each from its checkpoint in a fresh run, and checks that both
// end with the weights, optimizer state and history of the run never
// interrupted, on replicas that normalize per share as the page's do.
func TestCheckpointResumes(t *testing.T) {
	a := &data.Archive{Train: numberedSet(t, 50, 8)}
	r := DefaultRecipe()
	r.Config = Config{InputSize: 8, Width: 4, Stages: []int{1}, Shortcut: "conv1x1"}
	r.Epochs, r.BatchSize, r.BatchNormPerShare = 3, 16, true
	newTrainer := func(m *Model, r Recipe, steps int) (*Trainer, error) { return NewTrainer(m, r, steps, 2) }
	newRun := func() *Run {
		run, err := NewRun(r, a, newTrainer)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	// finish runs run to its end, checkpointing it after stopAt steps
	// when stopAt > 0.
	finish := func(run *Run, stopAt int) []byte {
		var ckpt []byte
		for !run.Done() {
			st, err := run.Next()
			if err != nil {
				t.Fatal(err)
			}
			if st.EndEpoch {
				run.EndEpoch(nil)
			}
			if st.Step == stopAt {
				ckpt = run.CheckpointBytes(Checkpoint{Workers: 2, Kernel: KernelName(), Seconds: 12.5})
			}
		}
		return ckpt
	}
	whole := newRun()
	finish(whole, 0)
	want := whole.CheckpointBytes(Checkpoint{Workers: 2})
	perEpoch := newRun().StepsPerEpoch()
	for _, stopAt := range []int{perEpoch + 1, perEpoch} { // mid-epoch, and at the end of the first
		ckpt := finish(newRun(), stopAt)
		resumed := newRun()
		c, err := resumed.ReadCheckpoint(bytes.NewReader(ckpt), int64(len(ckpt)), 2)
		if err != nil {
			t.Fatal(err)
		}
		if c.Seconds != 12.5 || c.Kernel != KernelName() || resumed.Trainer.Steps() != stopAt {
			t.Errorf("after step %d: checkpoint %+v at step %d", stopAt, c, resumed.Trainer.Steps())
		}
		finish(resumed, 0)
		got := resumed.CheckpointBytes(Checkpoint{Workers: 2})
		if !sameTensors(t, got, want) {
			t.Errorf("resumed after step %d: the run ends otherwise than one never interrupted", stopAt)
		}
		if len(resumed.Model.Meta.History) != r.Epochs {
			t.Errorf("resumed after step %d: %d epochs of history", stopAt, len(resumed.Model.Meta.History))
		}
		for i, e := range resumed.Model.Meta.History {
			w := whole.Model.Meta.History[i]
			if e.TrainLoss != w.TrainLoss || e.TrainAcc != w.TrainAcc || e.ValAcc != w.ValAcc {
				t.Errorf("resumed after step %d: epoch %d %+v, uninterrupted %+v", stopAt, i+1, e, w)
			}
		}
	}
	// Another number of workers, another recipe: refused, the run untouched.
	ckpt := finish(newRun(), perEpoch+1)
	fresh := newRun()
	before := slices.Clone(fresh.Model.Net.Params()[0].Value.Data)
	if _, err := fresh.ReadCheckpoint(bytes.NewReader(ckpt), int64(len(ckpt)), 3); !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), "not 3") {
		t.Errorf("3 workers: %v", err)
	}
	r.Seed++
	other := newRun()
	if _, err := other.ReadCheckpoint(bytes.NewReader(ckpt), int64(len(ckpt)), 2); !errors.Is(err, ErrCheckpoint) {
		t.Errorf("another seed: %v", err)
	}
	if !slices.Equal(before, fresh.Model.Net.Params()[0].Value.Data) || fresh.Trainer.Steps() != 0 {
		t.Error("a refused checkpoint changed the run")
	}
	if _, err := fresh.ReadCheckpoint(bytes.NewReader(ckpt[:len(ckpt)/2]), int64(len(ckpt)/2), 2); !errors.Is(err, ErrCheckpoint) {
		t.Errorf("half a checkpoint: %v", err)
	}
}

// sameTensors reports whether checkpoints a and b hold the same tensors:
// weights, statistics and moments (their metadata holds timings).
func sameTensors(t *testing.T, a, b []byte) bool {
	t.Helper()
	ta, _, err1 := modelfile.ReadSafetensors(bytes.NewReader(a), int64(len(a)))
	tb, _, err2 := modelfile.ReadSafetensors(bytes.NewReader(b), int64(len(b)))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if len(ta) != len(tb) {
		return false
	}
	for i := range ta {
		if ta[i].Name != tb[i].Name || !slices.Equal(ta[i].Data, tb[i].Data) {
			return false
		}
	}
	return true
}
