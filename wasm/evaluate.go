package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// evalBatch is how many images a forward pass of an evaluation takes
// (a variable for the tests, which give helpers batches of a few).
var evalBatch = 64

// evaluation is an evaluation's result, image by image, kept for
// Cell requests.
type evaluation struct {
	ds      *dataset
	model   *nn.Model // evaluated, for the images' heat maps
	set     *data.Set
	classes []string  // the model's
	label   []int     // each image's true class among the model's, -1 when unknown to it
	pred    []int     // each image's predicted class, -1 when left out
	probs   []float32 // image i's probabilities at i*len(classes)
}

// evaluate classifies the loaded data set's test split (or all of it)
// with the request's model file, on as many workers as it asks for, and
// keeps the result for the cells' images.
func (d *datasets) evaluate(r *request, q protocol.EvaluateRequest) (protocol.Evaluation, []byte, error) {
	r.file = q.Name
	ds := d.dataset
	if ds == nil {
		return protocol.Evaluation{}, nil, errNoDataset
	}
	m, b, err := r.model(q.Name, q.URL)
	if err != nil {
		return protocol.Evaluation{}, nil, err
	}
	at, err := d.sideOf(r, ds, m.Meta.InputSize, func(p protocol.Progress) { r.tell(protocol.Evaluate.Notice(r.ID(), p), nil) })
	if err != nil {
		return protocol.Evaluation{}, nil, err
	}
	set, split := at.archive.Test, "test"
	if set == nil {
		set, split = at.archive.Train, "all"
	}
	r.tell(protocol.Evaluate.Notice(r.ID(), protocol.Progress{Stage: "starting workers"}), nil)
	helpers, stop, err := d.predictors.start(q.Workers, protocol.PredictorRequest{Name: q.Name}, b)
	if err != nil {
		return protocol.Evaluation{}, nil, err
	}
	defer stop()
	res, e, err := classifySet(r, m, helpers, ds, set, "classifying images", func(p protocol.Progress) {
		r.tell(protocol.Evaluate.Notice(r.ID(), p), nil)
	})
	if err != nil {
		return protocol.Evaluation{}, nil, err
	}
	res.Model, res.Split = q.Name, split
	d.evals[protocol.SplitEvaluated] = e
	return *res, nil, nil
}

// classifySet classifies the images of set, of the data set ds, with m,
// on this worker and helpers (which classify with m too), for the
// request r: it tells progress how far it got (stage says what it is
// doing), lets messages in between batches, and returns the evaluation
// and its images' results. The classes of set m does not know are left
// out. Each image's probabilities are the same on any worker and in any
// batch, so the result is the same on any number of workers.
func classifySet(r *request, m *nn.Model, helpers []predictor, ds *dataset, set *data.Set, stage string, progress func(protocol.Progress)) (*protocol.Evaluation, *evaluation, error) {
	start := time.Now()
	k := len(m.Meta.Classes)
	e := &evaluation{ds: ds, model: m, set: set, classes: m.Meta.Classes, label: make([]int, set.Len()),
		pred: make([]int, set.Len()), probs: make([]float32, set.Len()*k)}
	res := &protocol.Evaluation{Classes: m.Meta.Classes, Matrix: nn.NewConfusionMatrix(k), Workers: 1 + len(helpers)}
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
	// Each helper holds two batches, so that it has the next at hand when
	// it answers one, however long this worker, which cannot take the
	// answer while it classifies a batch of its own, takes; this worker
	// classifies one batch a round, and takes the oldest answer of each
	// helper. The loss is summed in the images' order, whoever classified
	// them.
	var batches [][]int
	for lo := 0; lo < len(known); lo += evalBatch {
		batches = append(batches, known[lo:min(lo+evalBatch, len(known))])
	}
	pix := make([]uint8, 0, evalBatch*3*set.Size*set.Size)
	gather := func(idx []int) []uint8 {
		pix = pix[:0]
		for _, i := range idx {
			pix = append(pix, set.Image(i)...)
		}
		return pix
	}
	nll := make([]float64, set.Len()) // each image's loss
	done := 0                         // images classified
	record := func(idx []int, probs []float32) error {
		if len(probs) != len(idx)*k {
			return fmt.Errorf("%w: %d probabilities for %d images of %d classes", protocol.ErrMessage, len(probs), len(idx), k)
		}
		for j, i := range idx {
			p := probs[j*k : (j+1)*k]
			copy(e.probs[i*k:], p)
			e.pred[i] = nn.Argmax(p)
			res.Matrix[e.label[i]][e.pred[i]]++
			nll[i] = -math.Log(float64(max(p[e.label[i]], math.SmallestNonzeroFloat32)))
		}
		done += len(idx)
		return nil
	}
	held := make([][][]int, len(helpers)) // each helper's batches, oldest first
	next := 0
	for done < len(known) {
		if r.cancelled() {
			return nil, nil, errCancelled
		}
		for h, p := range helpers {
			for ; len(held[h]) < 2 && next < len(batches); next++ {
				p.Start(gather(batches[next]), len(batches[next]), set.Size)
				held[h] = append(held[h], batches[next])
			}
		}
		if next < len(batches) {
			idx := batches[next]
			next++
			if err := record(idx, m.Predict(gather(idx), len(idx))); err != nil {
				return nil, nil, err
			}
		}
		for h, p := range helpers {
			if len(held[h]) == 0 {
				continue
			}
			probs, err := p.Wait()
			if err != nil {
				return nil, nil, err
			}
			if err := record(held[h][0], probs); err != nil {
				return nil, nil, err
			}
			held[h] = held[h][1:]
		}
		progress(protocol.Progress{Stage: stage, Done: done, Total: len(known),
			PerSec: float64(done) / time.Since(start).Seconds()})
		r.yield()
	}
	var loss float64
	for _, i := range known {
		loss += nll[i]
	}
	res.Loss = loss / float64(len(known))
	res.Predicted = e.pred
	res.Seconds = time.Since(start).Seconds()
	return res, e, nil
}

