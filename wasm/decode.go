package main

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Decoding a data set: the worker asked to load a zip reads its
// directory, cuts the images, in the zip's file order, into one
// contiguous run per decoding worker, and has each worker (see
// runDecoder) open the zip itself and decode its run, so that every
// worker reads its part of the file front to back, in large blocks.
// They send the run's pixels a piece at a time, so that no worker holds
// more than a piece it has not sent; the first worker puts them in place.
// Without decoding workers, it decodes the runs itself.

// progressInterval is the least time between two progress notices.
const progressInterval = 100 * time.Millisecond

// runs cuts n items into k contiguous runs of nearly equal length.
func runs(n, k int) [][2]int {
	k = max(1, min(k, n))
	out := make([][2]int, k)
	for i := range out {
		out[i] = [2]int{i * n / k, (i + 1) * n / k}
	}
	return out
}

// piece is a part of a run decoded: images At to At+len(Pix)/n of the
// run, their pixels and the failures among them (positions in the run).
type piece struct {
	at     int
	pix    []byte
	failed []protocol.Failure
}

// decodeAll decodes the images of z, read from src, on workers decoding
// workers, returning them as data.Zip.Archive takes them.
func (w *worker) decodeAll(req protocol.Request, src zipSource, z *data.Zip, opt data.Options, workers int) ([]uint8, []error, error) {
	order := z.FileOrder()
	n, total := opt.Size*opt.Size*3, len(order)
	pix, errs := make([]uint8, total*n), make([]error, total)
	parts := runs(total, workers)
	done := 0
	start, last := time.Now(), time.Time{}
	got := func(run int, p piece) error {
		lo, hi := parts[run][0], parts[run][1]
		k := len(p.pix) / n
		if len(p.pix) != k*n || p.at < 0 || p.at+k > hi-lo {
			return fmt.Errorf("%w: a decoding worker sent %d bytes at %d of a run of %d", protocol.ErrMessage, len(p.pix), p.at, hi-lo)
		}
		for j := range k {
			i := order[lo+p.at+j]
			copy(pix[i*n:(i+1)*n], p.pix[j*n:(j+1)*n])
		}
		for _, f := range p.failed {
			if f.At < p.at || f.At >= p.at+k {
				return fmt.Errorf("%w: a failure at %d of a piece of %d at %d", protocol.ErrMessage, f.At, k, p.at)
			}
			errs[order[lo+f.At]] = errors.New(f.Reason)
		}
		done += k
		if now := time.Now(); now.Sub(last) >= progressInterval || done == total {
			last = now
			w.progress(req, protocol.Progress{Stage: "decoding images", Done: done, Total: total,
				PerSec: float64(done) / now.Sub(start).Seconds()})
		}
		return nil
	}
	cancelled := func() bool { return w.cancelled(req.ID) }
	base := protocol.Request{Kind: protocol.KindDecode, Name: req.Name, Size: opt.Size}
	if src.decode != nil && len(parts) > 1 {
		if err := src.decode(base, parts, got, cancelled); err != nil {
			return nil, nil, err
		}
		return pix, errs, nil
	}
	for k, part := range parts {
		dec := base
		dec.Lo, dec.Hi = part[0], part[1]
		err := decodeRun(dec, z, order, func(p piece) error {
			if err := got(k, p); err != nil {
				return err
			}
			w.yield()
			return nil
		}, cancelled)
		if err != nil {
			return nil, nil, err
		}
	}
	return pix, errs, nil
}

// decodeRun decodes the images req.Lo to req.Hi of z in file order
// (order is z.FileOrder()), req being a KindDecode request, handing them
// to got protocol.ProgressEvery images at a time in a buffer it reuses.
// It gives up, with protocol.ErrCancelled, once cancelled says so.
func decodeRun(req protocol.Request, z *data.Zip, order []int, got func(piece) error, cancelled func() bool) error {
	if req.Hi > len(order) {
		return fmt.Errorf("%w: images %d to %d of %d", protocol.ErrMessage, req.Lo, req.Hi, len(order))
	}
	opt := data.Options{Size: req.Size, MaxPixels: data.DefaultMaxPixels}
	n, count := opt.Size*opt.Size*3, req.Hi-req.Lo
	buf := make([]byte, protocol.ProgressEvery*n)
	p := piece{}
	for j := range count {
		k := j - p.at
		dst := buf[k*n : (k+1)*n]
		clear(dst)
		if err := z.Decode(dst, order[req.Lo+j], opt); err != nil {
			p.failed = append(p.failed, protocol.Failure{At: j, Reason: data.Reason(err)})
		}
		if k+1 == protocol.ProgressEvery || j+1 == count {
			if cancelled() {
				return protocol.ErrCancelled
			}
			p.pix = buf[:(k+1)*n]
			if err := got(p); err != nil {
				return err
			}
			p = piece{at: j + 1}
		}
	}
	return nil
}

// serveDecode answers req, a KindDecode request about the zip src: the
// pixels go out in progress notices (see protocol.KindDecode).
func (w *worker) serveDecode(req protocol.Request, src zipSource) (protocol.Response, error) {
	z, err := data.OpenZip(src.r, src.size)
	if err != nil {
		return protocol.Response{}, err
	}
	err = decodeRun(req, z, z.FileOrder(), func(p piece) error {
		if w.notify != nil {
			k := len(p.pix) / (req.Size * req.Size * 3)
			w.notify(protocol.Response{ID: req.ID, Kind: protocol.KindProgress, Failed: p.failed, Body: p.pix,
				Progress: &protocol.Progress{Stage: "decoding images", Done: p.at + k, Total: req.Hi - req.Lo}})
		}
		return nil
	}, func() bool { return w.cancelled(req.ID) })
	return protocol.Response{ID: req.ID, Kind: req.Kind}, err
}

// progress sends a progress notice about req, if the worker has
// somewhere to send it.
func (w *worker) progress(req protocol.Request, p protocol.Progress) {
	if w.notify != nil {
		w.notify(protocol.Response{ID: req.ID, Kind: protocol.KindProgress, Progress: &p})
	}
}

// yield lets the worker's messages in, where the worker has a way to
// wait for them (see worker.wait).
func (w *worker) yield() {
	if w.wait != nil {
		w.wait()
	}
}

// cancels is the set of requests asked to stop. Its methods may be
// called from any goroutine.
type cancels struct {
	mu  sync.Mutex
	ids map[uint64]bool
}

// add marks request id as asked to stop.
func (c *cancels) add(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[uint64]bool{}
	}
	c.ids[id] = true
}

// has reports whether request id was asked to stop.
func (c *cancels) has(id uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ids[id]
}

// cancelled reports whether the request id was asked to stop.
func (w *worker) cancelled(id uint64) bool {
	return w.stops.has(id)
}
