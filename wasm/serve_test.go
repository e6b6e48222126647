package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// tested is a role served as in the browser: every request, notice and
// answer goes through its encoding.
type tested struct {
	s *server

	mu      sync.Mutex
	notices []heard // every notice, in order
	// onNotice, if not nil, sees each notice as it comes, from the
	// request's goroutine.
	onNotice func(h protocol.Head, body []byte)
}

// heard is a notice a role sent.
type heard struct {
	head protocol.Head
	body []byte
}

// serveRole returns the role of handlers hs, served.
func serveRole(hs handlers) *tested {
	tt := &tested{}
	tt.s = &server{handlers: hs, post: tt.heard}
	return tt
}

// heard takes a notice the role sent.
func (tt *tested) heard(text string, body []byte) {
	h, err := protocol.ReadHead(text)
	if err != nil {
		panic(fmt.Sprintf("a notice that does not read back: %v", err))
	}
	body = bytes.Clone(body)
	tt.mu.Lock()
	tt.notices = append(tt.notices, heard{h, body})
	tt.mu.Unlock()
	if tt.onNotice != nil {
		tt.onNotice(h, body)
	}
}

// ask has the role answer request id, q of call c with body (nil for
// none), and returns the answer, its body and its error, each read back
// from its encoding.
func ask[Q, A, N any](tt *tested, c protocol.Call[Q, A, N], id uint64, q Q, body []byte) (A, []byte, *protocol.Error) {
	var zero A
	var f file
	if body != nil {
		f = bytesFile(slices.Clone(body))
	}
	text, out := tt.s.answer(c.Request(id, q), f)
	h, err := protocol.ReadHead(text)
	switch {
	case err != nil:
		return zero, nil, protocol.Errorf(protocol.BadMessage, "the answer does not read back: %v", err)
	case h.ID != id || h.Kind != c.Kind() || h.Part != protocol.PartAnswer:
		return zero, nil, protocol.Errorf(protocol.BadMessage, "an answer to %s %d, not to %s %d", h.Kind, h.ID, c.Kind(), id)
	case h.Error != nil:
		return zero, nil, h.Error
	}
	a, err := c.ReadAnswer(h)
	if err != nil {
		return zero, nil, protocol.Errorf(protocol.BadMessage, "%v", err)
	}
	return a, bytes.Clone(out), nil
}

// noticesOf returns the notices of c the role sent, and their bodies.
func noticesOf[Q, A, N any](tt *tested, c protocol.Call[Q, A, N]) ([]N, [][]byte) {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	var ns []N
	var bodies [][]byte
	for _, h := range tt.notices {
		if h.head.Kind != c.Kind() {
			continue
		}
		n, err := c.ReadNotice(h.head)
		if err != nil {
			panic(err)
		}
		ns, bodies = append(ns, n), append(bodies, h.body)
	}
	return ns, bodies
}

// decodeInProcess is a runDecoder whose runs go, through the messages'
// encodings, to decoders in this process.
func decodeInProcess(q protocol.DecodeRequest, zip file, runs [][2]int, got func(int, piece) error, cancelled func() bool) error {
	b, err := zip.Bytes()
	if err != nil {
		return err
	}
	for i, r := range runs {
		rq := q
		rq.Lo, rq.Hi = r[0], r[1]
		dec := serveRole(decoder{}.handlers())
		var failure error
		dec.onNotice = func(h protocol.Head, body []byte) {
			n, err := protocol.Decode.ReadNotice(h)
			if err == nil {
				k := len(body) / (rq.Size * rq.Size * 3)
				err = got(i, piece{at: n.Progress.Done - k, pix: body, failed: n.Failed})
			}
			failure = cmp.Or(failure, err)
		}
		if _, _, perr := ask(dec, protocol.Decode, 1, rq, b); perr != nil {
			return perr
		}
		if failure != nil {
			return failure
		}
		if cancelled() {
			return errCancelled
		}
	}
	return nil
}

