package main

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// againAt is the stage of reading a data set again at 40×40.
const againAt = "decoding the images again at 40×40"

// edit asks the data set worker tt to make the edits.
func edit(t *testing.T, tt *tested, edits ...protocol.Edit) {
	t.Helper()
	if _, _, err := ask(tt, protocol.EditDataset, 7, protocol.EditRequest{Edits: edits}, nil); err != nil {
		t.Fatal(err)
	}
}

// sawStage reports whether one of ps is at stage.
func sawStage(ps []protocol.Progress, stage string) bool {
	for _, p := range ps {
		if p.Stage == stage {
			return true
		}
	}
	return false
}

// TestTrainAtAnotherSide trains a 40×40 recipe on the sample loaded at
// 32×32, edited, and finds the run one on the sample loaded at 40×40
// with the same edits would be; a second run reads nothing again, and
// an edit after reaches the side read again.
func TestTrainAtAnotherSide(t *testing.T) {
	rec := smallRecipe()
	rec.Config.InputSize = 40
	moved, left := protocol.Edit{Name: "intel-scenes-sample/train/forest/7936.jpg", Class: "mountain"}, protocol.Edit{Name: "intel-scenes-sample/train/sea/12852.jpg", Exclude: true}
	at32, tt32, _, _ := loadSampleAt(t, 2, 32)
	at40, tt40, _, _ := loadSampleAt(t, 1, 40)
	edit(t, tt32, moved, left)
	edit(t, tt40, moved, left)

	var stages []protocol.Progress
	again := trainOn(t, tt32, protocol.TrainRequest{Recipe: rec, Workers: 1}, func(_ *server, n protocol.TrainNotice) { stages = append(stages, n.Progress) })
	direct := trainOn(t, tt40, protocol.TrainRequest{Recipe: rec, Workers: 1}, nil)
	if again.err != nil || direct.err != nil {
		t.Fatalf("at 40×40 on the data set read at 32×32: %v; read at 40×40: %v", again.err, direct.err)
	}
	if !sawStage(stages, againAt) {
		t.Errorf("no notice %q", againAt)
	}
	if !reflect.DeepEqual(tensorsOf(t, again.model), tensorsOf(t, direct.model)) ||
		!reflect.DeepEqual(again.res.Test.Matrix, direct.res.Test.Matrix) || again.res.Validation.Loss != direct.res.Validation.Loss {
		t.Error("trained at 40×40 on the data set read at 32×32, the run differs from one on the data set read at 40×40")
	}
	if at32.dataset.archive.Train.Size != 32 || at32.dataset.other == nil || !reflect.DeepEqual(at32.dataset.other.archive, at40.dataset.archive) {
		t.Fatal("the data set does not hold its 32×32 side and, edited, its 40×40 one")
	}

	stages = nil
	if run := trainOn(t, tt32, protocol.TrainRequest{Run: "run-2", Recipe: rec, Workers: 1}, func(_ *server, n protocol.TrainNotice) { stages = append(stages, n.Progress) }); run.err != nil || sawStage(stages, againAt) {
		t.Errorf("a second run at 40×40: %v; read again: %v", run.err, sawStage(stages, againAt))
	}
	undo := protocol.Edit{Name: left.Name, Undo: true}
	edit(t, tt32, undo)
	edit(t, tt40, undo)
	if !reflect.DeepEqual(at32.dataset.other.archive, at40.dataset.archive) {
		t.Error("an edit after the data set was read again does not reach its 40×40 side")
	}
}

// TestEvaluateAtAnotherSide evaluates a 40×40 model on the sample
// loaded at 32×32 and finds the evaluation of the sample loaded at
// 40×40.
func TestEvaluateAtAnotherSide(t *testing.T) {
	m, err := nn.NewModel(nn.Config{InputSize: 40, Width: 4, Stages: []int{1, 1}, Shortcut: "conv1x1", Classes: len(nn.SceneClasses)}, nn.SceneClasses, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	model := modelBytes(m)
	_, tt32, _, _ := loadSampleAt(t, 1, 32)
	_, tt40, _, _ := loadSampleAt(t, 1, 40)
	again, _, err32 := ask(tt32, protocol.Evaluate, 3, protocol.EvaluateRequest{Name: "m40.safetensors"}, model)
	direct, _, err40 := ask(tt40, protocol.Evaluate, 3, protocol.EvaluateRequest{Name: "m40.safetensors"}, model)
	if err32 != nil || err40 != nil {
		t.Fatalf("evaluating at 40×40 on the data set read at 32×32: %v; read at 40×40: %v", err32, err40)
	}
	if ps, _ := noticesOf(tt32, protocol.Evaluate); !sawStage(ps, againAt) {
		t.Errorf("no notice %q", againAt)
	}
	if !reflect.DeepEqual(again.Matrix, direct.Matrix) || again.Loss != direct.Loss || again.Split != "test" {
		t.Errorf("on the data set read at 32×32: %+v; at 40×40: %+v", again, direct)
	}
}

// TestKeptAtAnotherSide asks a data set kept in the browser at 32×32,
// whose zip is gone, for a run at 40×40: a clear refusal.
func TestKeptAtAnotherSide(t *testing.T) {
	d, _, _, _ := loadSampleAt(t, 1, 32)
	k := &mapKeeper{}
	d.keeper = k
	digest, failed, _ := d.keepDataset(&d.dataset.sided)
	if failed != "" {
		t.Fatal(failed)
	}
	tt := serveRole((&datasets{keeper: k}).handlers())
	if _, _, err := ask(tt, protocol.LoadKept, 1, protocol.LoadKeptRequest{Name: "sample", Digest: digest}, nil); err != nil {
		t.Fatal(err)
	}
	rec := smallRecipe()
	rec.Config.InputSize = 40
	run := trainOn(t, tt, protocol.TrainRequest{Recipe: rec, Workers: 1}, nil)
	if run.err == nil || run.err.Code != protocol.BadInput || !strings.Contains(run.err.Message, "kept in the browser at 32×32 without its files: load its zip again") {
		t.Errorf("training at 40×40 on a data set kept at 32×32: %+v", run.err)
	}
}
