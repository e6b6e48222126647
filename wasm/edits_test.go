package main

import (
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
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

	res, _, err := ask(tt, protocol.EditDataset, 2, protocol.EditRequest{Name: moved, Class: to}, nil)
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
	res, _, err = ask(tt, protocol.EditDataset, 3, protocol.EditRequest{Name: left, Exclude: true}, nil)
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
	if res, _, err = ask(tt, protocol.EditDataset, 5, protocol.EditRequest{Name: moved, Class: from}, nil); err != nil || len(res.Edits) != 1 {
		t.Errorf("relabelled as read: %+v, %v", res.Edits, err)
	}
	if res, _, err = ask(tt, protocol.EditDataset, 6, protocol.EditRequest{Name: left, Undo: true}, nil); err != nil || len(res.Edits) != 0 || res.Images != info.Images {
		t.Errorf("undone: %+v, %d images, %v", res.Edits, res.Images, err)
	}
	if d.dataset.archive.Train.Labels[0] != train.Labels[0] || d.dataset.archive.Test.Len() != test.Len() {
		t.Error("with no edits left the data set is not as read")
	}
	for _, bad := range []protocol.EditRequest{{Name: "nowhere.jpg", Exclude: true}, {Name: moved, Class: "lake"}} {
		if _, _, err := ask(tt, protocol.EditDataset, 7, bad, nil); err == nil || err.Code != protocol.BadInput || !strings.Contains(err.Message, "lake") && !strings.Contains(err.Message, "not an image") {
			t.Errorf("%+v: got %+v", bad, err)
		}
	}
}
