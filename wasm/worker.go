package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// errNoModel is the answer to a classification before any model loaded.
var errNoModel = errors.New("no model is loaded")

// worker answers requests with the model it holds. It is used by one
// goroutine at a time.
type worker struct {
	model      *nn.Model     // nil until a model loads
	modelBytes []byte        // the file model was read from
	kernel     nn.GemmKernel // the SIMD kernel; nil without
	kernelFMA  bool          // whether kernel fuses multiply-adds
	spawn      spawner       // starts helper workers; nil where it cannot

	dataset *dataset               // nil until a data set loads
	keeper  keeper                 // the browser's storage of data sets; nil where there is none
	evals   map[string]*evaluation // the last evaluations, by KindCellImages's Split
	stops   cancels                // the requests asked to stop
	runs    runControls            // the training runs asked to pause, resume or stop
	// notify sends a notice (progress) to whoever asked; nil where
	// nobody listens.
	notify func(protocol.Response)
	// wait lets the worker's messages in: in the browser, a long request
	// calls it between pieces of work so that KindCancel reaches it.
	wait func()

	// A helper's state, once set up by KindReplica.
	replica       *nn.LocalReplica
	replicaConfig nn.Config
	jobState      []float32
	shardBuf      []byte
}

// serve answers req, whose file's bytes are body. It never panics: a
// panic while answering becomes the answer's error, and the worker keeps
// the model it had.
func (w *worker) serve(req protocol.Request, body []byte) (resp protocol.Response) {
	defer recoverInto(&resp, &req)
	resp = protocol.Response{ID: req.ID, Kind: req.Kind}
	var err error
	switch req.Kind {
	case protocol.KindLoadModel:
		resp.Model, err = w.loadModel(req.Name, body)
	case protocol.KindSaveModel:
		if w.model == nil {
			err = errNoModel
		} else {
			resp.Body = modelBytes(w.model)
		}
	case protocol.KindClassify:
		resp.Predictions, resp.Body, err = w.classify(req.Name, body, req.TopK)
		if len(resp.Body) > 0 {
			resp.Thumb = &protocol.Thumb{Name: req.Name, Length: len(resp.Body)}
		}
	case protocol.KindBenchTrain, protocol.KindBenchInfer:
		resp.Bench, err = w.bench(req, body)
	case protocol.KindReplica:
		err = w.becomeReplica(req)
	case protocol.KindShard:
		resp, err = w.shard(req, body)
	case protocol.KindEvaluate:
		resp.Evaluation, err = w.evaluate(req, body)
	case protocol.KindCellImages:
		resp, err = w.cellImages(req)
	case protocol.KindTrain:
		resp.Trained, resp.Body, err = w.train(req, body)
	case protocol.KindLoadKept:
		resp.Kind = protocol.KindLoadDataset
		resp.Dataset, resp.Body, err = w.loadKept(req)
	default:
		err = fmt.Errorf("%w: unknown request kind %q", protocol.ErrMessage, req.Kind)
	}
	if err != nil {
		return protocol.Response{ID: req.ID, Kind: req.Kind, Error: nn.Message(err)}
	}
	return resp
}

// serveZip answers req, a KindLoadDataset or KindDecode request about
// the dataset zip src, as serve does.
func (w *worker) serveZip(req protocol.Request, src zipSource) (resp protocol.Response) {
	defer recoverInto(&resp, &req)
	resp = protocol.Response{ID: req.ID, Kind: req.Kind}
	var err error
	switch req.Kind {
	case protocol.KindLoadDataset:
		resp.Dataset, resp.Body, err = w.loadDataset(req, src)
	case protocol.KindDecode:
		resp, err = w.serveDecode(req, src)
	default:
		err = fmt.Errorf("%w: a zip came with a %q request", protocol.ErrMessage, req.Kind)
	}
	if err != nil {
		return protocol.Response{ID: req.ID, Kind: req.Kind, Error: req.Name + ": " + nn.Message(err)}
	}
	return resp
}

// recoverInto, deferred (directly, or recover sees nothing), turns a
// panic while answering *req into the answer's error.
func recoverInto(resp *protocol.Response, req *protocol.Request) {
	if p := recover(); p != nil {
		*resp = protocol.Response{ID: req.ID, Kind: req.Kind,
			Error: fmt.Sprintf("%s: internal error in the worker: %v", req.Name, p)}
	}
}

// loadModel replaces the model with the one in the file named name,
// whose bytes are b. On error the model stays as it was.
func (w *worker) loadModel(name string, b []byte) (*protocol.ModelInfo, error) {
	m, err := nn.ReadModel(bytes.NewReader(b), int64(len(b)), name)
	if err != nil {
		return nil, err
	}
	w.model, w.modelBytes = m, b
	return &protocol.ModelInfo{
		Arch:      m.Meta.Arch,
		Classes:   m.Meta.Classes,
		InputSize: m.Meta.InputSize,
		Params:    m.NumParams(),
		File:      name,
		Source:    m.Meta.Source,
	}, nil
}

// classify returns the k most probable classes of the image in the file
// named name, whose bytes are b, and a thumbnail of it when it is large
// (see data.DecodePhoto).
func (w *worker) classify(name string, b []byte, k int) ([]protocol.Prediction, []byte, error) {
	if w.model == nil {
		return nil, nil, fmt.Errorf("%s: %w", name, errNoModel)
	}
	pix, thumb, err := data.DecodePhoto(b, name, w.model.Meta.InputSize, data.ThumbSide)
	if err != nil {
		return nil, nil, err
	}
	top, err := topPredictions(w.model.Meta.Classes, w.model.Predict(pix, 1), k)
	return top, thumb, err
}

// topPredictions returns the k classes with the highest probabilities
// (all of them when there are fewer), highest first; ties keep class
// order.
func topPredictions(classes []string, probs []float32, k int) ([]protocol.Prediction, error) {
	if len(probs) != len(classes) {
		return nil, fmt.Errorf("the model gave %d probabilities for %d classes", len(probs), len(classes))
	}
	order := nn.TopK(probs, k)
	top := make([]protocol.Prediction, len(order))
	for i := range top {
		top[i] = protocol.Prediction{Class: classes[order[i]], Probability: probs[order[i]]}
	}
	return top, nil
}
