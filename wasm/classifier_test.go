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
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/mailbox"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// builtinModel is the model the page ships with.
const builtinModel = "../assets/model.safetensors"

// builtinSide is the built-in model's input side, at which the page reads
// a data set and photos.
func builtinSide(t *testing.T) int {
	t.Helper()
	b := readFile(t, builtinModel)
	m, err := nn.ReadModel(bytes.NewReader(b), int64(len(b)), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	return m.Meta.InputSize
}

// loadedClassifier returns a classifier that has loaded the built-in
// model, served.
func loadedClassifier(t *testing.T) (*classifier, *tested) {
	t.Helper()
	c := &classifier{}
	tt := serveRole(c.handlers())
	if _, _, err := ask(tt, protocol.LoadModel, 1, protocol.LoadModelRequest{Name: "built-in"}, readFile(t, builtinModel)); err != nil {
		t.Fatalf("loading %s: %v", builtinModel, err)
	}
	return c, tt
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

func TestLoadModel(t *testing.T) {
	c, tt := loadedClassifier(t)
	m, body, err := ask(tt, protocol.LoadModel, 2, protocol.LoadModelRequest{Name: "again.safetensors"}, readFile(t, builtinModel))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Classes) < 2 || m.InputSize < 1 || m.Params < 1 || m.Arch == "" || m.Source == "" {
		t.Errorf("got model %+v, want classes, an input size, parameters, an architecture and a source", m)
	}
	if m.File != "again.safetensors" || body != nil {
		t.Errorf("got model file %q and a body of %d bytes, want %q and no body", m.File, len(body), "again.safetensors")
	}
	// Asked to keep it, the classifier answers with the model as this
	// project's file, which a PyTorch one is turned into.
	pth := readFile(t, "../nn/modelfile/testdata/seed-resnet14.pth")
	m, body, err = ask(tt, protocol.LoadModel, 3, protocol.LoadModelRequest{Name: "seed.pth", Keep: true}, pth)
	if err != nil {
		t.Fatal(err)
	}
	back, rerr := nn.ReadModel(bytes.NewReader(body), int64(len(body)), "kept")
	if rerr != nil || back.NumParams() != m.Params || !bytes.HasPrefix(body[8:], []byte("{")) {
		t.Errorf("the file to keep: %v, %d parameters, want a safetensors file of %d", rerr, back.NumParams(), m.Params)
	}
	// Asked only to inspect one, it describes it and classifies with the
	// model it had.
	before := c.model
	m, _, err = ask(tt, protocol.LoadModel, 4, protocol.LoadModelRequest{Name: "other.safetensors", Inspect: true}, readFile(t, builtinModel))
	if err != nil || m.File != "other.safetensors" || m.Params < 1 {
		t.Fatalf("inspected: %+v, %v", m, err)
	}
	if c.model != before {
		t.Error("inspecting a model made it the model in use")
	}
}

func TestClassify(t *testing.T) {
	c, tt := loadedClassifier(t)
	for name, b := range encoded(t) {
		res, _, err := ask(tt, protocol.Classify, 7, protocol.ClassifyRequest{Name: name, TopK: 3}, b)
		if err != nil {
			t.Errorf("%s: got error %v", name, err)
			continue
		}
		if len(res.Top) != 3 || res.Thumb != nil {
			t.Errorf("%s: got %d predictions and thumbnail %v, want 3 and none", name, len(res.Top), res.Thumb)
			continue
		}
		var sum float32
		for i, p := range res.Top {
			if !slices.Contains(c.model.Meta.Classes, p.Class) {
				t.Errorf("%s: got class %q, not one of the model's", name, p.Class)
			}
			if i > 0 && p.Probability > res.Top[i-1].Probability {
				t.Errorf("%s: predictions not in decreasing order: %+v", name, res.Top)
			}
			sum += p.Probability
		}
		if sum <= 0 || sum > 1.0001 {
			t.Errorf("%s: top-3 probabilities sum to %v, want in (0, 1]", name, sum)
		}
	}
}

func TestClassifyRefusesBadInput(t *testing.T) {
	_, tt := loadedClassifier(t)
	good := encoded(t)["a.png"]
	for _, tc := range []struct {
		name string
		body []byte
		code protocol.Code
		want string // the error's message
	}{
		{"notes.jpg", []byte("not a picture"), protocol.BadInput, "not a JPEG, PNG, GIF or WebP image"},
		{"cut.png", good[:len(good)/2], protocol.BadInput, "damaged or cut short"},
		{"huge.png", hugePNG(t), protocol.BadInput, "too large"},
		{"empty.gif", []byte{}, protocol.BadInput, "not a JPEG"},
	} {
		res, _, err := ask(tt, protocol.Classify, 3, protocol.ClassifyRequest{Name: tc.name, TopK: 3}, tc.body)
		if err == nil || err.Code != tc.code || err.File != tc.name || !strings.Contains(err.Message, tc.want) || strings.Contains(err.Message, tc.name) || res.Top != nil {
			t.Errorf("%s: got %+v, %+v; want only a %s error about %s saying %q, the name apart", tc.name, res, err, tc.code, tc.name, tc.want)
		}
	}
	if _, _, err := ask(tt, protocol.LoadModel, 4, protocol.LoadModelRequest{Name: "model.txt"}, []byte("weights, honest")); err == nil || err.File != "model.txt" || err.Code != protocol.BadInput {
		t.Errorf("a model file of text: got %+v, want a bad-input error about model.txt", err)
	}
	// The classifier still has its model and still classifies.
	if res, _, err := ask(tt, protocol.Classify, 9, protocol.ClassifyRequest{Name: "a.png", TopK: 1}, good); err != nil || len(res.Top) != 1 {
		t.Errorf("after bad input: got %+v, %v, want one prediction", res, err)
	}
}

func TestClassifyWithoutModel(t *testing.T) {
	tt := serveRole((&classifier{}).handlers())
	_, _, err := ask(tt, protocol.Classify, 1, protocol.ClassifyRequest{Name: "a.png", TopK: 3}, encoded(t)["a.png"])
	if err == nil || err.Code != protocol.NotLoaded || err.Message != "no model is loaded" {
		t.Errorf("got %+v, want a not-loaded error", err)
	}
}

func TestServeRecoversFromPanic(t *testing.T) {
	// A model without a network panics in the engine.
	c := &classifier{model: &nn.Model{Meta: nn.Meta{Classes: []string{"a", "b"}, InputSize: 8}}}
	tt := serveRole(c.handlers())
	_, _, err := ask(tt, protocol.Classify, 4, protocol.ClassifyRequest{Name: "a.png", TopK: 3}, encoded(t)["a.png"])
	if err == nil || err.Code != protocol.Internal || !strings.Contains(err.Message, "internal error") {
		t.Errorf("got %+v, want an internal error answering request 4", err)
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

// TestClassifyBatch answers a batch of requests, good and bad, each as
// it would be answered alone, in the order asked: on the classifier
// alone, and sharing the batch with a peer.
func TestClassifyBatch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		peers int
	}{{"alone", 0}, {"with a peer", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			c, tt := loadedClassifier(t)
			var served []*servedPeer
			if tc.peers > 0 {
				c.peers = &photoPeers{n: tc.peers, start: func(model []byte) (peer, error) {
					p, err := startServedPeer(model)
					served = append(served, p)
					return p, err
				}}
			}
			classifyBatch(t, tt, 200) // more than three batches
			if tc.peers == 0 {
				return
			}
			if len(served) != tc.peers {
				t.Fatalf("%d peers started, want %d", len(served), tc.peers)
			}
			// Of 200 photos the peer has the first and third batches, the
			// classifier the second and the last; the request stopped
			// among the first is answered without it.
			if got, want := served[0].photos(), 2*inferBatch-1; got != want {
				t.Errorf("the peer classified %d photos, want %d", got, want)
			}
		})
	}
}

