//go:build js && wasm

package main

import (
	sjs "syscall/js"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/mailbox"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/simd"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

func main() {
	k := simdKernels(sjs.Global().Get("nnSIMD"))
	s := &server{handlers: handlersOf(roleOf(), k), post: post, yield: letMessagesIn}
	inbox := mailbox.New[message]()
	onMessage := js.FuncOf(func(_ js.Value, args []js.Value) any {
		// Get panics on values that are not objects; such a message gets
		// an undefined head, which serve refuses.
		m := message{head: js.Undefined(), body: js.Undefined()}
		if data := args[0].Get("data"); data.Type() == js.TypeObject {
			m = message{head: data.Get("head"), body: data.Get("body")}
		}
		if m.head.Type() != js.TypeString || s.arrived(m.head.String()) {
			inbox.Put(m)
		}
		return nil
	})
	js.Global().Call("addEventListener", "message", onMessage)
	post(protocol.Ready.Head(protocol.ReadyEvent{Kernel: k.name()}), nil)
	for {
		m := inbox.Take()
		if m.head.Type() != js.TypeString {
			post(protocol.Fail(0, "", protocol.Errorf(protocol.BadMessage, "a message whose head is %s, not a string", m.head.Type())), nil)
			continue
		}
		kind := protocol.Kind("")
		if s.batching() {
			kind = kindOf(m)
		}
		if !s.batched(kind) {
			s.serve(m.head.String(), bodyOf(m.body))
			continue
		}
		// The requests of the kind that came meanwhile, one after the
		// other, go with this one: the browser hands them over while the
		// program waits, a few each time, so it waits until no more come.
		for n := -1; n != inbox.Len() && inbox.Len() < maxBatch; {
			n = inbox.Len()
			letMessagesIn()
		}
		ms := append([]message{m}, inbox.TakeWhile(maxBatch-1, func(n message) bool { return kindOf(n) == kind })...)
		batch := make([]incoming, len(ms))
		for i, n := range ms {
			batch[i] = incoming{text: n.head.String(), body: bodyOf(n.body)}
		}
		s.serveBatch(batch)
	}
}

// kindOf returns the kind of the request m, or "" for a message whose
// head does not read.
func kindOf(m message) protocol.Kind {
	if m.head.Type() != js.TypeString {
		return ""
	}
	h, err := protocol.ReadHead(m.head.String())
	if err != nil {
		return ""
	}
	return h.Kind
}

// handlersOf returns the handlers of the role named; a role unknown
// serves nothing, and says so to every request.
func handlersOf(role string, k kernels) handlers {
	switch role {
	case roleClassifier:
		c := &classifier{kernels: k, alone: classifyAlone, peers: newPhotoPeers(cores()), spawn: spawnWorkers}
		return c.handlers()
	case rolePhoto:
		return (&classifier{kernels: k}).handlers()
	case roleDatasets:
		d := &datasets{kernels: k, decoders: decodeOnWorkers, spawn: spawnWorkers, predictors: spawnPredictors}
		if db, err := store.Open(); err == nil {
			d.keeper = db
		} else {
			js.Global().Get("console").Call("warn", "worker: "+err.Error())
		}
		return d.handlers()
	case roleHelper:
		return (&helper{kernels: k}).handlers()
	case roleDecoder:
		return decoder{}.handlers()
	}
	return handlers{}
}

// simdKernels returns the kernels of the worker: with the SIMD kernels
// when worker.js instantiated the module and left its exports in exports
// (and sets them in nn), else Go's alone.
func simdKernels(exports sjs.Value) kernels {
	if exports.IsUndefined() {
		return kernels{}
	}
	k, err := simd.New(exports)
	if err != nil {
		js.Global().Get("console").Call("warn", "worker: "+err.Error()+"; computing with Go's kernels")
		return kernels{}
	}
	ks := kernels{simd: k.Gemm, interleave: k.Interleave, gather: k.Gather, gemmRows: k.GemmRows, split: k.Split, winograd: k.Winograd(), channel: k.ChannelPasses(), relu: k.ReLUKernels(), idct: k.IDCT, fma: k.FMA()}
	ks.use("")
	return ks
}

// message is a message as it arrived: its head and its body, if any.
type message struct {
	head, body js.Value
}

// letMessagesIn returns to the browser's event loop for a moment, so
// that messages that arrived meanwhile (a Cancel) are seen.
func letMessagesIn() {
	time.Sleep(time.Millisecond)
}

// post sends a message to the page, or to the worker that started this
// one, its body transferred.
func post(head string, body []byte) {
	msg := js.Global().Get("Object").New()
	msg.Set("head", head)
	if body == nil {
		js.Global().Call("postMessage", msg)
		return
	}
	buf := link.Buffer(body)
	msg.Set("body", buf)
	js.Global().Call("postMessage", msg, link.Transfer(buf))
}
