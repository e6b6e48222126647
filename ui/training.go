package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// TrainState is what the page knows about the training run: the one at
// work, or the last.
type TrainState struct {
	Running  bool
	Paused   bool   // the worker said it paused
	Pausing  bool   // Pause was pressed; the step at work ends first
	Stopping bool   // Stop was pressed
	Stage    string // what the worker said it does
	Recipe   nn.Recipe
	Plan     *protocol.TrainPlan
	Steps    []protocol.TrainStep // every step's figures, for the charts
	Epochs   []protocol.TrainEpoch
	PerSec   float64 // images a second over the last steps
	Ended    string  // how the last run ended: "done", "stopped" or why not
	Err      string  // why the run could not start or finish
	Val      EvalState
	Test     EvalState
	id       uint64
	recent   []stepTime // the last steps, for PerSec and the ETA
	model    js.Value   // the last model the run sent: a Blob of its file
}

// stepTime is when a step's notice came, and its images.
type stepTime struct {
	at     time.Time
	images int
}

// speedWindow is how many steps PerSec is measured over.
const speedWindow = 20

// train starts a run of the form's recipe on the loaded data set.
func (c *Root) train() {
	if c.trainState.Running || c.dataset.Info == nil {
		return
	}
	r, workers, err := c.recipe.recipe()
	if err != nil {
		c.trainState.Err = err.Error()
		return
	}
	b, _ := json.Marshal(r)
	req := protocol.Request{Kind: protocol.KindTrain, Name: c.dataset.Info.Name, Recipe: b, Workers: workers,
		KeepBest: c.recipe.KeepBest, NaNStep: c.nanStep}
	c.speedOfRun = speedKey(r, workers)
	c.beginRun(store.Run{ID: newID(), Recipe: b, Workers: workers, DatasetName: c.dataset.Info.Name, KeepBest: c.recipe.KeepBest}, nil)
	c.sendTrain(req, js.Undefined(), TrainState{Running: true, Stage: "starting the workers", Recipe: r})
}

// sendTrain sends req, a KindTrain request with body (a checkpoint to
// resume from, or undefined), and shows the run from st on.
func (c *Root) sendTrain(req protocol.Request, body js.Value, st0 TrainState) {
	c.trainState = st0
	st := &c.trainState
	var id uint64
	id = c.data.SendNotified(req, body, func(n protocol.Response, body js.Value) {
		c.env.Lock()
		defer c.renderWithin(trainRenderInterval)
		if st.id == id {
			c.trainNotice(n, body)
		}
	}, func(resp protocol.Response, body js.Value) {
		c.env.Lock()
		defer c.env.UnlockRender()
		if st.id == id {
			c.trainDone(resp, body)
		}
	})
	st.id = id
}

// trainNotice takes in a notice of the run at work.
func (c *Root) trainNotice(n protocol.Response, body js.Value) {
	st := &c.trainState
	if n.Progress != nil {
		st.Stage = n.Progress.Stage
		st.Paused = n.Progress.Stage == "paused"
		if st.Paused {
			st.Pausing = false
		}
	}
	switch {
	case n.Plan != nil:
		st.Plan = n.Plan
		c.runPlanned(n.Plan)
	case n.Checkpoint != nil && body.Truthy():
		c.keepCheckpoint(n.Checkpoint, body)
	case n.Step != nil:
		st.Steps = append(st.Steps, *n.Step)
		images := st.Recipe.BatchSize
		if st.Plan != nil && n.Step.InEpoch == st.Plan.StepsPerEpoch {
			images = st.Plan.Train - (st.Plan.StepsPerEpoch-1)*st.Recipe.BatchSize
		}
		st.recent = append(st.recent, stepTime{time.Now(), images})
		if len(st.recent) > speedWindow {
			st.recent = st.recent[1:]
		}
		if k := len(st.recent); k > 1 {
			n := 0
			for _, s := range st.recent[1:] {
				n += s.images
			}
			st.PerSec = float64(n) / st.recent[k-1].at.Sub(st.recent[0].at).Seconds()
		}
	case n.Epoch != nil:
		st.Epochs = append(st.Epochs, *n.Epoch)
		if body.Truthy() {
			st.model = blobOf(body, "application/octet-stream")
		}
	}
}

