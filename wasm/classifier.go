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
// together at once sharing the work with its peers, classifiers of its
// own on the other cores (see classify). A photo too large to decode
// here without keeping its memory for good goes to a worker of its own
// (see photo.go).
type classifier struct {
	kernels
	model *nn.Model // nil until a model loads
	file  []byte    // the file model was read from
	// alone classifies a photo, a Blob, in a worker of its own that loads
	// the model file given; nil where no worker can be started, or in a
	// worker of a photo itself.
	alone func(model []byte, q protocol.ClassifyRequest, photo js.Value) (protocol.Classified, []byte, error)
	// peers classify photos on other cores; nil where there are none
	// (see photopeers.go).
	peers *photoPeers
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
	if !q.Inspect {
		c.model, c.file = m, b
		c.peers.reset()
	}
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

// peerAnswer is peer p's answer to the photo of request i.
type peerAnswer struct {
	i, p  int
	res   protocol.Classified
	thumb []byte
	err   *protocol.Error
}

// classify answers the requests' images: their most probable classes,
// and a thumbnail of each large one (see data.DecodePhoto). It takes
// them inferBatch at a time, in order: before each batch of its own it
// hands each peer with room the next batch (a peer holds two, to work on
// one while the classifier, busy with its own, cannot hand out the
// next); the last batch stays here, so that the classifier does not
// wait for a peer at the end. The classes of a photo depend neither on
// the others inferred with it nor on the worker.
func (c *classifier) classify(rs []*request, qs []protocol.ClassifyRequest, answer func(int, protocol.Classified, []byte, error)) {
	if c.model == nil {
		for i := range rs {
			answer(i, protocol.Classified{}, nil, notLoaded("no model is loaded"))
		}
		return
	}
	peers := c.peers.forPhotos(len(rs), c.file)
	box := mailbox.New[peerAnswer]()
	held := make([]int, len(peers)) // photos each peer holds
	out := 0                        // photos handed out, not answered yet
	took := func(a peerAnswer) {
		held[a.p]--
		out--
		if a.err != nil {
			answer(a.i, protocol.Classified{}, nil, a.err)
			return
		}
		answer(a.i, a.res, a.thumb, nil)
	}
	// hand gives peer p the photos from lo to hi.
	hand := func(p, lo, hi int) {
		for i := lo; i < hi; i++ {
			if !begin(rs[i], qs[i], i, answer) {
				continue
			}
			held[p]++
			out++
			c.peers.classify(peers[p], qs[i], rs[i].body, func(res protocol.Classified, thumb []byte, err *protocol.Error) {
				box.Put(peerAnswer{i: i, p: p, res: res, thumb: thumb, err: err})
			})
			rs[i].body = nil
		}
	}
	for lo := 0; lo < len(rs); {
		for _, a := range box.TakeWhile(len(rs), func(peerAnswer) bool { return true }) {
			took(a)
		}
		for p := range peers {
			if held[p]+inferBatch <= peerHolds && len(rs)-lo > inferBatch {
				hand(p, lo, lo+inferBatch)
				lo += inferBatch
			}
		}
		if lo == len(rs) {
			break
		}
		hi := min(lo+inferBatch, len(rs))
		c.classifyHere(rs, qs, lo, hi, answer)
		lo = hi
		// The peers' answers come in while the worker waits, a few each
		// time.
		for n := -1; out > 0 && n != box.Len(); {
			n = box.Len()
			rs[0].yield()
		}
	}
	for out > 0 {
		took(box.Take())
	}
}

// classifyHere answers the requests' images from lo to hi, at most
// inferBatch, decoding them here.
func (c *classifier) classifyHere(rs []*request, qs []protocol.ClassifyRequest, lo, hi int, answer func(int, protocol.Classified, []byte, error)) {
	size := c.model.Meta.InputSize
	var batch []decodedPhoto
	for i := lo; i < hi; i++ {
		r := rs[i]
		if !begin(r, qs[i], i, answer) {
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
		if d.err != nil {
			answer(i, protocol.Classified{}, nil, d.err)
			continue
		}
		batch = append(batch, d)
	}
	if len(batch) > 0 {
		c.infer(batch, qs, answer)
	}
}

// begin starts on request i, r asking q: it reports false, answering
// it, if it was asked to stop.
func begin(r *request, q protocol.ClassifyRequest, i int, answer func(int, protocol.Classified, []byte, error)) bool {
	r.file = q.Name
	if r.cancelled() {
		answer(i, protocol.Classified{}, nil, errCancelled)
		return false
	}
	return true
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
