package main

import (
	"reflect"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// TestDatasetShow checks that a data set loaded is shown with its
// samples by class, and what the panel says of it.
func TestDatasetShow(t *testing.T) {
	d := Dataset{Loading: "scenes.zip", digest: "old"}
	info := *scenes
	info.Images, info.Seconds, info.Workers = 14034, 16, 2
	info.Samples = []protocol.Thumb{{Name: "b/1.jpg", Class: 1}, {Name: "a/1.jpg", Class: 0}, {Name: "b/2.jpg", Class: 1}, {Name: "bad", Class: 9}}
	info.Splits[1].Note = "20% of the training folder, held out when training starts (seed 1)"
	d.show(info, func(protocol.Thumb) string { return "" })
	if d.Info == nil || d.digest != "" || len(d.Samples) != 6 || len(d.Samples[1]) != 2 || d.Samples[1][1].Name != "b/2.jpg" || len(d.Samples[0]) != 1 {
		t.Errorf("samples %+v", d.Samples)
	}
	if n := d.trainingImages(); n != 14034 {
		t.Errorf("the training folder holds %d images, want 14,034", n)
	}
	if got, want := d.Facts(), "scenes.zip: 14,034 images of 6 classes, read in 16.0 s on 2 workers (877 images/s). Decoded at 32×32 they take 43 MB of memory."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := d.Notes(), []string{"The validation split: 20% of the training folder, held out when training starts (seed 1)."}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	d.Progress = protocol.Progress{Stage: "decoding images", Done: 6400, Total: 14034, PerSec: 1234.4}
	if got, want := d.ProgressFigures(), "6,400 of 14,034 files · 1,234 images/s · about 0:06 left"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	d.Info.Kept = true
	if got, want := d.Facts(), "scenes.zip: 14,034 images of 6 classes, read back in 16.0 s from this browser's storage, where a run kept them decoded at 32×32 (43 MB of memory)."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestEvaluationSetReset checks an evaluation's result and its reset.
func TestEvaluationSetReset(t *testing.T) {
	var e Evaluation
	e.set(protocol.Evaluation{Classes: nn.SceneClasses[:2], Matrix: [][]int{{3, 1}, {0, 4}}})
	if e.Result == nil || e.Report.Accuracy != 0.875 || e.Report.Examples != 8 {
		t.Errorf("report %+v", e.Report)
	}
	e.Cell, e.Running, e.Err = &Cell{Actual: 1}, "built-in", "old"
	e.reset()
	if e.Result != nil || e.Cell != nil || e.Running != "" || e.Err != "" || e.Report.Examples != 0 {
		t.Errorf("after reset: %+v", e)
	}
}

// TestEditsLockedWhileTraining checks that an edit asked for while a run
// trains on the data set is refused with a reason, the worker not asked
// (this test has none).
func TestEditsLockedWhileTraining(t *testing.T) {
	running := true
	d := Dataset{Info: &protocol.DatasetInfo{Name: "a.zip"}, training: func() bool { return running }}
	if !d.Locked() {
		t.Fatal("not locked while a run trains")
	}
	d.Exclude("a/b/1.jpg")
	if d.EditErr != d.LockedLine() || len(d.Edits) != 0 {
		t.Errorf("an edit while training: error %q, edits %v", d.EditErr, d.Edits)
	}
	running = false
	if d.Locked() {
		t.Error("locked after the run")
	}
}
