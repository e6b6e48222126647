package main

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Serving a role: a worker takes its messages one at a time, in the
// order they came, and answers each with the handler its role has for
// the message's kind; every failure, a panic included, becomes an error
// answer, and the worker goes on. Cancel and Control are seen as they
// arrive (see server.arrived), by the request at work. A kind served in
// batches (see handleBatch) takes the requests of its kind queued one
// after the other together, up to maxBatch, and answers each.

// handlers are a role's: a handler for each kind it serves.
type handlers map[protocol.Kind]handler

// handler answers requests of a kind.
type handler struct {
	// one answers a request: it returns the answer's head and body.
	one func(r *request) (head string, body []byte)
	// many, for a kind served in batches, answers every request of rs,
	// each through its reply; nil for the others.
	many func(rs []*request)
}

// maxBatch is the most requests a kind served in batches takes at once.
const maxBatch = 512

// handle sets the handler of c's kind to f, which gets the request's
// payload, checked.
func handle[Q, A, N any](hs handlers, c protocol.Call[Q, A, N], f func(r *request, q Q) (A, []byte, error)) {
	hs[c.Kind()] = handler{one: func(r *request) (string, []byte) {
		q, err := c.ReadRequest(r.head)
		if err != nil {
			return protocol.Fail(r.head.ID, r.head.Kind, errorOf(err, "")), nil
		}
		a, body, err := f(r, q)
		if err != nil {
			return protocol.Fail(r.head.ID, r.head.Kind, errorOf(err, r.file)), nil
		}
		return c.Answer(r.head.ID, a), body
	}}
}

// handleBatch sets the handler of c's kind to f, which answers the
// requests rs, their payloads qs checked, together: it calls answer once
// for each, by its index, in any order, as soon as it has the answer;
// the answers go out in the order of the requests. A request alone is a
// batch of one.
func handleBatch[Q, A, N any](hs handlers, c protocol.Call[Q, A, N], f func(rs []*request, qs []Q, answer func(i int, a A, body []byte, err error))) {
	many := func(rs []*request) {
		// The answers go out in the order of the requests, as the asker
		// expects them: each waits for those before it.
		ready := make([]func(), len(rs))
		next := 0
		flush := func() {
			for ; next < len(rs) && ready[next] != nil; next++ {
				ready[next]()
			}
		}
		defer func() { // a request never answered, by a panic or otherwise
			why := "no answer"
			if p := recover(); p != nil {
				why = fmt.Sprint(p)
			}
			for ; next < len(rs); next++ {
				if ready[next] == nil {
					r := rs[next]
					r.reply(protocol.Fail(r.head.ID, r.head.Kind, protocol.Errorf(protocol.Internal, "internal error in the worker: %s", why)), nil)
					continue
				}
				ready[next]()
			}
		}()
		var ok []int // the requests that read, by index in rs
		var qs []Q
		for i, r := range rs {
			q, err := c.ReadRequest(r.head)
			if err != nil {
				head := protocol.Fail(r.head.ID, r.head.Kind, errorOf(err, ""))
				ready[i] = func() { r.reply(head, nil) }
				continue
			}
			ok, qs = append(ok, i), append(qs, q)
		}
		flush()
		if len(ok) == 0 {
			return
		}
		okRs := make([]*request, len(ok))
		for k, i := range ok {
			okRs[k] = rs[i]
		}
		f(okRs, qs, func(k int, a A, body []byte, err error) {
			i, r := ok[k], okRs[k]
			if ready[i] != nil {
				return
			}
			if err != nil {
				head := protocol.Fail(r.head.ID, r.head.Kind, errorOf(err, r.file))
				ready[i] = func() { r.reply(head, nil) }
			} else {
				head := c.Answer(r.head.ID, a)
				ready[i] = func() { r.reply(head, body) }
			}
			flush()
		})
	}
	hs[c.Kind()] = handler{many: many, one: func(r *request) (head string, body []byte) {
		r.sink = func(h string, b []byte) { head, body = h, b }
		many([]*request{r})
		if head == "" {
			return protocol.Fail(r.head.ID, r.head.Kind, protocol.Errorf(protocol.Internal, "internal error in the worker: no answer")), nil
		}
		return head, body
	}}
}

