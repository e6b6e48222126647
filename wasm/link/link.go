// Package link is the one connection to a Web Worker that talks
// wasm/protocol. The page talks to its classifier and data set workers
// through it, and a worker to the workers it starts (its helpers, its
// decoders, its peers, the worker of a huge photo).
//
// A Worker posts requests, holds them until answered and hands each
// notice and answer to the request's handlers, one at a time and in
// order, in a goroutine of its own. It sees the worker die: an error
// event, its Exit event, a message it cannot read, or silence for longer
// than allowed while it holds work. The request the worker held then
// fails with protocol.WorkerLost; a Worker that may restart starts a new
// one, asks it again what set the old one up, and goes on with its
// queue.
//
// The package uses github.com/vugu/vugu/js, so that it builds natively
// too (go vet, go test), where starting a worker fails.
package link

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/mailbox"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Options say how a Worker treats its worker.
type Options struct {
	// Name is what messages call the worker: "the worker".
	Name string
	// InFlight is how many requests the worker holds at a time (1 when
	// 0); the rest wait here, so that a death loses little.
	InFlight int
	// Silence is how long the worker may go without a word while it holds
	// work, or before it says it is ready, until it counts as dead; 0
	// waits for ever. Silent says that death in a person's words, a
	// format of the silence's length: "no answer for %v"; without it,
	// Name "did not answer for" the length.
	Silence time.Duration
	Silent  string
	// Restarts is how many times in a row the worker may die without
	// answering anything before no new one is started; 0 starts none,
	// and a death fails every request.
	Restarts int
	// Replay are the kinds of the requests that set a worker up: the
	// last successful one of each is asked again of a new worker, before
	// the rest.
	Replay []protocol.Kind
	// News hears of deaths and restarts, in a person's words, in a
	// goroutine of its own; nil drops them.
	News func(string)
}

// Handlers take a request's notices and its answer. Each is called in
// the Worker's delivery goroutine, one at a time, in the order the
// worker sent them; a nil Notice drops the notices. body is the
// message's body, undefined when it has none. On failure Done gets the
// zero answer and the Error.
type Handlers[A, N any] struct {
	Notice func(n N, body js.Value)
	Done   func(a A, body js.Value, err *protocol.Error)
}

// Worker is the connection to one Web Worker, and to the ones started in
// its place. Its methods may be called from any goroutine.
type Worker struct {
	url string
	opt Options

	mu       sync.Mutex
	js       js.Value  // the current Web Worker
	funcs    []js.Func // its event handlers
	gen      int       // counts the workers started; messages of older ones are ignored
	ready    bool      // the current worker said protocol.Ready
	heard    time.Time // when the current worker started, last said something, or got work while idle
	lastID   uint64
	queue    []*pending // not sent yet, in order
	inflight []*pending // sent to the current worker, in order
	setup    []*pending // the last successful request of each kind in Replay
	deaths   int        // workers died in a row without answering anything
	gone     string     // why no request is sent any more, once none is

	deliveries mailbox.Serial // the handlers' calls, in order
	watching   bool           // watch runs
	stopWatch  chan struct{}
}

// pending is a request: how to write its head, its body, and what to do
// with its notices and answer.
type pending struct {
	id   uint64
	kind protocol.Kind
	head func(id uint64) string
	body js.Value
	// notice reads a notice and returns the call of its handler; nil
	// drops the notices.
	notice func(h protocol.Head, body js.Value) (func(), error)
	done   func(h protocol.Head, body js.Value)
	// transferred says the body, an ArrayBuffer, went to a worker, which
	// left it empty here: the request cannot be sent again.
	transferred bool
}

// Start starts a worker from the script at url.
func Start(url string, opt Options) (*Worker, error) {
	if js.Global().Get("Worker").Type() != js.TypeFunction {
		return nil, errors.New("this browser cannot start Web Workers here")
	}
	if opt.Name == "" {
		opt.Name = "the worker"
	}
	opt.InFlight = max(opt.InFlight, 1)
	silence := opt.Silence
	opt.Silence = 0
	w := &Worker{url: url, opt: opt, stopWatch: make(chan struct{})}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.start(); err != nil {
		return nil, err
	}
	w.setSilence(silence)
	return w, nil
}

// Ask sends the request q of call c, with body (a Blob, an ArrayBuffer,
// or undefined), and returns its ID. An ArrayBuffer is transferred to
// the worker, which leaves it empty here; a Blob is shared. h takes the
// notices and the answer.
func Ask[Q, A, N any](w *Worker, c protocol.Call[Q, A, N], q Q, body js.Value, h Handlers[A, N]) uint64 {
	p := &pending{kind: c.Kind(), body: body, head: func(id uint64) string { return c.Request(id, q) }}
	if h.Notice != nil {
		p.notice = func(head protocol.Head, b js.Value) (func(), error) {
			n, err := c.ReadNotice(head)
			if err != nil {
				return nil, err
			}
			return func() { h.Notice(n, b) }, nil
		}
	}
	p.done = func(head protocol.Head, b js.Value) {
		var zero A
		if head.Error != nil {
			h.Done(zero, js.Undefined(), head.Error)
			return
		}
		a, err := c.ReadAnswer(head)
		if err != nil {
			h.Done(zero, js.Undefined(), protocol.Errorf(protocol.BadMessage, "%s sent an answer that cannot be read: %v", w.opt.Name, err))
			return
		}
		h.Done(a, b, nil)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lastID++
	p.id = w.lastID
	if w.gone != "" {
		w.fail(p, protocol.WorkerLost, w.gone)
		return p.id
	}
	w.queue = append(w.queue, p)
	w.pump()
	return p.id
}

// Await is Ask waiting for the answer, dropping the notices. It must not
// be called from a handler, whose goroutine delivers the answer.
func Await[Q, A, N any](w *Worker, c protocol.Call[Q, A, N], q Q, body js.Value) (A, js.Value, *protocol.Error) {
	type answer struct {
		a    A
		body js.Value
		err  *protocol.Error
	}
	got := make(chan answer, 1)
	Ask(w, c, q, body, Handlers[A, N]{Done: func(a A, b js.Value, err *protocol.Error) { got <- answer{a, b, err} }})
	r := <-got
	return r.a, r.body, r.err
}

// Cancel asks for request id to stop (nothing on a nil Worker, one that
// could not be started): a request still waiting here
// fails at once, one the worker holds as soon as the worker sees the
// cancel; either way with the code protocol.Cancelled.
func (w *Worker) Cancel(id uint64) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, p := range w.queue {
		if p.id == id {
			w.queue = slices.Delete(w.queue, i, i+1)
			w.fail(p, protocol.Cancelled, "cancelled")
			return
		}
	}
	w.tell(id, func(cid uint64) string { return protocol.Cancel.Request(cid, protocol.CancelRequest{Target: id}) })
}

