package main

import (
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/benchdata"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// bench times training steps and inference in a worker: the page's
// recipe form times its network on the loaded data set, and the
// benchmarks time the kernels.
type bench struct {
	kernels
	spawn spawner // starts helper workers; nil where none can be started
	// loaded returns the loaded data set's training images, nil without.
	loaded func() *data.Set
}

// handleBench sets the handlers of the benchmarks.
func handleBench(hs handlers, b bench) {
	handle(hs, protocol.BenchTrain, b.run)
	handle(hs, protocol.BenchInfer, b.run)
}

// run runs the benchmark the request asks for, on the images of the
// dataset zip in its body, or without one on the loaded data set's: one
// untimed batch, then q.Steps timed ones. It sets the kernel asked for
// in nn for the time it runs. Training on several workers starts the
// helpers first and stops them at the end.
func (b bench) run(r *request, q protocol.BenchRequest) (protocol.BenchResult, []byte, error) {
	r.file = q.Name
	if err := b.kernels.use(q.Kernel); err != nil {
		return protocol.BenchResult{}, nil, err
	}
	defer b.kernels.use("")
	name := b.kernels.name()
	if q.Kernel == protocol.KernelGo {
		name = protocol.KernelGo
	}
	run, err := b.runOf(r, q)
	if err != nil {
		return protocol.BenchResult{}, nil, err
	}
	m, set, idx := run.Model, run.Set, run.Batch
	res := protocol.BenchResult{Kernel: name, Workers: 1, Batch: q.Batch, Steps: q.Steps}
	var step func() error
	switch r.head.Kind {
	case protocol.BenchTrain.Kind():
		t, stop, err := b.trainer(q, m, run.Recipe)
		if err != nil {
			return protocol.BenchResult{}, nil, err
		}
		defer stop()
		res.Workers = max(q.Workers, 1)
		step = func() error {
			loss, _, err := t.Step(set, idx)
			res.Losses = append(res.Losses, loss)
			return err
		}
	default: // BenchInfer
		pix := set.Subset(idx).Pix
		step = func() error {
			m.Predict(pix, q.Batch)
			return nil
		}
	}
	if err := step(); err != nil {
		return protocol.BenchResult{}, nil, err
	}
	start := time.Now()
	for range q.Steps {
		if err := step(); err != nil {
			return protocol.BenchResult{}, nil, err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	res.ImagesPerSec = float64(q.Batch*q.Steps) / res.Seconds
	return res, nil, nil
}

// runOf returns the run of the benchmark: on the images of the
// request's dataset zip, or without one on the loaded data set's, with
// the network of q.Recipe when it says one (the reference's otherwise).
func (b bench) runOf(r *request, q protocol.BenchRequest) (*benchdata.Run, error) {
	var set *data.Set
	if b.loaded != nil {
		set = b.loaded()
	}
	rec := nn.ReferenceRecipe()
	if q.Recipe != nil {
		rec = *q.Recipe
	}
	if r.body != nil || set == nil {
		var zip []byte
		if r.body != nil {
			var err error
			if zip, err = r.body.Bytes(); err != nil {
				return nil, err
			}
		}
		if q.Recipe == nil {
			return benchdata.New(zip, q.Name, q.Batch)
		}
		var err error
		if set, err = benchdata.Images(zip, q.Name, rec.Config.InputSize); err != nil {
			return nil, err
		}
	}
	rec.BatchNormPerShare = q.Workers > 1
	return benchdata.FromSet(set, rec, q.Batch)
}

// trainer returns a trainer of m with r for the benchmark q, on this
// worker and q.Workers-1 helpers, and a function that stops the
// helpers.
func (b bench) trainer(q protocol.BenchRequest, m *nn.Model, r nn.Recipe) (*nn.Trainer, func(), error) {
	local, err := nn.NewLocalReplica(m.Net.Config, m.Meta.Norm, r)
	if err != nil {
		return nil, nil, err
	}
	reps, stop := []nn.Replica{local}, func() {}
	if q.Workers > 1 {
		helpers, stopHelpers, err := b.spawn.start(q.Workers-1, m, r, q.Kernel)
		if err != nil {
			return nil, nil, err
		}
		reps, stop = append(reps, helpers...), stopHelpers
	}
	t, err := nn.NewTrainerOn(m, r, q.Steps+1, reps)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return t, stop, nil
}
