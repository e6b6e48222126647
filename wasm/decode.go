package main

import (
	"errors"
	"fmt"
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

// runDecoder decodes runs of the zip's images, each a DecodeRequest like
// q with the run's Lo and Hi, on workers of its own, calling got with
// each piece of a run as it comes, with the run's index; an error from
// got ends it. It gives up, with errCancelled, once cancelled says so.
type runDecoder func(q protocol.DecodeRequest, zip file, runs [][2]int, got func(run int, p piece) error, cancelled func() bool) error

// decodeAll decodes the images of z, read from f, named name, for the
// request r, on workers decoding workers, telling its progress to tell,
// and returns them as data.Zip.Archive takes them.
func (d *datasets) decodeAll(r *request, name string, f file, z *data.Zip, opt data.Options, workers int, tell func(protocol.Progress)) ([]uint8, []error, error) {
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
			tell(protocol.Progress{Stage: "decoding images", Done: done, Total: total, PerSec: float64(done) / now.Sub(start).Seconds()})
		}
		return nil
	}
	base := protocol.DecodeRequest{Name: name, Size: opt.Size}
	if d.decoders != nil && len(parts) > 1 && f.Blob().Truthy() { // the decoders share the Blob itself
		if err := d.decoders(base, f, parts, got, r.cancelled); err != nil {
			return nil, nil, err
		}
		return pix, errs, nil
	}
	for k, part := range parts {
		q := base
		q.Lo, q.Hi = part[0], part[1]
		err := decodeRun(q, z, order, func(p piece) error {
			if err := got(k, p); err != nil {
				return err
			}
			r.yield()
			return nil
		}, r.cancelled)
		if err != nil {
			return nil, nil, err
		}
	}
	return pix, errs, nil
}

// decodeRun decodes the images q.Lo to q.Hi of z in file order (order
// is z.FileOrder()), handing them to got protocol.ProgressEvery images
// at a time in a buffer it reuses. It gives up, with errCancelled, once
// cancelled says so.
func decodeRun(q protocol.DecodeRequest, z *data.Zip, order []int, got func(piece) error, cancelled func() bool) error {
	if q.Hi > len(order) {
		return fmt.Errorf("%w: images %d to %d of %d", protocol.ErrMessage, q.Lo, q.Hi, len(order))
	}
	opt := data.Options{Size: q.Size, MaxPixels: data.DefaultMaxPixels}
	n, count := opt.Size*opt.Size*3, q.Hi-q.Lo
	buf := make([]byte, protocol.ProgressEvery*n)
	p := piece{}
	for j := range count {
		k := j - p.at
		dst := buf[k*n : (k+1)*n]
		clear(dst)
		if err := z.Decode(dst, order[q.Lo+j], opt); err != nil {
			p.failed = append(p.failed, protocol.Failure{At: j, Reason: data.Reason(err)})
		}
		if k+1 == protocol.ProgressEvery || j+1 == count {
			if cancelled() {
				return errCancelled
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