// batched reports whether the requests of kind are served in batches.
func (s *server) batched(kind protocol.Kind) bool { return s.handlers[kind].many != nil }

// batching reports whether the role serves any kind in batches: only
// then need a message's kind be read before it is served.
func (s *server) batching() bool {
	for _, h := range s.handlers {
		if h.many != nil {
			return true
		}
	}
	return false
}

// server serves a role's requests.
type server struct {
	handlers handlers
	// post sends a message to the asker: the page, or the worker that
	// started this one.
	post func(head string, body []byte)
	// yield lets the worker's messages in: in the browser, a long request
	// calls it between pieces of work so that a Cancel reaches it; nil
	// where messages come in anyway.
	yield    func()
	stops    cancels     // the requests asked to stop
	controls runControls // the runs asked to pause, resume or stop
}

// arrived takes the head of a message as it arrives, in the browser's
// callback, never blocking: it returns false for a Cancel or Control,
// which it handles at once, true for a message to queue.
func (s *server) arrived(text string) bool {
	h, err := protocol.ReadHead(text)
	if err != nil || !protocol.Immediate(h.Kind) {
		return true
	}
	switch h.Kind {
	case protocol.Cancel.Kind():
		q, _ := protocol.Cancel.ReadRequest(h)
		s.stops.add(q.Target)
	case protocol.Control.Kind():
		q, _ := protocol.Control.ReadRequest(h)
		s.controls.set(q.Target, q.Action)
	}
	return false
}

// serve answers the message of head text and body, and posts the answer.
func (s *server) serve(text string, body file) {
	head, out := s.answer(text, body)
	s.post(head, out)
}

// incoming is a message as it arrived: its head's text and its body,
// nil without one.
type incoming struct {
	text string
	body file
}

// serveBatch answers the messages ms, requests of one kind served in
// batches, together, and posts each answer, in their order; a message
// refused (see answer) is answered in its turn, apart. A request left
// without an answer, by a panic or otherwise, gets an error.
func (s *server) serveBatch(ms []incoming) {
	var rs []*request
	for _, m := range ms {
		h, err := protocol.ReadHead(m.text)
		if err == nil && s.batched(h.Kind) && h.Part == protocol.PartRequest && m.body != nil {
			rs = append(rs, &request{head: h, body: m.body, server: s})
			continue
		}
		s.serveTogether(rs)
		rs = nil
		s.serve(m.text, m.body)
	}
	s.serveTogether(rs)
}

// serveTogether answers rs, requests of one kind served in batches.
func (s *server) serveTogether(rs []*request) {
	if len(rs) == 0 {
		return
	}
	s.handlers[rs[0].head.Kind].many(rs)
}

// answer returns the answer to the message of head text and body.
func (s *server) answer(text string, body file) (head string, out []byte) {
	h, err := protocol.ReadHead(text)
	if err != nil {
		return protocol.Fail(h.ID, h.Kind, errorOf(err, "")), nil
	}
	r := &request{head: h, body: body, server: s}
	defer func() {
		if p := recover(); p != nil {
			head, out = protocol.Fail(h.ID, h.Kind, protocol.Errorf(protocol.Internal, "internal error in the worker: %v", p)), nil
		}
	}()
	f := s.handlers[h.Kind].one
	wants, _, _ := protocol.Bodies(h.Kind)
	switch {
	case h.Part != protocol.PartRequest:
		return protocol.Fail(h.ID, h.Kind, protocol.Errorf(protocol.BadMessage, "a %s %s where a request was expected", h.Kind, h.Part)), nil
	case f == nil:
		return protocol.Fail(h.ID, h.Kind, protocol.Errorf(protocol.BadMessage, "this worker does not take %s requests", h.Kind)), nil
	case body == nil && wants.Required():
		return protocol.Fail(h.ID, h.Kind, protocol.Errorf(protocol.BadMessage, "no file came with the %s request", h.Kind)), nil
	}
	return f(r)
}

