package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// What one concern's change does to the others, each a function of its
// own, all of them here. They run with the page locked.

// startup opens the browser's storage, loads the model chosen last,
// else the built-in one, then lists the models kept and finds the runs
// interrupted. It runs in a storage task.
func (c *Root) startup() {
	db, err := store.Open()
	var chosen store.Model
	var file []byte
	if err == nil {
		var id string
		if id, err = db.Setting(chosenSetting); err == nil && id != "" && id != builtinID {
			if file, err = db.ModelFile(id); err == nil {
				var list []store.Model
				list, err = db.Models()
				for _, m := range list {
					if m.ID == id {
						chosen = m
					}
				}
			}
		}
	}
	c.page.change(func() {
		if db == nil {
			c.models.NoStore = "This browser keeps nothing for this page (" + err.Error() + "): models and runs end with the tab."
		} else {
			c.store.db = db
			if err != nil {
				c.models.Err = "The model chosen last could not be read back (" + err.Error() + "); the built-in model classifies."
			}
		}
		if file != nil && chosen.ID != "" {
			c.model.load(modelFile{name: chosen.Name, blob: blobOf(link.Buffer(file), "application/octet-stream")}, false,
				func(protocol.ModelInfo, modelFile) { c.models.Current = chosen.ID })
		} else {
			c.model.load(builtinModel, false, func(protocol.ModelInfo, modelFile) { c.models.Current = builtinID })
		}
	})
	if db != nil {
		c.models.refresh()
		c.runs.find()
	}
}

// give takes files given to the page (dropped anywhere, pasted, or
// picked with either picker) where they belong: the last data set and
// model given load, the images are classified.
func (c *Root) give(files []js.Value) {
	s := sortFiles(files, nameOf)
	if s.dataset != nil {
		c.loadDataset(nameOf(*s.dataset), *s.dataset)
	}
	if s.model != nil {
		c.loadModelFile(*s.model)
	}
	if len(s.images) > 0 {
		c.images.Classify(s.images)
	}
}

// loadDataset reads the zip f, a File, or the sample when f is
// undefined, at the input size of the model in use; not while a run
// trains on the data set loaded.
func (c *Root) loadDataset(name string, f js.Value) {
	if c.training.Running {
		c.dataset.Err = "Could not load " + name + ": a run is training on " + c.dataset.Info.Name + "; stop it first."
		return
	}
	size := nn.Reference().InputSize // until the model in use says its own: read again at its side when it differs
	if c.model.Info != nil {
		size = c.model.Info.InputSize
	}
	c.dataset.load(name, f, size, cores())
}

// loadDatasetFile reads f, a zip picked with the data set panel's
// input.
func (c *Root) loadDatasetFile(f js.Value) { c.loadDataset(nameOf(f), f) }

// loadSample reads the sample data set.
func (c *Root) loadSample() { c.loadDataset(sampleName, js.Undefined()) }

// datasetLoaded: a data set loaded ends the evaluation of the one
// before, and has the recipe timed on it.
func (c *Root) datasetLoaded() {
	c.eval.reset()
	c.timeRecipe()
	info := c.dataset.Info
	if info.Kept { // its edits are in its pixels and labels
		return
	}
	c.store.do(func() {
		db := c.store.db
		if db == nil {
			return
		}
		v, err := db.Setting(editsSetting(info))
		var edits []protocol.ImageEdit
		if err != nil || v == "" || json.Unmarshal([]byte(v), &edits) != nil || len(edits) == 0 {
			return
		}
		c.page.change(func() { c.dataset.restore(info, edits) })
	})
}

// datasetEdited: a person's edits of a data set are kept in the browser,
// for the same zip loaded after a reload to have them again.
func (c *Root) datasetEdited(info *protocol.DatasetInfo, edits []protocol.ImageEdit) {
	b, _ := json.Marshal(edits)
	c.store.do(func() {
		if db := c.store.db; db != nil {
			if err := db.SetSetting(editsSetting(info), string(b)); err != nil {
				c.page.change(func() { c.dataset.EditErr = "The edits could not be kept in the browser: " + err.Error() + "." })
			}
		}
	})
}