// cellImages answers a CellRequest: the images of one cell of an
// evaluation, the lowest probability of the true class first, and their
// thumbnails.
func (d *datasets) cellImages(r *request, q protocol.CellRequest) (protocol.CellImages, []byte, error) {
	e, err := d.evaluation(q.Split)
	if err != nil {
		return protocol.CellImages{}, nil, err
	}
	k := len(e.classes)
	if q.Actual >= k || q.Predicted >= k {
		return protocol.CellImages{}, nil, fmt.Errorf("%w: cell %d, %d of %d classes", protocol.ErrMessage, q.Actual, q.Predicted, k)
	}
	var cell []int
	for i := range e.pred {
		if e.label[i] == q.Actual && e.pred[i] == q.Predicted {
			cell = append(cell, i)
		}
	}
	res, body := e.worstFirst(cell, q.From, q.Limit)
	return res, body, nil
}

// topLosses answers the images of an evaluation with the highest loss
// (the lowest probability of the true class), whatever their cell.
func (d *datasets) topLosses(r *request, q protocol.TopLossesRequest) (protocol.CellImages, []byte, error) {
	e, err := d.evaluation(q.Split)
	if err != nil {
		return protocol.CellImages{}, nil, err
	}
	var known []int
	for i, p := range e.pred {
		if p >= 0 {
			known = append(known, i)
		}
	}
	res, body := e.worstFirst(known, q.From, q.Limit)
	return res, body, nil
}

// worstFirst returns the images idx of e, the lowest probability of the
// true class first, at most limit of them from the from-th on, with
// their thumbnails in the body.
func (e *evaluation) worstFirst(idx []int, from, limit int) (protocol.CellImages, []byte) {
	k := len(e.classes)
	trueProb := func(i int) float32 { return e.probs[i*k+e.label[i]] }
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(trueProb(a), trueProb(b)) })
	res := protocol.CellImages{Total: len(idx), Images: []protocol.ImageResult{}}
	var body []byte
	from = min(from, len(idx))
	for _, i := range idx[from:min(from+limit, len(idx))] {
		name := e.set.Names[i]
		im := protocol.ImageResult{Thumb: protocol.Thumb{Name: name, Class: e.label[i]}, Index: i, TrueProb: trueProb(i)}
		probs := e.probs[i*k : (i+1)*k]
		for _, c := range nn.TopK(probs, 3) {
			im.Top = append(im.Top, protocol.Prediction{Class: e.classes[c], Probability: probs[c]})
		}
		if b, err := e.ds.thumbnail(name); err == nil {
			im.Offset, im.Length = len(body), len(b)
			body = append(body, b...)
		}
		res.Images = append(res.Images, im)
	}
	return res, body
}

// evaluation returns the evaluation of the loaded data set named split
// (a protocol.CellRequest.Split).
func (d *datasets) evaluation(split string) (*evaluation, error) {
	e := d.evals[split]
	if e == nil || e.ds != d.dataset {
		return nil, notLoaded("no evaluation of the loaded data set to show: press Evaluate first")
	}
	return e, nil
}

// explainImage answers an image of an evaluation painted with the
// Grad-CAM map of the class asked for, by the model evaluated, as a PNG:
// the image as its file holds it, or as the data set kept it.
func (d *datasets) explainImage(r *request, q protocol.ExplainImageRequest) (protocol.Explained, []byte, error) {
	e, err := d.evaluation(q.Split)
	if err != nil {
		return protocol.Explained{}, nil, err
	}
	if q.Index >= e.set.Len() {
		return protocol.Explained{}, nil, fmt.Errorf("%w: image %d of %d", protocol.ErrMessage, q.Index, e.set.Len())
	}
	class := slices.Index(e.classes, q.Class)
	if class < 0 {
		return protocol.Explained{}, nil, badInput(fmt.Errorf("the model has no class %q (it knows %v)", q.Class, e.classes))
	}
	name := e.set.Names[q.Index]
	r.file = name
	m, h, w := e.model.GradCAM(e.set.Image(q.Index), 1, []int{class})
	img, err := e.ds.picture(name, q.Index, e.set)
	if err != nil {
		return protocol.Explained{}, nil, err
	}
	b, err := data.HeatMapImagePNG(img, name, m, h, w, protocol.ExplainSide)
	if err != nil {
		return protocol.Explained{}, nil, err
	}
	return protocol.Explained{Class: q.Class}, b, nil
}
