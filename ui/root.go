package main

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// The built-in model and the worker's script, as the server serves them.
const (
	builtinModelURL = "/assets/model.safetensors"
	builtinFileName = "scenes-resnet14.safetensors" // as it downloads
	workerScript    = "/assets/worker.js"
)

// Root is the page: the model card, the drop zone and the classified
// images. Its handlers run with the EventEnv locked; answers from the
// worker lock it themselves.
type Root struct {
	env    vugu.EventEnv
	worker *workerClient // classifies the images dropped
	data   *workerClient // reads data sets and evaluates models on them

	model       ModelState
	modelFile   modelFile // where the model in use came from
	items       []*Item   // newest first
	lastItem    uint64    // the last Item.ID given
	notice      string    // news about the workers, if any
	dragOver    bool      // files are being dragged over the drop zone
	dataset     DatasetState
	eval        EvalState
	nanStep     int                // for the browser tests: a step whose loss is made NaN (?nan-step=N)
	speeds      map[string]float64 // training images/s measured, by speedKey
	measuring   bool               // a speed is being measured
	formChanges int                // counts the recipe form's changes
	speedOfRun  string             // the speedKey of the run at work, or the last
	recipe      RecipeState
	trainState  TrainState
	renderDue   bool  // a render is on its way (see renderSoon)
	shown       int   // how many of items the page shows
	tally       tally // what became of items

	db           *store.DB // the browser's storage; nil until open, or where there is none
	keepMu       sync.Mutex
	keepQueue    []func() // the keeper's tasks, the one at work first (see keepTask)
	models       ModelsState
	askedPersist bool // persistent storage was asked for
	persisted    bool // and granted
	runs         RunsState
}

// newRoot returns the page, with its workers started and the built-in
// model on its way.
func newRoot(env vugu.EventEnv) *Root {
	c := &Root{env: env, shown: resultsPage, recipe: newRecipeState("quick", cores()), nanStep: nanStepOf()}
	c.worker = newWorkerClient(workerScript, "the worker", 2, []protocol.Kind{protocol.KindLoadModel}, c.setNotice)
	c.data = newWorkerClient(workerScript+"?for=datasets", "the data set worker", 1, []protocol.Kind{protocol.KindLoadDataset, protocol.KindLoadKept}, c.setNotice)
	c.keepTask(c.openStore) // then the model chosen last, or the built-in one
	return c
}

// loadModel asks the worker to load the model req names, whose file is
// body or at req.URL: the model id of the Models list, or a new one to
// keep there as keep says (then id is "").
func (c *Root) loadModel(req protocol.Request, body js.Value, id string, keep *store.Model) {
	c.model.Loading, c.model.Err = req.Name, ""
	c.worker.Send(req, body, func(resp protocol.Response, _ js.Value) {
		c.env.Lock()
		defer c.env.UnlockRender()
		c.model.Loading = ""
		if resp.Error != "" {
			c.model.Err = fmt.Sprintf("Could not load %s: %s", req.Name, strings.TrimPrefix(resp.Error, req.Name+": "))
			return
		}
		c.model.Info = resp.Model
		c.modelFile = modelFile{name: req.Name, url: req.URL, body: body}
		c.models.Current = id
		if keep != nil {
			m := *keep
			m.Arch, m.Classes, m.Created = resp.Model.Arch, resp.Model.Classes, time.Now()
			if m.Source == "" {
				m.Source = resp.Model.Source
			}
			c.keepModel(m)
		}
	})
}

// addImages puts the files at the top of the list, in their order, and
// sends them to the worker.
func (c *Root) addImages(files []js.Value) {
	added := make([]*Item, len(files))
	for i, f := range files {
		c.lastItem++
		it := &Item{ID: c.lastItem, Name: f.Get("name").String(), ThumbURL: objectURL(f), Status: Pending}
		added[i] = it
		c.worker.Send(protocol.Request{Kind: protocol.KindClassify, Name: it.Name, TopK: topK}, f,
			func(resp protocol.Response, body js.Value) {
				c.env.Lock()
				defer c.renderSoon()
				if it.gone { // cleared while it was classified
					return
				}
				it.finish(resp)
				c.tally.count(it)
				switch {
				case it.Status == Failed: // its thumbnail is never shown
					revokeObjectURL(it.ThumbURL)
					it.ThumbURL = ""
				case resp.Thumb != nil && body.Truthy(): // a large photo: show the worker's thumbnail, not the photo
					revokeObjectURL(it.ThumbURL)
					it.ThumbURL = thumbURL(body, *resp.Thumb)
				}
			})
	}
	c.items = append(added, c.items...)
	c.tally.pending += len(added)
}

// renderInterval is the most often the page renders for answers that
// come by the hundred (images classified): a render goes over every
// card, so one an answer would make a thousand images cost a million
// cards' work.
const renderInterval = 150 * time.Millisecond

