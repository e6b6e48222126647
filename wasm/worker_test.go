package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// builtinModel is the model the page ships with.
const builtinModel = "../assets/model.safetensors"

// loadedWorker returns a worker that has loaded the built-in model.
func loadedWorker(t *testing.T) *worker {
	t.Helper()
	b, err := os.ReadFile(builtinModel)
	if err != nil {
		t.Fatal(err)
	}
	var w worker
	resp := w.serve(protocol.Request{ID: 1, Kind: protocol.KindLoadModel, Name: "built-in"}, b)
	if resp.Error != "" || resp.Model == nil {
		t.Fatalf("loading %s: got %+v, want a model", builtinModel, resp)
	}
	return &w
}

// encoded returns a 64x48 gradient encoded as JPEG, PNG and GIF.
func encoded(t *testing.T) map[string][]byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(4 * x), uint8(5 * y), 128, 255})
		}
	}
	var j, p, g bytes.Buffer
	if err := jpeg.Encode(&j, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&g, img, nil); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"a.jpg": j.Bytes(), "a.png": p.Bytes(), "a.gif": g.Bytes()}
}

func TestServeLoadModel(t *testing.T) {
	w := loadedWorker(t)
	resp := w.serve(protocol.Request{ID: 2, Kind: protocol.KindLoadModel, Name: "again.safetensors"}, mustRead(t, builtinModel))
	if resp.ID != 2 || resp.Kind != protocol.KindLoadModel || resp.Error != "" {
		t.Fatalf("got %+v, want an answer to request 2 without error", resp)
	}
	m := resp.Model
	if len(m.Classes) < 2 || m.InputSize < 1 || m.Params < 1 || m.Arch == "" || m.Source == "" {
		t.Errorf("got model %+v, want classes, an input size, parameters, an architecture and a source", m)
	}
	if m.File != "again.safetensors" {
		t.Errorf("got model file %q, want %q", m.File, "again.safetensors")
	}
}

func TestServeClassify(t *testing.T) {
	w := loadedWorker(t)
	for name, b := range encoded(t) {
		resp := w.serve(protocol.Request{ID: 7, Kind: protocol.KindClassify, Name: name, TopK: 3}, b)
		if resp.Error != "" {
			t.Errorf("%s: got error %q", name, resp.Error)
			continue
		}
		if len(resp.Predictions) != 3 {
			t.Errorf("%s: got %d predictions, want 3", name, len(resp.Predictions))
			continue
		}
		var sum float32
		for i, p := range resp.Predictions {
			if !slices.Contains(w.model.Meta.Classes, p.Class) {
				t.Errorf("%s: got class %q, not one of the model's", name, p.Class)
			}
			if i > 0 && p.Probability > resp.Predictions[i-1].Probability {
				t.Errorf("%s: predictions not in decreasing order: %+v", name, resp.Predictions)
			}
			sum += p.Probability
		}
		if sum <= 0 || sum > 1.0001 {
			t.Errorf("%s: top-3 probabilities sum to %v, want in (0, 1]", name, sum)
		}
	}
}

func TestServeRefusesBadInput(t *testing.T) {
	w := loadedWorker(t)
	good := encoded(t)["a.png"]
	huge := hugePNG(t)
	for _, tc := range []struct {
		req  protocol.Request
		body []byte
		want string // in the error
	}{
		{protocol.Request{ID: 3, Kind: protocol.KindClassify, Name: "notes.jpg", TopK: 3}, []byte("not a picture"), "notes.jpg"},
		{protocol.Request{ID: 4, Kind: protocol.KindClassify, Name: "cut.png", TopK: 3}, good[:len(good)/2], "cut.png"},
		{protocol.Request{ID: 5, Kind: protocol.KindClassify, Name: "huge.png", TopK: 3}, huge, "too large"},
		{protocol.Request{ID: 6, Kind: protocol.KindClassify, Name: "empty.gif", TopK: 3}, nil, "empty.gif"},
		{protocol.Request{ID: 7, Kind: protocol.KindLoadModel, Name: "model.txt"}, []byte("weights, honest"), "model.txt"},
		{protocol.Request{ID: 8, Kind: "fly", Name: "x"}, good, "unknown request kind"},
	} {
		resp := w.serve(tc.req, tc.body)
		if resp.ID != tc.req.ID || resp.Kind != tc.req.Kind {
			t.Errorf("%s: answer %+v does not name request %d", tc.req.Name, resp, tc.req.ID)
		}
		if !strings.Contains(resp.Error, tc.want) || resp.Predictions != nil || resp.Model != nil {
			t.Errorf("%s: got %+v, want only an error containing %q", tc.req.Name, resp, tc.want)
		}
	}
	// The worker still has its model and still classifies.
	if resp := w.serve(protocol.Request{ID: 9, Kind: protocol.KindClassify, Name: "a.png", TopK: 1}, good); resp.Error != "" || len(resp.Predictions) != 1 {
		t.Errorf("after bad input: got %+v, want one prediction", resp)
	}
}

func TestServeWithoutModel(t *testing.T) {
	var w worker
	resp := w.serve(protocol.Request{ID: 1, Kind: protocol.KindClassify, Name: "a.png", TopK: 3}, encoded(t)["a.png"])
	if !strings.Contains(resp.Error, errNoModel.Error()) {
		t.Errorf("got %+v, want error %q", resp, errNoModel)
	}
}

func TestServeRecoversFromPanic(t *testing.T) {
	// A model without a network panics in the engine.
	w := worker{model: &nn.Model{Meta: nn.Meta{Classes: []string{"a", "b"}, InputSize: 8}}}
	resp := w.serve(protocol.Request{ID: 4, Kind: protocol.KindClassify, Name: "a.png", TopK: 3}, encoded(t)["a.png"])
	if resp.ID != 4 || !strings.Contains(resp.Error, "internal error") {
		t.Errorf("got %+v, want an internal error answering request 4", resp)
	}
}

func TestTopPredictions(t *testing.T) {
	classes := []string{"a", "b", "c", "d"}
	for _, tc := range []struct {
		probs []float32
		k     int
		want  []protocol.Prediction
	}{
		{[]float32{0.1, 0.6, 0.1, 0.2}, 3, []protocol.Prediction{pred("b", 0.6), pred("d", 0.2), pred("a", 0.1)}},
		{[]float32{0.25, 0.25, 0.25, 0.25}, 2, []protocol.Prediction{pred("a", 0.25), pred("b", 0.25)}},
		{[]float32{0.1, 0.2, 0.3, 0.4}, 9, []protocol.Prediction{pred("d", 0.4), pred("c", 0.3), pred("b", 0.2), pred("a", 0.1)}},
	} {
		got, err := topPredictions(classes, tc.probs, tc.k)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("topPredictions(%v, %d): got %v, %v, want %v", tc.probs, tc.k, got, err, tc.want)
		}
	}
	if _, err := topPredictions(classes, []float32{1}, 1); err == nil {
		t.Error("topPredictions with 1 probability for 4 classes: got no error")
	}
}

func pred(class string, p float32) protocol.Prediction {
	return protocol.Prediction{Class: class, Probability: p}
}

// hugePNG returns a PNG whose header claims 20000x20000 pixels.
func hugePNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	// IHDR's type and 13 data bytes start at 12, after the signature and
	// the length; width and height come first, the CRC after.
	binary.BigEndian.PutUint32(p[16:], 20000)
	binary.BigEndian.PutUint32(p[20:], 20000)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
