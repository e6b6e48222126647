package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// smallRecipe is a recipe that trains on the sample in a moment: 2
// epochs of 6 steps.
func smallRecipe() *nn.Recipe {
	r := nn.DefaultRecipe()
	r.Config = nn.Config{InputSize: 32, Width: 4, Stages: []int{1, 1}, Shortcut: "conv1x1"}
	r.Epochs, r.BatchSize, r.Seed = 2, 32, 5
	return &r
}

// loadSampleToTrain is loadSample at smallRecipe's side, so that the runs
// of the training tests read the data set as it was loaded (sides_test
// trains at another side).
func loadSampleToTrain(t *testing.T, workers int) (*datasets, *tested, protocol.DatasetInfo, []byte) {
	t.Helper()
	return loadSampleAt(t, workers, smallRecipe().Config.InputSize)
}

// trainRun is what a training request gave: the notices, the answer and
// its model.
type trainRun struct {
	notices []protocol.TrainNotice
	bodies  [][]byte // the notices'
	res     protocol.TrainResult
	model   []byte
	err     *protocol.Error
}

// trainID is the ID of the training requests of the tests.
const trainID = 20

// trainSample runs q, on a data set worker that has loaded the sample,
// as request trainID; onNotice, if not nil, sees every notice as it
// comes, from the training goroutine, with the worker's server.
func trainSample(t *testing.T, q protocol.TrainRequest, onNotice func(s *server, n protocol.TrainNotice)) trainRun {
	t.Helper()
	d, tt, _, _ := loadSampleToTrain(t, 1)
	d.spawn = spawnPipes(new(int))
	return trainOn(t, tt, q, onNotice)
}

// trainOn runs q on the data set worker tt, as trainSample does.
func trainOn(t *testing.T, tt *tested, q protocol.TrainRequest, onNotice func(s *server, n protocol.TrainNotice)) trainRun {
	t.Helper()
	tt.mu.Lock()
	tt.notices = nil
	tt.mu.Unlock()
	tt.onNotice = func(h protocol.Head, _ []byte) {
		if n, err := protocol.Train.ReadNotice(h); err == nil && h.Kind == protocol.Train.Kind() && onNotice != nil {
			onNotice(tt.s, n)
		}
	}
	if q.Run == "" {
		q.Run = "run-1"
	}
	q.Name = "sample-scenes.zip"
	var run trainRun
	run.res, run.model, run.err = ask(tt, protocol.Train, trainID, q, nil)
	run.notices, run.bodies = noticesOf(tt, protocol.Train)
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
	run := trainSample(t, protocol.TrainRequest{Recipe: smallRecipe(), Workers: 1}, nil)
	if run.err != nil {
		t.Fatal(run.err)
	}
	res := run.res
	if res.Ended != protocol.EndedDone || len(res.Epochs) != 2 || res.Kept != 2 || res.Validation == nil || res.Test == nil {
		t.Fatalf("result %+v", res)
	}
	if n := nn.ConfusionMatrix(res.Test.Matrix).Total(); n != 60 {
		t.Errorf("the test report counts %d images, want 60", n)
	}
	if !strings.HasPrefix(res.Source, "trained in this page with the default recipe, seed 5, 2 of 2 epochs") {
		t.Errorf("source %q", res.Source)
	}
	var steps, epochs int
	for i, n := range run.notices {
		switch {
		case n.Plan != nil:
			if n.Plan.Steps != 12 || n.Plan.StepsPerEpoch != 6 || n.Plan.Train != 192 || n.Plan.Validation != 48 {
				t.Errorf("plan %+v", n.Plan)
			}
		case n.Step != nil:
			steps++
			if n.Step.Step != steps || n.Step.LR <= 0 || n.Step.Loss <= 0 || n.Step.Images != 32 && n.Step.InEpoch != 6 {
				t.Errorf("step notice %+v", n.Step)
			}
		case n.Epoch != nil:
			epochs++
			tensorsOf(t, run.bodies[i]) // the epoch's model reads back
		}
	}
	if steps != 12 || epochs != 2 {
		t.Errorf("%d step and %d epoch notices, want 12 and 2", steps, epochs)
	}
	// The same seed, the same weights; the model's file says how it was made.
	again := trainSample(t, protocol.TrainRequest{Recipe: smallRecipe(), Workers: 1}, nil)
	if !reflect.DeepEqual(tensorsOf(t, run.model), tensorsOf(t, again.model)) {
		t.Error("two runs of the same recipe end with different weights")
	}
	m, _ := nn.ReadModel(bytes.NewReader(run.model), int64(len(run.model)), "m")
	if m.Meta.Source != res.Source || len(m.Meta.History) != 2 || !strings.Contains(string(m.Meta.Recipe), `"seed":5`) {
		t.Errorf("the model's metadata: source %q, %d epochs of history, recipe %s", m.Meta.Source, len(m.Meta.History), m.Meta.Recipe)
	}
	var rec nn.Recipe
	if err := json.Unmarshal(m.Meta.Recipe, &rec); err != nil || !reflect.DeepEqual(rec, res.Recipe) {
		t.Errorf("the result's recipe %+v is not the model's %s", res.Recipe, m.Meta.Recipe)
	}
}

