package main

import (
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// The page's Web Workers run this script, in the role its query names
// (see wasm/doc.go).
const (
	classifierScript = "/assets/worker.js?role=classifier"
	datasetsScript   = "/assets/worker.js?role=datasets"
)

// How the page treats its workers: one silent for workerSilence while it
// has work (or before it says it is ready) counts as hung, generous
// since decoding a very large photo takes seconds; one that dies
// workerRestarts times in a row without answering is not started again.
const (
	workerSilence  = 60 * time.Second
	workerRestarts = 3
	// classifierInFlight is how many images the classifier holds at a
	// time: two of the batches it takes together, so that one waits
	// while it works on the other.
	classifierInFlight = 1024
)

// startClassifier starts the page's classifier, which classifies the
// images a person gives the page with the model in use; a new one gets
// that model again.
func startClassifier(news func(string)) (*link.Worker, error) {
	return link.Start(classifierScript, link.Options{Name: "the worker", InFlight: classifierInFlight, Silence: workerSilence, Silent: "no answer for %v",
		Restarts: workerRestarts, Replay: []protocol.Kind{protocol.LoadModel.Kind()}, News: news})
}

// startDatasets starts the page's data set worker, which reads data
// sets, evaluates and trains on them; a new one reads the data set
// again.
func startDatasets(news func(string)) (*link.Worker, error) {
	return link.Start(datasetsScript, link.Options{Name: "the data set worker", InFlight: 1, Silence: workerSilence, Silent: "no answer for %v",
		Restarts: workerRestarts, Replay: []protocol.Kind{protocol.LoadDataset.Kind(), protocol.LoadKept.Kind()}, News: news})
}

// cores is how many workers the page decodes a data set on, and trains
// on by default: one a core.
func cores() int {
	n := js.Global().Get("navigator").Get("hardwareConcurrency")
	if n.Type() != js.TypeNumber {
		return 2
	}
	return max(1, min(n.Int(), protocol.MaxWorkers))
}
