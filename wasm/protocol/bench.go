package protocol

import (
	"fmt"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

// The payloads of the benchmarks and of data-parallel training.

// BenchRequest asks a worker to time Steps training steps (BenchTrain)
// or eval-mode forward passes (BenchInfer) of batches of Batch images,
// after one more that is not timed, with the GEMM kernel Kernel: of the
// network of Recipe (the reference network when it is not given), a fresh
// model for the classes of the images it runs on, repeated to fill a
// batch: those of the dataset zip in the body, read at the network's
// side, or without a body the loaded data set's, resized to the network's
// side where they were read at another (the speed does not depend on the
// pixels). The model loaded for classification is left alone.
type BenchRequest struct {
	Name   string     `json:"name"`
	Batch  int        `json:"batch"`
	Steps  int        `json:"steps"`
	Kernel string     `json:"kernel,omitempty"` // KernelGo, KernelSIMD, or "" for the worker's own
	Recipe *nn.Recipe `json:"recipe,omitempty"`
	// Workers, for BenchTrain, is the number of workers that train
	// data-parallel, this one included, 1 (also when 0) to MaxWorkers.
	Workers int `json:"workers,omitempty"`
}

// BenchResult is what a benchmark measured, inside the worker.
type BenchResult struct {
	Kernel       string    `json:"kernel"`           // the kernel run: KernelGo, KernelSIMD or KernelSIMDFMA
	Workers      int       `json:"workers"`          // workers that computed, this one included
	Batch        int       `json:"batch"`            // images in a batch
	Steps        int       `json:"steps"`            // batches timed
	Seconds      float64   `json:"seconds"`          // time of the timed batches
	ImagesPerSec float64   `json:"imagesPerSec"`     // Batch*Steps/Seconds
	Losses       []float64 `json:"losses,omitempty"` // training: each step's loss, the untimed first one included
}

// Limits of a benchmark.
const (
	MaxBenchBatch = 1024
	MaxBenchSteps = 1000
)

// The kernels of a worker, GEMM and ReLU's passes: nn's own in Go, and
// WebAssembly SIMD's (see wasm/simd), with relaxed SIMD's fused
// multiply-add where the browser has it.
const (
	KernelGo      = "go"
	KernelSIMD    = "simd"
	KernelSIMDFMA = "simd-fma" // only in answers: a request asks for KernelSIMD
)

// ReplicaRequest sets a helper worker up to compute shares of a run's
// steps: the run's recipe (its network among it), the model's
// normalization, and the GEMM kernel to compute with.
type ReplicaRequest struct {
	Recipe nn.Recipe          `json:"recipe"`
	Norm   data.Normalization `json:"norm"`
	Kernel string             `json:"kernel,omitempty"`
}

// ShardRequest asks a helper for the gradients of one share of a step:
// Images images of a batch of Batch, of side Size, the Share'th share of
// optimizer step Step. The body holds the model's state and the images
// (see wasm's shard encoding).
type ShardRequest struct {
	Step   int `json:"step"`
	Share  int `json:"share"`
	Batch  int `json:"batch"`
	Images int `json:"images"`
	Size   int `json:"size"`
}

// Sharded is the answer to a ShardRequest: the share's images classified
// right; the body holds the loss (which may be NaN, which JSON cannot
// hold), the gradients and the running statistics.
type Sharded struct {
	Right int `json:"right"`
}

// Limits of a shard: a training batch and an image side.
const (
	MaxShardBatch = 4096
	MaxShardSize  = 1024
)

func checkBenchTrain(q BenchRequest) error { return checkBench(q, MaxWorkers) }

func checkBenchInfer(q BenchRequest) error { return checkBench(q, 1) }

// checkBench checks a benchmark on at most workers workers.
func checkBench(q BenchRequest, workers int) error {
	switch {
	case q.Batch < 1 || q.Batch > MaxBenchBatch:
		return fmt.Errorf("batch %d, want 1 to %d", q.Batch, MaxBenchBatch)
	case q.Steps < 1 || q.Steps > MaxBenchSteps:
		return fmt.Errorf("%d steps, want 1 to %d", q.Steps, MaxBenchSteps)
	case q.Workers < 0 || q.Workers > workers:
		return fmt.Errorf("%d workers, want 1 to %d", q.Workers, workers)
	case q.Workers > q.Batch:
		return fmt.Errorf("batches of %d on %d workers: some would have nothing to do", q.Batch, q.Workers)
	}
	return checkKernel(q.Kernel)
}

func checkReplica(q ReplicaRequest) error { return checkKernel(q.Kernel) }

// checkKernel checks the name of a kernel asked for.
func checkKernel(k string) error {
	if k != "" && k != KernelGo && k != KernelSIMD {
		return fmt.Errorf("kernel %q, want %q, %q or none", k, KernelGo, KernelSIMD)
	}
	return nil
}

func checkShard(q ShardRequest) error {
	if q.Step < 0 || q.Share < 0 || q.Share >= MaxWorkers || q.Images < 1 || q.Images > q.Batch || q.Batch > MaxShardBatch || q.Size < 1 || q.Size > MaxShardSize {
		return fmt.Errorf("%d images of %d, side %d, step %d, share %d", q.Images, q.Batch, q.Size, q.Step, q.Share)
	}
	return nil
}
