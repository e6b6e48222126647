// Package protocol defines the messages between the page and the worker.
//
// A message is a JavaScript object {head, body}. head is a string: the
// JSON encoding of a Request (page to worker) or a Response (worker to
// page). body holds the bytes a request is about, as a Blob (a File the
// person picked) or a transferred ArrayBuffer; it is never copied element
// by element. Of the responses, only KindShard's have a body.
//
// A worker also talks this protocol to the helper workers it starts to
// train data-parallel (KindReplica, KindShard): then it is the one that
// asks.
//
// The worker answers every request exactly once, in the order it got
// them, with a Response that carries the request's ID, and sends two
// notices of its own with ID 0: KindReady once it listens, and KindExit
// (from its JavaScript bootstrap) if its Go program stops.
package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Kind names what a message is about.
type Kind string

// The kinds of requests and notices.
const (
	// KindLoadModel asks the worker to replace its model with the model
	// file in the body, or at URL when the body is absent. The answer
	// holds Model.
	KindLoadModel Kind = "load-model"
	// KindSaveModel asks for the loaded model as this project's
	// safetensors file, in the answer's body.
	KindSaveModel Kind = "save-model"
	// KindClassify asks for the TopK most probable classes of the image
	// in the body. The answer holds Predictions.
	KindClassify Kind = "classify"
	// KindBenchTrain asks the worker to time Steps training steps of the
	// reference recipe (ResNet-14, 32×32) on batches of Batch images, with
	// the GEMM kernel Kernel, on a fresh model of the classes of the
	// dataset zip in the body, whose images it repeats to fill a batch;
	// without a body, on the loaded data set's images, with the network
	// of Recipe when it is given. The model loaded for classification is
	// left alone. The answer holds Bench.
	KindBenchTrain Kind = "bench-train"
	// KindBenchInfer is KindBenchTrain for eval-mode forward passes: the
	// class probabilities of a batch.
	KindBenchInfer Kind = "bench-infer"
	// KindReplica asks a helper worker to compute shards of training
	// steps, as Replica (set by the worker that starts it) says, with the
	// GEMM kernel Kernel.
	KindReplica Kind = "replica"
	// KindShard asks a helper worker for the gradients of one share of a
	// training step: Images of a batch of Batch, images of side Size; the
	// body holds the model's state and the images (see wasm's job
	// encoding). The answer holds Right, and its body the loss (which
	// may be NaN, which JSON cannot hold), the gradients and the running
	// statistics.
	KindShard Kind = "shard"
	// KindLoadDataset asks the worker to read the dataset zip in the
	// body (a Blob), or at URL when the body is absent, decoding its
	// images at side Size on Workers decoding workers it starts itself
	// (1, also when 0, to MaxWorkers). The data set replaces the one
	// loaded only once it is read. Progress notices come while it works;
	// KindCancel stops it. The answer holds Dataset, and its body the
	// sample thumbnails (see DatasetInfo.Samples).
	KindLoadDataset Kind = "load-dataset"
	// KindDecode asks a decoding worker for images Lo to Hi of the
	// dataset zip in the body, in the zip's file order (see
	// data.Zip.FileOrder), at side Size: the answer's body holds their
	// pixels back to back, and Failed the ones that could not be read.
	// Progress notices come every ProgressEvery images.
	KindDecode Kind = "decode"
	// KindEvaluate asks the worker to classify the loaded data set's test
	// split (all its images when it has none) with the model file in the
	// body, or at URL; Name names the model. The answer holds Evaluation.
	// Progress notices come while it works; KindCancel stops it.
	KindEvaluate Kind = "evaluate"
	// KindCellImages asks for the images of one cell of the last
	// evaluation's confusion matrix, Actual row and Predicted column, the
	// lowest probability of the true class first, at most Limit of them.
	// The answer holds Images, and its body their thumbnails.
	KindCellImages Kind = "cell-images"
	// KindTrain asks the worker to train a fresh model of the loaded data
	// set's classes with Recipe (nn.Recipe as JSON) on Workers workers,
	// this one included (it starts the others), keeping the best epoch's
	// weights when KeepBest says so. Progress notices come at every step
	// (Step), at every epoch's end (Epoch, with the model in the body),
	// and first with the Plan. The answer holds Trained and the model in
	// the body. KindControl pauses, resumes and stops it.
	KindTrain Kind = "train"
	// KindLoadKept asks the data set worker to load the data set kept in
	// the browser's storage under Digest, for a run to resume; its answer
	// is KindLoadDataset's.
	KindLoadKept Kind = "load-kept"
	// KindControl asks the training run Target to pause, resume or stop
	// (Action). Like KindCancel it is not queued and has no answer.
	KindControl Kind = "control"
	// KindCancel asks the worker to stop the request Target as soon as it
	// can; that request then fails with Error ErrCancelled's text. It is
	// not queued and gets no answer of its own.
	KindCancel Kind = "cancel"
	// KindProgress is a notice about the request ID, still at work:
	// Progress says how far it got.
	KindProgress Kind = "progress"
	// KindReady is the worker's notice that it takes requests; Kernel
	// names its GEMM kernel.
	KindReady Kind = "ready"
	// KindExit is the notice that the worker's program stopped; Error
	// says why, as far as is known.
	KindExit Kind = "exit"
)

