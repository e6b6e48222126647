package main

import (
	"fmt"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// predictor classifies batches of a data set's images on a helper: a
// batch is Started, and its answer Waited for, in order; it holds up to
// two batches at a time (see classifySet).
type predictor interface {
	// Start classifies the n images of side side pix (data.Set's
	// layout), which it may use only until it returns.
	Start(pix []uint8, n, side int)
	// Wait returns the probabilities of the oldest batch Started and
	// not yet Waited for, n rows of the model's classes, valid until the
	// next Wait.
	Wait() ([]float32, error)
}

// predictorSpawner starts n helper workers set up by q to classify with
// the model file model, and returns them and a function that stops them.
type predictorSpawner func(n int, q protocol.PredictorRequest, model []byte) ([]predictor, func(), error)

// start starts the helpers that classify with the model file b beside
// this worker, so that workers workers classify in all, and returns
// them and a function that stops them: none when workers is at most 1,
// an error when s is nil (outside a browser).
func (s predictorSpawner) start(workers int, q protocol.PredictorRequest, b []byte) ([]predictor, func(), error) {
	if workers <= 1 {
		return nil, func() {}, nil
	}
	if s == nil {
		return nil, nil, fmt.Errorf("this worker cannot start helper workers")
	}
	ps, stop, err := s(workers-1, q, b)
	if err != nil {
		return nil, nil, fmt.Errorf("starting %d helper workers: %w", workers-1, err)
	}
	return ps, stop, nil
}

// spawnPredictors is the predictorSpawner of the browser: n new helper
// workers.
func spawnPredictors(n int, q protocol.PredictorRequest, model []byte) ([]predictor, func(), error) {
	ws, stop, err := startHelpers(n)
	if err != nil {
		return nil, nil, err
	}
	ps := make([]predictor, len(ws))
	for i, w := range ws {
		if ps[i], err = predictorOn(w, q, model); err != nil {
			stop()
			return nil, nil, fmt.Errorf("helper %d: %w", i+1, err)
		}
		w.SetSilence(helperShardTimeout)
	}
	return ps, stop, nil
}

// predictorOn sets the helper worker w up by q to classify with the
// model file model, and returns it as a predictor.
func predictorOn(w *link.Worker, q protocol.PredictorRequest, model []byte) (predictor, error) {
	if _, _, err := link.Await(w, protocol.Predictor, q, link.Buffer(model)); err != nil {
		return nil, err
	}
	return &remotePredictor{w: w, answers: make(chan predicted, 2)}, nil
}

// remotePredictor is a helper worker, seen as a predictor.
type remotePredictor struct {
	w       *link.Worker
	answers chan predicted // the answers to the batches held, in order
	buf     []byte         // an answer's body, reused
	probs   []float32
}

// predicted is a helper's answer to a PredictRequest.
type predicted struct {
	body js.Value
	err  *protocol.Error
}

func (p *remotePredictor) Start(pix []uint8, n, side int) {
	q := protocol.PredictRequest{Images: n, Size: side}
	link.Ask(p.w, protocol.Predict, q, link.Buffer(pix), link.Handlers[protocol.None, protocol.None]{
		Done: func(_ protocol.None, body js.Value, err *protocol.Error) { p.answers <- predicted{body, err} },
	})
}

func (p *remotePredictor) Wait() ([]float32, error) {
	ans := <-p.answers
	if ans.err != nil {
		return nil, ans.err
	}
	p.buf = link.CopyInto(p.buf, ans.body)
	var err error
	p.probs, err = readProbs(p.probs, p.buf)
	return p.probs, err
}

// readProbs reads b, the body of an answer to a PredictRequest, into
// dst, grown as needed.
func readProbs(dst []float32, b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("%w: an answer of %d bytes, not float32s", protocol.ErrMessage, len(b))
	}
	dst = resize(dst, len(b)/4)
	copy(floatBytes(dst), b)
	return dst, nil
}
