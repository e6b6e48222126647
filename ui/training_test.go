package main

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// TestTrainingNotices follows a run's notices: its plan, steps, a pause,
// an epoch and a checkpoint, and its end.
func TestTrainingNotices(t *testing.T) {
	var plans []*protocol.TrainPlan
	var checkpoints []protocol.CheckpointKept
	tr := Training{Running: true, Recipe: nn.QuickRecipe(), Workers: 2,
		onPlan: func(p *protocol.TrainPlan) { plans = append(plans, p) }, onCheckpoint: func(c protocol.CheckpointKept) { checkpoints = append(checkpoints, c) }}
	plan := &protocol.TrainPlan{Steps: 8, StepsPerEpoch: 4, Train: 200, Validation: 50, Workers: 2}
	tr.notice(protocol.TrainNotice{Progress: protocol.Progress{Stage: protocol.StageTraining}, Plan: plan}, time.Time{})
	if tr.Plan != plan || len(plans) != 1 || !tr.planned || tr.Stage != protocol.StageTraining {
		t.Fatalf("after the plan: %+v", tr)
	}
	at := time.Unix(1000, 0)
	for i := range 4 {
		images := 64
		if i == 3 {
			images = 8 // the epoch's last batch
		}
		step := &protocol.TrainStep{StepInfo: nn.StepInfo{Epoch: 1, Step: i + 1, InEpoch: i + 1, Loss: 1.5, Images: images}, Seconds: float64(i)}
		tr.notice(protocol.TrainNotice{Progress: protocol.Progress{Stage: protocol.StageTraining}, Step: step}, at.Add(time.Duration(i)*time.Second))
	}
	// From the second step on: 64+64+8 images in 3 s, both as the page
	// saw them come and as the worker timed them.
	if len(tr.Steps) != 4 || math.Abs(tr.PerSec-136.0/3) > 1e-9 || math.Abs(tr.Speed()-136.0/3) > 1e-9 {
		t.Errorf("%d steps, %.3f images/s, speed %.3f; want 4 and %.3f", len(tr.Steps), tr.PerSec, tr.Speed(), 136.0/3)
	}
	tr.Pausing = true
	tr.notice(protocol.TrainNotice{Progress: protocol.Progress{Stage: protocol.StagePaused}}, at)
	if !tr.Paused || tr.Pausing {
		t.Errorf("paused %v, pausing %v; want paused", tr.Paused, tr.Pausing)
	}
	tr.notice(protocol.TrainNotice{Progress: protocol.Progress{Stage: protocol.StageTraining}, Checkpoint: &protocol.CheckpointKept{Step: 4, Pause: true}}, at)
	epoch := nn.Epoch{Epoch: 1, TrainLoss: 1.25, TrainAcc: 0.5, ValLoss: 1.5, ValAcc: 0.375, LR: 0.004, Seconds: 3}
	tr.notice(protocol.TrainNotice{Progress: protocol.Progress{Stage: protocol.StageTraining}, Epoch: &epoch}, at)
	if tr.Paused || len(checkpoints) != 1 || len(tr.Epochs) != 1 || tr.accuracyOf(epoch) != 0.375 {
		t.Errorf("paused %v, %d checkpoints, %d epochs, accuracy %v", tr.Paused, len(checkpoints), len(tr.Epochs), tr.accuracyOf(epoch))
	}
	if got, want := tr.historyCSV(), "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds\n1,1.250000,0.500000,1.500000,0.375000,0.004,3.0\n"; got != want {
		t.Errorf("history %q, want %q", got, want)
	}
	val := protocol.Evaluation{Classes: []string{"a", "b"}, Matrix: [][]int{{3, 1}, {0, 4}}}
	tr.finish(protocol.TrainResult{Ended: protocol.EndedStopped, Validation: &val}, nil)
	if tr.Running || tr.Ended != protocol.EndedStopped || tr.Val.Result == nil || tr.Val.Report.Accuracy != 0.875 || tr.Test.Result != nil {
		t.Errorf("after the end: %+v", tr)
	}
	if got := tr.modelName(); got != "trained-quick-seed1.safetensors" {
		t.Errorf("model name %q", got)
	}
	tr.Plan.Validation = 0
	if tr.accuracyOf(epoch) != -1 {
		t.Error("a run that holds no images out has an accuracy")
	}
}

