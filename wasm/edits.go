package main

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// A person fixes the data set's labels in the page: an image moves to
// another class, or is left out. The data set keeps the archive as it
// was read and the edits, by image name, and its archive is the one read
// with the edits applied, which Evaluate, Train and the browser's storage
// take.

// imageEdit is what was done to an image: its new label, or -1 when it
// is left out.
type imageEdit struct{ label int }

// excluded is the label of an image left out.
const excluded = -1

// editDataset applies the request's edit to the loaded data set and
// answers every edit and the data set's splits as edited.
func (d *datasets) editDataset(r *request, q protocol.EditRequest) (protocol.DatasetEdits, []byte, error) {
	ds := d.dataset
	if ds == nil {
		return protocol.DatasetEdits{}, nil, errNoDataset
	}
	r.file = q.Name
	if ds.original == nil {
		ds.original = ds.archive
	}
	label, ok := ds.labelOf(q.Name)
	if !ok {
		return protocol.DatasetEdits{}, nil, badInput(fmt.Errorf("%s is not an image of the data set", q.Name))
	}
	if ds.edits == nil {
		ds.edits = map[string]imageEdit{}
	}
	switch {
	case q.Undo:
		delete(ds.edits, q.Name)
	case q.Exclude:
		ds.edits[q.Name] = imageEdit{excluded}
	default:
		c := slices.Index(ds.original.Train.Classes, q.Class)
		switch {
		case c < 0:
			return protocol.DatasetEdits{}, nil, badInput(fmt.Errorf("the data set has no class %q (it has %v)", q.Class, ds.original.Train.Classes))
		case c == label:
			delete(ds.edits, q.Name)
		default:
			ds.edits[q.Name] = imageEdit{c}
		}
	}
	ds.applyEdits()
	return ds.editsOf(), nil, nil
}

// labelOf returns the label the image name was read with.
func (ds *dataset) labelOf(name string) (int, bool) {
	for _, s := range []*data.Set{ds.original.Train, ds.original.Test} {
		if s == nil {
			continue
		}
		if i := slices.Index(s.Names, name); i >= 0 {
			return s.Labels[i], true
		}
	}
	return 0, false
}

// applyEdits makes the archive the one read with the edits applied.
func (ds *dataset) applyEdits() {
	a := *ds.original
	a.Train = editedSet(ds.original.Train, ds.edits)
	if a.Test != nil {
		a.Test = editedSet(ds.original.Test, ds.edits)
	}
	ds.archive, ds.digest = &a, ""
	if ds.zip == nil {
		ds.indexSets()
	}
}

// editedSet returns s with the edits applied: s itself when none is of
// its images.
func editedSet(s *data.Set, edits map[string]imageEdit) *data.Set {
	touched := false
	for _, name := range s.Names {
		if _, ok := edits[name]; ok {
			touched = true
			break
		}
	}
	if !touched {
		return s
	}
	out := &data.Set{Size: s.Size, Classes: s.Classes}
	for i, name := range s.Names {
		label := s.Labels[i]
		if e, ok := edits[name]; ok {
			if e.label == excluded {
				continue
			}
			label = e.label
		}
		out.Names, out.Labels = append(out.Names, name), append(out.Labels, label)
		out.Pix = append(out.Pix, s.Image(i)...)
	}
	return out
}

// indexSets indexes the images of a data set without its zip by their
// place in the archive's training then test split.
func (ds *dataset) indexSets() {
	a := ds.archive
	ds.index = make(map[string]int, a.Train.Len())
	for i, name := range a.Train.Names {
		ds.index[name] = i
	}
	if a.Test != nil {
		for i, name := range a.Test.Names {
			ds.index[name] = a.Train.Len() + i
		}
	}
}

// editsOf describes the data set's edits, by name, and its splits as
// edited.
func (ds *dataset) editsOf() protocol.DatasetEdits {
	res := protocol.DatasetEdits{Edits: []protocol.ImageEdit{}}
	classes := ds.original.Train.Classes
	for name, e := range ds.edits {
		from, _ := ds.labelOf(name)
		ie := protocol.ImageEdit{Name: name, From: classes[from], Excluded: e.label == excluded}
		if !ie.Excluded {
			ie.To = classes[e.label]
		}
		res.Edits = append(res.Edits, ie)
	}
	slices.SortFunc(res.Edits, func(a, b protocol.ImageEdit) int { return cmp.Compare(a.Name, b.Name) })
	info := summarize(ds.name, 0, ds.archive)
	res.Splits, res.Images = info.Splits, info.Images
	return res
}
