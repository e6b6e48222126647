package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/benchdata"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// errNoSIMD is the answer to a benchmark asking for the SIMD kernel in a
// worker without it.
var errNoSIMD = errors.New("this worker has no WebAssembly SIMD kernel")

// bench runs the benchmark req asks for on the images of the dataset zip
// b: one untimed batch, then req.Steps timed ones. It sets the kernel
// asked for in nn for the time it runs. Training on several workers
// starts the helpers first and stops them at the end.
func (w *worker) bench(req protocol.Request, b []byte) (*protocol.BenchResult, error) {
	if err := w.setKernel(req.Kernel); err != nil {
		return nil, err
	}
	defer w.setKernel("")
	name := w.kernelName()
	if req.Kernel == protocol.KernelGo {
		name = protocol.KernelGo
	}

	run, err := w.benchRun(req, b)
	if err != nil {
		return nil, err
	}
	m, set, idx := run.Model, run.Set, run.Batch
	res := &protocol.BenchResult{Kernel: name, Workers: 1, Batch: req.Batch, Steps: req.Steps}
	var step func() error
	switch req.Kind {
	case protocol.KindBenchTrain:
		t, stop, err := w.trainer(req, m, run.Recipe)
		if err != nil {
			return nil, err
		}
		defer stop()
		res.Workers = max(req.Workers, 1)
		step = func() error {
			loss, _, err := t.Step(set, idx)
			res.Losses = append(res.Losses, loss)
			return err
		}
	default: // KindBenchInfer
		pix := set.Subset(idx).Pix
		step = func() error {
			m.Predict(pix, req.Batch)
			return nil
		}
	}
	if err := step(); err != nil {
		return nil, err
	}
	start := time.Now()
	for range req.Steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	res.ImagesPerSec = float64(req.Batch*req.Steps) / res.Seconds
	return res, nil
}

// benchRun returns the run of the benchmark req: on the images of the
// dataset zip b, or without one on the loaded data set's, with the
// network of req.Recipe when it says one.
func (w *worker) benchRun(req protocol.Request, b []byte) (*benchdata.Run, error) {
	if len(b) > 0 || w.dataset == nil {
		return benchdata.New(b, req.Name, req.Batch)
	}
	r := nn.ReferenceRecipe()
	if len(req.Recipe) > 0 {
		if err := json.Unmarshal(req.Recipe, &r); err != nil {
			return nil, fmt.Errorf("%w: recipe: %v", protocol.ErrMessage, err)
		}
	}
	r.BatchNormPerShare = req.Workers > 1
	return benchdata.FromSet(w.dataset.archive.Train, r, req.Batch)
}

// trainer returns a trainer of m with r for the benchmark req, on this
// worker and req.Workers-1 helpers, and a function that stops the
// helpers.
func (w *worker) trainer(req protocol.Request, m *nn.Model, r nn.Recipe) (*nn.Trainer, func(), error) {
	local, err := nn.NewLocalReplica(m.Net.Config, m.Meta.Norm, r)
	if err != nil {
		return nil, nil, err
	}
	reps, stop := []nn.Replica{local}, func() {}
	if req.Workers > 1 {
		if w.spawn == nil {
			return nil, nil, errors.New("this worker cannot start helper workers")
		}
		grads, stats, _ := nn.ShardSizes(m.Net.Params())
		helpers, stopHelpers, err := w.spawn(req.Workers-1, replicaRequest(req.Name, m, r, req.Kernel), grads, stats)
		if err != nil {
			return nil, nil, fmt.Errorf("starting %d helper workers: %w", req.Workers-1, err)
		}
		reps, stop = append(reps, helpers...), stopHelpers
	}
	t, err := nn.NewTrainerOn(m, r, req.Steps+1, reps)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return t, stop, nil
}

// setKernel sets in nn the GEMM kernel named: KernelGo, KernelSIMD, or
// "" for the worker's own.
func (w *worker) setKernel(name string) error {
	switch name {
	case protocol.KernelGo:
		nn.SetGemmKernel(nil)
	case protocol.KernelSIMD:
		if w.kernel == nil {
			return errNoSIMD
		}
		nn.SetGemmKernel(w.kernel)
	default:
		nn.SetGemmKernel(w.kernel)
	}
	return nil
}

// kernelName names the worker's own kernel.
func (w *worker) kernelName() string {
	switch {
	case w.kernel == nil:
		return protocol.KernelGo
	case w.kernelFMA:
		return protocol.KernelSIMDFMA
	default:
		return protocol.KernelSIMD
	}
}
