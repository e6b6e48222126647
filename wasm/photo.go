package main

import (
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Huge photos are classified in a worker of their own, started for the
// one image and ended with it: decoding a 48-megapixel JPEG takes
// hundreds of MB (a progressive one holds 360 MB of coefficients), which
// the classifier would otherwise keep for good, since WebAssembly memory
// never shrinks.
const (
	// aloneFrom is the decoding cost (data.DecodeCost) from which a photo
	// is classified in a worker of its own: a 16-megapixel JPEG.
	aloneFrom = 48 << 20
	// headerBytes is how much of a file is read to find its decoding
	// cost: JPEGs put their frame header after their metadata, which
	// holds an EXIF thumbnail of some tens of KB.
	headerBytes = 256 << 10
	// aloneSilence is how long the worker of a huge photo may be silent,
	// from its start to its answer.
	aloneSilence = 3 * time.Minute
)

// classifyAlone has a worker of its own (a classifier that decodes any
// photo itself) load the model file and classify the photo, and ends
// it.
func classifyAlone(model []byte, q protocol.ClassifyRequest, photo js.Value) (protocol.Classified, []byte, error) {
	w, err := link.Start(workerURL(rolePhoto), link.Options{Name: "the worker for this photo", Silence: aloneSilence,
		Silent: "the worker for this photo did not answer in %v"})
	if err != nil {
		return protocol.Classified{}, nil, err
	}
	defer w.Close()
	if _, _, err := link.Await(w, protocol.LoadModel, protocol.LoadModelRequest{Name: "the page's model"}, link.Buffer(model)); err != nil {
		return protocol.Classified{}, nil, err
	}
	res, body, perr := link.Await(w, protocol.Classify, q, photo)
	if perr != nil {
		return protocol.Classified{}, nil, perr
	}
	var thumb []byte
	if link.IsBuffer(body) {
		thumb = link.Bytes(body)
	}
	return res, thumb, nil
}