// loadModelFile: a model file picked or dropped classifies, and is kept
// in the Models list as this project's file.
func (c *Root) loadModelFile(f js.Value) {
	name := nameOf(f)
	c.model.load(modelFile{name: name, blob: f}, true, func(info protocol.ModelInfo, file modelFile) {
		c.models.keep(store.Model{Name: name, ModelInfo: info, Created: time.Now(), Accuracy: -1}, file.blob)
	})
}

// useModel: the model id of the Models list classifies, and a reload
// chooses it again.
func (c *Root) useModel(id string) {
	if id == builtinID {
		c.model.load(builtinModel, false, func(protocol.ModelInfo, modelFile) { c.models.choose(builtinID) })
		return
	}
	c.models.withFile(id, func(row store.Model, file js.Value) {
		c.model.load(modelFile{name: row.Name, blob: file}, false, func(protocol.ModelInfo, modelFile) { c.models.choose(id) })
	})
}

// keepStopped: the model of a run stopped by Stop is kept in the Models
// list under meta, and the model in use stays: a run given up on does not
// take the place of the model that classifies. Where the browser cannot
// keep it, it classifies instead, as a finished run's does, so as not to
// be lost.
func (c *Root) keepStopped(name string, file js.Value, meta store.Model) {
	c.model.inspect(name, file, func(info protocol.ModelInfo) {
		meta.ModelInfo, meta.Created = info, time.Now()
		c.models.keepAside(meta, file, func() { c.keepTrained(name, file, meta) })
	})
}

// keepTrained: a model a run trained classifies, and is kept in the
// Models list under meta.
func (c *Root) keepTrained(name string, file js.Value, meta store.Model) {
	c.model.load(modelFile{name: name, blob: file}, false, func(info protocol.ModelInfo, _ modelFile) {
		meta.ModelInfo, meta.Created = info, time.Now()
		c.models.keep(meta, file)
	})
}

// evaluate scores the model in use on the data set.
func (c *Root) evaluate() {
	if c.CanEvaluate() {
		c.eval.evaluate(c.model.fileRequest())
		c.eval.Edits = append([]protocol.ImageEdit{}, c.dataset.Edits...)
	}
}

// evaluated: an Evaluate's result becomes the last report of the model
// in use.
func (c *Root) evaluated(ev protocol.Evaluation) { c.models.keepReport(ev) }

// editRecipe changes the recipe form, and has its network timed once
// typing has paused, not "6" on the way to "64".
func (c *Root) editRecipe(change func(*Recipe)) {
	change(c.recipe)
	c.recipe.edits++
	n := c.recipe.edits
	go func() {
		time.Sleep(time.Second)
		c.page.change(func() {
			if c.recipe.edits == n {
				c.timeRecipe()
			}
		})
	}()
}

// timeRecipe has the data set worker time a few training steps of the
// form's network on the data set, unless the speed is known, the recipe
// cannot run, or the worker is busy; the cost line says the time once it
// is known.
func (c *Root) timeRecipe() {
	info := c.dataset.Info
	if info == nil || c.training.Running || c.dataset.Loading != "" || c.eval.Running != "" {
		return
	}
	q, key, ok := c.recipe.toTime(info.Name)
	if !ok {
		return
	}
	c.recipe.measuring = true
	ask(c.page, c.datasets, protocol.BenchTrain, q, js.Undefined(), 0, link.Handlers[protocol.BenchResult, protocol.None]{
		Done: func(b protocol.BenchResult, _ js.Value, err *protocol.Error) {
			c.recipe.measuring = false
			if err == nil {
				c.recipe.measured(key, b.ImagesPerSec)
			}
			c.timeRecipe() // the form may have changed meanwhile
		}})
}

