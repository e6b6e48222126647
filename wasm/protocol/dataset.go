package protocol

// The messages about data sets: their summaries, evaluations and
// thumbnails.

// Progress is how far a long request got.
type Progress struct {
	Stage string `json:"stage"` // what it is doing, in a person's words: "decoding images"
	Done  int    `json:"done"`  // items done
	Total int    `json:"total"` // items in all; 0 when not known
	// PerSec is the rate of the items, in items a second, when known.
	PerSec float64 `json:"perSec,omitempty"`
}

// Failure is an image that could not be read, and why.
type Failure struct {
	At     int    `json:"at"`     // its position in the run
	Reason string `json:"reason"` // in a person's words
}

// DatasetInfo describes a loaded data set.
type DatasetInfo struct {
	Name    string      `json:"name"`    // the zip's name, as the request gave it
	Bytes   int64       `json:"bytes"`   // the zip's length
	Classes []string    `json:"classes"` // in label order
	Size    int         `json:"size"`    // the side of the decoded images
	Splits  []SplitInfo `json:"splits"`  // training, then validation (as training will hold it out) and test when there are
	// Images is the number of images read; Memory the bytes their pixels
	// take.
	Images int   `json:"images"`
	Memory int64 `json:"memory"`
	// Seconds is how long reading took, Workers on how many workers.
	Seconds float64 `json:"seconds"`
	Workers int     `json:"workers"`
	// Skipped are the files not used, and why; Warnings what a person
	// should know before training.
	Skipped  []Skip    `json:"skipped,omitempty"`
	Warnings []Warning `json:"warnings,omitempty"`
	// Samples are thumbnails of the first images of each class of the
	// training split, in the answer's body.
	Samples []Thumb `json:"samples,omitempty"`
	// Kept says the data set came from the browser's storage, for a run
	// to resume, not from its zip.
	Kept bool `json:"kept,omitempty"`
}

// SplitInfo is one split of a data set.
type SplitInfo struct {
	Name   string `json:"name"`   // "training", "validation" or "test"
	Dir    string `json:"dir"`    // its folder in the zip; "" for the top
	Counts []int  `json:"counts"` // images of each class
	Note   string `json:"note,omitempty"`
}

// Skip is a file of a zip not used, and why.
type Skip struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Warning is something a person should know about a data set.
type Warning struct {
	Message string   `json:"message"`
	Files   []string `json:"files,omitempty"`
}

// Thumb is a thumbnail in a message's body: a JPEG of Length bytes at
// Offset.
type Thumb struct {
	Name   string `json:"name"`  // the image's file in the zip
	Class  int    `json:"class"` // its label
	Offset int    `json:"offset"`
	Length int    `json:"length"`
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
}

// ImageResult is an image of a data set as a model saw it, with its
// thumbnail in the message's body.
type ImageResult struct {
	Thumb
	Index    int          `json:"index"`    // in the split
	TrueProb float32      `json:"trueProb"` // the probability of its true class
	Top      []Prediction `json:"top"`      // most probable first
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

// ModelInfo describes a loaded model.
type ModelInfo struct {
	Arch      string   `json:"arch"`      // architecture name, e.g. "resnet14"
	Classes   []string `json:"classes"`   // class names, in output order
	InputSize int      `json:"inputSize"` // side of the square input image, in pixels
	Params    int      `json:"params"`    // number of parameters
	File      string   `json:"file"`      // the file it was read from, as the request named it
	Source    string   `json:"source"`    // where the weights came from, as the file says (else File)
}

// Prediction is one class and its probability.
type Prediction struct {
	Class       string  `json:"class"`
	Probability float32 `json:"probability"` // in [0, 1]
}
