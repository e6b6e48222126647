package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// errNoSIMD is the answer to a benchmark asking for the SIMD kernel in a
// worker without it.
var errNoSIMD = errors.New("this worker has no WebAssembly SIMD kernel")

// bench runs the benchmark req asks for on the images of the dataset zip
// b: one untimed batch, then req.Steps timed ones. It sets the kernel
// asked for in nn for the time it runs.
func (w *worker) bench(req protocol.Request, b []byte) (*protocol.BenchResult, error) {
	kernel, name := w.kernel, w.kernelName()
	switch req.Kernel {
	case protocol.KernelGo:
		kernel, name = nil, protocol.KernelGo
	case protocol.KernelSIMD:
		if w.kernel == nil {
			return nil, errNoSIMD
		}
	}
	nn.SetGemmKernel(kernel)
	defer nn.SetGemmKernel(w.kernel)

	cfg := nn.Reference()
	a, err := data.ReadZip(bytes.NewReader(b), int64(len(b)), data.Options{Size: cfg.InputSize, MaxPixels: data.DefaultMaxPixels})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.Name, err)
	}
	set := a.Train
	cfg.Classes = len(set.Classes)
	m, err := nn.NewModel(cfg, set.Classes, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		return nil, err
	}
	idx := make([]int, req.Batch) // the set's images over and over
	for i := range idx {
		idx[i] = i % set.Len()
	}
	var step func() error
	switch req.Kind {
	case protocol.KindBenchTrain:
		r := nn.ReferenceRecipe()
		r.Config = cfg
		t, err := nn.NewTrainer(m, r, req.Steps+1, 1)
		if err != nil {
			return nil, err
		}
		step = func() error {
			_, _, err := t.Step(set, idx)
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
	secs := time.Since(start).Seconds()
	return &protocol.BenchResult{
		Kernel: name, Batch: req.Batch, Steps: req.Steps,
		Seconds: secs, ImagesPerSec: float64(req.Batch*req.Steps) / secs,
	}, nil
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
