//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Huge photos are classified in a worker of their own, started for the
// one image and ended with it: decoding a 48-megapixel JPEG takes
// hundreds of MB (a progressive one holds 360 MB of coefficients), which
// the page's worker would otherwise keep for good, since WebAssembly
// memory never shrinks.
const (
	// aloneFrom is the decoding cost (data.DecodeCost) from which a photo
	// is classified in a worker of its own: a 16-megapixel JPEG.
	aloneFrom = 48 << 20
	// headerBytes is how much of a file is read to find its decoding
	// cost: JPEGs put their frame header after their metadata, which
	// holds an EXIF thumbnail of some tens of KB.
	headerBytes = 256 << 10
	// aloneTimeout is how long the worker of a huge photo may take.
	aloneTimeout = 3 * time.Minute
)

// classifyBlob answers req, a KindClassify request about the image file
// blob: in a worker of its own when it is huge (see aloneFrom), else
// here.
func (w *worker) classifyBlob(req protocol.Request, blob js.Value) protocol.Response {
	r := newBlobReader(blob)
	head := make([]byte, min(r.size, headerBytes))
	if _, err := r.ReadAt(head, 0); err == nil && !req.Here && data.DecodeCost(head) >= aloneFrom && w.modelBytes != nil {
		resp, err := w.classifyAlone(req, blob)
		if err != nil {
			return protocol.Response{ID: req.ID, Kind: req.Kind, Error: req.Name + ": " + err.Error()}
		}
		return resp
	}
	b := make([]byte, r.size)
	if _, err := r.ReadAt(b, 0); err != nil && r.size > 0 {
		return protocol.Response{ID: req.ID, Kind: req.Kind, Error: fmt.Sprintf("%s: reading the file: %v", req.Name, err)}
	}
	return w.serve(req, b)
}

// classifyAlone has a new worker load this worker's model and answer
// req about blob, and ends it.
func (w *worker) classifyAlone(req protocol.Request, blob js.Value) (protocol.Response, error) {
	if js.Global().Get("Worker").Type() != js.TypeFunction {
		return protocol.Response{}, errors.New("this browser cannot start a worker for a photo this large")
	}
	inbox := newMailbox[message]()
	onMessage := js.FuncOf(func(_ js.Value, args []js.Value) any {
		m := message{head: js.Undefined(), body: js.Undefined()}
		if d := args[0].Get("data"); d.Type() == js.TypeObject {
			m = message{head: d.Get("head"), body: d.Get("body")}
		}
		inbox.put(m)
		return nil
	})
	defer onMessage.Release()
	onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		exit := protocol.Response{Kind: protocol.KindExit, Error: "the worker for this photo failed: " + args[0].Get("message").String()}
		inbox.put(message{head: js.ValueOf(protocol.Encode(exit)), body: js.Undefined()})
		return nil
	})
	defer onError.Release()
	child := js.Global().Get("Worker").New(workerURL("photo"))
	defer child.Call("terminate")
	child.Set("onmessage", onMessage)
	child.Set("onerror", onError)

	next := func() (protocol.Response, js.Value, error) {
		m, ok := inbox.takeWithin(aloneTimeout)
		if !ok {
			return protocol.Response{}, js.Undefined(), fmt.Errorf("the worker for this photo did not answer in %v", aloneTimeout)
		}
		resp, err := decodeHead(m)
		return resp, m.body, err
	}
	if _, _, err := next(); err != nil { // its ready notice
		return protocol.Response{}, err
	}
	model := js.Global().Get("Uint8Array").New(len(w.modelBytes))
	js.CopyBytesToJS(model, w.modelBytes)
	send := func(r protocol.Request, body js.Value) {
		msg := js.Global().Get("Object").New()
		msg.Set("head", protocol.Encode(r))
		msg.Set("body", body)
		child.Call("postMessage", msg)
	}
	send(protocol.Request{ID: 1, Kind: protocol.KindLoadModel, Name: "the page's model"}, model.Get("buffer"))
	if _, _, err := next(); err != nil {
		return protocol.Response{}, err
	}
	alone := req
	alone.ID, alone.Here = 2, true // or it would start a worker of its own, and so on
	send(alone, blob)
	resp, body, err := next()
	if err != nil {
		return protocol.Response{}, errors.New(trimName(err.Error(), req.Name))
	}
	resp.ID = req.ID
	if body.InstanceOf(js.Global().Get("ArrayBuffer")) {
		resp.Body = bytesOf(body)
	}
	return resp, nil
}

// trimName removes the "name: " a message starts with.
func trimName(msg, name string) string {
	if len(msg) > len(name)+2 && msg[:len(name)+2] == name+": " {
		return msg[len(name)+2:]
	}
	return msg
}