func TestTrainPauseResumeStop(t *testing.T) {
	plain := trainSample(t, protocol.TrainRequest{Recipe: smallRecipe(), Workers: 1}, nil)
	// Pause after step 3, resume a moment later: the same weights.
	paused := trainSample(t, protocol.TrainRequest{Recipe: smallRecipe(), Workers: 1}, func(s *server, n protocol.TrainNotice) {
		if n.Step != nil && n.Step.Step == 3 {
			s.controls.set(trainID, protocol.Pause)
			go func() {
				time.Sleep(50 * time.Millisecond)
				s.controls.set(trainID, protocol.Resume)
			}()
		}
	})
	if paused.err != nil {
		t.Fatal(paused.err)
	}
	sawPause := false
	for _, n := range paused.notices {
		sawPause = sawPause || n.Progress.Stage == protocol.StagePaused
	}
	if !sawPause || !reflect.DeepEqual(tensorsOf(t, plain.model), tensorsOf(t, paused.model)) {
		t.Errorf("paused and resumed (a paused notice: %v): the weights differ from a run never paused", sawPause)
	}

	// Stop after step 8: the model is as step 8 left it.
	stopped := trainSample(t, protocol.TrainRequest{Recipe: smallRecipe(), Workers: 1}, func(s *server, n protocol.TrainNotice) {
		if n.Step != nil && n.Step.Step == 8 {
			s.controls.set(trainID, protocol.Stop)
		}
	})
	if res := stopped.res; stopped.err != nil || res.Ended != protocol.EndedStopped || len(res.Epochs) != 1 || res.Test == nil {
		t.Fatalf("stopped: %+v, %v", res, stopped.err)
	}
	if src := stopped.res.Source; !strings.HasSuffix(src, ", 1 of 2 epochs, stopped at step 8 of 12") {
		t.Errorf("stopped: source %q, want the step it stopped at", src)
	}
	// A run whose step 9 diverges stops there with the same weights.
	diverged := trainSample(t, protocol.TrainRequest{Recipe: smallRecipe(), Workers: 1, NaNStep: 9}, nil)
	if res := diverged.res; diverged.err != nil || !strings.Contains(res.Ended, "not a number at step 9") {
		t.Fatalf("diverged: %+v, %v", res, diverged.err)
	}
	if !reflect.DeepEqual(tensorsOf(t, stopped.model), tensorsOf(t, diverged.model)) {
		t.Error("the run that diverged at step 9 does not keep the weights of step 8")
	}
}

func TestTrainRefuses(t *testing.T) {
	five := smallRecipe()
	five.BatchSize = 64
	none := smallRecipe()
	none.Epochs = 0
	for _, tc := range []struct {
		q    protocol.TrainRequest
		want string
	}{
		{protocol.TrainRequest{Recipe: five, Workers: 5}, "shares of 12 images"},
		{protocol.TrainRequest{Recipe: none, Workers: 1}, "epochs: 0 is out of range"},
	} {
		run := trainSample(t, tc.q, nil)
		if run.err == nil || run.err.Code != protocol.BadInput || !strings.Contains(run.err.Message, tc.want) {
			t.Errorf("%+v: error %+v, want a bad-input error saying %q", tc.q.Recipe, run.err, tc.want)
		}
	}
	tt := serveRole((&datasets{}).handlers())
	if _, _, err := ask(tt, protocol.Train, 1, protocol.TrainRequest{Run: "r", Recipe: smallRecipe()}, nil); err == nil || err.Code != protocol.NotLoaded || !strings.Contains(err.Message, "no data set") {
		t.Errorf("training without a data set: %+v", err)
	}
}

// TestTrainValidatesOnHelpers trains on two workers, once with a helper
// that shares the validations and once with one that only computes
// shards, and finds the same epochs and the same last evaluations.
func TestTrainValidatesOnHelpers(t *testing.T) {
	defer func(b int) { evalBatch = b }(evalBatch)
	evalBatch = 8 // the 48 held-out images in batches for both workers
	var runs []trainRun
	var helpers []*pipeHelper
	for _, share := range []bool{true, false} {
		runs = append(runs, trainWithHelper(t, func(h *pipeHelper) nn.Replica {
			helpers = append(helpers, h)
			if !share {
				return shardsOnly{h}
			}
			return h
		}))
	}
	// Two epochs' validations and the run's two last evaluations.
	if len(helpers) != 2 || helpers[0].predictors != 3 || helpers[1].predictors != 0 {
		t.Fatalf("%d helpers, set up as predictors %d and %d times, want 3 and 0", len(helpers), helpers[0].predictors, helpers[1].predictors)
	}
	shared, alone := runs[0].res, runs[1].res
	if !epochsAlike(shared.Epochs, alone.Epochs) {
		t.Errorf("epochs validated on both workers %+v, on one %+v", shared.Epochs, alone.Epochs)
	}
	for _, pair := range [][2]*protocol.Evaluation{{shared.Validation, alone.Validation}, {shared.Test, alone.Test}} {
		if !reflect.DeepEqual(pair[0].Matrix, pair[1].Matrix) || pair[0].Loss != pair[1].Loss || pair[0].Workers != 2 || pair[1].Workers != 1 {
			t.Errorf("%s: on both workers %+v, on one %+v", pair[0].Split, pair[0], pair[1])
		}
	}
}

