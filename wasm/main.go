//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"strings"
	"syscall/js"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/simd"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

func main() {
	w := worker{spawn: spawnWorkers, notify: post, wait: letMessagesIn}
	useSIMD(&w, js.Global().Get("nnSIMD"))
	if datasetWorker() {
		if db, err := store.Open(); err == nil {
			w.keeper = db
		} else {
			js.Global().Get("console").Call("warn", "worker: "+err.Error())
		}
	}
	inbox := newMailbox[message]()
	onMessage := js.FuncOf(func(_ js.Value, args []js.Value) any {
		// Get panics on values that are not objects; such a message gets
		// an undefined head, which answer turns into an error reply.
		m := message{head: js.Undefined(), body: js.Undefined()}
		if data := args[0].Get("data"); data.Type() == js.TypeObject {
			m = message{head: data.Get("head"), body: data.Get("body")}
		}
		// Cancels and controls are seen at once: the request they are
		// about is at work.
		if h := m.head; h.Type() == js.TypeString && (strings.Contains(h.String(), `"kind":"cancel"`) || strings.Contains(h.String(), `"kind":"control"`)) {
			if req, err := protocol.DecodeRequest(h.String()); err == nil {
				switch req.Kind {
				case protocol.KindCancel:
					w.stops.add(req.Target)
					return nil
				case protocol.KindControl:
					w.runs.set(req.Target, req.Action)
					return nil
				}
			}
		}
		inbox.put(m)
		return nil
	})
	js.Global().Call("addEventListener", "message", onMessage)
	post(protocol.Response{Kind: protocol.KindReady, Kernel: w.kernelName()})
	for {
		post(answer(&w, inbox.take()))
	}
}

// useSIMD sets the SIMD kernel in nn and w, if worker.js instantiated one
// and left its exports in exports; else the Go kernels stay.
func useSIMD(w *worker, exports js.Value) {
	if exports.IsUndefined() {
		return
	}
	k, err := simd.New(exports)
	if err != nil {
		js.Global().Get("console").Call("warn", "worker: "+err.Error()+"; computing with Go's kernels")
		return
	}
	w.kernel, w.kernelFMA = k.Gemm, k.FMA()
	nn.SetGemmKernel(k.Gemm)
}

// message is a request as it arrived: its head and its body, if any.
type message struct {
	head, body js.Value
}

// answer decodes m, reads its body and serves it. Every failure,
// a panic included, becomes the answer's error.
func answer(w *worker, m message) (resp protocol.Response) {
	var req protocol.Request
	defer recoverInto(&resp, &req)
	if m.head.Type() != js.TypeString {
		return protocol.Response{Error: fmt.Sprintf("%v: message head is %s, not a string", protocol.ErrMessage, m.head.Type())}
	}
	req, err := protocol.DecodeRequest(m.head.String())
	if err != nil {
		return protocol.Response{ID: req.ID, Kind: req.Kind, Error: err.Error()}
	}
	if req.Kind == protocol.KindLoadDataset || req.Kind == protocol.KindDecode {
		blob, err := blobOf(req, m.body)
		if err != nil {
			return protocol.Response{ID: req.ID, Kind: req.Kind, Error: fmt.Sprintf("%s: %v", req.Name, err)}
		}
		r := newBlobReader(blob)
		return w.serveZip(req, zipSource{r: r, size: r.size, decode: blobDecoder(blob)})
	}
	if req.Kind == protocol.KindClassify && m.body.InstanceOf(js.Global().Get("Blob")) {
		return w.classifyBlob(req, m.body)
	}
	body, err := readBody(req, m.body)
	if err != nil {
		return protocol.Response{ID: req.ID, Kind: req.Kind, Error: fmt.Sprintf("%s: %v", req.Name, err)}
	}
	return w.serve(req, body)
}

// readBody returns the bytes of the request's file: body when it is a
// Blob or an ArrayBuffer, else what req.URL holds; nothing for
// KindReplica, which has no file.
func readBody(req protocol.Request, body js.Value) ([]byte, error) {
	switch {
	case req.Kind == protocol.KindReplica || req.Kind == protocol.KindCellImages || req.Kind == protocol.KindTrain && !req.Resume ||
		req.Kind == protocol.KindSaveModel || req.Kind == protocol.KindLoadKept:
		return nil, nil
	case body.InstanceOf(js.Global().Get("ArrayBuffer")):
		return bytesOf(body), nil
	case body.InstanceOf(js.Global().Get("Blob")):
		buf, err := await(body.Call("arrayBuffer"))
		if err != nil {
			return nil, fmt.Errorf("reading the file: %w", err)
		}
		return bytesOf(buf), nil
	case body.IsUndefined() && req.URL != "":
		return fetch(req.URL)
	case body.IsUndefined() && req.Kind == protocol.KindBenchTrain: // on the loaded data set
		return nil, nil
	default:
		return nil, fmt.Errorf("%w: no file came with the request", protocol.ErrMessage)
	}
}

// blobOf returns the request's file as a Blob: body when it is one,
// else what req.URL holds.
func blobOf(req protocol.Request, body js.Value) (js.Value, error) {
	switch {
	case body.InstanceOf(js.Global().Get("Blob")):
		return body, nil
	case body.IsUndefined() && req.URL != "":
		res, err := fetchResponse(req.URL)
		if err != nil {
			return js.Undefined(), err
		}
		blob, err := await(res.Call("blob"))
		if err != nil {
			return js.Undefined(), fmt.Errorf("reading %s: %w", req.URL, err)
		}
		return blob, nil
	default:
		return js.Undefined(), fmt.Errorf("%w: no file came with the request", protocol.ErrMessage)
	}
}

// fetch returns the bytes at url.
func fetch(url string) ([]byte, error) {
	res, err := fetchResponse(url)
	if err != nil {
		return nil, err
	}
	buf, err := await(res.Call("arrayBuffer"))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", url, err)
	}
	return bytesOf(buf), nil
}

// fetchResponse fetches url and returns the response, if it is a
// success.
func fetchResponse(url string) (js.Value, error) {
	res, err := await(js.Global().Call("fetch", url))
	if err != nil {
		return js.Undefined(), fmt.Errorf("fetching %s: %w", url, err)
	}
	if !res.Get("ok").Bool() {
		return js.Undefined(), fmt.Errorf("fetching %s: %d %s", url, res.Get("status").Int(), res.Get("statusText").String())
	}
	return res, nil
}

// letMessagesIn returns to the browser's event loop for a moment, so
// that messages that arrived meanwhile (a KindCancel) are seen.
func letMessagesIn() {
	time.Sleep(time.Millisecond)
}

// bytesOf copies an ArrayBuffer into Go memory in one call.
func bytesOf(buf js.Value) []byte {
	u8 := js.Global().Get("Uint8Array").New(buf)
	b := make([]byte, u8.Length())
	js.CopyBytesToGo(b, u8)
	return b
}

// await blocks the calling goroutine, which must not be a js.FuncOf
// callback, until the promise settles.
func await(promise js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	onValue := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{v: args[0]}
		return nil
	})
	defer onValue.Release()
	onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{err: errors.New(js.Global().Call("String", args[0]).String())}
		return nil
	})
	defer onError.Release()
	promise.Call("then", onValue, onError)
	r := <-done
	return r.v, r.err
}

// post sends a response to the page, or to the worker that started this
// one.
func post(r protocol.Response) {
	send(js.Global(), protocol.Encode(r), r.Body)
}
