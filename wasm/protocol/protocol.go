// Package protocol defines the messages between the page and its Web
// Workers, and between a worker and the workers it starts.
//
// A message is a JavaScript object {head, body}. head is a string, the
// JSON encoding of a Head; body, when the message has one, holds the
// bytes it is about: a Blob (a File the person picked) or a transferred
// ArrayBuffer, never copied element by element.
//
// The asker sends a request: a Head of a kind, an ID of its choosing
// (never 0) and the kind's request payload. The worker answers every
// request exactly once, in the order they came, with a Head of the same
// ID and kind that carries the kind's answer payload or an Error; before
// the answer it may send notices about the request (how far it got).
// Cancel and Control are handled as they arrive and get no answer. A
// worker sends two events of its own, with ID 0: Ready once it takes
// requests, and Exit (from its JavaScript bootstrap) if its program
// stops.
//
// Every kind is defined once, in kinds.go: its payload types, whether
// each part has a body, and how its request is checked. A new kind is a
// line there and a handler in the worker.
package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Kind names what a message is about.
type Kind string

// Part says what a message is.
type Part string

// The parts of a conversation.
const (
	PartRequest Part = "request" // the asker's request
	PartNotice  Part = "notice"  // news of a request at work, or a worker's event
	PartAnswer  Part = "answer"  // the end of a request: its answer or Error
)

// Head is a message's head.
type Head struct {
	// ID names the request: chosen by the asker, unique among the
	// requests sent to one worker, never 0; events have 0.
	ID   uint64 `json:"id"`
	Kind Kind   `json:"kind"`
	Part Part   `json:"part"`
	// Payload is the part's payload, as its kind defines it.
	Payload json.RawMessage `json:"payload,omitempty"`
	// Error, in an answer, says why the request failed; Payload is then
	// empty.
	Error *Error `json:"error,omitempty"`
}

// Body says whether a message has a body, and what it holds.
type Body int

// What a part's body may be.
const (
	NoBody     Body = iota // never a body
	Bytes                  // an ArrayBuffer, transferred
	File                   // a Blob or an ArrayBuffer
	FileOrURL              // a Blob or an ArrayBuffer, or none when the payload names a URL
	MaybeFile              // a Blob or an ArrayBuffer, or none (a request that does without)
	MaybeBytes             // an ArrayBuffer, or none
)

// Required reports whether a message of the part must have a body.
func (b Body) Required() bool { return b == Bytes || b == File }

// None is the payload of a part that carries nothing.
type None struct{}

// def is what the table says of a kind, whatever its payload types.
type def struct {
	kind                 Kind
	body, answer, notice Body
	immediate            bool // handled as it arrives, never queued, never answered
	event                bool // a worker's own notice, with ID 0: Ready, Exit
	checkRequest         func(json.RawMessage) error
}

// defs are the kinds defined, by name.
var defs = map[Kind]*def{}

// Call is a kind of request: Q is its request's payload, A its answer's
// and N its notices'. The variables of kinds.go are the calls there are.
type Call[Q, A, N any] struct {
	def   *def
	check func(Q) error
}

// Event is a kind of message a worker sends on its own, with ID 0, and
// P its payload.
type Event[P any] struct {
	def *def
}

// call defines a kind of request: its name, its parts' bodies and the
// check of its request's payload. It panics on a kind defined twice.
func call[Q, A, N any](kind Kind, body, answer, notice Body, check func(Q) error) Call[Q, A, N] {
	d := define(kind, body, answer, notice)
	d.checkRequest = func(raw json.RawMessage) error {
		_, err := decodeChecked(raw, check)
		return err
	}
	return Call[Q, A, N]{def: d, check: check}
}

// immediate defines a kind of request that is handled as it arrives, and
// never answered.
func immediate[Q any](kind Kind, check func(Q) error) Call[Q, None, None] {
	c := call[Q, None, None](kind, NoBody, NoBody, NoBody, check)
	c.def.immediate = true
	return c
}

// event defines a kind of event.
func event[P any](kind Kind) Event[P] {
	d := define(kind, NoBody, NoBody, NoBody)
	d.event = true
	return Event[P]{def: d}
}

func define(kind Kind, body, answer, notice Body) *def {
	if defs[kind] != nil {
		panic("protocol: kind " + string(kind) + " defined twice")
	}
	d := &def{kind: kind, body: body, answer: answer, notice: notice}
	defs[kind] = d
	return d
}

// Kind returns the call's kind.
func (c Call[Q, A, N]) Kind() Kind { return c.def.kind }

// Request returns the head of request id asking q.
func (c Call[Q, A, N]) Request(id uint64, q Q) string {
	return encode(Head{ID: id, Kind: c.def.kind, Part: PartRequest}, q)
}

// Notice returns the head of a notice n about request id, or "" for a
// notice JSON cannot hold (a figure that is not a number), which the
// sender drops.
func (c Call[Q, A, N]) Notice(id uint64, n N) string {
	return encode(Head{ID: id, Kind: c.def.kind, Part: PartNotice}, n)
}

// Answer returns the head of the answer a to request id. An answer that
// JSON cannot hold (a probability that is not a number, from a model
// with NaN weights) becomes an error answer.
func (c Call[Q, A, N]) Answer(id uint64, a A) string {
	return encode(Head{ID: id, Kind: c.def.kind, Part: PartAnswer}, a)
}

