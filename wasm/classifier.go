package main

import (
	"bytes"
	"fmt"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// classifier is the page's classifier: it holds a model, the page's
// choice, and classifies the images the page sends it. A photo too
// large to decode here without keeping its memory for good goes to a
// worker of its own (see photo.go).
type classifier struct {
	kernels
	model *nn.Model // nil until a model loads
	file  []byte    // the file model was read from
	// alone classifies a photo, a Blob, in a worker of its own that loads
	// the model file given; nil where no worker can be started, or in a
	// worker of a photo itself.
	alone func(model []byte, q protocol.ClassifyRequest, photo js.Value) (protocol.Classified, []byte, error)
	// spawn starts helper workers for the training benchmark; nil where
	// none can be started.
	spawn spawner
}

// handlers returns the classifier's: a model to load, an image to
// classify, and the benchmarks.
func (c *classifier) handlers() handlers {
	hs := handlers{}
	handle(hs, protocol.LoadModel, c.loadModel)
	handle(hs, protocol.Classify, c.classify)
	handleBench(hs, bench{kernels: c.kernels, spawn: c.spawn})
	return hs
}

// loadModel replaces the model with the one of the request's file; on
// error the model stays as it was.
func (c *classifier) loadModel(r *request, q protocol.LoadModelRequest) (protocol.ModelInfo, []byte, error) {
	r.file = q.Name
	m, b, err := r.model(q.Name, q.URL)
	if err != nil {
		return protocol.ModelInfo{}, nil, err
	}
	c.model, c.file = m, b
	var kept []byte
	if q.Keep {
		kept = modelBytes(m)
	}
	return modelInfo(m, q.Name), kept, nil
}

// modelInfo describes m, read from the file named file.
func modelInfo(m *nn.Model, file string) protocol.ModelInfo {
	return protocol.ModelInfo{Arch: m.Meta.Arch, Classes: m.Meta.Classes, InputSize: m.Meta.InputSize,
		Params: m.NumParams(), File: file, Source: m.Meta.Source}
}

// classify answers the request's image: its most probable classes, and
// a thumbnail of it when it is large (see data.DecodePhoto).
func (c *classifier) classify(r *request, q protocol.ClassifyRequest) (protocol.Classified, []byte, error) {
	r.file = q.Name
	if c.model == nil {
		return protocol.Classified{}, nil, notLoaded("no model is loaded")
	}
	head := make([]byte, min(r.body.Size(), headerBytes))
	if _, err := r.body.ReadAt(head, 0); err == nil && c.alone != nil && r.body.Blob().Truthy() && data.DecodeCost(head) >= aloneFrom {
		return c.alone(c.file, q, r.body.Blob())
	}
	b, err := r.body.Bytes()
	if err != nil {
		return protocol.Classified{}, nil, err
	}
	pix, thumb, err := data.DecodePhoto(b, q.Name, c.model.Meta.InputSize, data.ThumbSide)
	if err != nil {
		return protocol.Classified{}, nil, err
	}
	top, err := topPredictions(c.model.Meta.Classes, c.model.Predict(pix, 1), q.TopK)
	if err != nil {
		return protocol.Classified{}, nil, err
	}
	res := protocol.Classified{Top: top}
	if len(thumb) > 0 {
		res.Thumb = &protocol.Thumb{Name: q.Name, Length: len(thumb)}
	}
	return res, thumb, nil
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

// modelBytes returns m's safetensors file.
func modelBytes(m *nn.Model) []byte {
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		panic(fmt.Sprintf("wasm: writing a model to memory: %v", err)) // a bytes.Buffer does not fail
	}
	return b.Bytes()
}