// trainRenderInterval is the most often the page renders for a training
// run's notices: the charts' render takes the main thread, which on a
// machine of as many cores as workers takes from the training (measured
// on 2 cores: 5 to 15% of the steps' speed at 150 ms).
const trainRenderInterval = time.Second

// renderSoon releases the EventEnv's lock, which the caller holds, and
// has the page render within renderInterval, with whatever else changed
// meanwhile.
func (c *Root) renderSoon() { c.renderWithin(renderInterval) }

// renderWithin is renderSoon rendering within d.
func (c *Root) renderWithin(d time.Duration) {
	due := !c.renderDue
	c.renderDue = true
	c.env.UnlockOnly()
	if due {
		go func() {
			time.Sleep(d)
			c.env.Lock()
			c.renderDue = false
			c.env.UnlockRender()
		}()
	}
}

// setNotice shows news about the worker.
func (c *Root) setNotice(news string) {
	c.env.Lock()
	defer c.env.UnlockRender()
	c.notice = news
}

// HandleDragOver accepts files dragged over the drop zone.
func (c *Root) HandleDragOver(e vugu.DOMEvent) {
	e.PreventDefault()
	c.dragOver = true
}

// HandleDragLeave ends the drop zone's highlight.
func (c *Root) HandleDragLeave(e vugu.DOMEvent) {
	c.dragOver = false
}

// HandleDrop takes the files dropped on a drop zone where they belong.
func (c *Root) HandleDrop(e vugu.DOMEvent) {
	e.PreventDefault()
	c.dragOver = false
	c.route(fileList(e.JSEvent().Get("dataTransfer").Get("files")))
}

// HandlePickImages classifies the files picked with the drop zone's
// file input.
func (c *Root) HandlePickImages(e vugu.DOMEvent) {
	input := e.JSEventTarget()
	c.addImages(fileList(input.Get("files")))
	input.Set("value", "") // so that picking the same file again is a change
}

// HandlePickDataset loads the dataset zip picked with the dataset
// panel's file input.
func (c *Root) HandlePickDataset(e vugu.DOMEvent) {
	input := e.JSEventTarget()
	files := fileList(input.Get("files"))
	input.Set("value", "")
	if len(files) > 0 {
		c.loadDataset(files[0].Get("name").String(), files[0])
	}
}

// HandleSample loads the sample data set.
func (c *Root) HandleSample(vugu.DOMEvent) { c.loadDataset(sampleName, js.Undefined()) }

// HandleCancelLoad stops the data set being read.
func (c *Root) HandleCancelLoad(vugu.DOMEvent) {
	if c.dataset.Loading != "" {
		c.data.Cancel(c.dataset.loadID)
		c.dataset.Loading = ""
	}
}

// HandleEvaluate scores the model on the data set.
func (c *Root) HandleEvaluate(vugu.DOMEvent) { c.evaluate() }

// HandleCancelEvaluate stops the evaluation at work.
func (c *Root) HandleCancelEvaluate(vugu.DOMEvent) {
	if c.eval.Running != "" {
		c.data.Cancel(c.eval.evalID)
		c.eval.Running = ""
	}
}

// selectCell shows the images of a cell of the evaluation's matrix.
func (c *Root) selectCell(actual, predicted int) { c.showCell(&c.eval, "", actual, predicted) }

// CanEvaluate says whether Evaluate has what it needs.
func (c *Root) CanEvaluate() bool {
	return c.dataset.Info != nil && c.model.Info != nil && c.dataset.Loading == "" && c.eval.Running == "" && !c.trainState.Running
}

// HandlePickModel loads the model file picked with the model card's
// file input.
func (c *Root) HandlePickModel(e vugu.DOMEvent) {
	input := e.JSEventTarget()
	files := fileList(input.Get("files"))
	input.Set("value", "")
	if len(files) == 0 {
		return
	}
	c.loadModelFile(files[0])
}

// loadModelFile loads the model file f, a File, and keeps it in the
// Models list.
func (c *Root) loadModelFile(f js.Value) {
	name := f.Get("name").String()
	c.loadModel(protocol.Request{Kind: protocol.KindLoadModel, Name: name}, f, "", &store.Model{Name: name, Accuracy: -1})
}

// HandleClear removes every classified image.
func (c *Root) HandleClear(e vugu.DOMEvent) {
	for _, it := range c.items {
		revokeObjectURL(it.ThumbURL)
		it.gone = true
	}
	c.items, c.shown, c.tally = nil, resultsPage, tally{}
}

// DropZoneClass is the drop zone's class attribute.
func (c *Root) DropZoneClass() string {
	if c.dragOver {
		return "drop-zone drag-over"
	}
	return "drop-zone"
}