// ErrMessage is wrapped by every error about a malformed message.
var ErrMessage = errors.New("protocol: bad message")

// Request is what the page asks of the worker.
type Request struct {
	// ID is chosen by the asker (the page, or a worker asking its
	// helpers), unique among the requests sent to one worker, and never 0.
	ID uint64 `json:"id"`
	// Kind is KindLoadModel, KindClassify, KindBenchTrain,
	// KindBenchInfer, KindReplica or KindShard.
	Kind Kind `json:"kind"`
	// Name is the name of the file the request is about, as the person
	// knows it ("built-in" for the page's own model); errors and
	// ModelInfo.File use it.
	Name string `json:"name"`
	// URL, for KindLoadModel without a body, is the same-origin path the
	// worker fetches the model file from.
	URL string `json:"url,omitempty"`
	// TopK, for KindClassify, is how many classes to answer with, at
	// least 1; the worker answers with fewer when the model has fewer.
	TopK int `json:"topK,omitempty"`
	// Here, for KindClassify, has the worker decode the image itself,
	// however large: a worker started for one huge photo is asked so.
	Here bool `json:"here,omitempty"`
	// Batch, for the benchmarks, is the number of images in a batch, 1
	// to MaxBenchBatch.
	Batch int `json:"batch,omitempty"`
	// Steps, for the benchmarks, is the number of batches timed, 1 to
	// MaxBenchSteps, after one more that is not.
	Steps int `json:"steps,omitempty"`
	// Kernel, for the benchmarks and KindReplica, is the GEMM kernel to
	// run with: KernelGo, KernelSIMD (an error where the worker has none),
	// or "" for the worker's own.
	Kernel string `json:"kernel,omitempty"`
	// Workers, for KindBenchTrain, is the number of workers that train
	// data-parallel, this one included, 1 (also when 0) to MaxWorkers:
	// the worker starts the others itself.
	Workers int `json:"workers,omitempty"`
	// Replica, for KindReplica, is what the helper needs to know of the
	// training run, as the worker that starts it encodes it.
	Replica json.RawMessage `json:"replica,omitempty"`
	// Step and Share, for KindShard, are the optimizer step and the
	// share's index in the batch; Images is the number of images in the
	// share and Size their side.
	Step   int `json:"step,omitempty"`
	Share  int `json:"share,omitempty"`
	Images int `json:"images,omitempty"`
	Size   int `json:"size,omitempty"`
	// Lo and Hi, for KindDecode, are the run of images to decode.
	Lo int `json:"lo,omitempty"`
	Hi int `json:"hi,omitempty"`
	// Actual, Predicted and Limit, for KindCellImages, name the cell and
	// how many of its images to send.
	Actual    int `json:"actual,omitempty"`
	Predicted int `json:"predicted,omitempty"`
	Limit     int `json:"limit,omitempty"`
	// Target, for KindCancel and KindControl, is the ID of the request
	// to stop or control; Action, for KindControl, one of the Action
	// constants.
	Target uint64 `json:"target,omitempty"`
	Action string `json:"action,omitempty"`
	// Split, for KindCellImages, names the evaluation: "" for the last
	// Evaluate's, "validation" or "test" for the last training run's.
	Split string `json:"split,omitempty"`
	// Recipe, KeepBest and NaNStep, for KindTrain: the recipe as JSON
	// (for KindBenchTrain too), whether to keep the best epoch's weights,
	// and, for tests only, a step (from 1) whose loss is made NaN, as a
	// diverging run's is.
	Recipe   json.RawMessage `json:"recipe,omitempty"`
	KeepBest bool            `json:"keepBest,omitempty"`
	NaNStep  int             `json:"nanStep,omitempty"`
	// Resume, for KindTrain, says the body is a checkpoint (nn's) of the
	// run to go on with, on the loaded data set, whose recipe and number
	// of workers it holds.
	Resume bool `json:"resume,omitempty"`
	// Digest, for KindLoadKept, names the data set kept.
	Digest string `json:"digest,omitempty"`
}