// trainDone takes in the end of the run: its model becomes the page's
// classifier, its reports are shown.
func (c *Root) trainDone(resp protocol.Response, body js.Value) {
	st := &c.trainState
	if v := st.Speed(); v > 0 { // what the run measured is the better figure
		if c.speeds == nil {
			c.speeds = map[string]float64{}
		}
		c.speeds[c.speedOfRun] = v
	}
	st.Running, st.Pausing, st.Paused, st.Stopping = false, false, false, false
	name := fmt.Sprintf("trained-%s-seed%d.safetensors", strings.ReplaceAll(st.Recipe.Name, " ", ""), st.Recipe.Seed)
	if resp.Error != "" {
		st.Err = "The run failed: " + resp.Error
		if st.model.Truthy() { // the last finished epoch's model, kept here
			st.Err += fmt.Sprintf(". The model of epoch %d classifies now.", len(st.Epochs))
			e := st.Epochs[len(st.Epochs)-1]
			c.loadModel(protocol.Request{Kind: protocol.KindLoadModel, Name: name}, st.model, "", &store.Model{
				Name: strings.TrimSuffix(name, ".safetensors") + fmt.Sprintf(" (epoch %d)", e.Epoch), Accuracy: st.accuracyOf(e),
				History: historyJSON(st.Epochs)})
		}
		c.endRun(true)
		return
	}
	res := resp.Trained
	st.Ended = res.Ended
	for _, e := range []struct {
		dst *EvalState
		ev  *protocol.Evaluation
	}{{&st.Val, res.Validation}, {&st.Test, res.Test}} {
		if e.ev != nil {
			*e.dst = EvalState{Result: e.ev, Report: nn.NewReport(nn.ConfusionMatrix(e.ev.Matrix), e.ev.Classes)}
		}
	}
	c.endRun(res.Resumable)
	if body.Truthy() {
		st.model = blobOf(body, "application/octet-stream")
		keep := &store.Model{Name: strings.TrimSuffix(name, ".safetensors"), Source: res.Source, Accuracy: -1, History: historyJSON(res.Epochs)}
		for _, e := range res.Epochs {
			if e.Epoch == res.Kept {
				keep.Accuracy = st.accuracyOf(e)
			}
		}
		if ev := res.Validation; ev != nil {
			keep.Report, _ = json.Marshal(ev)
		}
		c.loadModel(protocol.Request{Kind: protocol.KindLoadModel, Name: name}, st.model, "", keep)
	}
}

// accuracyOf is an epoch of the run's validation accuracy, -1 when the
// run holds no images out.
func (st *TrainState) accuracyOf(e protocol.TrainEpoch) float64 {
	if st.Plan == nil || st.Plan.Validation == 0 {
		return -1
	}
	return e.ValAcc
}

// control asks the run at work to pause, resume or stop.
func (c *Root) control(action string) {
	st := &c.trainState
	if !st.Running {
		return
	}
	switch action {
	case protocol.ActionPause:
		st.Pausing = true
	case protocol.ActionResume:
		st.Paused, st.Pausing = false, false
	case protocol.ActionStop:
		st.Stopping = true
	}
	c.data.Control(st.id, action)
}

// HandleTrain starts a run.
func (c *Root) HandleTrain(vugu.DOMEvent) { c.train() }

// HandlePause pauses the run after its current step.
func (c *Root) HandlePause(vugu.DOMEvent) { c.control(protocol.ActionPause) }

// HandleResume goes on with a paused run.
func (c *Root) HandleResume(vugu.DOMEvent) { c.control(protocol.ActionResume) }

