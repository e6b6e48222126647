package link

import (
	"fmt"
	"slices"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// A worker's life: started, listened to, watched for silence, ended;
// when it dies, the requests it held fail or go on, on a new worker that
// is set up again, until one has died too often in a row.

// SetSilence changes how long the worker may be silent while it holds
// work (see Options.Silence), for a worker whose work takes longer or
// shorter as it goes.
func (w *Worker) SetSilence(d time.Duration) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.setSilence(d)
}

// setSilence is SetSilence with w.mu held.
func (w *Worker) setSilence(d time.Duration) {
	w.opt.Silence = d
	if d > 0 && !w.watching && w.gone == "" {
		w.watching = true
		go w.watch()
	}
}

// Close ends the worker for good. The requests it held or that wait
// fail with protocol.WorkerLost.
func (w *Worker) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gone != "" {
		return
	}
	w.stop()
	w.giveUp(w.opt.Name + " was closed")
}

// start starts a new worker. w.mu is held.
func (w *Worker) start() (err error) {
	defer func() {
		if p := recover(); p != nil { // the browser refused the script
			err = fmt.Errorf("starting %s: %v", w.opt.Name, p)
		}
	}()
	w.gen++
	gen := w.gen
	w.ready, w.heard = false, time.Now()
	w.js = js.Global().Get("Worker").New(w.url)
	onMessage := js.FuncOf(func(_ js.Value, args []js.Value) any {
		head, body := js.Undefined(), js.Undefined()
		if data := args[0].Get("data"); data.Type() == js.TypeObject {
			head, body = data.Get("head"), data.Get("body")
		}
		w.receive(gen, head, body)
		return nil
	})
	onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ev := args[0]
		ev.Call("preventDefault") // reported by the asker instead of the console
		reason := w.opt.Name + " failed"
		if msg := ev.Get("message"); msg.Type() == js.TypeString && msg.String() != "" {
			reason += ": " + msg.String()
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if gen == w.gen && w.gone == "" {
			w.died(reason)
		}
		return nil
	})
	w.js.Set("onmessage", onMessage)
	w.js.Set("onmessageerror", onError)
	w.js.Set("onerror", onError)
	w.funcs = []js.Func{onMessage, onError}
	return nil
}

// stop ends the current worker. w.mu is held.
func (w *Worker) stop() {
	w.js.Call("terminate")
	for _, event := range []string{"onmessage", "onmessageerror", "onerror"} {
		w.js.Set(event, js.Null())
	}
	for _, f := range w.funcs {
		f.Release()
	}
	w.funcs, w.ready = nil, false
}

// died replaces a worker that died or hung, for the reason given: the
// request it was on fails, the others go to the new worker, after the
// requests that set the old one up. Without restarts, or after too many,
// every request fails. w.mu is held.
func (w *Worker) died(reason string) {
	w.stop()
	w.deaths++
	if len(w.inflight) > 0 {
		lost := reason
		if w.opt.Restarts > 0 { // the others go on, on a new worker
			lost += " (while working on this)"
		}
		w.fail(w.inflight[0], protocol.WorkerLost, lost)
		w.inflight = w.inflight[1:]
	}
	// A request whose body went to the dead worker cannot be sent again.
	w.inflight = slices.DeleteFunc(w.inflight, func(p *pending) bool {
		if p.transferred {
			w.fail(p, protocol.WorkerLost, reason)
		}
		return p.transferred
	})
	w.queue = append(w.inflight, w.queue...)
	w.inflight = nil
	switch {
	case w.opt.Restarts == 0:
		w.giveUp(reason)
		return
	case w.deaths > w.opt.Restarts:
		w.giveUp(fmt.Sprintf("%s keeps stopping (%s); reload the page to try again", w.opt.Name, reason))
		w.news(data.Capitalize(w.opt.Name) + " stopped: " + w.gone + ".")
		return
	}
	var again []*pending
	for _, s := range w.setup {
		redo := *s
		w.lastID++
		redo.id, redo.notice = w.lastID, nil
		redo.done = func(h protocol.Head, _ js.Value) {
			if h.Error != nil {
				w.news("The new worker could not be set up again: " + h.Error.Error())
			}
		}
		again = append(again, &redo)
	}
	w.queue = append(again, w.queue...)
	w.news(data.Capitalize(w.opt.Name) + " stopped (" + reason + "); a new one was started.")
	if err := w.start(); err != nil {
		w.giveUp(err.Error())
	}
}

// giveUp fails every request, and those asked from now on, for reason.
// w.mu is held.
func (w *Worker) giveUp(reason string) {
	w.gone = reason
	for _, p := range append(w.inflight, w.queue...) {
		w.fail(p, protocol.WorkerLost, reason)
	}
	w.inflight, w.queue = nil, nil
	close(w.stopWatch)
}

// watch counts a worker as dead when it holds work, or has not said it
// is ready, and has said nothing for too long.
func (w *Worker) watch() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-w.stopWatch:
			return
		case <-tick.C:
		}
		w.mu.Lock()
		waiting := !w.ready || len(w.inflight) > 0
		if d := w.opt.Silence; w.gone == "" && d > 0 && waiting && time.Since(w.heard) > d {
			w.died(w.silent(d))
		}
		w.mu.Unlock()
	}
}

// silent says that the worker was silent for d, in a person's words.
func (w *Worker) silent(d time.Duration) string {
	d = d.Round(time.Second)
	if w.opt.Silent != "" {
		return fmt.Sprintf(w.opt.Silent, d)
	}
	return fmt.Sprintf("%s did not answer for %v", w.opt.Name, d)
}

// news tells Options.News, if any.
func (w *Worker) news(s string) {
	if w.opt.News != nil {
		go w.opt.News(s)
	}
}
