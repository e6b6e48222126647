package main

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// evalBatch is how many images a forward pass of an evaluation takes.
const evalBatch = 64

// evaluation is an evaluation's result, image by image, kept for
// KindCellImages.
type evaluation struct {
	ds      *dataset
	set     *data.Set
	classes []string  // the model's
	label   []int     // each image's true class among the model's, -1 when unknown to it
	pred    []int     // each image's predicted class, -1 when left out
	probs   []float32 // image i's probabilities at i*len(classes)
}

// evaluate classifies the loaded data set's test split (or all of it)
// with the model file b named req.Name, and keeps the result for the
// cells' images.
func (w *worker) evaluate(req protocol.Request, b []byte) (*protocol.Evaluation, error) {
	ds := w.dataset
	if ds == nil {
		return nil, errNoDataset
	}
	m, err := nn.ReadModel(bytes.NewReader(b), int64(len(b)), req.Name)
	if err != nil {
		return nil, err
	}
	set, split := ds.archive.Test, "test"
	if set == nil {
		set, split = ds.archive.Train, "all"
	}
	if m.Meta.InputSize != set.Size {
		return nil, fmt.Errorf("%s takes %d×%d images, and the data set was read at %d×%d: load the data set again with this model loaded",
			req.Name, m.Meta.InputSize, m.Meta.InputSize, set.Size, set.Size)
	}
	res, e, err := w.classifySet(req, m, ds, set, "classifying images")
	if err != nil {
		return nil, err
	}
	res.Model, res.Split = req.Name, split
	w.evals[""] = e
	return res, nil
}

// classifySet classifies the images of set, of the data set ds, with m,
// sending progress notices about req (stage says what it is doing) and
// letting messages in between batches, and returns the evaluation and
// its images' results. The classes of set m does not know are left out.
func (w *worker) classifySet(req protocol.Request, m *nn.Model, ds *dataset, set *data.Set, stage string) (*protocol.Evaluation, *evaluation, error) {
	start := time.Now()
	k := len(m.Meta.Classes)
	e := &evaluation{ds: ds, set: set, classes: m.Meta.Classes, label: make([]int, set.Len()),
		pred: make([]int, set.Len()), probs: make([]float32, set.Len()*k)}
	res := &protocol.Evaluation{Classes: m.Meta.Classes, Matrix: nn.NewConfusionMatrix(k)}
	to := make([]int, len(set.Classes))
	for c, name := range set.Classes {
		to[c] = slices.Index(m.Meta.Classes, name)
		if to[c] < 0 {
			res.Unknown = append(res.Unknown, name)
		}
	}
	var known []int
	for i, l := range set.Labels {
		e.label[i], e.pred[i] = to[l], -1
		if to[l] >= 0 {
			known = append(known, i)
		} else {
			res.Left++
		}
	}
	if len(known) == 0 {
		return nil, nil, fmt.Errorf("the model knows none of the data set's classes (%v; it knows %v)", set.Classes, m.Meta.Classes)
	}
	pix := make([]uint8, 0, evalBatch*3*set.Size*set.Size)
	var loss float64
	for lo := 0; lo < len(known); lo += evalBatch {
		if w.cancelled(req.ID) {
			return nil, nil, protocol.ErrCancelled
		}
		idx := known[lo:min(lo+evalBatch, len(known))]
		pix = pix[:0]
		for _, i := range idx {
			pix = append(pix, set.Image(i)...)
		}
		probs := m.Predict(pix, len(idx))
		for j, i := range idx {
			p := probs[j*k : (j+1)*k]
			copy(e.probs[i*k:], p)
			e.pred[i] = nn.Argmax(p)
			res.Matrix[e.label[i]][e.pred[i]]++
			loss -= math.Log(float64(max(p[e.label[i]], math.SmallestNonzeroFloat32)))
		}
		done := lo + len(idx)
		w.progress(req, protocol.Progress{Stage: stage, Done: done, Total: len(known),
			PerSec: float64(done) / time.Since(start).Seconds()})
		w.yield()
	}
	res.Loss = loss / float64(len(known))
	res.Predicted = e.pred
	res.Seconds = time.Since(start).Seconds()
	return res, e, nil
}

// cellImages answers req, a KindCellImages request: the images of one
// cell of the last evaluation, the lowest probability of the true class
// first, and their thumbnails.
func (w *worker) cellImages(req protocol.Request) (protocol.Response, error) {
	e := w.evals[req.Split]
	if e == nil || e.ds != w.dataset {
		return protocol.Response{}, fmt.Errorf("no evaluation of the loaded data set to show: press Evaluate first")
	}
	k := len(e.classes)
	if req.Actual >= k || req.Predicted >= k {
		return protocol.Response{}, fmt.Errorf("%w: cell %d, %d of %d classes", protocol.ErrMessage, req.Actual, req.Predicted, k)
	}
	var cell []int
	for i := range e.pred {
		if e.label[i] == req.Actual && e.pred[i] == req.Predicted {
			cell = append(cell, i)
		}
	}
	trueProb := func(i int) float32 { return e.probs[i*k+e.label[i]] }
	slices.SortStableFunc(cell, func(a, b int) int { return cmp.Compare(trueProb(a), trueProb(b)) })
	resp := protocol.Response{ID: req.ID, Kind: req.Kind, Total: len(cell), Images: []protocol.ImageResult{}}
	for _, i := range cell[:min(req.Limit, len(cell))] {
		name := e.set.Names[i]
		r := protocol.ImageResult{Thumb: protocol.Thumb{Name: name, Class: e.label[i]}, Index: i, TrueProb: trueProb(i)}
		probs := e.probs[i*k : (i+1)*k]
		for _, c := range nn.TopK(probs, 3) {
			r.Top = append(r.Top, protocol.Prediction{Class: e.classes[c], Probability: probs[c]})
		}
		if b, err := e.ds.thumbnail(name); err == nil {
			r.Offset, r.Length = len(resp.Body), len(b)
			resp.Body = append(resp.Body, b...)
		}
		resp.Images = append(resp.Images, r)
	}
	return resp, nil
}
