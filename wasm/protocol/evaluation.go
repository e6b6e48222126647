package protocol

import "fmt"

// The payloads of evaluations.

// EvaluateRequest asks the data set worker to classify the loaded data
// set's test split (all its images when it has none) with the model
// file in the body, or at URL without one, named Name, on Workers
// workers (1, also when 0, to MaxWorkers), this one included: it starts
// the others as helpers.
type EvaluateRequest struct {
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
	Workers int    `json:"workers,omitempty"`
}

// Evaluation is a model's result on a data set.
type Evaluation struct {
	Model   string   `json:"model"`   // the model file's name
	Split   string   `json:"split"`   // "test", or "all" when the data set has no test split
	Classes []string `json:"classes"` // the model's, in its label order; Matrix is indexed by them
	// Matrix counts the images: Matrix[actual][predicted].
	Matrix [][]int `json:"matrix"`
	// Loss is the mean cross-entropy.
	Loss float64 `json:"loss"`
	// Predicted is each image's predicted class, in the split's order.
	Predicted []int `json:"predicted"`
	// Unknown names the data set's classes the model does not know,
	// whose images were left out, and Left how many images that was.
	Unknown []string `json:"unknown,omitempty"`
	Left    int      `json:"left,omitempty"`
	Seconds float64  `json:"seconds"`
	Workers int      `json:"workers"` // that classified the images, the data set worker included
}

// The evaluations the worker keeps, by CellRequest.Split.
const (
	SplitEvaluated  = ""           // the last Evaluate's
	SplitValidation = "validation" // the last run's, on its held-out images
	SplitTest       = "test"       // the last run's, on the test split
)

// CellRequest asks for the images of one cell of an evaluation's
// confusion matrix, Actual row and Predicted column, the lowest
// probability of the true class first: at most Limit of them, from the
// From-th on (0 for the first), so that a page showing some asks for
// only the next.
type CellRequest struct {
	Split     string `json:"split,omitempty"` // which evaluation: Split*
	Actual    int    `json:"actual"`
	Predicted int    `json:"predicted"`
	From      int    `json:"from,omitempty"`
	Limit     int    `json:"limit"`
}

// TopLossesRequest asks for the images of an evaluation (Split, as
// CellRequest's) with the highest loss, whatever their cell: the lowest
// probability of the true class first, at most Limit of them from the
// From-th on. The answer is as to a CellRequest.
type TopLossesRequest struct {
	Split string `json:"split,omitempty"`
	From  int    `json:"from,omitempty"`
	Limit int    `json:"limit"`
}

func checkTopLosses(q TopLossesRequest) error {
	return checkCell(CellRequest{Split: q.Split, From: q.From, Limit: q.Limit})
}

// CellImages is the answer to a CellRequest: the cell's images asked
// for, with their thumbnails in the body, and how many the cell holds.
type CellImages struct {
	Images []ImageResult `json:"images"`
	Total  int           `json:"total"`
}

// ExplainImageRequest asks for the Grad-CAM heat map of the class Class
// over image Index of the split of an evaluation (Split, as
// CellRequest's), by the model evaluated: an answer as to an
// ExplainRequest.
type ExplainImageRequest struct {
	Split string `json:"split,omitempty"`
	Index int    `json:"index"`
	Class string `json:"class"`
}

func checkExplainImage(q ExplainImageRequest) error {
	switch {
	case q.Split != SplitEvaluated && q.Split != SplitValidation && q.Split != SplitTest:
		return fmt.Errorf("no evaluation %q", q.Split)
	case q.Index < 0 || q.Class == "":
		return fmt.Errorf("image %d, class %q", q.Index, q.Class)
	}
	return nil
}

// ImageResult is an image of a data set as a model saw it.
type ImageResult struct {
	Thumb
	Index    int          `json:"index"`    // in the split
	TrueProb float32      `json:"trueProb"` // the probability of its true class
	Top      []Prediction `json:"top"`      // most probable first
}

// PredictorRequest sets a helper worker up to classify images, for an
// evaluation, with the model file in the body, named Name, computing
// with Kernel (the data set worker's, so that every worker sums alike).
type PredictorRequest struct {
	Name   string `json:"name"`
	Kernel string `json:"kernel,omitempty"`
}

// PredictRequest asks a helper set up by a PredictorRequest for the
// class probabilities of the Images images of side Size in the body
// (data.Set's layout). The answer's body holds them, Images rows of the
// model's classes, float32s, little-endian.
type PredictRequest struct {
	Images int `json:"images"`
	Size   int `json:"size"`
}

func checkEvaluate(q EvaluateRequest) error {
	if q.Workers < 0 || q.Workers > MaxWorkers {
		return fmt.Errorf("workers: %d is out of range: 1 to %d", q.Workers, MaxWorkers)
	}
	return nil
}

func checkPredictor(q PredictorRequest) error { return checkKernel(q.Kernel) }

func checkPredict(q PredictRequest) error {
	if q.Images < 1 || q.Images > MaxShardBatch || q.Size < 1 || q.Size > MaxShardSize {
		return fmt.Errorf("%d images of side %d", q.Images, q.Size)
	}
	return nil
}

func checkCell(q CellRequest) error {
	switch {
	case q.Split != SplitEvaluated && q.Split != SplitValidation && q.Split != SplitTest:
		return fmt.Errorf("no evaluation %q", q.Split)
	case q.Actual < 0 || q.Predicted < 0 || q.From < 0 || q.Limit < 1 || q.Limit > MaxCellLimit:
		return fmt.Errorf("cell %d, %d, from %d, limit %d", q.Actual, q.Predicted, q.From, q.Limit)
	}
	return nil
}
