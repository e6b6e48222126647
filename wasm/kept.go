package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// A run resumes after a reload only on its data set, and a file picked
// in the page cannot be read again without asking: the data set worker
// keeps the decoded data set of every run in the browser's storage (see
// wasm/store), under the digest of its pixels, labels, names and decoder
// version, and loads it from there again (KindLoadKept).

// keeper keeps data sets: the browser's storage (a *store.DB), or
// nothing where there is none.
type keeper interface {
	HasDataset(digest string) bool
	PutDataset(digest string, header, train, test []byte) error
	Dataset(digest string, make func(header []byte) (train, test []byte, err error)) error
}

// keep keeps the loaded data set, unless it is already, and says so in
// plan: its digest, and why it could not be kept, or what keeping it
// took (the digest and the write).
func (w *worker) keep(plan *protocol.TrainPlan) {
	start := time.Now()
	var n int64
	plan.Dataset, plan.Kept, n = w.keepDataset()
	if n > 0 {
		plan.KeptBytes, plan.KeptSeconds = n, time.Since(start).Seconds()
	}
}

// keepDataset keeps the loaded data set, unless it is already, and
// returns its digest, and why it could not be kept when it could not, or
// the bytes written.
func (w *worker) keepDataset() (digest, failed string, written int64) {
	ds := w.dataset
	var header []byte
	if ds.digest == "" {
		header = ds.archive.Header()
		ds.digest = ds.archive.Digest(header)
	}
	switch {
	case w.keeper == nil:
		return ds.digest, "this browser keeps nothing here", 0
	case w.keeper.HasDataset(ds.digest):
		return ds.digest, "", 0
	}
	if header == nil {
		header = ds.archive.Header()
	}
	var test []byte
	if ds.archive.Test != nil {
		test = ds.archive.Test.Pix
	}
	if err := w.keeper.PutDataset(ds.digest, header, ds.archive.Train.Pix, test); err != nil {
		return ds.digest, nn.Message(err), 0
	}
	return ds.digest, "", int64(len(header) + len(ds.archive.Train.Pix) + len(test))
}

// loadKept makes the data set kept under req.Digest the worker's, as a
// zip's load does, and returns its summary and samples.
func (w *worker) loadKept(req protocol.Request) (*protocol.DatasetInfo, []byte, error) {
	if w.keeper == nil {
		return nil, nil, errors.New("this browser keeps nothing here")
	}
	start := time.Now()
	var a *data.Archive
	err := w.keeper.Dataset(req.Digest, func(header []byte) ([]byte, []byte, error) {
		var err error
		if a, err = data.ArchiveOf(header); err != nil {
			return nil, nil, err
		}
		var test []byte
		if a.Test != nil {
			test = a.Test.Pix
		}
		return a.Train.Pix, test, nil
	})
	if err != nil {
		return nil, nil, err
	}
	if got := a.Digest(a.Header()); got != req.Digest {
		return nil, nil, fmt.Errorf("%w: its pixels are not those it was kept with", data.ErrStored)
	}
	ds := &dataset{archive: a, name: req.Name, digest: req.Digest, index: map[string]int{}}
	for i, name := range a.Train.Names {
		ds.index[name] = i
	}
	if a.Test != nil {
		for i, name := range a.Test.Names {
			ds.index[name] = a.Train.Len() + i
		}
	}
	info := summarize(req.Name, 0, a)
	info.Kept = true
	body := w.setDataset(ds, info, start)
	return info, body, nil
}
