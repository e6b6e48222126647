package main

import (
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/mailbox"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// decoderSilence is how long a decoding worker may stay silent: it
// reports every protocol.ProgressEvery images, a second or two apart.
const decoderSilence = 2 * time.Minute

// decodeOnWorkers is the runDecoder of the browser: one new decoding
// worker a run, handed the zip's Blob itself (a reference, not a copy).
// The workers end with the decoding: whatever memory a large image took
// goes with them.
func decodeOnWorkers(q protocol.DecodeRequest, zip file, runs [][2]int, got func(run int, p piece) error, cancelled func() bool) error {
	type news struct {
		run    int
		notice protocol.Decoded
		body   js.Value
		done   bool
		err    *protocol.Error
	}
	box := mailbox.New[news]()
	var workers []*link.Worker
	defer func() {
		for _, w := range workers {
			w.Close()
		}
	}()
	for k, run := range runs {
		w, err := link.Start(workerURL(roleDecoder), link.Options{Name: "a decoding worker", Silence: decoderSilence})
		if err != nil {
			return err
		}
		workers = append(workers, w)
		rq := q
		rq.Lo, rq.Hi = run[0], run[1]
		link.Ask(w, protocol.Decode, rq, zip.Blob(), link.Handlers[protocol.None, protocol.Decoded]{
			Notice: func(n protocol.Decoded, body js.Value) { box.Put(news{run: k, notice: n, body: body}) },
			Done:   func(_ protocol.None, _ js.Value, err *protocol.Error) { box.Put(news{run: k, done: true, err: err}) },
		})
	}
	var buf []byte // a piece's pixels, reused
	for left := len(runs); left > 0; {
		m := box.Take()
		if cancelled() {
			return errCancelled
		}
		switch {
		case m.err != nil:
			return m.err
		case m.done:
			workers[m.run].Close()
			left--
		default:
			buf = link.CopyInto(buf, m.body)
			k := len(buf) / (q.Size * q.Size * 3)
			if err := got(m.run, piece{at: m.notice.Progress.Done - k, pix: buf, failed: m.notice.Failed}); err != nil {
				return err
			}
		}
	}
	return nil
}