// ErrCancelled is the error of a request stopped by KindCancel.
var ErrCancelled = errors.New("cancelled")

// ProgressEvery is how many images a decoding worker decodes between
// progress notices.
const ProgressEvery = 64

// Limits of the data set requests.
const (
	MaxImageSize = 1024 // the side of a decoded image
	MaxCellLimit = 1000 // the images of a cell sent at once
)

// Limits of a benchmark request.
const (
	MaxBenchBatch = 1024
	MaxBenchSteps = 1000
	MaxWorkers    = 16
)

// Limits of a shard request: a training batch and an image side.
const (
	MaxShardBatch = 4096
	MaxShardSize  = 1024
)

// The GEMM kernels of the worker: nn's own in Go, and WebAssembly SIMD's
// (see wasm/simd), with relaxed SIMD's fused multiply-add where the
// browser has it.
const (
	KernelGo      = "go"
	KernelSIMD    = "simd"
	KernelSIMDFMA = "simd-fma" // only in answers: a request asks for KernelSIMD
)

// Response is the worker's answer to a Request, or a notice.
type Response struct {
	// ID is the ID of the request answered, or 0 for a notice.
	ID uint64 `json:"id"`
	// Kind is the kind of the request answered, or of the notice.
	Kind Kind `json:"kind"`
	// Error, when not empty, says why the request failed; the other
	// fields are then empty.
	Error string `json:"error,omitempty"`
	// Model describes the model now loaded, for KindLoadModel.
	Model *ModelInfo `json:"model,omitempty"`
	// Predictions are the most probable classes, most probable first,
	// for KindClassify; Thumb, for a large image, is a thumbnail of it in
	// the body, for the page to show instead of the image itself.
	Predictions []Prediction `json:"predictions,omitempty"`
	Thumb       *Thumb       `json:"thumb,omitempty"`
	// Bench is the benchmark's result, for KindBenchTrain and
	// KindBenchInfer.
	Bench *BenchResult `json:"bench,omitempty"`
	// Kernel names the worker's GEMM kernel, for KindReady: KernelGo,
	// KernelSIMD or KernelSIMDFMA.
	Kernel string `json:"kernel,omitempty"`
	// Right, for KindShard, is the number of the share's images
	// classified right.
	Right int `json:"right,omitempty"`
	// Dataset describes the data set now loaded, for KindLoadDataset.
	Dataset *DatasetInfo `json:"dataset,omitempty"`
	// Failed, for KindDecode, are the images that could not be read,
	// with their positions in the run.
	Failed []Failure `json:"failed,omitempty"`
	// Evaluation is the result of KindEvaluate.
	Evaluation *Evaluation `json:"evaluation,omitempty"`
	// Images, for KindCellImages, are the cell's images, with thumbnails
	// in the body; Total is how many the cell holds.
	Images []ImageResult `json:"images,omitempty"`
	Total  int           `json:"total,omitempty"`
	// Progress, for KindProgress, says how far the request got; for a
	// training run, Plan, Step and Epoch say more.
	Progress *Progress   `json:"progress,omitempty"`
	Plan     *TrainPlan  `json:"plan,omitempty"`
	Step     *TrainStep  `json:"trainStep,omitempty"`
	Epoch    *TrainEpoch `json:"epoch,omitempty"`
	// Checkpoint, for a training run, says the body is a checkpoint.
	Checkpoint *TrainCheckpoint `json:"checkpoint,omitempty"`
	// Trained is the result of KindTrain.
	Trained *TrainResult `json:"trained,omitempty"`
	// Body is the message's body, for KindShard, KindDecode,
	// KindLoadDataset and KindCellImages: it is not part of the head.
	Body []byte `json:"-"`
}

