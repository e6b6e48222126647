package main

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// A run resumes after a reload only on its data set, and a file picked
// in the page cannot be read again without asking: the data set worker
// keeps the decoded data set of every run in the browser's storage (see
// wasm/store), under the digest of its pixels, labels, names and decoder
// version, and loads it from there again (LoadKept). It is the one
// writer of data sets, runs and checkpoints there: it keeps a run's
// record and checkpoint at each epoch's end and on Pause, and forgets
// them when the run ends by itself, or when the page asks (ForgetRun).

// keeper is the browser's storage of data sets and runs, a *store.DB.
type keeper interface {
	HasDataset(digest string) bool
	PutDataset(digest string, header, train, test []byte) error
	Dataset(digest string, make func(header []byte) (train, test []byte, err error)) error
	PutCheckpoint(r store.Run, ckpt []byte) error
	Run(id string) (store.Run, error)
	Checkpoint(id string) ([]byte, error)
	DeleteRun(id string) error
}

// errKeepsNothing is why nothing is kept where the browser has no
// storage for the page.
var errKeepsNothing = errors.New("this browser keeps nothing here")

// keep keeps the data set at the side s a run trains on, unless it is
// already, and says so in plan: its digest, and why it could not be
// kept, or what keeping it took (the digest and the write).
func (d *datasets) keep(plan *protocol.TrainPlan, s *sided) {
	start := time.Now()
	var n int64
	plan.Dataset, plan.Kept, n = d.keepDataset(s)
	if n > 0 {
		plan.KeptBytes, plan.KeptSeconds = n, time.Since(start).Seconds()
	}
}

// keepDataset keeps the data set at the side s, unless it is already,
// and returns its digest, and why it could not be kept when it could
// not, or the bytes written.
func (d *datasets) keepDataset(s *sided) (digest, failed string, written int64) {
	digest, header := s.hashed()
	switch {
	case d.keeper == nil:
		return digest, errKeepsNothing.Error(), 0
	case d.keeper.HasDataset(digest):
		return digest, "", 0
	}
	if header == nil {
		header = s.archive.Header()
	}
	var test []byte
	if s.archive.Test != nil {
		test = s.archive.Test.Pix
	}
	if err := d.keeper.PutDataset(digest, header, s.archive.Train.Pix, test); err != nil {
		return digest, nn.Message(err), 0
	}
	return digest, "", int64(len(header) + len(s.archive.Train.Pix) + len(test))
}

// keepCheckpoint keeps the run's record, as ck says where it stands, and
// its checkpoint b, the run training on s, and returns the bytes written and the time it took,
// or why it could not be kept, in a person's words. d.keeper is not nil.
func (d *datasets) keepCheckpoint(record store.Run, ck protocol.CheckpointKept, b []byte, s *sided) (int64, float64, string) {
	// The data set again, should another tab have dropped it as no kept
	// run's before this run's first checkpoint.
	d.keepDataset(s)
	record.Step, record.Epoch, record.Saved = ck.Step, ck.Epoch, time.Now()
	start := time.Now()
	if err := d.keeper.PutCheckpoint(record, b); err != nil {
		return 0, 0, store.Problem(err)
	}
	return int64(len(b)), time.Since(start).Seconds(), ""
}

// hashed returns the digest of the data set at the side s, computed at
// its first call, and the header it was computed from then (nil after).
func (s *sided) hashed() (digest string, header []byte) {
	if s.digest == "" {
		header = s.archive.Header()
		s.digest = s.archive.Digest(header)
	}
	return s.digest, header
}

// resumption is what a run kept needs to go on.
type resumption struct {
	record store.Run
	ckpt   []byte
	recipe nn.Recipe     // the checkpoint's
	saved  nn.Checkpoint // how it computed
	took   time.Duration // reading it
}

// readKeptRun reads the run kept under id and its checkpoint.
func (d *datasets) readKeptRun(id string) (*resumption, error) {
	if d.keeper == nil {
		return nil, errKeepsNothing
	}
	start := time.Now()
	record, err := d.keeper.Run(id)
	if err != nil {
		return nil, fmt.Errorf("the run could not be read: %w", err)
	}
	ckpt, err := d.keeper.Checkpoint(id)
	if err != nil {
		return nil, fmt.Errorf("its checkpoint could not be read: %w", err)
	}
	rs := &resumption{record: record, ckpt: ckpt, took: time.Since(start)}
	if rs.recipe, rs.saved, err = nn.ReadCheckpointInfo(bytes.NewReader(ckpt), int64(len(ckpt))); err != nil {
		return nil, err
	}
	return rs, nil
}

// forget forgets the run id, and returns why it could not, if it could
// not.
func (d *datasets) forget(id string) string {
	if d.keeper == nil {
		return ""
	}
	if err := d.keeper.DeleteRun(id); err != nil {
		return nn.Message(err)
	}
	return ""
}

// forgetRun answers a ForgetRunRequest.
func (d *datasets) forgetRun(_ *request, q protocol.ForgetRunRequest) (protocol.None, []byte, error) {
	if d.keeper == nil {
		return protocol.None{}, nil, errKeepsNothing
	}
	return protocol.None{}, nil, d.keeper.DeleteRun(q.Run)
}

// loadKept makes the data set kept under the request's digest the data
// set, as a zip's load does, and returns its summary and samples.
func (d *datasets) loadKept(r *request, q protocol.LoadKeptRequest) (protocol.DatasetInfo, []byte, error) {
	if d.keeper == nil {
		return protocol.DatasetInfo{}, nil, errKeepsNothing
	}
	start := time.Now()
	r.tell(protocol.LoadKept.Notice(r.ID(), protocol.Progress{Stage: "reading the data set kept"}), nil)
	var a *data.Archive
	err := d.keeper.Dataset(q.Digest, func(header []byte) ([]byte, []byte, error) {
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
		return protocol.DatasetInfo{}, nil, err
	}
	if got := a.Digest(a.Header()); got != q.Digest {
		return protocol.DatasetInfo{}, nil, fmt.Errorf("%w: its pixels are not those it was kept with", data.ErrStored)
	}
	ds := &dataset{sided: sided{archive: a, digest: q.Digest}, name: q.Name}
	ds.indexSets()
	info := summarize(q.Name, 0, a)
	info.Kept = true
	body := d.use(ds, &info, start)
	return info, body, nil
}