// request is a request at work.
type request struct {
	head   protocol.Head
	body   file // nil without one
	server *server
	// file names the file the request is about, as the person knows it,
	// for its errors; a handler sets it.
	file string
	// answered says a request of a batch was answered; sink, for one
	// served alone, takes its answer instead of the asker.
	answered bool
	sink     func(head string, body []byte)
}

// reply answers a request of a batch, once: a second answer is dropped.
func (r *request) reply(head string, body []byte) {
	if r.answered {
		return
	}
	r.answered = true
	if r.sink != nil {
		r.sink(head, body)
		return
	}
	r.server.post(head, body)
}

// ID returns the request's ID.
func (r *request) ID() uint64 { return r.head.ID }

// tell sends a notice about the request, a head and a body; a notice
// whose head is "" (one JSON could not hold) is dropped.
func (r *request) tell(head string, body []byte) {
	if head != "" {
		r.server.post(head, body)
	}
}

// cancelled reports whether the request was asked to stop.
func (r *request) cancelled() bool { return r.server.stops.has(r.head.ID) }

// yield lets the worker's messages in, where it must.
func (r *request) yield() {
	if r.server.yield != nil {
		r.server.yield()
	}
}

// asked returns the last action asked of the request, a run, or "".
func (r *request) asked() protocol.Action { return r.server.controls.get(r.head.ID) }

// waitAsked waits until an action is asked of a run, or d has passed.
func (r *request) waitAsked(d time.Duration) { r.server.controls.wait(d) }

// fileOr returns the request's body, or the file at url without one.
func (r *request) fileOr(url string) (file, error) {
	if r.body != nil {
		return r.body, nil
	}
	if url == "" {
		return nil, protocol.Errorf(protocol.BadMessage, "no file came with the %s request", r.head.Kind)
	}
	return fetchFile(url)
}

// model reads the model file of the request, named name: its body, or
// the file at url without one. It returns the model and its file.
func (r *request) model(name, url string) (*nn.Model, []byte, error) {
	f, err := r.fileOr(url)
	if err != nil {
		return nil, nil, err
	}
	b, err := f.Bytes()
	if err != nil {
		return nil, nil, err
	}
	m, err := nn.ReadModel(bytes.NewReader(b), int64(len(b)), name)
	return m, b, err
}

// errorOf turns err into the Error of an answer; file names the file
// the request is about, if it is about one. An Error from a worker this
// one started (a helper that died, a photo that is no image) keeps its
// code, but for a lost worker, which is this request's failure; wrapped,
// it takes the words around it.
func errorOf(err error, file string) *protocol.Error {
	var pe *protocol.Error
	var fe *data.FileError
	switch {
	case errors.As(err, &pe):
		e := *pe
		if err != error(pe) {
			e.File, e.Message = "", nn.Message(err)
		}
		if e.Code == protocol.WorkerLost {
			e.Code = protocol.Failed
		}
		if e.File == "" && e.Code != protocol.Cancelled {
			e.File = file
		}
		return &e
	case errors.Is(err, protocol.ErrMessage):
		return &protocol.Error{Code: protocol.BadMessage, Message: err.Error()}
	case errors.As(err, &fe):
		return &protocol.Error{Code: protocol.BadInput, File: fe.Name, Message: nn.Message(fe.Err)}
	}
	return &protocol.Error{Code: protocol.Failed, File: file, Message: nn.Message(err)}
}

// errCancelled is the error of a request stopped by a Cancel.
var errCancelled = protocol.Errorf(protocol.Cancelled, "cancelled")

// notLoaded returns the error of a request that needs what is not
// loaded.
func notLoaded(format string, args ...any) error {
	return protocol.Errorf(protocol.NotLoaded, format, args...)
}

// badInput returns err as the error of a request whose input cannot be
// used.
func badInput(err error) error {
	return &protocol.Error{Code: protocol.BadInput, Message: nn.Message(err)}
}
