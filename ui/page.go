package main

import (
	"time"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// page is how the page's state changes from outside a DOM event (a
// worker's answer, the storage's): with the EventEnv locked, then a
// render. Vugu runs DOM event handlers locked already.
type page struct {
	env       vugu.EventEnv
	renderDue bool // a render is on its way (see changeWithin)
}

// The most often the page renders for news that comes by the hundred: a
// render goes over every card and chart shown. Images classified render
// at most every imagesRender; a training run's notices every runRender,
// since the charts' render takes the main thread, which on a machine of
// as many cores as workers takes from the training.
const (
	imagesRender = 150 * time.Millisecond
	runRender    = time.Second
)

// change runs f with the page locked, then renders.
func (p *page) change(f func()) {
	p.env.Lock()
	defer p.env.UnlockRender()
	f()
}

// read runs f with the page locked, to read its state: no render
// follows.
func (p *page) read(f func()) {
	p.env.Lock()
	defer p.env.UnlockOnly()
	f()
}

// changeWithin runs f with the page locked, and has the page render
// within d, with whatever else changed meanwhile; 0 renders at once.
func (p *page) changeWithin(d time.Duration, f func()) {
	if d == 0 {
		p.change(f)
		return
	}
	p.env.Lock()
	f()
	due := !p.renderDue
	p.renderDue = true
	p.env.UnlockOnly()
	if due {
		go func() {
			time.Sleep(d)
			p.env.Lock()
			p.renderDue = false
			p.env.UnlockRender()
		}()
	}
}

// ask sends the request q of call c to the worker w, with body (a Blob,
// or undefined), and returns its ID. The handlers run with the page
// locked; it renders after each, within every (see changeWithin).
func ask[Q, A, N any](p *page, w *link.Worker, c protocol.Call[Q, A, N], q Q, body js.Value, every time.Duration, h link.Handlers[A, N]) uint64 {
	if w == nil { // the browser would not start it: the page's notice says so
		var zero A
		go p.change(func() {
			h.Done(zero, js.Undefined(), protocol.Errorf(protocol.WorkerLost, "no worker could be started"))
		})
		return 0
	}
	locked := link.Handlers[A, N]{Done: func(a A, b js.Value, err *protocol.Error) {
		p.changeWithin(every, func() { h.Done(a, b, err) })
	}}
	if h.Notice != nil {
		locked.Notice = func(n N, b js.Value) { p.changeWithin(every, func() { h.Notice(n, b) }) }
	}
	return link.Ask(w, c, q, body, locked)
}
