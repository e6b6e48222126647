package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// smallRecipe is a recipe that trains on the sample in a moment: 2
// epochs of 6 steps.
func smallRecipe(t *testing.T) json.RawMessage {
	t.Helper()
	r := nn.DefaultRecipe()
	r.Config = nn.Config{InputSize: 32, Width: 4, Stages: []int{1, 1}, Shortcut: "conv1x1"}
	r.Epochs, r.BatchSize, r.Seed = 2, 32, 5
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// trainRun is what a training request gave: the notices and the answer.
type trainRun struct {
	notices []protocol.Response
	resp    protocol.Response
}

// train runs req on a worker that has loaded the sample; onNotice, if
// not nil, sees every notice as it comes, from the training goroutine.
func trainSample(t *testing.T, req protocol.Request, onNotice func(w *worker, n protocol.Response)) trainRun {
	t.Helper()
	w, _ := loadSample(t, 1)
	w.spawn = spawnPipes(new(int))
	var run trainRun
	var mu sync.Mutex
	w.notify = func(n protocol.Response) {
		n.Body = bytes.Clone(n.Body)
		mu.Lock()
		run.notices = append(run.notices, n)
		mu.Unlock()
		if onNotice != nil {
			onNotice(w, n)
		}
	}
	req.ID, req.Kind, req.Name = 20, protocol.KindTrain, "sample-scenes.zip"
	head, err := protocol.DecodeRequest(protocol.Encode(req))
	if err != nil {
		t.Fatal(err)
	}
	run.resp = w.serve(head, nil)
	return run
}

// tensorsOf returns the tensors of a model file, without its metadata
// (which holds times).
func tensorsOf(t *testing.T, b []byte) map[string][]float32 {
	t.Helper()
	m, err := nn.ReadModel(bytes.NewReader(b), int64(len(b)), "model")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float32{}
	for _, ts := range m.Net.StateDict() {
		out[ts.Name] = ts.Data
	}
	return out
}

func TestTrainInTheWorker(t *testing.T) {
	run := trainSample(t, protocol.Request{Recipe: smallRecipe(t), Workers: 1}, nil)
	resp := run.resp
	if resp.Error != "" {
		t.Fatal(resp.Error)
	}
	res := resp.Trained
	if res.Ended != "done" || len(res.Epochs) != 2 || res.Kept != 2 || res.Validation == nil || res.Test == nil {
		t.Fatalf("result %+v", res)
	}
	if n := nn.ConfusionMatrix(res.Test.Matrix).Total(); n != 60 {
		t.Errorf("the test report counts %d images, want 60", n)
	}
	if !strings.HasPrefix(res.Source, "trained in this page with the default recipe, seed 5, 2 of 2 epochs") {
		t.Errorf("source %q", res.Source)
	}
	var steps, epochs int
	for _, n := range run.notices {
		switch {
		case n.Plan != nil:
			if n.Plan.Steps != 12 || n.Plan.StepsPerEpoch != 6 || n.Plan.Train != 192 || n.Plan.Validation != 48 {
				t.Errorf("plan %+v", n.Plan)
			}
		case n.Step != nil:
			steps++
			if n.Step.Step != steps || n.Step.LR <= 0 || n.Step.Loss <= 0 {
				t.Errorf("step notice %+v", n.Step)
			}
		case n.Epoch != nil:
			epochs++
			tensorsOf(t, n.Body) // the epoch's model reads back
		}
	}
	if steps != 12 || epochs != 2 {
		t.Errorf("%d step and %d epoch notices, want 12 and 2", steps, epochs)
	}
	// The same seed, the same weights; the model's file says how it was made.
	again := trainSample(t, protocol.Request{Recipe: smallRecipe(t), Workers: 1}, nil)
	if !reflect.DeepEqual(tensorsOf(t, resp.Body), tensorsOf(t, again.resp.Body)) {
		t.Error("two runs of the same recipe end with different weights")
	}
	m, _ := nn.ReadModel(bytes.NewReader(resp.Body), int64(len(resp.Body)), "m")
	if m.Meta.Source != res.Source || len(m.Meta.History) != 2 || !strings.Contains(string(m.Meta.Recipe), `"seed":5`) {
		t.Errorf("the model's metadata: source %q, %d epochs of history, recipe %s", m.Meta.Source, len(m.Meta.History), m.Meta.Recipe)
	}
}

func TestTrainPauseResumeStop(t *testing.T) {
	plain := trainSample(t, protocol.Request{Recipe: smallRecipe(t), Workers: 1}, nil)
	// Pause after step 3, resume a moment later: the same weights.
	paused := trainSample(t, protocol.Request{Recipe: smallRecipe(t), Workers: 1}, func(w *worker, n protocol.Response) {
		if n.Step != nil && n.Step.Step == 3 {
			w.runs.set(n.ID, protocol.ActionPause)
			go func() {
				time.Sleep(50 * time.Millisecond)
				w.runs.set(n.ID, protocol.ActionResume)
			}()
		}
	})
	if paused.resp.Error != "" {
		t.Fatal(paused.resp.Error)
	}
	sawPause := false
	for _, n := range paused.notices {
		sawPause = sawPause || n.Progress != nil && n.Progress.Stage == "paused"
	}
	if !sawPause || !reflect.DeepEqual(tensorsOf(t, plain.resp.Body), tensorsOf(t, paused.resp.Body)) {
		t.Errorf("paused and resumed (a paused notice: %v): the weights differ from a run never paused", sawPause)
	}

	// Stop after step 8: the model is as step 8 left it.
	stopped := trainSample(t, protocol.Request{Recipe: smallRecipe(t), Workers: 1}, func(w *worker, n protocol.Response) {
		if n.Step != nil && n.Step.Step == 8 {
			w.runs.set(n.ID, protocol.ActionStop)
		}
	})
	res := stopped.resp.Trained
	if stopped.resp.Error != "" || res.Ended != "stopped" || len(res.Epochs) != 1 || res.Test == nil {
		t.Fatalf("stopped: %+v, %q", res, stopped.resp.Error)
	}
	// A run whose step 9 diverges stops there with the same weights.
	diverged := trainSample(t, protocol.Request{Recipe: smallRecipe(t), Workers: 1, NaNStep: 9}, nil)
	res2 := diverged.resp.Trained
	if diverged.resp.Error != "" || !strings.Contains(res2.Ended, "not a number at step 9") {
		t.Fatalf("diverged: %+v, %q", res2, diverged.resp.Error)
	}
	if !reflect.DeepEqual(tensorsOf(t, stopped.resp.Body), tensorsOf(t, diverged.resp.Body)) {
		t.Error("the run that diverged at step 9 does not keep the weights of step 8")
	}
}

func TestTrainRefuses(t *testing.T) {
	var r nn.Recipe
	json.Unmarshal(smallRecipe(t), &r)
	r.BatchSize = 64
	five, _ := json.Marshal(r)
	r.Config.InputSize = 64
	big, _ := json.Marshal(r)
	for _, tt := range []struct {
		req  protocol.Request
		want string
	}{
		{protocol.Request{Recipe: five, Workers: 5}, "shares of 12 images"},
		{protocol.Request{Recipe: big, Workers: 1}, "read at 32×32"},
		{protocol.Request{Recipe: json.RawMessage(`{"epochs":0}`), Workers: 1}, "epochs 0"},
	} {
		resp := trainSample(t, tt.req, nil).resp
		if !strings.Contains(resp.Error, tt.want) {
			t.Errorf("%s: error %q, want it to say %q", tt.req.Recipe, resp.Error, tt.want)
		}
	}
	var w worker
	if resp := w.serve(protocol.Request{ID: 1, Kind: protocol.KindTrain, Recipe: smallRecipe(t)}, nil); !strings.Contains(resp.Error, "no data set") {
		t.Errorf("training without a data set: %q", resp.Error)
	}
}