// Control asks the training run id to pause, resume or stop, if the
// worker holds it (nothing on a nil Worker).
func (w *Worker) Control(id uint64, action protocol.Action) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tell(id, func(cid uint64) string {
		return protocol.Control.Request(cid, protocol.ControlRequest{Target: id, Action: action})
	})
}

// tell posts the immediate request head writes about request id, if the
// worker holds it. w.mu is held.
func (w *Worker) tell(id uint64, head func(id uint64) string) {
	if !slices.ContainsFunc(w.inflight, func(p *pending) bool { return p.id == id }) {
		return
	}
	w.lastID++
	w.post(head(w.lastID), js.Undefined())
}

// JS returns the current Web Worker, for the browser's developer tools.
func (w *Worker) JS() js.Value {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.js
}

// receive takes a message of worker number gen. It runs in a JavaScript
// callback: it never blocks.
func (w *Worker) receive(gen int, text, body js.Value) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if gen != w.gen || w.gone != "" {
		return
	}
	if text.Type() != js.TypeString {
		w.died(fmt.Sprintf("%s sent a message without a head (%s)", w.opt.Name, text.Type()))
		return
	}
	h, err := protocol.ReadHead(text.String())
	if err != nil {
		w.died(w.opt.Name + " sent a bad message: " + err.Error())
		return
	}
	switch h.Kind {
	case protocol.Ready.Kind():
		w.ready, w.heard = true, time.Now()
		w.pump()
		return
	case protocol.Exit.Kind():
		reason := w.opt.Name + " stopped"
		if h.Error != nil {
			reason = h.Error.Message
		}
		w.died(reason)
		return
	}
	if len(w.inflight) == 0 || w.inflight[0].id != h.ID || w.inflight[0].kind != h.Kind || h.Part == protocol.PartRequest {
		w.died(fmt.Sprintf("%s sent a %s %s of request %d out of turn", w.opt.Name, h.Kind, h.Part, h.ID))
		return
	}
	p := w.inflight[0]
	w.heard = time.Now()
	_, answerBody, noticeBody := protocol.Bodies(h.Kind)
	if h.Part == protocol.PartNotice {
		if noticeBody.Required() && !IsBuffer(body) {
			w.died(fmt.Sprintf("%s sent a %s notice without its body", w.opt.Name, h.Kind))
			return
		}
		if p.notice != nil {
			deliver, err := p.notice(h, body)
			if err != nil {
				w.died(fmt.Sprintf("%s sent a notice that cannot be read: %v", w.opt.Name, err))
				return
			}
			w.deliveries.Do(deliver)
		}
		return
	}
	w.inflight = w.inflight[1:]
	w.deaths = 0
	if h.Error == nil && answerBody.Required() && !IsBuffer(body) {
		h.Error = protocol.Errorf(protocol.BadMessage, "%s sent its %s answer without its body", w.opt.Name, h.Kind)
		h.Payload = nil
	}
	if h.Error == nil && slices.Contains(w.opt.Replay, p.kind) && !p.transferred {
		w.setup = slices.DeleteFunc(w.setup, func(s *pending) bool { return s.kind == p.kind })
		w.setup = append(w.setup, p)
	}
	w.deliveries.Do(func() { p.done(h, body) })
	w.pump()
}

// pump sends queued requests while the worker has room. w.mu is held.
func (w *Worker) pump() {
	for w.ready && len(w.inflight) < w.opt.InFlight && len(w.queue) > 0 {
		p := w.queue[0]
		w.queue = w.queue[1:]
		if len(w.inflight) == 0 {
			w.heard = time.Now()
		}
		p.transferred = w.post(p.head(p.id), p.body)
		w.inflight = append(w.inflight, p)
	}
}

// post sends a head and its body to the worker, transferring an
// ArrayBuffer, and reports whether it did. w.mu is held.
func (w *Worker) post(head string, body js.Value) (transferred bool) {
	msg := js.Global().Get("Object").New()
	msg.Set("head", head)
	if body.IsUndefined() || body.IsNull() {
		w.js.Call("postMessage", msg)
		return false
	}
	msg.Set("body", body)
	if IsBuffer(body) {
		w.js.Call("postMessage", msg, Transfer(body))
		return true
	}
	w.js.Call("postMessage", msg)
	return false
}

// fail answers p with an error of code, for reason. w.mu may be held.
func (w *Worker) fail(p *pending, code protocol.Code, reason string) {
	h := protocol.Head{ID: p.id, Kind: p.kind, Part: protocol.PartAnswer, Error: protocol.Errorf(code, "%s", reason)}
	w.deliveries.Do(func() { p.done(h, js.Undefined()) })
}
