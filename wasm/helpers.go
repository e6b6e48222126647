package main

import (
	"fmt"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Time limits of a helper worker: to start and answer its setup, and to
// answer a shard until the run says how long its steps take (a generous
// bound, for a helper that is alive but silent).
const (
	helperStartTimeout = 2 * time.Minute
	helperShardTimeout = 10 * time.Minute
)

// spawner starts n helper workers set up by q, whose shards have grads
// gradients and stats statistics (nn.ShardSizes), and returns them and a
// function that stops them.
type spawner func(n int, q protocol.ReplicaRequest, grads, stats int) ([]nn.Replica, func(), error)

// start starts n helpers of a training run of m with r, computing with
// kernel; the helpers build m's network, whatever r.Config says.
func (s spawner) start(n int, m *nn.Model, r nn.Recipe, kernel string) ([]nn.Replica, func(), error) {
	if s == nil {
		return nil, nil, fmt.Errorf("this worker cannot start helper workers")
	}
	r.Config = m.Net.Config
	grads, stats, _ := nn.ShardSizes(m.Net.Params())
	reps, stop, err := s(n, protocol.ReplicaRequest{Recipe: r, Norm: m.Meta.Norm, Kernel: kernel}, grads, stats)
	if err != nil {
		return nil, nil, fmt.Errorf("starting %d helper workers: %w", n, err)
	}
	return reps, stop, nil
}

// spawnWorkers is the spawner of the browser: n new helper workers.
func spawnWorkers(n int, setup protocol.ReplicaRequest, grads, stats int) (reps []nn.Replica, stop func(), err error) {
	ws, stop, err := startHelpers(n)
	if err != nil {
		return nil, nil, err
	}
	for i, w := range ws {
		if _, _, err := link.Await(w, protocol.Replica, setup, js.Undefined()); err != nil {
			stop()
			return nil, nil, fmt.Errorf("helper %d: %w", i+1, err)
		}
		w.SetSilence(helperShardTimeout)
		reps = append(reps, &remoteHelper{w: w, grads: grads, stats: stats, answers: make(chan shardAnswer, 1)})
	}
	return reps, stop, nil
}

// startHelpers starts n helper workers, and returns them and a function
// that stops them.
func startHelpers(n int) (ws []*link.Worker, stop func(), err error) {
	stop = func() {
		for _, w := range ws {
			w.Close()
		}
	}
	// The helpers are listed in nnHelpers too, where the browser's
	// developer tools (and the browser tests, which end one as a crash
	// would) find them: Chromium's DevTools cannot attach to a nested
	// worker on its own.
	list := js.Global().Get("Array").New()
	js.Global().Set("nnHelpers", list)
	for range n {
		// Two requests at a time: a helper classifying a data set holds
		// its next batch (see classifySet); training asks one at a time.
		w, err := link.Start(workerURL(roleHelper), link.Options{Name: "the helper worker", InFlight: 2, Silence: helperStartTimeout,
			Silent: "the helper worker did not answer for %v: it stopped, or its tab was throttled"})
		if err != nil {
			stop()
			return nil, nil, err
		}
		ws = append(ws, w)
		list.Call("push", w.JS())
	}
	return ws, stop, nil
}

// remoteHelper is a helper worker, seen as an nn.Replica.
type remoteHelper struct {
	w            *link.Worker
	grads, stats int
	req, answer  []byte // a request's body and an answer's, reused
	shard        nn.Shard
	answers      chan shardAnswer // the answer to the job at work
	err          error            // of the last Start
}

// shardAnswer is a helper's answer to a ShardRequest.
type shardAnswer struct {
	a    protocol.Sharded
	body js.Value
	err  *protocol.Error
}

// setPatience bounds how long Wait waits for an answer: a killed worker
// fires no error event, so silence is how its death shows.
func (h *remoteHelper) setPatience(d time.Duration) { h.w.SetSilence(d) }

// Start sends job to the helper.
func (h *remoteHelper) Start(job *nn.Job) {
	var q protocol.ShardRequest
	q, h.req, h.err = shardRequest(h.req[:0], job)
	if h.err != nil {
		return
	}
	link.Ask(h.w, protocol.Shard, q, link.Buffer(h.req), link.Handlers[protocol.Sharded, protocol.None]{
		Done: func(a protocol.Sharded, body js.Value, err *protocol.Error) { h.answers <- shardAnswer{a, body, err} },
	})
}

// Wait returns the helper's answer to the last job.
func (h *remoteHelper) Wait() (*nn.Shard, error) {
	if h.err != nil {
		return nil, h.err
	}
	ans := <-h.answers
	if ans.err != nil {
		return nil, ans.err
	}
	h.answer = link.CopyInto(h.answer, ans.body)
	if err := decodeShard(&h.shard, ans.a, h.answer, h.grads, h.stats); err != nil {
		return nil, err
	}
	return &h.shard, nil
}

// predictor sets the helper up to classify with the model file model,
// and returns it as a predictor: a run's validations share the run's
// helpers.
func (h *remoteHelper) predictor(q protocol.PredictorRequest, model []byte) (predictor, error) {
	return predictorOn(h.w, q, model)
}