// train starts a run of the form's recipe on the data set, kept in the
// browser as it goes.
func (c *Root) train() {
	if !c.CanTrain() {
		return
	}
	rec, workers, err := c.recipe.recipe()
	if err != nil {
		c.training.Err = err.Error()
		return
	}
	id := newID()
	c.runs.begin(id, nil)
	c.training.start(id, c.dataset.Info.Name, rec, workers, c.recipe.KeepBest)
	showTraining()
}

// showTraining scrolls the Training panel to the top of the window, for
// a person to watch the run start: its progress and charts, which are
// below the data set panel and the recipe form. It waits for the page to
// render the panel as a run's, as tall as the window.
func showTraining() {
	var scroll js.Func
	scroll = js.FuncOf(func(js.Value, []js.Value) any {
		scroll.Release()
		if el := js.Global().Get("document").Call("getElementById", "training-panel"); el.Truthy() {
			el.Call("scrollIntoView", map[string]any{"block": "start"})
		}
		return nil
	})
	js.Global().Call("setTimeout", scroll, 100)
}

// runPlanned: a run's plan says how it is kept, and names its data set.
func (c *Root) runPlanned(p *protocol.TrainPlan) {
	c.runs.planned(p)
	c.dataset.digest = p.Dataset
}

// runEnded: a run's end tells the recipe its speed; its model (or, when
// it failed, the last finished epoch's) classifies and is kept; it stops
// being the run kept at work.
func (c *Root) runEnded(res *protocol.TrainResult, model js.Value, err *protocol.Error) {
	t := c.training
	c.recipe.measured(speedKey(t.Recipe, t.Workers), t.Speed()) // what the run measured is the better figure
	name := t.modelName()
	base := strings.TrimSuffix(name, ".safetensors")
	switch {
	case err != nil && t.resumed && !t.planned:
		c.runs.Err = "Could not resume the run: " + err.Message
		c.runs.end("", c.models.refresh)
	case err != nil:
		t.Err = "The run failed: " + err.Message
		if model.Truthy() {
			e := t.Epochs[len(t.Epochs)-1]
			t.Err += fmt.Sprintf(". The model of epoch %d classifies now.", len(t.Epochs))
			c.keepTrained(name, model, store.Model{Name: base + fmt.Sprintf(" (epoch %d)", e.Epoch), Accuracy: t.accuracyOf(e), History: t.Epochs})
		}
		c.runs.end("", c.models.refresh)
	default:
		c.runs.end(res.Unforgotten, c.models.refresh)
		if model.Truthy() {
			meta := store.Model{Name: base, Accuracy: -1, History: res.Epochs, Report: res.Validation}
			if res.Validation != nil { // the model's own, which a run stopped within an epoch has too
				meta.Accuracy = nn.ConfusionMatrix(res.Validation.Matrix).Accuracy()
			} else if i := slices.IndexFunc(res.Epochs, func(e nn.Epoch) bool { return e.Epoch == res.Kept }); i >= 0 {
				meta.Accuracy = t.accuracyOf(res.Epochs[i]) // a run without a validation split
			}
			if res.Ended == protocol.EndedStopped {
				c.keepStopped(name, model, meta)
			} else {
				c.keepTrained(name, model, meta)
			}
		}
	}
}

// resumeRun goes on with the interrupted run, from its last checkpoint,
// on the data set kept with it (loaded first, unless it is loaded), with
// the workers it was saved with.
func (c *Root) resumeRun() {
	if c.training.Running {
		return
	}
	c.runs.lock(func(run store.Run, release func()) {
		resume := func() {
			c.runs.begin(run.ID, release)
			c.training.resume(run)
			showTraining()
		}
		if c.dataset.Info != nil && c.dataset.digest == run.Dataset {
			resume()
			return
		}
		c.dataset.loadKept(run.DatasetName, run.Dataset, resume, func(err *protocol.Error) {
			release()
			if err != nil {
				c.runs.Err = "Could not resume the run: " + err.Message
			}
		})
	})
}

// discardRun forgets the interrupted run, and says what the storage
// holds after.
func (c *Root) discardRun() { c.runs.discard(c.models.refresh) }
