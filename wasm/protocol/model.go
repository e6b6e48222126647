package protocol

import "fmt"

// The payloads of models and classification.

// LoadModelRequest asks the classifier to replace its model with the
// model file in the body, or at URL without one.
type LoadModelRequest struct {
	// Name names the file as the person knows it ("built-in" for the
	// page's own model); errors and ModelInfo.File use it.
	Name string `json:"name"`
	// URL is the same-origin path of the file, for a request without a
	// body.
	URL string `json:"url,omitempty"`
	// Keep asks for the model as this project's safetensors file in the
	// answer's body, for the page to keep (a PyTorch file is converted).
	Keep bool `json:"keep,omitempty"`
	// Inspect asks only for the model's description (and file, with
	// Keep): the model in use stays.
	Inspect bool `json:"inspect,omitempty"`
}

// ModelInfo describes a model.
type ModelInfo struct {
	Arch      string   `json:"arch"`      // architecture name, e.g. "resnet14"
	Classes   []string `json:"classes"`   // class names, in output order
	InputSize int      `json:"inputSize"` // side of the square input image, in pixels
	Params    int      `json:"params"`    // number of parameters
	File      string   `json:"file"`      // the file it was read from, as the request named it
	Source    string   `json:"source"`    // where the weights came from, as the file says (else File)
}

// ClassifyRequest asks for the TopK most probable classes of the image
// in the body, named Name.
type ClassifyRequest struct {
	Name string `json:"name"`
	TopK int    `json:"topK"` // at least 1; fewer come back when the model has fewer
}

// Classified is the answer to a ClassifyRequest.
type Classified struct {
	Top []Prediction `json:"top"` // most probable first
	// Thumb, for a large image, is a thumbnail of it in the answer's
	// body, for the page to show instead of the image.
	Thumb *Thumb `json:"thumb,omitempty"`
}

// ExplainRequest asks for the Grad-CAM heat map of the model's class
// Class over the image in the body, named Name: the answer's body is the
// image, fitted into a box of ExplainSide pixels, with the map painted
// over it, as a PNG.
type ExplainRequest struct {
	Name  string `json:"name"`
	Class string `json:"class"`
}

// Explained is the answer to an ExplainRequest.
type Explained struct {
	Class string `json:"class"`
}

// ExplainSide is the side of the box an explained image fits in.
const ExplainSide = 256

func checkExplain(q ExplainRequest) error {
	if q.Name == "" || q.Class == "" {
		return fmt.Errorf("an image and a class to explain, not %q and %q", q.Name, q.Class)
	}
	return nil
}

// Prediction is one class and its probability.
type Prediction struct {
	Class       string  `json:"class"`
	Probability float32 `json:"probability"` // in [0, 1]
}

// Thumb is a JPEG thumbnail of an image in a message's body, Length
// bytes at Offset.
type Thumb struct {
	Name   string `json:"name"`            // the image's file
	Class  int    `json:"class,omitempty"` // its label, for an image of a data set
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

func checkLoadModel(LoadModelRequest) error { return nil }

func checkClassify(q ClassifyRequest) error {
	if q.TopK < 1 {
		return fmt.Errorf("topK %d, want at least 1", q.TopK)
	}
	return nil
}
