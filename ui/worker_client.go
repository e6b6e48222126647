package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Limits of the worker client.
const (
	// workerTimeout is how long a worker may go without a word (an
	// answer or a progress notice) while it has work, or without saying
	// it is ready, before it counts as hung: generous, since decoding a
	// very large photo takes seconds.
	workerTimeout = 60 * time.Second
	// maxRestarts is how many times in a row a worker may die without
	// answering anything before the client stops starting new ones.
	maxRestarts = 3
)

// workerClient sends requests to one of the page's Web Workers and
// hands each answer, and the progress notices before it, to the
// request's callbacks. When the worker dies or stops answering, it tells
// the page, fails the request the worker was on, and starts a new
// worker, re-sending what set the old one up (the last successful
// request of each kind in replay) before the other requests.
type workerClient struct {
	script      string          // URL of the worker's bootstrap script
	name        string          // what the page calls the worker in news, such as "the worker"
	maxInFlight int             // requests the worker holds at a time; the rest wait here, so a dead worker loses little
	replay      []protocol.Kind // kinds of the requests that set a worker up
	onNotice    func(string)    // hears news about the worker; called in a goroutine of its own

	mu        sync.Mutex
	worker    js.Value  // the current Worker
	handlers  []js.Func // the current worker's event handlers
	gen       int       // counts the workers started; answers from older ones are ignored
	ready     bool      // the current worker said protocol.KindReady
	busySince time.Time // when the current worker last started, said something, or got work while idle
	nextID    uint64
	queue     []*call // not sent yet, in order
	inflight  []*call // sent to the current worker, in order
	setup     []*call // the last successful request of each kind in replay
	deaths    int     // workers died in a row without answering anything
	gaveUp    string  // why the client stopped starting workers, if it did
}

// call is a request, its file (a Blob, or undefined) and what to do
// with its progress notices and its answer.
type call struct {
	req    protocol.Request
	body   js.Value
	notice func(protocol.Response, js.Value) // nil: notices are dropped
	done   func(protocol.Response, js.Value)
}

// newWorkerClient starts a worker from script, called name in news,
// that holds up to maxInFlight requests at a time and is set up again,
// after a restart, by the requests of the kinds in replay.
func newWorkerClient(script, name string, maxInFlight int, replay []protocol.Kind, onNotice func(string)) *workerClient {
	c := &workerClient{script: script, name: name, maxInFlight: maxInFlight, replay: replay, onNotice: onNotice}
	c.mu.Lock()
	c.start()
	c.mu.Unlock()
	go c.watch()
	return c
}

// Send queues a request about body, a Blob or undefined, and calls done
// with the answer and its body (undefined when it has none), in a
// goroutine of its own. It assigns req.ID and returns it.
func (c *workerClient) Send(req protocol.Request, body js.Value, done func(protocol.Response, js.Value)) uint64 {
	return c.SendWatched(req, body, nil, done)
}

// SendWatched is Send calling progress, in a goroutine of its own, with
// each progress notice about the request.
func (c *workerClient) SendWatched(req protocol.Request, body js.Value, progress func(protocol.Progress), done func(protocol.Response, js.Value)) uint64 {
	return c.SendNotified(req, body, func(n protocol.Response, _ js.Value) {
		if n.Progress != nil {
			progress(*n.Progress)
		}
	}, done)
}

// SendNotified is Send calling notice, in a goroutine of its own, with
// each notice about the request and its body.
func (c *workerClient) SendNotified(req protocol.Request, body js.Value, notice func(protocol.Response, js.Value), done func(protocol.Response, js.Value)) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	req.ID = c.nextID
	cl := &call{req: req, body: body, notice: notice, done: done}
	if c.gaveUp != "" {
		cl.fail(c.gaveUp)
		return req.ID
	}
	c.queue = append(c.queue, cl)
	c.pump()
	return req.ID
}

// Cancel asks for request id to stop: a request still waiting here
// fails at once, one the worker holds as soon as the worker sees the
// cancel; either way its answer's Error is protocol.ErrCancelled's text.
func (c *workerClient) Cancel(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, cl := range c.queue {
		if cl.req.ID == id {
			c.queue = slices.Delete(c.queue, i, i+1)
			cl.fail(protocol.ErrCancelled.Error())
			return
		}
	}
	if slices.ContainsFunc(c.inflight, func(cl *call) bool { return cl.req.ID == id }) {
		c.nextID++
		c.post(protocol.Request{ID: c.nextID, Kind: protocol.KindCancel, Target: id}, js.Undefined())
	}
}

// Control asks the training run id to pause, resume or stop
// (protocol.Action*), if the worker holds it.
func (c *workerClient) Control(id uint64, action string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.ContainsFunc(c.inflight, func(cl *call) bool { return cl.req.ID == id }) {
		c.nextID++
		c.post(protocol.Request{ID: c.nextID, Kind: protocol.KindControl, Target: id, Action: action}, js.Undefined())
	}
}