// TestTrainingPanelLines checks what the training panel says of a run.
func TestTrainingPanelLines(t *testing.T) {
	tr := &Training{Running: true, Recipe: nn.QuickRecipe(), Stage: protocol.StageTraining,
		Plan:  &protocol.TrainPlan{Steps: 1408, StepsPerEpoch: 176, Train: 11227, Validation: 2807, Params: 195478, Arch: "resnet14", Workers: 2, Kernel: "simd-fma"},
		Steps: []protocol.TrainStep{{StepInfo: nn.StepInfo{Epoch: 2, Step: 200, InEpoch: 24, Images: 64}, Seconds: 100}}, PerSec: 128}
	c := &TrainingPanel{Training: tr}
	for _, tc := range []struct{ got, want string }{
		{c.StatusLine(), "Training: resnet14, 195,478 parameters, 11,227 training and 2,807 validation images, on 2 workers (kernel simd-fma)."},
		{c.EpochLine(), "2 of 8: step 24 of 176"},
		{c.RunLine(), "step 200 of 1,408 (14%)"},
		{c.Figures(), "128 images/s · elapsed 1:40 · about 10:04 left"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	// Before its plan came, a run names no steps.
	early := &TrainingPanel{Training: &Training{Running: true, Recipe: nn.QuickRecipe()}}
	if e, r := early.EpochLine(), early.RunLine(); e != "1 of 8" || r != "starting" {
		t.Errorf("before the plan: epoch %q, run %q", e, r)
	}
	tr.Paused = true
	if got := c.Figures(); got != "128 images/s · elapsed 1:40" {
		t.Errorf("paused: figures %q, want no time left", got)
	}
	tr.Paused, tr.Stopping = false, true
	if got := c.StatusLine(); got != "Stopping after the current step…" {
		t.Errorf("stopping: %q", got)
	}
	tr.Running, tr.Ended = false, protocol.EndedStopped
	if got := c.StatusLine(); got != "Stopped." {
		t.Errorf("stopped: status %q", got)
	}
	if got := c.EndedLine(); !strings.Contains(got, "kept in the models list: Use it there") {
		t.Errorf("stopped: %q", got)
	}
	tr.Running, tr.Ended, tr.Epochs = false, protocol.EndedDone, make([]nn.Epoch, 8)
	if got := c.EndedLine(); got != "Done after 8 of 8 epochs. The new model classifies the images you drop now." {
		t.Errorf("ended: %q", got)
	}
	if got := c.StatusLine(); got != "Finished." {
		t.Errorf("done: status %q", got)
	}
	if !strings.HasPrefix(c.Figures(), "trained at 0 images/s") {
		t.Errorf("figures of a run ended: %q", c.Figures())
	}
}

// TestStoppedRunCharted checks that a run stopped within an epoch has
// its model's validation figures charted at the step it stopped at,
// after the epochs', and one stopped at an epoch's end none more.
func TestStoppedRunCharted(t *testing.T) {
	for _, tc := range []struct {
		last int
		want []float64 // the validation accuracy series' steps
	}{{6, []float64{4, 6}}, {4, []float64{4}}} {
		tr := Training{Recipe: nn.QuickRecipe(), Plan: &protocol.TrainPlan{Steps: 8, StepsPerEpoch: 4, Train: 200, Validation: 50},
			Epochs: []nn.Epoch{{Epoch: 1, ValAcc: 0.5, ValLoss: 1.25}}, Ended: protocol.EndedStopped}
		for s := range tc.last {
			tr.Steps = append(tr.Steps, protocol.TrainStep{StepInfo: nn.StepInfo{Step: s + 1, Loss: 1}})
		}
		tr.Val.set(protocol.Evaluation{Matrix: [][]int{{1, 1}, {0, 2}}, Loss: 0.75, Classes: []string{"a", "b"}})
		val := tr.AccuracyChart().Series[1]
		if !slices.Equal(val.X, tc.want) || (len(val.Y) == 2 && val.Y[1] != 0.75) {
			t.Errorf("stopped at step %d: validation accuracy at %v: %v, want at %v", tc.last, val.X, val.Y, tc.want)
		}
		if loss := tr.LossChart().Series[3]; len(loss.Y) != len(tc.want) || len(loss.Y) == 2 && loss.Y[1] != 0.75 {
			t.Errorf("stopped at step %d: validation loss %v", tc.last, loss.Y)
		}
	}
}
