//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Time limits of a helper worker: to load and answer its setup, and to
// answer a shard (a generous bound, for a helper that is alive but
// silent).
const (
	helperStartTimeout = 2 * time.Minute
	helperShardTimeout = 10 * time.Minute
)

// spawnWorkers is the spawner of the browser: n new Web Workers running
// this worker's own script.
func spawnWorkers(n int, setup protocol.Request, grads, stats int) (reps []nn.Replica, stop func(), err error) {
	if js.Global().Get("Worker").Type() != js.TypeFunction {
		return nil, nil, errors.New("this browser cannot start workers from a worker")
	}
	url := workerURL("helper")
	var hs []*helper
	stop = func() {
		for _, h := range hs {
			h.close()
		}
	}
	defer func() {
		if p := recover(); p != nil {
			stop()
			reps, stop, err = nil, nil, fmt.Errorf("starting a helper worker: %v", p)
		}
	}()
	// The helpers are listed in nnHelpers too, where the browser's
	// developer tools (and the browser tests, which end one as a crash
	// would) find them: Chromium's DevTools cannot attach to a nested
	// worker on its own.
	list := js.Global().Get("Array").New()
	js.Global().Set("nnHelpers", list)
	for range n {
		h := newHelper(url, grads, stats)
		hs = append(hs, h)
		list.Call("push", h.worker)
	}
	reps = make([]nn.Replica, n)
	for i, h := range hs {
		if err := h.setUp(setup); err != nil {
			stop()
			return nil, nil, fmt.Errorf("helper %d: %w", i+1, err)
		}
		reps[i] = h
	}
	return reps, stop, nil
}

// helper is a helper worker, seen as an nn.Replica.
type helper struct {
	worker       js.Value
	inbox        *mailbox[message]
	funcs        []js.Func
	id           uint64
	grads, stats int
	req          []byte // a request's body, reused
	answer       []byte // an answer's body, reused
	shard        nn.Shard
	err          error         // of the last Start
	patience     time.Duration // how long Wait waits; helperShardTimeout until set
}

// setPatience bounds how long Wait waits for an answer: a killed worker
// fires no error event, so silence is how its death shows.
func (h *helper) setPatience(d time.Duration) { h.patience = d }

// newHelper starts a worker running the script at url.
func newHelper(url string, grads, stats int) *helper {
	h := &helper{inbox: newMailbox[message](), grads: grads, stats: stats}
	h.worker = js.Global().Get("Worker").New(url)
	onMessage := js.FuncOf(func(_ js.Value, args []js.Value) any {
		// As main's listener: Get panics on values that are not objects.
		m := message{head: js.Undefined(), body: js.Undefined()}
		if data := args[0].Get("data"); data.Type() == js.TypeObject {
			m = message{head: data.Get("head"), body: data.Get("body")}
		}
		h.inbox.put(m)
		return nil
	})
	onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		exit := protocol.Response{Kind: protocol.KindExit, Error: "the helper worker failed: " + args[0].Get("message").String()}
		h.inbox.put(message{head: js.ValueOf(protocol.Encode(exit)), body: js.Undefined()})
		return nil
	})
	h.funcs = []js.Func{onMessage, onError}
	h.worker.Set("onmessage", onMessage)
	h.worker.Set("onerror", onError)
	return h
}

// setUp waits for the helper to be ready and sends it setup, a
// KindReplica request.
func (h *helper) setUp(setup protocol.Request) error {
	deadline := time.Now().Add(helperStartTimeout)
	ready, err := h.receive(time.Until(deadline))
	if err != nil {
		return err
	}
	if ready.Kind != protocol.KindReady {
		return fmt.Errorf("%w: got %q before the ready notice", protocol.ErrMessage, ready.Kind)
	}
	h.id++
	setup.ID = h.id
	send(h.worker, protocol.Encode(setup), nil)
	resp, err := h.receive(time.Until(deadline))
	if err != nil {
		return err
	}
	if resp.ID != h.id || resp.Kind != protocol.KindReplica {
		return fmt.Errorf("%w: a %s answer to request %d, want the setup's, %d", protocol.ErrMessage, resp.Kind, resp.ID, h.id)
	}
	return nil
}

// Start sends job to the helper.
func (h *helper) Start(job *nn.Job) {
	h.id++
	var req protocol.Request
	req, h.req, h.err = shardRequest(h.req[:0], h.id, job)
	if h.err == nil {
		send(h.worker, protocol.Encode(req), h.req)
	}
}

// Wait returns the helper's answer to the last job.
func (h *helper) Wait() (*nn.Shard, error) {
	if h.err != nil {
		return nil, h.err
	}
	wait := helperShardTimeout
	if h.patience > 0 {
		wait = h.patience
	}
	resp, err := h.receive(wait)
	if err != nil {
		return nil, err
	}
	if resp.ID != h.id || resp.Kind != protocol.KindShard {
		return nil, fmt.Errorf("%w: a %s answer to request %d, want the shard of request %d", protocol.ErrMessage, resp.Kind, resp.ID, h.id)
	}
	if err := decodeShard(&h.shard, resp, h.grads, h.stats); err != nil {
		return nil, err
	}
	return &h.shard, nil
}

// receive returns the helper's next message, waiting at most d; an error
// answer or notice is returned as an error.
func (h *helper) receive(d time.Duration) (protocol.Response, error) {
	m, ok := h.inbox.takeWithin(d)
	if !ok {
		return protocol.Response{}, fmt.Errorf("the helper worker did not answer for %v: it stopped, or its tab was throttled", d.Round(time.Second))
	}
	resp, err := decodeHead(m)
	if err != nil {
		return protocol.Response{}, err
	}
	if m.body.InstanceOf(js.Global().Get("ArrayBuffer")) {
		h.answer = copyBytes(h.answer, m.body)
		resp.Body = h.answer
	}
	return resp, nil
}

// close stops the helper worker.
func (h *helper) close() {
	h.worker.Call("terminate")
	h.worker.Set("onmessage", js.Null())
	h.worker.Set("onerror", js.Null())
	for _, f := range h.funcs {
		f.Release()
	}
}

// send posts a message with head and, when not nil, a body, transferred,
// to target: a Worker, or the global scope to answer the page.
func send(target js.Value, head string, body []byte) {
	msg := js.Global().Get("Object").New()
	msg.Set("head", head)
	if body == nil {
		target.Call("postMessage", msg)
		return
	}
	u8 := js.Global().Get("Uint8Array").New(len(body))
	js.CopyBytesToJS(u8, body)
	buf := u8.Get("buffer")
	msg.Set("body", buf)
	target.Call("postMessage", msg, []any{buf})
}