// HandleStop ends the run after its current step, keeping its model.
func (c *Root) HandleStop(vugu.DOMEvent) { c.control(protocol.ActionStop) }

// CanTrain says whether Train has what it needs.
func (c *Root) CanTrain() bool {
	_, _, err := c.recipe.recipe()
	return err == nil && c.dataset.Info != nil && c.dataset.Loading == "" && !c.trainState.Running
}

// Speed is the run's training images a second, validation and pauses
// left out (the worker times the steps), from its second step on: the
// first starts the workers.
func (st *TrainState) Speed() float64 {
	n := len(st.Steps)
	if n < 2 || st.Plan == nil {
		return 0
	}
	images := 0
	for _, s := range st.Steps[1:] {
		images += st.Recipe.BatchSize
		if s.InEpoch == st.Plan.StepsPerEpoch {
			images -= st.Plan.StepsPerEpoch*st.Recipe.BatchSize - st.Plan.Train
		}
	}
	secs := st.Steps[n-1].Seconds - st.Steps[0].Seconds
	if secs <= 0 {
		return 0
	}
	return float64(images) / secs
}

// historyCSV returns the run's epochs as CSV.
func (st *TrainState) historyCSV() string {
	var b strings.Builder
	b.WriteString("epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds\n")
	for _, e := range st.Epochs {
		fmt.Fprintf(&b, "%d,%.6f,%.6f,%.6f,%.6f,%.6g,%.1f\n", e.Epoch, e.TrainLoss, e.TrainAcc, e.ValLoss, e.ValAcc, e.LR, e.Seconds)
	}
	return b.String()
}

// setRecipe changes the recipe form's state.
func (c *Root) setRecipe(change func(*RecipeState)) {
	change(&c.recipe)
	// Time the form's network once typing has paused, not "6" on the
	// way to "64".
	c.formChanges++
	n := c.formChanges
	go func() {
		time.Sleep(time.Second)
		c.env.Lock()
		defer c.env.UnlockRender()
		if c.formChanges == n {
			c.measureSpeed()
		}
	}()
}

// selectValCell and selectTestCell show the images of a cell of the
// run's validation and test reports.
func (c *Root) selectValCell(a, p int)  { c.showCell(&c.trainState.Val, "validation", a, p) }
func (c *Root) selectTestCell(a, p int) { c.showCell(&c.trainState.Test, "test", a, p) }

// HandleDownloadHistory saves the run's epochs as a CSV file.
func (c *Root) HandleDownloadHistory(vugu.DOMEvent) {
	download("training-history.csv", blobOf(js.ValueOf(c.trainState.historyCSV()), "text/csv"))
}

// TrainHint says what Train needs, or what it does.
func (c *Root) TrainHint() string {
	if c.dataset.Info == nil {
		return "Load a data set to train a model on it: drop a zip, or press Sample data set."
	}
	return "Train starts a new model of the data set's " + fmt.Sprint(len(c.dataset.Info.Classes)) + " classes with the recipe; the model you have now keeps classifying until it ends."
}

