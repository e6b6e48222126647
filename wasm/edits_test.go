package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// TestEditDataset relabels a training image and leaves a test image
// out: the archive Evaluate and Train take has them so, the splits'
// counts follow, and Undo takes each edit back.
func TestEditDataset(t *testing.T) {
	d, tt, info, _ := loadSample(t, 1)
	read := d.dataset.archive
	train, test := read.Train, read.Test
	moved, left := train.Names[0], test.Names[0]
	from, to := train.Classes[train.Labels[0]], train.Classes[(train.Labels[0]+1)%len(train.Classes)]

	res, _, err := ask(tt, protocol.EditDataset, 2, protocol.EditRequest{Edits: []protocol.Edit{{Name: moved, Class: to}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Edits) != 1 || res.Edits[0] != (protocol.ImageEdit{Name: moved, From: from, To: to}) {
		t.Errorf("edits %+v", res.Edits)
	}
	a := d.dataset.archive
	if a.Train.Labels[0] == train.Labels[0] || a.Train.Classes[a.Train.Labels[0]] != to || train.Classes[train.Labels[0]] != from {
		t.Errorf("the edited training split labels %s %s; as read: %s", moved, a.Train.Classes[a.Train.Labels[0]], train.Classes[train.Labels[0]])
	}
	res, _, err = ask(tt, protocol.EditDataset, 3, protocol.EditRequest{Edits: []protocol.Edit{{Name: left, Exclude: true}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Edits) != 2 || !res.Edits[0].Excluded && !res.Edits[1].Excluded || res.Images != info.Images-1 {
		t.Errorf("edits %+v, %d images (read: %d)", res.Edits, res.Images, info.Images)
	}
	if d.dataset.archive.Test.Len() != test.Len()-1 || d.trainingSet() != d.dataset.archive.Train {
		t.Errorf("test split of %d images, want %d", d.dataset.archive.Test.Len(), test.Len()-1)
	}
	ev, _, perr := ask(tt, protocol.Evaluate, 4, protocol.EvaluateRequest{Name: "built-in"}, readFile(t, builtinModel))
	if perr != nil || nn.ConfusionMatrix(ev.Matrix).Total() != test.Len()-1 {
		t.Errorf("Evaluate counted %d images, want %d (%v)", nn.ConfusionMatrix(ev.Matrix).Total(), test.Len()-1, perr)
	}

	// Back as read: relabelled to its own class, and Undo.
	if res, _, err = ask(tt, protocol.EditDataset, 5, protocol.EditRequest{Edits: []protocol.Edit{{Name: moved, Class: from}}}, nil); err != nil || len(res.Edits) != 1 {
		t.Errorf("relabelled as read: %+v, %v", res.Edits, err)
	}
	if res, _, err = ask(tt, protocol.EditDataset, 6, protocol.EditRequest{Edits: []protocol.Edit{{Name: left, Undo: true}}}, nil); err != nil || len(res.Edits) != 0 || res.Images != info.Images {
		t.Errorf("undone: %+v, %d images, %v", res.Edits, res.Images, err)
	}
	if d.dataset.archive.Train.Labels[0] != train.Labels[0] || d.dataset.archive.Test.Len() != test.Len() {
		t.Error("with no edits left the data set is not as read")
	}
	for _, bad := range []protocol.Edit{{Name: "nowhere.jpg", Exclude: true}, {Name: moved, Class: "lake"}} {
		// After a good edit: the request is refused whole.
		q := protocol.EditRequest{Edits: []protocol.Edit{{Name: left, Exclude: true}, bad}}
		if _, _, err := ask(tt, protocol.EditDataset, 7, q, nil); err == nil || err.Code != protocol.BadInput || err.File != bad.Name ||
			!strings.Contains(err.Message, "lake") && !strings.Contains(err.Message, "not an image") {
			t.Errorf("%+v: got %+v", bad, err)
		}
		if len(d.dataset.edits) != 0 || d.dataset.archive.Test.Len() != test.Len() {
			t.Errorf("a refused request left edits %v", d.dataset.edits)
		}
	}

	// Several edits in one request, as a reload brings them back.
	q := protocol.EditRequest{Edits: []protocol.Edit{{Name: moved, Class: to}, {Name: left, Exclude: true}, {Name: test.Names[1], Exclude: true}, {Name: test.Names[1], Undo: true}}}
	if res, _, err = ask(tt, protocol.EditDataset, 8, q, nil); err != nil || len(res.Edits) != 2 || res.Images != info.Images-1 {
		t.Errorf("three edits and an undo at once: %+v, %d images, %v", res.Edits, res.Images, err)
	}
}

// TestDownloadEdited downloads the sample as edited and reads the zip
// back natively: the images as edited, in their classes' folders, and
// the same evaluation as the worker gives of the data set so edited.
func TestDownloadEdited(t *testing.T) {
	d, tt, _, _ := loadSample(t, 1)
	train, test := d.dataset.archive.Train, d.dataset.archive.Test
	moved := train.Names[0]
	to := train.Classes[(train.Labels[0]+1)%len(train.Classes)]
	for i, e := range []protocol.Edit{{Name: moved, Class: to}, {Name: test.Names[0], Exclude: true}, {Name: test.Names[5], Class: to}} {
		if _, _, err := ask(tt, protocol.EditDataset, uint64(2+i), protocol.EditRequest{Edits: []protocol.Edit{e}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	res, _, err := ask(tt, protocol.Download, 8, protocol.DownloadRequest{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, parts := noticesOf(tt, protocol.Download)
	zipped := bytes.Join(parts, nil)
	if res.Name != "sample (edited).zip" || res.Images != train.Len()+test.Len()-1 || res.Bytes != int64(len(zipped)) {
		t.Errorf("answer %+v for a zip of %d bytes in %d parts", res, len(zipped), len(parts))
	}
	back, rerr := data.ReadZip(bytes.NewReader(zipped), int64(len(zipped)), data.Options{Size: builtinSide(t), MaxPixels: data.DefaultMaxPixels})
	if rerr != nil {
		t.Fatal(rerr)
	}
	edited := d.dataset.archive
	for _, pair := range [][2]*data.Set{{back.Train, edited.Train}, {back.Test, edited.Test}} {
		if got, want := imagesByClass(pair[0]), imagesByClass(pair[1]); !reflect.DeepEqual(got, want) {
			t.Errorf("the zip read back has %d images, the edited data set %d, not the same by class", pair[0].Len(), pair[1].Len())
		}
	}
	if !slices.ContainsFunc(back.Train.Names, func(n string) bool { return strings.Contains(n, "/"+to+"/") && path.Base(n) == path.Base(moved) }) {
		t.Errorf("%s is not in the folder of %s", moved, to)
	}
	ev, _, perr := ask(tt, protocol.Evaluate, 9, protocol.EvaluateRequest{Name: "built-in"}, readFile(t, builtinModel))
	if perr != nil {
		t.Fatal(perr)
	}
	model := readFile(t, builtinModel)
	m, merr := nn.ReadModel(bytes.NewReader(model), int64(len(model)), "built-in")
	if merr != nil {
		t.Fatal(merr)
	}
	_, cm, eerr := nn.Evaluate(m, back.Test, 128, 1)
	if eerr != nil || cm.AccuracyLine() != nn.ConfusionMatrix(ev.Matrix).AccuracyLine() {
		t.Errorf("natively on the zip: %s (%v); the worker: %s", cm.AccuracyLine(), eerr, nn.ConfusionMatrix(ev.Matrix).AccuracyLine())
	}
}

// imagesByClass maps each class of s to the digests of its images'
// pixels, sorted.
func imagesByClass(s *data.Set) map[string][]string {
	out := map[string][]string{}
	for i, l := range s.Labels {
		sum := sha256.Sum256(s.Image(i))
		out[s.Classes[l]] = append(out[s.Classes[l]], hex.EncodeToString(sum[:8]))
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}
