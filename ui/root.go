package main

import (
	"fmt"
	"strconv"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Root is the page. It holds the page's state, one concern each, wires
// them to each other (effects.go) and to the workers, and renders them
// with the components of root.vugu.
type Root struct {
	page   *page
	notice string // news about the workers, if any
	store  *storage

	classifier *link.Worker // classifies the images given to the page
	datasets   *link.Worker // reads data sets, evaluates and trains on them

	images   *Images
	camera   *Camera
	model    *ModelInUse
	models   *Models
	dataset  *Dataset
	eval     *Evaluation
	recipe   *Recipe
	training *Training
	runs     *KeptRuns
}

// newRoot returns the page, its workers started and the model chosen
// last on its way.
func newRoot(env vugu.EventEnv) *Root {
	p := &page{env: env}
	c := &Root{page: p, store: &storage{}}
	news := func(s string) { p.change(func() { c.notice = s }) }
	var err error
	if c.classifier, err = startClassifier(news); err != nil {
		c.notice = "The page cannot classify: " + err.Error() + "."
	}
	if c.datasets, err = startDatasets(news); err != nil {
		c.notice = "The page cannot read data sets or train: " + err.Error() + "."
	}
	recipe := newRecipe("quick", cores())
	c.recipe = &recipe
	c.images = &Images{Shown: resultsPage, page: p, classifier: c.classifier}
	c.camera = &Camera{page: p, classifier: c.classifier, take: c.images.Classify}
	c.model = &ModelInUse{page: p, classifier: c.classifier, changed: c.images.Reclassify}
	c.models = &Models{page: p, store: c.store, use: c.useModel}
	c.dataset = &Dataset{page: p, worker: c.datasets, loaded: c.datasetLoaded, edited: c.datasetEdited}
	c.eval = &Evaluation{split: protocol.SplitEvaluated, page: p, worker: c.datasets, scored: c.evaluated}
	c.runs = &KeptRuns{page: p, store: c.store, worker: c.datasets}
	c.training = &Training{nanStep: nanStepOf(), page: p, worker: c.datasets,
		Val:    Evaluation{split: protocol.SplitValidation, page: p, worker: c.datasets},
		Test:   Evaluation{split: protocol.SplitTest, page: p, worker: c.datasets},
		onPlan: c.runPlanned, onCheckpoint: c.runs.checkpointed, onEnd: c.runEnded}
	c.dataset.training = func() bool { return c.training.Running }
	c.store.do(c.startup)
	return c
}

// CanEvaluate says whether Evaluate has what it needs.
func (c *Root) CanEvaluate() bool {
	return c.dataset.ready() && c.model.Info != nil && c.eval.Running == "" && !c.training.Running
}

// CanTrain says whether Train has what it needs.
func (c *Root) CanTrain() bool {
	_, _, err := c.recipe.recipe()
	return err == nil && c.dataset.ready() && !c.training.Running
}

// TrainHint says what Train needs, or what it does.
func (c *Root) TrainHint() string {
	if c.dataset.Info == nil {
		return "Load a data set to train a model on it: drop a zip, or press Sample data set."
	}
	return fmt.Sprintf("Train starts a new model of the data set's %d classes with the recipe; the model you have now keeps classifying until it ends.", len(c.dataset.Info.Classes))
}

// Cost says what the recipe will cost on the data set loaded.
func (c *Root) Cost() string {
	if c.dataset.Info == nil {
		return ""
	}
	return c.recipe.Cost(c.dataset.Info, c.dataset.trainingImages())
}

// ShowReports says whether the last run's reports are shown.
func (c *Root) ShowReports() bool {
	return c.training.Val.Result != nil || c.training.Test.Result != nil
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
