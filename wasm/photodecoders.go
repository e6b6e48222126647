package main

import (
	"sync"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// The classifier's decoding workers: while it runs the network on the
// photos decoded, they decode the next, one worker a core but the
// classifier's. They start with the first photos to decode and end once
// idle for decodersIdle, taking with them whatever memory a large photo
// took (WebAssembly memory never shrinks).
const (
	decodersIdle = 10 * time.Second
	// decoderInFlight is how many photos each decoding worker holds at a
	// time: enough to keep it busy while the classifier runs the network,
	// which it cannot interrupt to hand out photos.
	decoderInFlight = 256
	// decoderPhotoSilence is how long a decoding worker may be silent
	// while it holds photos: decoding a 16-megapixel JPEG takes seconds.
	decoderPhotoSilence = time.Minute
)

// photoDecoders are the classifier's decoding workers.
type photoDecoders struct {
	n int // how many to start

	mu      sync.Mutex
	workers []*link.Worker // started, fewer than n if some failed to
	failed  bool           // starting one failed: decode here from now on
	next    int            // the worker the next photo goes to
	busy    int            // photos sent, not answered yet
	idle    *time.Timer    // ends the workers once idle
}

// newPhotoDecoders returns the decoding workers of a classifier on a
// machine of cores cores, or nil for a single core.
func newPhotoDecoders(cores int) *photoDecoders {
	if cores < 2 {
		return nil
	}
	return &photoDecoders{n: cores - 1}
}

// decode has the photo f, named name, decoded to size pixels square on
// a decoding worker, and returns true, done to get the result from
// another goroutine; it returns false where no worker can decode it (f
// is bytes of Go's own, no worker started), for the classifier to
// decode it itself. An ArrayBuffer goes to the worker: f cannot be read
// after.
func (p *photoDecoders) decode(name string, size int, f file, done func(decodedPhoto)) bool {
	if !handOver(f).Truthy() {
		return false
	}
	w := p.worker()
	if w == nil {
		return false
	}
	link.Ask(w, protocol.DecodePhoto, protocol.DecodePhotoRequest{Name: name, Size: size}, handOver(f), link.Handlers[protocol.DecodedPhoto, protocol.None]{
		Done: func(a protocol.DecodedPhoto, body js.Value, err *protocol.Error) {
			p.finished()
			if err != nil {
				if err.Code == protocol.WorkerLost {
					p.drop(w)
				}
				done(decodedPhoto{err: err})
				return
			}
			b := link.Bytes(body)
			n := len(b) - a.Thumb
			if a.Thumb < 0 || n != size*size*3 {
				done(decodedPhoto{err: protocol.Errorf(protocol.Internal, "a decoding worker sent %d bytes for a photo of %d pixels and a thumbnail of %d", len(b), size*size, a.Thumb)})
				return
			}
			done(decodedPhoto{pix: b[:n:n], thumb: b[n:]})
		},
	})
	return true
}

// worker returns the worker the next photo goes to, starting one if
// fewer than n run, or nil if none can be started.
func (p *photoDecoders) worker() *link.Worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.idle != nil {
		p.idle.Stop()
	}
	if len(p.workers) < p.n && !p.failed {
		w, err := link.Start(workerURL(roleDecoder), link.Options{Name: "a decoding worker", InFlight: decoderInFlight,
			Silence: decoderPhotoSilence})
		if err != nil {
			p.failed = true
		} else {
			p.workers = append(p.workers, w)
		}
	}
	if len(p.workers) == 0 {
		return nil
	}
	p.busy++
	p.next = (p.next + 1) % len(p.workers)
	return p.workers[p.next]
}

// finished counts a photo answered, and ends the workers once none has
// come for decodersIdle.
func (p *photoDecoders) finished() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.busy--; p.busy > 0 {
		return
	}
	p.idle = time.AfterFunc(decodersIdle, p.end)
}

// end ends the workers, unless photos came meanwhile.
func (p *photoDecoders) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.busy > 0 {
		return
	}
	for _, w := range p.workers {
		w.Close()
	}
	p.workers = nil
}

// drop ends w, which died, so that the next photo goes to a new one.
func (p *photoDecoders) drop(w *link.Worker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, v := range p.workers {
		if v == w {
			w.Close()
			p.workers = append(p.workers[:i], p.workers[i+1:]...)
			p.next = 0
			return
		}
	}
}