// TestServeRefuses checks what every role answers to messages it cannot
// take: each an error answer to the request, naming it.
func TestServeRefuses(t *testing.T) {
	tt := serveRole((&classifier{}).handlers())
	for _, tc := range []struct {
		head string
		body file
		code protocol.Code
		want string
	}{
		{`{"id":4,"kind":"shard","part":"request","payload":{"batch":2,"images":1,"size":32}}`, bytesFile{1}, protocol.BadMessage, "does not take shard requests"},
		{`{"id":5,"kind":"classify","part":"request","payload":{"name":"a.png","topK":3}}`, nil, protocol.BadMessage, "no file came"},
		{`{"id":6,"kind":"classify","part":"notice","payload":{}}`, nil, protocol.BadMessage, "where a request was expected"},
		{`{"id":7,"kind":"classify","part":"request","payload":{"name":"a.png"}}`, bytesFile{1}, protocol.BadMessage, "topK"},
	} {
		text, _ := tt.s.answer(tc.head, tc.body)
		h, err := protocol.ReadHead(text)
		if err != nil || h.Error == nil || h.Error.Code != tc.code || !strings.Contains(h.Error.Message, tc.want) || h.Part != protocol.PartAnswer {
			t.Errorf("%s: got %s (%v), want a %s error saying %q", tc.head, text, err, tc.code, tc.want)
		}
	}
	// A kind no one knows gets an answer no one can read, which the asker
	// takes for a broken worker.
	if text, _ := tt.s.answer(`{"id":3,"kind":"fly","part":"request"}`, nil); !strings.Contains(text, `"id":3,"kind":"fly","part":"answer","error":{"code":"bad-message"`) || !strings.Contains(text, "unknown kind") {
		t.Errorf("a request of no kind: got %s", text)
	}
}

// TestArrived checks that Cancel and Control are taken as they arrive,
// and every other message is queued.
func TestArrived(t *testing.T) {
	var s server
	if s.arrived(protocol.Cancel.Request(9, protocol.CancelRequest{Target: 4})) || !s.stops.has(4) {
		t.Error("a cancel was queued, or did not mark its target")
	}
	if s.arrived(protocol.Control.Request(10, protocol.ControlRequest{Target: 5, Action: protocol.Pause})) || s.controls.get(5) != protocol.Pause {
		t.Error("a control was queued, or did not reach its run")
	}
	for _, text := range []string{protocol.Classify.Request(11, protocol.ClassifyRequest{Name: "a", TopK: 1}), `{"id":12,"kind":"cancel"}`, `nonsense`} {
		if !s.arrived(text) {
			t.Errorf("%s was not queued", text)
		}
	}
}

// TestErrorOf checks how a handler's error becomes an answer's: the
// file it is about apart, and an Error of a worker this one started
// kept, but wrapped or lost.
func TestErrorOf(t *testing.T) {
	lost := &protocol.Error{Code: protocol.WorkerLost, Message: "the helper worker did not answer for 5s"}
	photo := &protocol.Error{Code: protocol.BadInput, File: "big.jpg", Message: "not a JPEG"}
	for _, tc := range []struct {
		err  error
		file string
		want protocol.Error
	}{
		{photo, "big.jpg", *photo},
		{lost, "", protocol.Error{Code: protocol.Failed, Message: lost.Message}},
		{fmt.Errorf("starting 1 helper workers: helper 1: %w", lost), "scenes.zip",
			protocol.Error{Code: protocol.Failed, File: "scenes.zip", Message: "starting 1 helper workers: helper 1: the helper worker did not answer for 5s"}},
		{errCancelled, "scenes.zip", protocol.Error{Code: protocol.Cancelled, Message: "cancelled"}},
		{&data.FileError{Name: "a.png", Err: data.ErrFormat}, "x", protocol.Error{Code: protocol.BadInput, File: "a.png", Message: "not a JPEG, PNG, GIF or WebP image"}},
		{fmt.Errorf("%w: no such thing", protocol.ErrMessage), "", protocol.Error{Code: protocol.BadMessage, Message: "protocol: bad message: no such thing"}},
		{fmt.Errorf("nn: %w", errors.New("the loss is odd")), "m.pth", protocol.Error{Code: protocol.Failed, File: "m.pth", Message: "the loss is odd"}},
	} {
		if got := errorOf(tc.err, tc.file); *got != tc.want {
			t.Errorf("errorOf(%v, %q): got %+v, want %+v", tc.err, tc.file, *got, tc.want)
		}
	}
}
