//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// decoderTimeout is how long a decoding worker may stay silent: it
// reports every protocol.ProgressEvery images, a second or two apart.
const decoderTimeout = 2 * time.Minute

// decoderMessage is a message from decoding worker run.
type decoderMessage struct {
	run int
	message
}

// blobDecoder returns the runDecoder of blob: one new Web Worker a run,
// running this worker's own script, handed the Blob itself (a reference,
// not a copy). The workers end with the decoding: whatever memory a
// large image took goes with them.
func blobDecoder(blob js.Value) runDecoder {
	return func(req protocol.Request, runs [][2]int, got func(run int, p piece) error, cancelled func() bool) error {
		if js.Global().Get("Worker").Type() != js.TypeFunction {
			return errors.New("this browser cannot start workers from a worker")
		}
		url := workerURL("decoder")
		inbox := newMailbox[decoderMessage]()
		workers := make([]js.Value, len(runs))
		var funcs []js.Func
		defer func() {
			for _, wk := range workers {
				if wk.Truthy() {
					wk.Call("terminate")
				}
			}
			for _, f := range funcs {
				f.Release()
			}
		}()
		for k := range runs {
			onMessage := js.FuncOf(func(_ js.Value, args []js.Value) any {
				m := message{head: js.Undefined(), body: js.Undefined()}
				if data := args[0].Get("data"); data.Type() == js.TypeObject {
					m = message{head: data.Get("head"), body: data.Get("body")}
				}
				inbox.put(decoderMessage{k, m})
				return nil
			})
			onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
				exit := protocol.Response{Kind: protocol.KindExit, Error: "a decoding worker failed: " + args[0].Get("message").String()}
				inbox.put(decoderMessage{k, message{head: js.ValueOf(protocol.Encode(exit)), body: js.Undefined()}})
				return nil
			})
			funcs = append(funcs, onMessage, onError)
			workers[k] = js.Global().Get("Worker").New(url)
			workers[k].Set("onmessage", onMessage)
			workers[k].Set("onerror", onError)
		}
		var buf []byte // a piece's pixels, reused
		for left := len(runs); left > 0; {
			m, ok := inbox.takeWithin(decoderTimeout)
			if cancelled() {
				return protocol.ErrCancelled
			}
			if !ok {
				return fmt.Errorf("a decoding worker did not answer for %v", decoderTimeout)
			}
			resp, err := decodeHead(m.message)
			if err != nil {
				return err
			}
			switch resp.Kind {
			case protocol.KindReady:
				run := req
				run.ID, run.Lo, run.Hi = 1, runs[m.run][0], runs[m.run][1]
				msg := js.Global().Get("Object").New()
				msg.Set("head", protocol.Encode(run))
				msg.Set("body", blob)
				workers[m.run].Call("postMessage", msg)
			case protocol.KindProgress:
				if resp.Progress == nil || !m.body.InstanceOf(js.Global().Get("ArrayBuffer")) {
					return fmt.Errorf("%w: a decoding worker's notice without its images", protocol.ErrMessage)
				}
				buf = copyBytes(buf, m.body)
				k := len(buf) / (req.Size * req.Size * 3)
				if err := got(m.run, piece{at: resp.Progress.Done - k, pix: buf, failed: resp.Failed}); err != nil {
					return err
				}
			case protocol.KindDecode:
				workers[m.run].Call("terminate")
				workers[m.run] = js.Undefined()
				left--
			default:
				return fmt.Errorf("%w: a decoding worker sent a %q message", protocol.ErrMessage, resp.Kind)
			}
		}
		return nil
	}
}

// copyBytes copies the ArrayBuffer buf into b, grown as needed, and
// returns it.
func copyBytes(b []byte, buf js.Value) []byte {
	u8 := js.Global().Get("Uint8Array").New(buf)
	b = grow(b, u8.Length())
	js.CopyBytesToGo(b, u8)
	return b
}

// decodeHead decodes the head of a message from a worker this one
// started; an error answer or an exit notice is returned as an error.
func decodeHead(m message) (protocol.Response, error) {
	if m.head.Type() != js.TypeString {
		return protocol.Response{}, fmt.Errorf("%w: a message without a head", protocol.ErrMessage)
	}
	resp, err := protocol.DecodeResponse(m.head.String())
	if err != nil {
		return protocol.Response{}, err
	}
	if resp.Error != "" {
		return protocol.Response{}, errors.New(resp.Error)
	}
	return resp, nil
}