// Cost says what the recipe will cost on the data set loaded.
func (c *Root) Cost() string {
	r, workers, err := c.recipe.recipe()
	if err != nil || c.dataset.Info == nil {
		return ""
	}
	n := c.dataset.Info.Splits[0].Counts
	train := 0
	for _, k := range n {
		train += k
	}
	if len(c.dataset.Info.Splits) > 1 && c.dataset.Info.Splits[1].Name == "validation" {
		for _, k := range c.dataset.Info.Splits[1].Counts {
			train += k
		}
	}
	first, _ := data.SplitSizes(train, r.ValFraction)
	steps := r.Epochs * ((first + r.BatchSize - 1) / r.BatchSize)
	r.Config.Classes = len(c.dataset.Info.Classes)
	mem := nn.EstimateTrainMemory(r.Config, r.BatchSize/workers)
	s := fmt.Sprintf("%s steps of %d images (%d epochs of %s images); about %s a worker for training, beside the data set's %s",
		groupThousands(steps), r.BatchSize, r.Epochs, groupThousands(first), data.ByteWords(mem), data.ByteWords(c.dataset.Info.Memory))
	if r.Config.InputSize != c.dataset.Info.Size {
		s += fmt.Sprintf(". The data set was read at %d×%d: load it again with a %d×%d model, or choose input size %d", c.dataset.Info.Size, c.dataset.Info.Size, r.Config.InputSize, r.Config.InputSize, c.dataset.Info.Size)
	}
	if v := c.speeds[speedKey(r, workers)]; v > 0 {
		s += fmt.Sprintf("; about %s of training at the %.0f images/s measured here, plus validation", clock(float64(r.Epochs*first)/v), v)
	} else if c.measuring {
		s += "; measuring the speed…"
	}
	return s + "."
}

// speedKey names what the training speed depends on.
func speedKey(r nn.Recipe, workers int) string {
	return fmt.Sprintf("%d/%v/%s/%d/%d/%d", r.Config.Width, r.Config.Stages, r.Config.Shortcut, r.Config.InputSize, r.BatchSize, workers)
}

// measureSpeed has the data set worker time a few training steps of the
// form's network on its workers, unless the speed is known, the recipe
// cannot run, or the worker is busy or timing already; the cost shows
// the time once it knows. The page calls it when the form or the data
// set changes.
func (c *Root) measureSpeed() {
	r, workers, err := c.recipe.recipe()
	if err != nil || c.dataset.Info == nil {
		return
	}
	key := speedKey(r, workers)
	if c.speeds[key] > 0 || c.measuring || c.trainState.Running || c.dataset.Loading != "" || c.eval.Running != "" ||
		r.Config.InputSize != c.dataset.Info.Size || r.BatchSize > protocol.MaxBenchBatch {
		return
	}
	c.measuring = true
	b, _ := json.Marshal(r)
	req := protocol.Request{Kind: protocol.KindBenchTrain, Name: c.dataset.Info.Name, Batch: r.BatchSize, Steps: 2, Workers: workers, Recipe: b}
	c.data.Send(req, js.Undefined(), func(resp protocol.Response, _ js.Value) {
		c.env.Lock()
		defer c.env.UnlockRender()
		c.measuring = false
		if resp.Bench != nil {
			if c.speeds == nil {
				c.speeds = map[string]float64{}
			}
			c.speeds[key] = resp.Bench.ImagesPerSec
		}
		c.measureSpeed() // the form may have changed meanwhile
	})
}

// HandleDownloadModel saves the model that classifies as a
// .safetensors file, which cmd/resnet reads too.
func (c *Root) HandleDownloadModel(vugu.DOMEvent) {
	name := safetensorsName(c.modelFile.name)
	if c.modelFile.name == builtinID {
		name = builtinFileName
	}
	c.worker.Send(protocol.Request{Kind: protocol.KindSaveModel, Name: c.modelFile.name}, js.Undefined(), func(resp protocol.Response, body js.Value) {
		c.env.Lock()
		defer c.env.UnlockRender()
		if resp.Error != "" || !body.Truthy() {
			c.model.Err = "Could not save the model: " + resp.Error
			return
		}
		download(name, blobOf(body, "application/octet-stream"))
	})
}

// nanStepOf returns the page address's nan-step, a test hook: the step
// of every run whose loss is made NaN, as a diverging run's is; 0 for
// none.
func nanStepOf() int {
	q := js.Global().Get("URLSearchParams").New(js.Global().Get("location").Get("search"))
	v := q.Call("get", "nan-step")
	if v.Type() != js.TypeString {
		return 0
	}
	n, _ := strconv.Atoi(v.String())
	return max(n, 0)
}