// classifyBatch has the classifier served by tt answer a batch of n
// requests and checks the answers.
func classifyBatch(t *testing.T, tt *tested, n int) {
	t.Helper()
	photos := encoded(t)
	names := []string{"a.jpg", "a.png", "a.gif"}
	for _, scene := range []string{"buildings_0.jpg", "forest_10007.jpg", "glacier_10.jpg", "sea_1.jpg"} {
		photos[scene] = readFile(t, "../nn/data/testdata/photo/"+scene)
		names = append(names, scene)
	}
	alone := map[string]protocol.Classified{}
	for i, name := range names {
		res, _, err := ask(tt, protocol.Classify, uint64(10+i), protocol.ClassifyRequest{Name: name, TopK: 3}, photos[name])
		if err != nil {
			t.Fatal(err)
		}
		alone[name] = res
	}
	var batch []incoming
	want := map[uint64]string{} // the request's photo, or its error's code
	for i := range n {
		id := uint64(100 + i)
		name := names[i%len(names)]
		body := bytesFile(photos[name])
		switch i {
		case 5, 70: // on a peer, and here
			name, body = "notes.jpg", bytesFile("not a picture")
			want[id] = string(protocol.BadInput)
		case 6, 100:
			tt.s.stops.add(id)
			want[id] = string(protocol.Cancelled)
		default:
			want[id] = name
		}
		batch = append(batch, incoming{text: protocol.Classify.Request(id, protocol.ClassifyRequest{Name: name, TopK: 3}), body: body})
	}
	batch = append(batch, incoming{text: `{"id":900,"kind":"classify","part":"request","payload":{"name":"b.jpg"}}`, body: bytesFile(photos["a.jpg"])})
	want[900] = string(protocol.BadMessage)
	tt.notices = nil
	tt.s.serveBatch(batch)

	answered := map[uint64]bool{}
	var last uint64
	for _, h := range tt.notices {
		id := h.head.ID
		if id < last {
			t.Errorf("request %d answered after %d: out of the order asked", id, last)
		}
		last = id
		if answered[id] {
			t.Errorf("request %d answered twice", id)
		}
		answered[id] = true
		w, ok := want[id]
		switch {
		case !ok:
			t.Errorf("an answer to %d, which was not asked", id)
		case h.head.Error != nil:
			if string(h.head.Error.Code) != w {
				t.Errorf("request %d: got error %+v, want %s", id, h.head.Error, w)
			}
		default:
			res, err := protocol.Classify.ReadAnswer(h.head)
			if err != nil || !reflect.DeepEqual(res, alone[w]) {
				t.Errorf("request %d: got %+v (%v), want %s's answer alone, %+v", id, res, err, w, alone[w])
			}
		}
	}
	if len(answered) != len(want) {
		t.Errorf("%d requests answered of %d", len(answered), len(want))
	}
}