// ReadRequest returns the payload of h, a request of the call's kind,
// checked.
func (c Call[Q, A, N]) ReadRequest(h Head) (Q, error) {
	return decodeChecked(h.Payload, c.check)
}

// ReadAnswer returns the payload of h, an answer of the call's kind
// without an error.
func (c Call[Q, A, N]) ReadAnswer(h Head) (A, error) {
	return decodeChecked[A](h.Payload, nil)
}

// ReadNotice returns the payload of h, a notice of the call's kind.
func (c Call[Q, A, N]) ReadNotice(h Head) (N, error) {
	return decodeChecked[N](h.Payload, nil)
}

// Kind returns the event's kind.
func (e Event[P]) Kind() Kind { return e.def.kind }

// Head returns the head of the event p.
func (e Event[P]) Head(p P) string {
	return encode(Head{Kind: e.def.kind, Part: PartNotice}, p)
}

// Read returns the payload of h, an event of e's kind.
func (e Event[P]) Read(h Head) (P, error) { return decodeChecked[P](h.Payload, nil) }

// Fail returns the head of the answer to request id of kind that says
// it failed, and why.
func Fail(id uint64, kind Kind, err *Error) string {
	b, jerr := json.Marshal(Head{ID: id, Kind: kind, Part: PartAnswer, Error: err})
	if jerr != nil {
		panic(fmt.Sprintf("protocol: encoding an error: %v", jerr)) // strings only
	}
	return string(b)
}

// encode returns the JSON of h with the payload p.
func encode(h Head, p any) string {
	payload, err := json.Marshal(p)
	switch {
	case err == nil:
	case h.Part == PartAnswer:
		return Fail(h.ID, h.Kind, Errorf(Internal, "the answer cannot be sent: %v", err))
	case h.Part == PartNotice:
		return ""
	default: // a request of numbers JSON cannot hold: a bug of its sender
		panic(fmt.Sprintf("protocol: encoding a %s request: %v", h.Kind, err))
	}
	h.Payload = payload
	b, err := json.Marshal(h)
	if err != nil {
		panic(fmt.Sprintf("protocol: encoding a head: %v", err)) // raw JSON, numbers and strings
	}
	return string(b)
}

// decodeChecked decodes raw into a Q and checks it with check, when not
// nil.
func decodeChecked[Q any](raw json.RawMessage, check func(Q) error) (Q, error) {
	var q Q
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	if err := json.Unmarshal(raw, &q); err != nil {
		return q, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	if check != nil {
		if err := check(q); err != nil {
			return q, fmt.Errorf("%w: %v", ErrMessage, err)
		}
	}
	return q, nil
}

// ErrMessage is wrapped by every error about a malformed message.
var ErrMessage = errors.New("protocol: bad message")

// ReadHead decodes and checks a message's head against its kind's
// definition: a request's payload, checked, an answer's or notice's
// parts. On error the returned Head still holds the ID and kind, when
// they could be read, so the answer can name them.
func ReadHead(text string) (Head, error) {
	var h Head
	if err := json.Unmarshal([]byte(text), &h); err != nil {
		var id struct {
			ID   uint64 `json:"id"`
			Kind Kind   `json:"kind"`
		}
		_ = json.Unmarshal([]byte(text), &id) // best effort
		return Head{ID: id.ID, Kind: id.Kind, Part: PartRequest}, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	d := defs[h.Kind]
	switch {
	case d == nil:
		return h, fmt.Errorf("%w: unknown kind %q", ErrMessage, h.Kind)
	case d.event != (h.ID == 0):
		return h, fmt.Errorf("%w: a %s message with ID %d", ErrMessage, h.Kind, h.ID)
	case d.event && h.Part != PartNotice:
		return h, fmt.Errorf("%w: a %s event as a %q", ErrMessage, h.Kind, h.Part)
	}
	switch h.Part {
	case PartRequest:
		if h.Error != nil {
			return h, fmt.Errorf("%w: a %s request with an error", ErrMessage, h.Kind)
		}
		if err := d.checkRequest(h.Payload); err != nil {
			return h, fmt.Errorf("%s request: %w", h.Kind, err)
		}
	case PartAnswer:
		if h.Error != nil && len(h.Payload) > 0 {
			return h, fmt.Errorf("%w: a %s answer with both a payload and an error", ErrMessage, h.Kind)
		}
		if d.immediate {
			return h, fmt.Errorf("%w: an answer to %s, which has none", ErrMessage, h.Kind)
		}
	case PartNotice:
	default:
		return h, fmt.Errorf("%w: a %s message of part %q", ErrMessage, h.Kind, h.Part)
	}
	return h, nil
}

// Immediate reports whether requests of kind are handled as they arrive,
// never queued nor answered (Cancel, Control).
func Immediate(kind Kind) bool { d := defs[kind]; return d != nil && d.immediate }

// Bodies says what the messages of kind carry in their bodies: its
// request, its answer and its notices.
func Bodies(kind Kind) (request, answer, notice Body) {
	if d := defs[kind]; d != nil {
		return d.body, d.answer, d.notice
	}
	return NoBody, NoBody, NoBody
}

// Kinds returns every kind defined, requests and events.
func Kinds() []Kind {
	out := make([]Kind, 0, len(defs))
	for k := range defs {
		out = append(out, k)
	}
	return out
}
