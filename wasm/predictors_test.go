package main

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// pipePredictor is a helper worker in this process, set up as a
// predictor: requests and answers go through their encodings, as
// between Web Workers.
type pipePredictor struct {
	tt      *tested
	id      uint64
	answers []pipeAnswer // of the batches started, oldest first
	probs   []float32
}

// pipeAnswer is a pipePredictor's answer to a batch.
type pipeAnswer struct {
	body []byte
	err  error
}

// spawnPipePredictors is a predictorSpawner of pipePredictors; it counts
// the helpers started. A helper given a bad batch answers with an error.
func spawnPipePredictors(started *int) predictorSpawner {
	return func(n int, q protocol.PredictorRequest, model []byte) ([]predictor, func(), error) {
		ps := make([]predictor, n)
		for i := range ps {
			p := &pipePredictor{tt: serveRole((&helper{}).handlers()), id: 1}
			if _, _, err := ask(p.tt, protocol.Predictor, p.id, q, model); err != nil {
				return nil, nil, err
			}
			ps[i] = p
		}
		*started += n
		return ps, func() {}, nil
	}
}

func (p *pipePredictor) Start(pix []uint8, n, side int) {
	p.id++
	_, body, perr := ask(p.tt, protocol.Predict, p.id, protocol.PredictRequest{Images: n, Size: side}, pix)
	a := pipeAnswer{body: body}
	if perr != nil {
		a.err = perr
	}
	p.answers = append(p.answers, a)
}

func (p *pipePredictor) Wait() ([]float32, error) {
	a := p.answers[0]
	p.answers = p.answers[1:]
	if a.err != nil {
		return nil, a.err
	}
	var err error
	p.probs, err = readProbs(p.probs, a.body)
	return p.probs, err
}

// TestEvaluateOnHelpers evaluates the sample's test split on this worker
// alone and with helpers, batches of a few images each, and finds every
// image's probabilities the same to the bit.
func TestEvaluateOnHelpers(t *testing.T) {
	defer func(b int) { evalBatch = b }(evalBatch)
	evalBatch = 7 // 60 images: 9 batches, the last one short, two held by each helper
	model := readFile(t, builtinModel)
	var alone *evaluation
	var first protocol.Evaluation
	for _, workers := range []int{1, 3, 2} {
		d, tt, _, _ := loadSample(t, 1)
		var started int
		d.predictors = spawnPipePredictors(&started)
		ev, _, err := ask(tt, protocol.Evaluate, 12, protocol.EvaluateRequest{Name: "built-in", Workers: workers}, model)
		if err != nil {
			t.Fatalf("%d workers: %v", workers, err)
		}
		if started != workers-1 || ev.Workers != workers {
			t.Errorf("%d workers: %d helpers started, the result says %d workers", workers, started, ev.Workers)
		}
		e := d.evals[protocol.SplitEvaluated]
		if alone == nil {
			alone, first = e, ev
			continue
		}
		if !slices.Equal(floatBits(e.probs), floatBits(alone.probs)) {
			t.Errorf("%d workers: the images' probabilities differ from one worker's", workers)
		}
		if !reflect.DeepEqual(ev.Matrix, first.Matrix) || !slices.Equal(ev.Predicted, first.Predicted) || ev.Loss != first.Loss {
			t.Errorf("%d workers: matrix %v, loss %v; one worker: %v, %v", workers, ev.Matrix, ev.Loss, first.Matrix, first.Loss)
		}
	}
}

func floatBits(s []float32) []uint32 {
	b := make([]uint32, len(s))
	for i, v := range s {
		b[i] = math.Float32bits(v)
	}
	return b
}

// TestEvaluateWithoutHelpers: outside a browser no helper can start, and
// an evaluation asked for on more workers says so.
func TestEvaluateWithoutHelpers(t *testing.T) {
	_, tt, _, _ := loadSample(t, 1)
	_, _, err := ask(tt, protocol.Evaluate, 12, protocol.EvaluateRequest{Name: "built-in", Workers: 2}, readFile(t, builtinModel))
	if err == nil || !strings.Contains(err.Message, "cannot start helper workers") {
		t.Errorf("got %+v, want an error saying helpers cannot start", err)
	}
}

func TestPredictRefusals(t *testing.T) {
	tt := serveRole((&helper{}).handlers())
	side := builtinSide(t)
	q := protocol.PredictRequest{Images: 1, Size: side}
	if _, _, err := ask(tt, protocol.Predict, 2, q, make([]byte, 3*side*side)); err == nil || !strings.Contains(err.Message, "before its setup") {
		t.Errorf("images before the setup: got %+v", err)
	}
	if _, _, err := ask(tt, protocol.Predictor, 3, protocol.PredictorRequest{Name: "notes.safetensors"}, []byte("not a model")); err == nil || err.Code != protocol.BadInput || err.File != "notes.safetensors" {
		t.Errorf("a file that is no model: got %+v, want a bad-input error about the file", err)
	}
	if _, _, err := ask(tt, protocol.Predictor, 4, protocol.PredictorRequest{Name: "built-in"}, readFile(t, builtinModel)); err != nil {
		t.Fatalf("setup: %v", err)
	}
	if _, _, err := ask(tt, protocol.Predict, 5, protocol.PredictRequest{Images: 1, Size: side - 1}, make([]byte, 3*(side-1)*(side-1))); err == nil || !strings.Contains(err.Message, fmt.Sprintf("side %d for a network of %d", side-1, side)) {
		t.Errorf("images of another size: got %+v", err)
	}
	if _, _, err := ask(tt, protocol.Predict, 6, q, make([]byte, 100)); err == nil || !strings.Contains(err.Message, fmt.Sprintf("100 bytes of images, want %d", 3*side*side)) {
		t.Errorf("a short body: got %+v", err)
	}
	_, probs, err := ask(tt, protocol.Predict, 7, q, make([]byte, 3*side*side))
	if err != nil || len(probs) != 4*6 {
		t.Errorf("a black image: %d bytes of probabilities, error %+v; want 6 float32s", len(probs), err)
	}
}