// Encode returns the JSON encoding of a request or response, for a
// message's head. A response that JSON cannot hold (a probability that
// is not a number, from a model with NaN weights) is encoded as an error
// answer to the same request.
func Encode[M Request | Response](m M) string {
	b, err := json.Marshal(m)
	if r, ok := any(m).(Response); ok && err != nil {
		b, err = json.Marshal(Response{ID: r.ID, Kind: r.Kind, Error: fmt.Sprintf("the answer cannot be sent: %v", err)})
	}
	if err != nil {
		// A Request holds numbers, strings and the JSON of a replica setup
		// made by json.Marshal; an error Response, numbers and strings.
		panic(fmt.Sprintf("protocol: encoding %T: %v", m, err))
	}
	return string(b)
}

// DecodeRequest decodes and checks a request's head. On error the
// returned Request still holds the ID, when one could be read, so the
// answer can name it.
func DecodeRequest(head string) (Request, error) {
	var r Request
	if err := json.Unmarshal([]byte(head), &r); err != nil {
		var id struct {
			ID uint64 `json:"id"`
		}
		_ = json.Unmarshal([]byte(head), &id) // best effort
		return Request{ID: id.ID}, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	if r.ID == 0 {
		return r, fmt.Errorf("%w: request without an id", ErrMessage)
	}
	switch r.Kind {
	case KindLoadModel, KindSaveModel:
	case KindClassify:
		if r.TopK < 1 {
			return r, fmt.Errorf("%w: classify with topK %d, want at least 1", ErrMessage, r.TopK)
		}
	case KindBenchTrain, KindBenchInfer:
		switch {
		case r.Batch < 1 || r.Batch > MaxBenchBatch:
			return r, fmt.Errorf("%w: %s with batch %d, want 1 to %d", ErrMessage, r.Kind, r.Batch, MaxBenchBatch)
		case r.Steps < 1 || r.Steps > MaxBenchSteps:
			return r, fmt.Errorf("%w: %s with %d steps, want 1 to %d", ErrMessage, r.Kind, r.Steps, MaxBenchSteps)
		case r.Workers < 0 || r.Workers > MaxWorkers || r.Workers > 1 && r.Kind != KindBenchTrain:
			return r, fmt.Errorf("%w: %s with %d workers, want 1 to %d for training, 1 else", ErrMessage, r.Kind, r.Workers, MaxWorkers)
		case r.Workers > r.Batch:
			return r, fmt.Errorf("%w: %s of batches of %d on %d workers: some would have nothing to do", ErrMessage, r.Kind, r.Batch, r.Workers)
		}
		if err := checkKernel(r); err != nil {
			return r, err
		}
	case KindReplica:
		if len(r.Replica) == 0 {
			return r, fmt.Errorf("%w: %s without a replica", ErrMessage, r.Kind)
		}
		if err := checkKernel(r); err != nil {
			return r, err
		}
	case KindLoadDataset:
		if r.Size < 1 || r.Size > MaxImageSize || r.Workers < 0 || r.Workers > MaxWorkers {
			return r, fmt.Errorf("%w: %s at side %d on %d workers, want 1 to %d and 1 to %d", ErrMessage, r.Kind, r.Size, r.Workers, MaxImageSize, MaxWorkers)
		}
	case KindDecode:
		if r.Size < 1 || r.Size > MaxImageSize || r.Lo < 0 || r.Hi < r.Lo {
			return r, fmt.Errorf("%w: %s of images %d to %d at side %d", ErrMessage, r.Kind, r.Lo, r.Hi, r.Size)
		}
	case KindEvaluate:
	case KindCellImages:
		if r.Actual < 0 || r.Predicted < 0 || r.Limit < 1 || r.Limit > MaxCellLimit {
			return r, fmt.Errorf("%w: %s of cell %d, %d, limit %d", ErrMessage, r.Kind, r.Actual, r.Predicted, r.Limit)
		}
	case KindCancel:
		if r.Target == 0 {
			return r, fmt.Errorf("%w: %s without a target", ErrMessage, r.Kind)
		}
	case KindControl:
		if r.Target == 0 || r.Action != ActionPause && r.Action != ActionResume && r.Action != ActionStop {
			return r, fmt.Errorf("%w: %s %q of request %d", ErrMessage, r.Kind, r.Action, r.Target)
		}
	case KindLoadKept:
		if len(r.Digest) != 64 {
			return r, fmt.Errorf("%w: %s of digest %q", ErrMessage, r.Kind, r.Digest)
		}
	case KindTrain:
		if len(r.Recipe) == 0 && !r.Resume || r.Workers < 0 || r.Workers > MaxWorkers || r.NaNStep < 0 {
			return r, fmt.Errorf("%w: %s on %d workers", ErrMessage, r.Kind, r.Workers)
		}
	case KindShard:
		if r.Step < 0 || r.Share < 0 || r.Share >= MaxWorkers || r.Images < 1 || r.Images > r.Batch || r.Batch > MaxShardBatch || r.Size < 1 || r.Size > MaxShardSize {
			return r, fmt.Errorf("%w: %s of %d images of %d, side %d, step %d, share %d", ErrMessage, r.Kind, r.Images, r.Batch, r.Size, r.Step, r.Share)
		}
	default:
		return r, fmt.Errorf("%w: unknown request kind %q", ErrMessage, r.Kind)
	}
	return r, nil
}

// checkKernel checks a request's Kernel.
func checkKernel(r Request) error {
	if r.Kernel != "" && r.Kernel != KernelGo && r.Kernel != KernelSIMD {
		return fmt.Errorf("%w: %s with kernel %q, want %q, %q or none", ErrMessage, r.Kind, r.Kernel, KernelGo, KernelSIMD)
	}
	return nil
}

// DecodeResponse decodes a response's or notice's head.
func DecodeResponse(head string) (Response, error) {
	var r Response
	if err := json.Unmarshal([]byte(head), &r); err != nil {
		return Response{}, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	switch r.Kind {
	case KindLoadModel, KindSaveModel, KindClassify, KindBenchTrain, KindBenchInfer, KindReplica, KindShard,
		KindLoadDataset, KindLoadKept, KindDecode, KindEvaluate, KindCellImages, KindTrain, KindProgress, KindReady, KindExit:
	default:
		return r, fmt.Errorf("%w: unknown response kind %q", ErrMessage, r.Kind)
	}
	return r, nil
}