// servedPeer is a peer in this process: a classifier of the photo role
// served here, one photo at a time, in the order given.
type servedPeer struct {
	tt     *tested
	serial mailbox.Serial
	mu     sync.Mutex
	n      int // photos classified
}

// startServedPeer returns a peer that has loaded the model file given.
func startServedPeer(model []byte) (*servedPeer, error) {
	p := &servedPeer{tt: serveRole((&classifier{}).handlers())}
	if _, _, err := ask(p.tt, protocol.LoadModel, 1, protocol.LoadModelRequest{Name: "the page's model"}, model); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *servedPeer) classify(q protocol.ClassifyRequest, f file, done func(protocol.Classified, []byte, *protocol.Error)) {
	p.serial.Do(func() {
		p.mu.Lock()
		p.n++
		p.mu.Unlock()
		text, body := p.tt.s.answer(protocol.Classify.Request(uint64(2+p.n), q), f)
		h, err := protocol.ReadHead(text)
		switch {
		case err != nil:
			done(protocol.Classified{}, nil, protocol.Errorf(protocol.BadMessage, "%v", err))
		case h.Error != nil:
			done(protocol.Classified{}, nil, h.Error)
		default:
			res, err := protocol.Classify.ReadAnswer(h)
			if err != nil {
				done(protocol.Classified{}, nil, protocol.Errorf(protocol.BadMessage, "%v", err))
				return
			}
			done(res, body, nil)
		}
	})
}

func (p *servedPeer) close() {}

// photos returns how many photos the peer classified.
func (p *servedPeer) photos() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// TestExplain paints the model's Grad-CAM map of a photo's class over
// it, the map nn.Model.GradCAM computes, and refuses what it cannot.
func TestExplain(t *testing.T) {
	c, tt := loadedClassifier(t)
	photo := readFile(t, "../ui/e2e/testdata/forest-10007.jpg")
	res, body, err := ask(tt, protocol.Explain, 2, protocol.ExplainRequest{Name: "forest.jpg", Class: "forest"}, photo)
	if err != nil {
		t.Fatal(err)
	}
	img, derr := png.Decode(bytes.NewReader(body))
	if derr != nil || res.Class != "forest" || img.Bounds().Dx() != 150 || img.Bounds().Dy() != 150 {
		t.Fatalf("got %+v and an image of %v (%v), want forest's heat map over the 150×150 photo", res, img, derr)
	}
	want, werr := data.HeatMapPNG(photo, "forest.jpg", c.model.Meta.InputSize, protocol.ExplainSide, data.PhotoMaxPixels, func(pix []uint8) ([]float32, int, int) {
		return c.model.GradCAM(pix, 1, []int{slices.Index(c.model.Meta.Classes, "forest")})
	})
	if werr != nil || !bytes.Equal(body, want) {
		t.Errorf("the worker's heat map is not the one the model gives (%v)", werr)
	}
	other, _, err := ask(tt, protocol.Explain, 3, protocol.ExplainRequest{Name: "forest.jpg", Class: "sea"}, photo)
	if err != nil || other.Class != "sea" {
		t.Errorf("another class: %+v, %v", other, err)
	}
	for _, tc := range []struct {
		name, class string
		body        []byte
		want        string
	}{
		{"forest.jpg", "lake", photo, `no class "lake"`},
		{"notes.jpg", "sea", []byte("not a picture"), "not a JPEG, PNG, GIF or WebP image"},
		{"huge.png", "sea", hugePNG(t), "too large for a heat map"},
	} {
		_, _, err := ask(tt, protocol.Explain, 4, protocol.ExplainRequest{Name: tc.name, Class: tc.class}, tc.body)
		if err == nil || err.Code != protocol.BadInput || err.File != tc.name || !strings.Contains(err.Message, tc.want) {
			t.Errorf("%s, %s: got %+v, want a bad-input error about the file saying %q", tc.name, tc.class, err, tc.want)
		}
	}
	empty := serveRole((&classifier{}).handlers())
	if _, _, err := ask(empty, protocol.Explain, 5, protocol.ExplainRequest{Name: "forest.jpg", Class: "forest"}, photo); err == nil || !strings.Contains(err.Message, "no model") {
		t.Errorf("without a model: got %+v", err)
	}
}
