package main

import (
	"archive/zip"
	"bytes"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// sampleZip is the page's sample data set: 40 training and 10 test
// images of each of the six classes.
const sampleZip = "../assets/sample-scenes.zip"

// readFile returns a file's bytes.
func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadSample returns a data set worker that has loaded the sample data
// set on the given number of decoding workers, served, and its answer.
func loadSample(t *testing.T, workers int) (*datasets, *tested, protocol.DatasetInfo, []byte) {
	t.Helper()
	return loadSampleAt(t, workers, builtinSide(t))
}

// loadSampleAt is loadSample with the images read at side size.
func loadSampleAt(t *testing.T, workers, size int) (*datasets, *tested, protocol.DatasetInfo, []byte) {
	t.Helper()
	d := &datasets{decoders: decodeInProcess}
	tt := serveRole(d.handlers())
	info, body, err := ask(tt, protocol.LoadDataset, 9, protocol.LoadDatasetRequest{Name: "sample.zip", Size: size, Workers: workers}, readFile(t, sampleZip))
	if err != nil {
		t.Fatalf("loading the sample: %v", err)
	}
	if ps, _ := noticesOf(tt, protocol.LoadDataset); len(ps) == 0 || ps[len(ps)-1].Stage == "" {
		t.Errorf("progress notices: %+v", ps)
	}
	return d, tt, info, body
}

func TestLoadDataset(t *testing.T) {
	side := builtinSide(t)
	want, err := data.ReadZip(bytes.NewReader(readFile(t, sampleZip)), int64(len(readFile(t, sampleZip))), data.Options{Size: side, MaxPixels: data.DefaultMaxPixels})
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 3} {
		d, _, info, body := loadSample(t, workers)
		if !reflect.DeepEqual(d.dataset.archive, want) {
			t.Errorf("%d workers: the data set differs from data.ReadZip's", workers)
		}
		if got := []string{info.Splits[0].Name, info.Splits[1].Name, info.Splits[2].Name}; !slices.Equal(got, []string{"training", "validation", "test"}) {
			t.Errorf("splits %q", got)
		}
		sum := func(c []int) (n int) {
			for _, v := range c {
				n += v
			}
			return n
		}
		if tr, val, test := sum(info.Splits[0].Counts), sum(info.Splits[1].Counts), info.Splits[2].Counts; tr != 192 || val != 48 || !slices.Equal(test, []int{10, 10, 10, 10, 10, 10}) {
			t.Errorf("split counts %d, %d, %v; want 192, 48 and 10 a class", tr, val, test)
		}
		if info.Images != 300 || info.Memory != int64(300*side*side*3) || info.Workers != workers {
			t.Errorf("%d images in %d bytes on %d workers", info.Images, info.Memory, info.Workers)
		}
		if len(info.Samples) != 6*samplesPerClass {
			t.Errorf("%d samples, want %d", len(info.Samples), 6*samplesPerClass)
		}
		for _, s := range info.Samples {
			if _, err := jpeg.DecodeConfig(bytes.NewReader(body[s.Offset : s.Offset+s.Length])); err != nil {
				t.Errorf("sample %s: %v", s.Name, err)
			}
		}
	}
}

func TestLoadDatasetBadZipKeepsTheLoadedOne(t *testing.T) {
	d, tt, _, _ := loadSample(t, 2)
	before := d.dataset
	sample := readFile(t, sampleZip)
	for _, tc := range []struct {
		name string
		zip  []byte
		want string
	}{
		{"notes.zip", []byte("just some text"), "not a zip file"},
		{"cut.zip", sample[:len(sample)/2], "not a zip file, or a damaged or cut-short one"},
	} {
		info, _, err := ask(tt, protocol.LoadDataset, 10, protocol.LoadDatasetRequest{Name: tc.name, Size: 32, Workers: 2}, tc.zip)
		if err == nil || err.File != tc.name || err.Code != protocol.BadInput || !strings.HasPrefix(err.Message, tc.want) || info.Name != "" {
			t.Errorf("%s: got %+v, want a bad-input error about it starting %q", tc.name, err, tc.want)
		}
		if d.dataset != before {
			t.Errorf("%s: the loaded data set was replaced", tc.name)
		}
	}
	tt.s.stops.add(11)
	_, _, err := ask(tt, protocol.LoadDataset, 11, protocol.LoadDatasetRequest{Name: "again.zip", Size: 32, Workers: 1}, sample)
	if !protocol.IsCancelled(err) || d.dataset != before {
		t.Errorf("a cancelled load: error %+v, data set replaced %v", err, d.dataset != before)
	}
}

