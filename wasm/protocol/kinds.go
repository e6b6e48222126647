package protocol

import "fmt"

// The kinds of messages, each defined once: its name; the bodies of its
// request, answer and notices; the payload types of its request, answer
// and notices; and the check of its request. Which worker serves which
// kind is the worker's to say (see wasm/doc.go).
var (
	// The classifier's: load a model, classify an image with it, show
	// why it chose a class.
	LoadModel = call[LoadModelRequest, ModelInfo, None]("load-model", FileOrURL, MaybeBytes, NoBody, checkLoadModel)
	Classify  = call[ClassifyRequest, Classified, None]("classify", File, MaybeBytes, NoBody, checkClassify)
	Explain   = call[ExplainRequest, Explained, None]("explain", File, Bytes, NoBody, checkExplain)

	// The data set worker's: data sets, their evaluation, training.
	LoadDataset = call[LoadDatasetRequest, DatasetInfo, Progress]("load-dataset", FileOrURL, MaybeBytes, NoBody, checkLoadDataset)
	LoadKept    = call[LoadKeptRequest, DatasetInfo, Progress]("load-kept", NoBody, MaybeBytes, NoBody, checkLoadKept)
	EditDataset = call[EditRequest, DatasetEdits, None]("edit-dataset", NoBody, NoBody, NoBody, checkEdit)
	Download    = call[DownloadRequest, ZipWritten, ZipPart]("download-dataset", NoBody, NoBody, Bytes, checkDownload)
	Thumbnails  = call[ThumbnailsRequest, ThumbnailSet, None]("thumbnails", NoBody, MaybeBytes, NoBody, checkThumbnails)
	Evaluate    = call[EvaluateRequest, Evaluation, Progress]("evaluate", FileOrURL, NoBody, NoBody, checkEvaluate)
	Cell        = call[CellRequest, CellImages, None]("cell-images", NoBody, MaybeBytes, NoBody, checkCell)
	TopLosses   = call[TopLossesRequest, CellImages, None]("top-losses", NoBody, MaybeBytes, NoBody, checkTopLosses)
	ExplainCell = call[ExplainImageRequest, Explained, None]("explain-image", NoBody, Bytes, NoBody, checkExplainImage)
	Train       = call[TrainRequest, TrainResult, TrainNotice]("train", NoBody, MaybeBytes, MaybeBytes, checkTrain)
	ForgetRun   = call[ForgetRunRequest, None, None]("forget-run", NoBody, NoBody, NoBody, checkForgetRun)

	// Any worker's: time training steps or inference.
	BenchTrain = call[BenchRequest, BenchResult, None]("bench-train", MaybeFile, NoBody, NoBody, checkBenchTrain)
	BenchInfer = call[BenchRequest, BenchResult, None]("bench-infer", MaybeFile, NoBody, NoBody, checkBenchInfer)

	// A decoding worker's: decode a run of a zip's images.
	Decode = call[DecodeRequest, None, Decoded]("decode", File, NoBody, Bytes, checkDecode)

	// A helper worker's: compute shares of training steps; classify
	// images for an evaluation.
	Replica   = call[ReplicaRequest, None, None]("replica", NoBody, NoBody, NoBody, checkReplica)
	Shard     = call[ShardRequest, Sharded, None]("shard", Bytes, Bytes, NoBody, checkShard)
	Predictor = call[PredictorRequest, None, None]("predictor", Bytes, NoBody, NoBody, checkPredictor)
	Predict   = call[PredictRequest, None, None]("predict", Bytes, Bytes, NoBody, checkPredict)

	// Handled as they arrive, never answered: stop a request at work, or
	// pause, resume or stop a run.
	Cancel  = immediate[CancelRequest]("cancel", checkCancel)
	Control = immediate[ControlRequest]("control", checkControl)

	// A worker's own: it takes requests; its program stopped (with the
	// Error of the head saying why).
	Ready = event[ReadyEvent]("ready")
	Exit  = event[None]("exit")
)

// CancelRequest asks the worker to stop the request Target as soon as it
// can; that request then fails with the code Cancelled.
type CancelRequest struct {
	Target uint64 `json:"target"`
}

// ReadyEvent is the worker's word that it takes requests.
type ReadyEvent struct {
	Kernel string `json:"kernel"` // its GEMM kernel: KernelGo, KernelSIMD or KernelSIMDFMA
}

func checkCancel(q CancelRequest) error {
	if q.Target == 0 {
		return fmt.Errorf("no target")
	}
	return nil
}
