package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Limits of the worker client.
const (
	// maxInFlight is how many requests the worker holds at a time; the
	// rest wait in the client, so a dead worker loses little.
	maxInFlight = 2
	// workerTimeout is how long a worker may go without answering while
	// it has work (or without saying it is ready) before it counts as
	// hung: generous, since decoding a very large photo takes seconds.
	workerTimeout = 60 * time.Second
	// maxRestarts is how many times in a row a worker may die without
	// answering anything before the client stops starting new ones.
	maxRestarts = 3
)

// workerClient sends requests to the page's Web Worker and hands each
// answer to the request's callback. When the worker dies or stops
// answering, it tells the page, fails the request the worker was on,
// and starts a new worker, re-sending the model that was loaded before
// the other requests.
type workerClient struct {
	script   string       // URL of the worker's bootstrap script
	onNotice func(string) // hears news about the worker; called in a goroutine of its own

	mu        sync.Mutex
	worker    js.Value  // the current Worker
	handlers  []js.Func // the current worker's event handlers
	gen       int       // counts the workers started; answers from older ones are ignored
	ready     bool      // the current worker said protocol.KindReady
	busySince time.Time // when the current worker last started, answered, or got work while idle
	nextID    uint64
	queue     []*call // not sent yet, in order
	inflight  []*call // sent to the current worker, in order
	model     *call   // the request that loaded the current model
	deaths    int     // workers died in a row without answering anything
	gaveUp    string  // why the client stopped starting workers, if it did
}

// call is a request, its file (a Blob, or undefined) and what to do
// with the answer.
type call struct {
	req  protocol.Request
	body js.Value
	done func(protocol.Response)
}

// newWorkerClient starts a worker from script.
func newWorkerClient(script string, onNotice func(string)) *workerClient {
	c := &workerClient{script: script, onNotice: onNotice}
	c.mu.Lock()
	c.start()
	c.mu.Unlock()
	go c.watch()
	return c
}

// Send queues a request about body, a Blob or undefined, and calls done
// with the answer, in a goroutine of its own. It assigns req.ID.
func (c *workerClient) Send(req protocol.Request, body js.Value, done func(protocol.Response)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	req.ID = c.nextID
	cl := &call{req: req, body: body, done: done}
	if c.gaveUp != "" {
		cl.fail(c.gaveUp)
		return
	}
	c.queue = append(c.queue, cl)
	c.pump()
}

// start starts a new worker. c.mu is held.
func (c *workerClient) start() {
	c.gen++
	gen := c.gen
	c.ready = false
	c.busySince = time.Now()
	c.worker = js.Global().Get("Worker").New(c.script)
	onMessage := js.FuncOf(func(_ js.Value, args []js.Value) any {
		head := js.Undefined()
		if data := args[0].Get("data"); data.Type() == js.TypeObject {
			head = data.Get("head")
		}
		c.receive(gen, head)
		return nil
	})
	onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ev := args[0]
		ev.Call("preventDefault") // reported on the page instead of the console
		msg := ev.Get("message")
		reason := "the worker failed"
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
func (c *workerClient) receive(gen int, head js.Value) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if head.Type() != js.TypeString {
		c.died(fmt.Sprintf("the worker sent a message without a head (%s)", head.Type()))
		return
	}
	resp, err := protocol.DecodeResponse(head.String())
	if err != nil {
		c.died("the worker sent a bad message: " + err.Error())
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
		c.died(fmt.Sprintf("the worker answered request %d out of turn", resp.ID))
		return
	}
	cl := c.inflight[0]
	c.inflight = c.inflight[1:]
	c.deaths = 0
	c.busySince = time.Now()
	if cl.req.Kind == protocol.KindLoadModel && resp.Error == "" {
		c.model = cl
	}
	go cl.done(resp)
	c.pump()
}

// pump sends queued requests while the worker has room. c.mu is held.
func (c *workerClient) pump() {
	for c.ready && len(c.inflight) < maxInFlight && len(c.queue) > 0 {
		cl := c.queue[0]
		c.queue = c.queue[1:]
		if len(c.inflight) == 0 {
			c.busySince = time.Now()
		}
		msg := js.Global().Get("Object").New()
		msg.Set("head", protocol.Encode(cl.req))
		if !cl.body.IsUndefined() {
			msg.Set("body", cl.body)
		}
		c.worker.Call("postMessage", msg)
		c.inflight = append(c.inflight, cl)
	}
}

// died replaces a worker that died or hung, for the reason given.
// The request it was working on fails; the others go to the new worker,
// after the current model. c.mu is held.
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
		c.gaveUp = fmt.Sprintf("the worker keeps stopping (%s); reload the page to try again", reason)
		for _, cl := range c.queue {
			cl.fail(c.gaveUp)
		}
		c.queue = nil
		c.notify("The worker stopped: " + c.gaveUp + ".")
		return
	}
	if c.model != nil {
		reload := *c.model
		reload.done = func(resp protocol.Response) {
			if resp.Error != "" {
				c.notify("The new worker could not load the model again: " + resp.Error)
			}
		}
		c.queue = append([]*call{&reload}, c.queue...)
	}
	c.notify("The worker stopped (" + reason + "); a new one was started.")
	c.start()
}

// watch replaces the worker when it has work but has not answered for
// workerTimeout.
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
	go cl.done(protocol.Response{ID: cl.req.ID, Kind: cl.req.Kind, Error: reason})
}