func TestEvaluateMatchesNative(t *testing.T) {
	d, tt, _, _ := loadSample(t, 2)
	model := readFile(t, builtinModel)
	ev, _, perr := ask(tt, protocol.Evaluate, 12, protocol.EvaluateRequest{Name: "built-in"}, model)
	if perr != nil {
		t.Fatal(perr)
	}
	m, err := nn.ReadModel(bytes.NewReader(model), int64(len(model)), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	test := d.dataset.archive.Test
	_, cm, err := nn.Evaluate(m, test, 128, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Images whose two top logits are closer than rounding tells apart may
	// go either way: any other image has the class the native path gives.
	ties := 0
	logits := m.Net.Infer(inputOf(m, test))
	for i := range test.Len() {
		row := logits.Data[i*6 : (i+1)*6]
		order := nn.TopK(row, 2)
		switch {
		case row[order[0]]-row[order[1]] < 1e-4:
			ties++
		case ev.Predicted[i] != order[0]:
			t.Errorf("image %d (%s): predicted %d, natively %d", i, test.Names[i], ev.Predicted[i], order[0])
		}
	}
	if ties == 0 && !reflect.DeepEqual(ev.Matrix, [][]int(cm)) {
		t.Errorf("matrix %v, want nn.Evaluate's %v", ev.Matrix, cm)
	}
	t.Logf("%d near ties; accuracy %d/%d", ties, cm.Correct(), cm.Total())
	if ev.Split != "test" || len(ev.Predicted) != 60 || ev.Loss <= 0 || math.IsNaN(ev.Loss) {
		t.Errorf("split %q, %d predictions, loss %v", ev.Split, len(ev.Predicted), ev.Loss)
	}

	// The cell of buildings taken for streets.
	cell, body, perr := ask(tt, protocol.Cell, 13, protocol.CellRequest{Actual: 0, Predicted: 5, Limit: 50}, nil)
	if perr != nil {
		t.Fatal(perr)
	}
	if cell.Total != ev.Matrix[0][5] || len(cell.Images) != cell.Total {
		t.Errorf("cell of %d images (total %d), want %d", len(cell.Images), cell.Total, ev.Matrix[0][5])
	}
	for i, im := range cell.Images {
		if i > 0 && im.TrueProb < cell.Images[i-1].TrueProb {
			t.Errorf("images not by rising probability of the true class: %v", cell.Images)
		}
		if im.Top[0].Class != "street" || ev.Predicted[im.Index] != 5 || !strings.Contains(im.Name, "/test/buildings/") {
			t.Errorf("image %+v not in the cell", im)
		}
		if _, err := jpeg.DecodeConfig(bytes.NewReader(body[im.Offset : im.Offset+im.Length])); err != nil {
			t.Errorf("thumbnail of %s: %v", im.Name, err)
		}
	}
	// The largest cell, whole and in two parts, as Show more asks for
	// the rest of it, and past its end.
	var big protocol.CellRequest
	for a, row := range ev.Matrix {
		for p, n := range row {
			if n > ev.Matrix[big.Actual][big.Predicted] {
				big.Actual, big.Predicted = a, p
			}
		}
	}
	total := ev.Matrix[big.Actual][big.Predicted]
	if total < 2 {
		t.Fatalf("largest cell of %d images: too few to ask for in parts", total)
	}
	var whole, parts []int
	half := total / 2
	for i, q := range []struct{ from, limit int }{{0, total}, {0, half}, {half, total}, {1000, 5}} {
		r := big
		r.From, r.Limit = q.from, q.limit
		part, _, perr := ask(tt, protocol.Cell, uint64(14+i), r, nil)
		if perr != nil {
			t.Fatal(perr)
		}
		if part.Total != total {
			t.Errorf("%+v: total %d, want %d", r, part.Total, total)
		}
		for _, im := range part.Images {
			if i == 0 {
				whole = append(whole, im.Index)
			} else {
				parts = append(parts, im.Index)
			}
		}
	}
	if len(whole) != total || !reflect.DeepEqual(parts, whole) {
		t.Errorf("the cell in parts is %v, whole %v", parts, whole)
	}
}

// inputOf returns the images of s as m's normalized input.
func inputOf(m *nn.Model, s *data.Set) *nn.Tensor {
	x := &nn.Tensor{}
	x.Resize(s.Len(), 3, s.Size, s.Size)
	labels := make([]int, s.Len())
	idx := make([]int, s.Len())
	for i := range idx {
		idx[i] = i
	}
	s.Fill(x.Data, labels, idx, m.Meta.Norm, nil, nil)
	return x
}

func TestEvaluateUnknownClass(t *testing.T) {
	// The sample's test images plus a class the model does not know.
	z, zerr := data.OpenZip(bytes.NewReader(readFile(t, sampleZip)), int64(len(readFile(t, sampleZip))))
	if zerr != nil {
		t.Fatal(zerr)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, b []byte) {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(b)
	}
	lakes := 0
	for i, im := range z.Images {
		b, err := z.ReadFile(i)
		if err != nil {
			t.Fatal(err)
		}
		if im.Test {
			add(strings.Replace(im.Name, "intel-scenes-sample/test/", "", 1), b)
			if z.Classes[im.Label] == "sea" {
				add("lake/"+path.Base(im.Name), b)
				lakes++
			}
		}
	}
	zw.Close()
	tt := serveRole((&datasets{}).handlers())
	if _, _, err := ask(tt, protocol.LoadDataset, 2, protocol.LoadDatasetRequest{Name: "lakes.zip", Size: 32}, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	ev, _, err := ask(tt, protocol.Evaluate, 3, protocol.EvaluateRequest{Name: "built-in"}, readFile(t, builtinModel))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Split != "all" || !slices.Equal(ev.Unknown, []string{"lake"}) || ev.Left != lakes || nn.ConfusionMatrix(ev.Matrix).Total() != 60 {
		t.Errorf("split %q, unknown %q, %d left out (want %d), %d counted (want 60)", ev.Split, ev.Unknown, ev.Left, lakes, nn.ConfusionMatrix(ev.Matrix).Total())
	}
}

// TestExplainImage paints the Grad-CAM map of an evaluated image by the
// model evaluated over the image as its file holds it.
func TestExplainImage(t *testing.T) {
	d, tt, _, _ := loadSample(t, 1)
	q := protocol.ExplainImageRequest{Index: 3, Class: "forest"}
	if _, _, err := ask(tt, protocol.ExplainCell, 2, q, nil); err == nil || !strings.Contains(err.Message, "press Evaluate first") {
		t.Errorf("before an evaluation: got %+v", err)
	}
	if _, _, err := ask(tt, protocol.Evaluate, 3, protocol.EvaluateRequest{Name: "built-in"}, readFile(t, builtinModel)); err != nil {
		t.Fatal(err)
	}
	res, body, err := ask(tt, protocol.ExplainCell, 4, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	img, derr := png.Decode(bytes.NewReader(body))
	if derr != nil || res.Class != "forest" || img.Bounds().Dx() != 150 || img.Bounds().Dy() != 150 {
		t.Fatalf("got %+v and %v (%v), want the heat map over the 150×150 photo", res, img, derr)
	}
	e := d.evals[protocol.SplitEvaluated]
	maps, h, w := e.model.GradCAM(e.set.Image(3), 1, []int{slices.Index(e.classes, "forest")})
	i := d.dataset.index[e.set.Names[3]]
	file, _ := d.dataset.zip.ReadFile(i)
	photo, _ := data.DecodeFile(file, "", data.DefaultMaxPixels)
	if want, _ := data.HeatMapImagePNG(photo, "", maps, h, w, protocol.ExplainSide); !bytes.Equal(body, want) {
		t.Error("the heat map is not the model's map of the image")
	}
	for _, bad := range []protocol.ExplainImageRequest{{Index: 60, Class: "forest"}, {Index: 3, Class: "lake"}, {Split: protocol.SplitTest, Index: 3, Class: "sea"}} {
		if _, _, err := ask(tt, protocol.ExplainCell, 5, bad, nil); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestTopLosses lists the images of an evaluation with the lowest
// probability of their true class, whatever their cell.
func TestTopLosses(t *testing.T) {
	d, tt, _, _ := loadSample(t, 1)
	if _, _, err := ask(tt, protocol.Evaluate, 3, protocol.EvaluateRequest{Name: "built-in"}, readFile(t, builtinModel)); err != nil {
		t.Fatal(err)
	}
	res, body, err := ask(tt, protocol.TopLosses, 4, protocol.TopLossesRequest{Limit: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 60 || len(res.Images) != 5 {
		t.Fatalf("%d of %d images, want 5 of 60", len(res.Images), res.Total)
	}
	e := d.evals[protocol.SplitEvaluated]
	k := len(e.classes)
	var probs []float32
	for i := range e.set.Len() {
		probs = append(probs, e.probs[i*k+e.label[i]])
	}
	slices.Sort(probs)
	for j, im := range res.Images {
		if im.TrueProb != probs[j] || e.probs[im.Index*k+e.label[im.Index]] != im.TrueProb || im.Class != e.label[im.Index] {
			t.Errorf("image %d: %+v, want the %d-th lowest probability of the true class, %v", j, im, j+1, probs[j])
		}
		if _, err := jpeg.DecodeConfig(bytes.NewReader(body[im.Offset : im.Offset+im.Length])); err != nil {
			t.Errorf("thumbnail of %s: %v", im.Name, err)
		}
	}
	// The next five, as Show more asks for them.
	next, _, err := ask(tt, protocol.TopLosses, 5, protocol.TopLossesRequest{From: 5, Limit: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if next.Total != 60 || len(next.Images) != 5 {
		t.Fatalf("from the 5th on: %d of %d images, want 5 of 60", len(next.Images), next.Total)
	}
	for j, im := range next.Images {
		if im.TrueProb != probs[5+j] {
			t.Errorf("image %d from the 5th on: %+v, want the %d-th lowest probability of the true class, %v", j, im, 5+j+1, probs[5+j])
		}
	}
}

// TestThumbnails checks that the thumbnails of images asked for by name
// come in the body, in order, JPEGs each, and that a name the data set
// lacks has none.
func TestThumbnails(t *testing.T) {
	d, tt, _, _ := loadSample(t, 1)
	names := []string{d.dataset.archive.Train.Names[3], "no/such/image.jpg", d.dataset.archive.Train.Names[0]}
	res, body, err := ask(tt, protocol.Thumbnails, 5, protocol.ThumbnailsRequest{Names: names}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Thumbs) != 2 || res.Thumbs[0].Name != names[0] || res.Thumbs[1].Name != names[2] {
		t.Fatalf("thumbnails of %v: %+v", names, res.Thumbs)
	}
	for _, th := range res.Thumbs {
		if _, err := jpeg.DecodeConfig(bytes.NewReader(body[th.Offset : th.Offset+th.Length])); err != nil {
			t.Errorf("thumbnail of %s: %v", th.Name, err)
		}
	}
}
