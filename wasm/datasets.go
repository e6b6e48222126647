package main

import (
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// datasets is the page's data set worker: it reads data sets (decoding
// their images on decoding workers it starts), evaluates models on
// them, shows the images of a confusion matrix's cell, and trains on
// them (both with helper workers it starts), keeping what a run needs to
// resume in the browser's storage.
type datasets struct {
	kernels
	dataset *dataset               // nil until a data set loads
	evals   map[string]*evaluation // the last evaluations, by protocol.CellRequest.Split
	keeper  keeper                 // the browser's storage; nil where there is none
	// decoders decodes runs of a zip's images on workers of their own;
	// nil decodes them here.
	decoders runDecoder
	// spawn starts helper workers for training, predictors for an
	// evaluation; nil where none can be started.
	spawn      spawner
	predictors predictorSpawner
}

// handlers returns the data set worker's.
func (d *datasets) handlers() handlers {
	hs := handlers{}
	handle(hs, protocol.LoadDataset, d.loadDataset)
	handle(hs, protocol.LoadKept, d.loadKept)
	handle(hs, protocol.EditDataset, d.editDataset)
	handle(hs, protocol.Download, d.download)
	handle(hs, protocol.Thumbnails, d.thumbnails)
	handle(hs, protocol.Evaluate, d.evaluate)
	handle(hs, protocol.Cell, d.cellImages)
	handle(hs, protocol.TopLosses, d.topLosses)
	handle(hs, protocol.ExplainCell, d.explainImage)
	handle(hs, protocol.Train, d.train)
	handle(hs, protocol.ForgetRun, d.forgetRun)
	handleBench(hs, bench{kernels: d.kernels, spawn: d.spawn, loaded: d.trainingSet})
	return hs
}

// trainingSet returns the loaded data set's training images, or nil.
func (d *datasets) trainingSet() *data.Set {
	if d.dataset == nil {
		return nil
	}
	return d.dataset.archive.Train
}

// errNoDataset is the answer to a request about the data set before one
// loaded.
var errNoDataset = notLoaded("no data set is loaded: drop a dataset zip first")
