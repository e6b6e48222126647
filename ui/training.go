package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// speedWindow is how many steps PerSec is measured over.
const speedWindow = 20

// Training is the training run: the one at work, or the last.
type Training struct {
	Running  bool
	Paused   bool   // the worker said it paused
	Pausing  bool   // Pause was pressed; the step at work ends first
	Stopping bool   // Stop was pressed
	Stage    string // what the worker said it does
	Recipe   nn.Recipe
	Workers  int
	Plan     *protocol.TrainPlan
	Steps    []protocol.TrainStep // every step's figures, for the charts
	Epochs   []nn.Epoch
	PerSec   float64 // images a second over the last steps
	Ended    string  // how the last run ended: protocol.EndedDone, EndedStopped or why not
	Err      string  // why the run could not start or finish
	// Val and Test are the run's reports on its held-out images and the
	// test split.
	Val, Test Evaluation

	id      uint64
	resumed bool       // the run at work goes on from a checkpoint
	planned bool       // the run at work told its plan
	recent  []stepTime // the last steps, for PerSec
	model   js.Value   // the last model the run sent: a Blob of its file
	nanStep int        // for the browser tests: a step whose loss is made NaN (?nan-step=N)
	page    *page
	worker  *link.Worker
	// Effects of a run on the rest of the page (see effects.go).
	onPlan       func(*protocol.TrainPlan)
	onCheckpoint func(protocol.CheckpointKept)
	onEnd        func(res *protocol.TrainResult, model js.Value, err *protocol.Error)
}

// stepTime is when a step's notice came, and its images.
type stepTime struct {
	at     time.Time
	images int
}

// start has the data set worker train rec on workers workers on the data
// set named dataset, as the run id.
func (t *Training) start(id, dataset string, rec nn.Recipe, workers int, keepBest bool) {
	t.send(protocol.TrainRequest{Run: id, Name: dataset, Recipe: &rec, Workers: workers, KeepBest: keepBest, NaNStep: t.nanStep},
		Training{Running: true, Stage: "starting the workers", Recipe: rec, Workers: workers})
}

// resume has the data set worker go on with the run r kept, and shows
// it as it was.
func (t *Training) resume(r store.Run) {
	t.send(protocol.TrainRequest{Run: r.ID, Name: r.DatasetName, Resume: true, KeepBest: r.KeepBest, NaNStep: t.nanStep},
		Training{Running: true, Stage: "resuming", Recipe: r.Recipe, Workers: r.Workers, Plan: r.Progress.Plan,
			Steps: r.Progress.Steps, Epochs: r.Progress.Epochs, resumed: true})
}

// send sends q, and shows the run from shown on.
func (t *Training) send(q protocol.TrainRequest, shown Training) {
	shown.Val, shown.Test = t.Val, t.Test
	shown.Val.reset()
	shown.Test.reset()
	shown.nanStep, shown.page, shown.worker = t.nanStep, t.page, t.worker
	shown.onPlan, shown.onCheckpoint, shown.onEnd = t.onPlan, t.onCheckpoint, t.onEnd
	*t = shown
	var id uint64
	id = ask(t.page, t.worker, protocol.Train, q, js.Undefined(), runRender, link.Handlers[protocol.TrainResult, protocol.TrainNotice]{
		Notice: func(n protocol.TrainNotice, body js.Value) {
			if t.id != id {
				return
			}
			t.notice(n, time.Now())
			if n.Epoch != nil && link.IsBuffer(body) {
				t.model = blobOf(body, "application/octet-stream")
			}
		},
		Done: func(res protocol.TrainResult, body js.Value, err *protocol.Error) {
			if t.id != id {
				return
			}
			t.finish(res, err)
			model := js.Undefined()
			if err == nil && link.IsBuffer(body) {
				model = blobOf(body, "application/octet-stream")
			}
			if err != nil {
				model = t.model // the last finished epoch's, if any
			}
			if model.Truthy() {
				t.model = model
			}
			t.onEnd(&res, model, err)
		}})
	t.id = id
}

// notice takes in a notice of the run at work, come at time at.
func (t *Training) notice(n protocol.TrainNotice, at time.Time) {
	t.Stage = n.Progress.Stage
	t.Paused = t.Stage == protocol.StagePaused
	if t.Paused {
		t.Pausing = false
	}
	switch {
	case n.Plan != nil:
		t.Plan, t.planned = n.Plan, true
		t.onPlan(n.Plan)
	case n.Checkpoint != nil:
		t.onCheckpoint(*n.Checkpoint)
	case n.Step != nil:
		t.Steps = append(t.Steps, *n.Step)
		t.recent = append(t.recent, stepTime{at, n.Step.Images})
		if len(t.recent) > speedWindow {
			t.recent = t.recent[1:]
		}
		if k := len(t.recent); k > 1 {
			images := 0
			for _, s := range t.recent[1:] {
				images += s.images
			}
			t.PerSec = float64(images) / t.recent[k-1].at.Sub(t.recent[0].at).Seconds()
		}
	case n.Epoch != nil:
		t.Epochs = append(t.Epochs, *n.Epoch)
	}
}

// finish takes in the end of the run at work: its result, or why it
// failed.
func (t *Training) finish(res protocol.TrainResult, err *protocol.Error) {
	t.Running, t.Pausing, t.Paused, t.Stopping = false, false, false, false
	if err != nil {
		return
	}
	t.Ended = res.Ended
	if res.Validation != nil {
		t.Val.set(*res.Validation)
	}
	if res.Test != nil {
		t.Test.set(*res.Test)
	}
}

// control asks the run at work to pause, resume or stop.
func (t *Training) control(action protocol.Action) {
	if !t.Running {
		return
	}
	switch action {
	case protocol.Pause:
		t.Pausing = true
	case protocol.Resume:
		t.Paused, t.Pausing = false, false
	case protocol.Stop:
		t.Stopping = true
	}
	t.worker.Control(t.id, action)
}

// modelName is the file name of the run's model.
func (t *Training) modelName() string {
	return fmt.Sprintf("trained-%s-seed%d.safetensors", strings.ReplaceAll(t.Recipe.Name, " ", ""), t.Recipe.Seed)
}

// accuracyOf is an epoch of the run's validation accuracy, -1 when the
// run holds no images out.
func (t *Training) accuracyOf(e nn.Epoch) float64 {
	if t.Plan == nil || t.Plan.Validation == 0 {
		return -1
	}
	return e.ValAcc
}

// Speed is the run's training images a second, validation and pauses
// left out (the worker times the steps), from its second step on: the
// first starts the workers.
func (t *Training) Speed() float64 {
	n := len(t.Steps)
	if n < 2 {
		return 0
	}
	images := 0
	for _, s := range t.Steps[1:] {
		images += s.Images
	}
	secs := t.Steps[n-1].Seconds - t.Steps[0].Seconds
	if secs <= 0 {
		return 0
	}
	return float64(images) / secs
}

// historyCSV returns the run's epochs as CSV.
func (t *Training) historyCSV() string {
	var b strings.Builder
	b.WriteString("epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds\n")
	for _, e := range t.Epochs {
		fmt.Fprintf(&b, "%d,%.6f,%.6f,%.6f,%.6f,%.6g,%.1f\n", e.Epoch, e.TrainLoss, e.TrainAcc, e.ValLoss, e.ValAcc, e.LR, e.Seconds)
	}
	return b.String()
}

// DownloadHistory saves the run's epochs as a CSV file.
func (t *Training) DownloadHistory() {
	download("training-history.csv", blobOf(js.ValueOf(t.historyCSV()), "text/csv"))
}