// start starts a new worker. c.mu is held.
func (c *workerClient) start() {
	c.gen++
	gen := c.gen
	c.ready = false
	c.busySince = time.Now()
	c.worker = js.Global().Get("Worker").New(c.script)
	onMessage := js.FuncOf(func(_ js.Value, args []js.Value) any {
		head, body := js.Undefined(), js.Undefined()
		if data := args[0].Get("data"); data.Type() == js.TypeObject {
			head, body = data.Get("head"), data.Get("body")
		}
		c.receive(gen, head, body)
		return nil
	})
	onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ev := args[0]
		ev.Call("preventDefault") // reported on the page instead of the console
		msg := ev.Get("message")
		reason := c.name + " failed"
		if msg.Type() == js.TypeString && msg.String() != "" {
			reason += ": " + msg.String()
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if gen == c.gen {
			c.died(reason)
		}
		return nil
	})
	c.worker.Set("onmessage", onMessage)
	c.worker.Set("onmessageerror", onError)
	c.worker.Set("onerror", onError)
	c.handlers = []js.Func{onMessage, onError}
}

// stop ends the current worker. c.mu is held.
func (c *workerClient) stop() {
	c.worker.Call("terminate")
	for _, event := range []string{"onmessage", "onmessageerror", "onerror"} {
		c.worker.Set(event, js.Null())
	}
	for _, f := range c.handlers {
		f.Release()
	}
	c.handlers = nil
	c.ready = false
}

// receive handles a message from worker number gen.
func (c *workerClient) receive(gen int, head, body js.Value) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if head.Type() != js.TypeString {
		c.died(fmt.Sprintf("%s sent a message without a head (%s)", c.name, head.Type()))
		return
	}
	resp, err := protocol.DecodeResponse(head.String())
	if err != nil {
		c.died(c.name + " sent a bad message: " + err.Error())
		return
	}
	switch resp.Kind {
	case protocol.KindReady:
		c.ready = true
		c.busySince = time.Now()
		c.pump()
		return
	case protocol.KindExit:
		c.died(resp.Error)
		return
	}
	if len(c.inflight) == 0 || c.inflight[0].req.ID != resp.ID {
		c.died(fmt.Sprintf("%s answered request %d out of turn", c.name, resp.ID))
		return
	}
	cl := c.inflight[0]
	c.busySince = time.Now()
	if resp.Kind == protocol.KindProgress {
		if cl.notice != nil {
			go cl.notice(resp, body)
		}
		return
	}
	c.inflight = c.inflight[1:]
	c.deaths = 0
	if resp.Error == "" && slices.Contains(c.replay, cl.req.Kind) {
		c.setup = slices.DeleteFunc(c.setup, func(s *call) bool { return s.req.Kind == cl.req.Kind })
		c.setup = append(c.setup, cl)
	}
	go cl.done(resp, body)
	c.pump()
}

// pump sends queued requests while the worker has room. c.mu is held.
func (c *workerClient) pump() {
	for c.ready && len(c.inflight) < c.maxInFlight && len(c.queue) > 0 {
		cl := c.queue[0]
		c.queue = c.queue[1:]
		if len(c.inflight) == 0 {
			c.busySince = time.Now()
		}
		c.post(cl.req, cl.body)
		c.inflight = append(c.inflight, cl)
	}
}

// post sends req and its body to the worker. c.mu is held.
func (c *workerClient) post(req protocol.Request, body js.Value) {
	msg := js.Global().Get("Object").New()
	msg.Set("head", protocol.Encode(req))
	if !body.IsUndefined() {
		msg.Set("body", body)
	}
	c.worker.Call("postMessage", msg)
}

// died replaces a worker that died or hung, for the reason given.
// The request it was working on fails; the others go to the new worker,
// after the requests that set the old one up. c.mu is held.
func (c *workerClient) died(reason string) {
	c.stop()
	c.deaths++
	if len(c.inflight) > 0 {
		c.inflight[0].fail(reason + " (while working on this)")
		c.inflight = c.inflight[1:]
	}
	c.queue = append(c.inflight, c.queue...)
	c.inflight = nil
	if c.deaths > maxRestarts {
		c.gaveUp = fmt.Sprintf("%s keeps stopping (%s); reload the page to try again", c.name, reason)
		for _, cl := range c.queue {
			cl.fail(c.gaveUp)
		}
		c.queue = nil
		c.notify(capitalize(c.name) + " stopped: " + c.gaveUp + ".")
		return
	}
	var again []*call
	for _, s := range c.setup {
		redo := *s
		redo.notice = nil
		redo.done = func(resp protocol.Response, _ js.Value) {
			if resp.Error != "" {
				c.notify("The new worker could not be set up again: " + resp.Error)
			}
		}
		again = append(again, &redo)
	}
	c.queue = append(again, c.queue...)
	c.notify(capitalize(c.name) + " stopped (" + reason + "); a new one was started.")
	c.start()
}

// watch replaces the worker when it has work but has not said anything
// for workerTimeout.
func (c *workerClient) watch() {
	for range time.Tick(workerTimeout / 10) {
		c.mu.Lock()
		waiting := !c.ready || len(c.inflight) > 0
		if c.gaveUp == "" && waiting && time.Since(c.busySince) > workerTimeout {
			c.died(fmt.Sprintf("no answer for %v", workerTimeout))
		}
		c.mu.Unlock()
	}
}

// notify tells the page news about the worker.
func (c *workerClient) notify(news string) {
	go c.onNotice(news)
}

// fail answers the call with an error, in a goroutine.
func (cl *call) fail(reason string) {
	go cl.done(protocol.Response{ID: cl.req.ID, Kind: cl.req.Kind, Error: reason}, js.Undefined())
}

// capitalize returns s with its first letter upper-cased.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
