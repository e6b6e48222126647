package main

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/mailbox"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// classifier is the page's classifier: it holds a model, the page's
// choice, and classifies the images the page sends it, those queued
// together at once: their decoding on decoding workers, one a core but
// this one's, where it can start them, and the network on as many at a
// time as it has (see classify). A photo too large to decode here
// without keeping its memory for good goes to a worker of its own (see
// photo.go).
type classifier struct {
	kernels
	model *nn.Model // nil until a model loads
	file  []byte    // the file model was read from
	// alone classifies a photo, a Blob, in a worker of its own that loads
	// the model file given; nil where no worker can be started, or in a
	// worker of a photo itself.
	alone func(model []byte, q protocol.ClassifyRequest, photo js.Value) (protocol.Classified, []byte, error)
	// decoders decode photos on other cores; nil where there are none
	// (see photodecoders.go).
	decoders *photoDecoders
	// spawn starts helper workers for the training benchmark; nil where
	// none can be started.
	spawn spawner
	pix   []uint8 // the pixels of the photos inferred together
}

// handlers returns the classifier's: a model to load, images to
// classify, and the benchmarks.
func (c *classifier) handlers() handlers {
	hs := handlers{}
	handle(hs, protocol.LoadModel, c.loadModel)
	handleBatch(hs, protocol.Classify, c.classify)
	handle(hs, protocol.Explain, c.explain)
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

// inferBatch is the most photos the network takes at once.
const inferBatch = 64

// decodedPhoto is a photo of a batch decoded: the request's index, the
// pixels the network sees and a thumbnail of a large photo, or why it
// could not be decoded.
type decodedPhoto struct {
	i          int
	pix, thumb []byte
	err        error
}

// classify answers the requests' images: their most probable classes,
// and a thumbnail of each large one (see data.DecodePhoto). It has them
// all decoded at once, and runs the network on each inferBatch decoded,
// or on the last ones, answering as it goes; the classes of a photo do
// not depend on the others inferred with it. A photo decoded here, where
// no decoding worker takes it, goes into the network's batch at once, so
// that answers come as the batch is decoded.
func (c *classifier) classify(rs []*request, qs []protocol.ClassifyRequest, answer func(int, protocol.Classified, []byte, error)) {
	if c.model == nil {
		for i := range rs {
			answer(i, protocol.Classified{}, nil, notLoaded("no model is loaded"))
		}
		return
	}
	size := c.model.Meta.InputSize
	var batch []decodedPhoto
	take := func(d decodedPhoto) {
		switch {
		case d.err != nil:
			answer(d.i, protocol.Classified{}, nil, d.err)
		case rs[d.i].cancelled():
			answer(d.i, protocol.Classified{}, nil, errCancelled)
		default:
			batch = append(batch, d)
		}
		if len(batch) == inferBatch {
			c.infer(batch, qs, answer)
			batch = batch[:0]
		}
	}
	box := mailbox.New[decodedPhoto]()
	sent := 0
	for i, r := range rs {
		r.file = qs[i].Name
		if r.cancelled() {
			answer(i, protocol.Classified{}, nil, errCancelled)
			continue
		}
		if c.decoders != nil && c.decoders.decode(qs[i].Name, size, r.body, func(d decodedPhoto) { d.i = i; box.Put(d) }) {
			sent++
			continue
		}
		if c.alone != nil && handOver(r.body).Truthy() && huge(r.body) {
			res, thumb, err := c.alone(c.file, qs[i], handOver(r.body))
			answer(i, res, thumb, err)
			continue
		}
		d := decodeHere(r.body, qs[i].Name, size)
		r.body = nil // its reader's blocks go now, not with the batch
		d.i = i
		take(d)
	}
	for ; sent > 0; sent-- {
		take(box.Take())
	}
	if len(batch) > 0 {
		c.infer(batch, qs, answer)
	}
}

// infer runs the network on the photos of batch and answers each.
func (c *classifier) infer(batch []decodedPhoto, qs []protocol.ClassifyRequest, answer func(int, protocol.Classified, []byte, error)) {
	s := c.model.Meta.InputSize
	per, classes := 3*s*s, c.model.Meta.Classes
	c.pix = slices.Grow(c.pix[:0], len(batch)*per)
	for _, d := range batch {
		c.pix = append(c.pix, d.pix...)
	}
	probs := c.model.Predict(c.pix, len(batch))
	for k, d := range batch {
		top, err := topPredictions(classes, probs[k*len(classes):(k+1)*len(classes)], qs[d.i].TopK)
		if err != nil {
			answer(d.i, protocol.Classified{}, nil, err)
			continue
		}
		res := protocol.Classified{Top: top}
		if len(d.thumb) > 0 {
			res.Thumb = &protocol.Thumb{Name: qs[d.i].Name, Length: len(d.thumb)}
		}
		answer(d.i, res, d.thumb, nil)
	}
}

// explain answers the request's image painted with the model's Grad-CAM
// map of the class it names, as a PNG. A photo too large to decode here
// without keeping its memory for good is refused.
func (c *classifier) explain(r *request, q protocol.ExplainRequest) (protocol.Explained, []byte, error) {
	r.file = q.Name
	if c.model == nil {
		return protocol.Explained{}, nil, notLoaded("no model is loaded")
	}
	class := slices.Index(c.model.Meta.Classes, q.Class)
	if class < 0 {
		return protocol.Explained{}, nil, badInput(fmt.Errorf("the model has no class %q (it knows %v)", q.Class, c.model.Meta.Classes))
	}
	if huge(r.body) {
		return protocol.Explained{}, nil, badInput(fmt.Errorf("it is too large for a heat map in the page: Explain takes photos of up to about 16 megapixels"))
	}
	b, err := r.body.Bytes()
	if err != nil {
		return protocol.Explained{}, nil, err
	}
	m := c.model
	img, err := data.HeatMapPNG(b, q.Name, m.Meta.InputSize, protocol.ExplainSide, data.PhotoMaxPixels, func(pix []uint8) ([]float32, int, int) {
		return m.GradCAM(pix, 1, []int{class})
	})
	if err != nil {
		return protocol.Explained{}, nil, badInput(err)
	}
	return protocol.Explained{Class: q.Class}, img, nil
}

// huge reports whether decoding the photo f would take so much memory
// that it had better be decoded in a worker of its own.
func huge(f file) bool {
	head := make([]byte, min(f.Size(), headerBytes))
	_, err := f.ReadAt(head, 0)
	return err == nil && data.DecodeCost(head) >= aloneFrom
}

// decodeHere decodes the photo f, named name, in this worker: the
// pixels the network sees, size pixels square, and a thumbnail when it
// is large.
func decodeHere(f file, name string, size int) decodedPhoto {
	b, err := f.Bytes()
	if err != nil {
		return decodedPhoto{err: err}
	}
	pix, thumb, err := data.DecodePhoto(b, name, size, data.ThumbSide)
	return decodedPhoto{pix: pix, thumb: thumb, err: err}
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