// shardsOnly is a helper that computes shards, never validations: it
// has no predictor method.
type shardsOnly struct{ nn.Replica }

// trainWithHelper trains the sample's small recipe on two workers, the
// helper a pipeHelper as as makes it.
func trainWithHelper(t *testing.T, as func(*pipeHelper) nn.Replica) trainRun {
	t.Helper()
	d, tt, _, _ := loadSampleToTrain(t, 1)
	pipes := spawnPipes(new(int))
	d.spawn = func(n int, q protocol.ReplicaRequest, grads, stats int) ([]nn.Replica, func(), error) {
		reps, stop, err := pipes(n, q, grads, stats)
		for i, rep := range reps {
			reps[i] = as(rep.(*pipeHelper))
		}
		return reps, stop, err
	}
	run := trainOn(t, tt, protocol.TrainRequest{Recipe: smallRecipe(), Workers: 2}, nil)
	if run.err != nil {
		t.Fatal(run.err)
	}
	return run
}

// epochsAlike compares epochs but for their times.
func epochsAlike(a, b []nn.Epoch) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Seconds, y.Seconds = 0, 0
		if x != y {
			return false
		}
	}
	return true
}

// lostValidator is a helper whose shards are answered but whose
// validations fail, as a helper killed during one.
type lostValidator struct{ *pipeHelper }

func (lostValidator) predictor(protocol.PredictorRequest, []byte) (predictor, error) {
	return lostPredictor{}, nil
}

// lostPredictor answers every batch as a lost worker does.
type lostPredictor struct{}

func (lostPredictor) Start([]uint8, int, int) {}
func (lostPredictor) Wait() ([]float32, error) {
	return nil, protocol.Errorf(protocol.WorkerLost, "the helper worker did not answer")
}

// TestTrainValidationHelperLost trains on two workers whose helper fails
// every validation: this worker validates alone, the epochs have their
// figures (no NaN, which the answer cannot carry), the same as a run
// whose helper never validates.
func TestTrainValidationHelperLost(t *testing.T) {
	lost := trainWithHelper(t, func(h *pipeHelper) nn.Replica { return lostValidator{h} }).res
	alone := trainWithHelper(t, func(h *pipeHelper) nn.Replica { return shardsOnly{h} }).res
	if lost.Ended != protocol.EndedDone || len(lost.Epochs) == 0 {
		t.Fatalf("ended %q after %d epochs", lost.Ended, len(lost.Epochs))
	}
	if !epochsAlike(lost.Epochs, alone.Epochs) {
		t.Errorf("epochs with a helper lost in validation %+v, with one that never validates %+v", lost.Epochs, alone.Epochs)
	}
	for _, pair := range [][2]*protocol.Evaluation{{lost.Validation, alone.Validation}, {lost.Test, alone.Test}} {
		if pair[0] == nil || !reflect.DeepEqual(pair[0].Matrix, pair[1].Matrix) || pair[0].Loss != pair[1].Loss || pair[0].Workers != 1 {
			t.Errorf("the run's last evaluation with a helper lost %+v, without %+v", pair[0], pair[1])
		}
	}
}

// TestEvaluationOutlivesARun checks that the page's Evaluate keeps its
// cells' images through a training run, whose own evaluations are kept
// beside it: the page still shows its report.
func TestEvaluationOutlivesARun(t *testing.T) {
	d, tt, _, _ := loadSampleToTrain(t, 1)
	d.spawn = spawnPipes(new(int))
	if _, _, err := ask(tt, protocol.Evaluate, 3, protocol.EvaluateRequest{Name: "built-in"}, readFile(t, builtinModel)); err != nil {
		t.Fatal(err)
	}
	if run := trainOn(t, tt, protocol.TrainRequest{Recipe: smallRecipe(), Workers: 1}, nil); run.err != nil {
		t.Fatal(run.err)
	}
	for _, split := range []string{protocol.SplitEvaluated, protocol.SplitValidation, protocol.SplitTest} {
		res, _, err := ask(tt, protocol.TopLosses, 30, protocol.TopLossesRequest{Split: split, From: 2, Limit: 3}, nil)
		if err != nil || len(res.Images) != 3 || res.Total < 5 {
			t.Errorf("top losses of %q after the run: %d of %d images, %v", split, len(res.Images), res.Total, err)
		}
	}
}
