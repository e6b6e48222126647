package main

import (
	"errors"
	"fmt"
	"slices"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// A data set loads at the input side of the model in use. A recipe or a
// model of another side has the images decoded again from the zip at
// that side, since shrinking the pixels held would not give what nn/data
// decodes natively. The data set keeps one such other side, the last
// asked for, with the edits applied to it as to the side it loaded at.

// sideOf returns the data set ds at side size for the request r: as it
// loaded, or read again from its zip on as many decoding workers as it
// loaded on, telling the progress to tell. A data set kept in the
// browser has no zip to read again.
func (d *datasets) sideOf(r *request, ds *dataset, size int, tell func(protocol.Progress)) (*sided, error) {
	loaded := ds.archive.Train.Size
	switch {
	case loaded == size:
		return &ds.sided, nil
	case ds.other != nil && ds.other.archive.Train.Size == size:
		return ds.other, nil
	case ds.zip == nil:
		return nil, badInput(fmt.Errorf("this data set was kept in the browser at %d×%d without its files: load its zip again to use it at %d×%d",
			loaded, loaded, size, size))
	}
	ds.other = nil // the side held before goes, for the memory
	stage := fmt.Sprintf("decoding the images again at %d×%d", size, size)
	tell(protocol.Progress{Stage: stage})
	opt := data.Options{Size: size, MaxPixels: data.DefaultMaxPixels}
	pix, errs, err := d.decodeAll(r, ds.name, ds.file, ds.zip, opt, ds.workers, func(p protocol.Progress) {
		p.Stage = fmt.Sprintf("%s: %s of %s", stage, data.CountWords(p.Done), data.CountWords(p.Total))
		tell(p)
	})
	if err != nil {
		return nil, err
	}
	a, err := ds.zip.Archive(size, pix, errs)
	if err != nil {
		return nil, badInput(err)
	}
	if !sameImages(a, ds.readAs()) {
		return nil, badInput(errors.New("the zip read again does not hold the images it held when it loaded: load it again"))
	}
	s := &sided{archive: a}
	if len(ds.edits) > 0 {
		s.apply(ds.edits)
	}
	ds.other = s
	return s, nil
}

// readAs returns the archive as the data set loaded, before its edits.
func (ds *dataset) readAs() *data.Archive {
	if ds.original != nil {
		return ds.original
	}
	return ds.archive
}

// sameImages reports whether a and b hold the same images by name and
// label, in the same order.
func sameImages(a, b *data.Archive) bool {
	same := func(x, y *data.Set) bool {
		if x == nil || y == nil {
			return x == y
		}
		return slices.Equal(x.Names, y.Names) && slices.Equal(x.Labels, y.Labels)
	}
	return same(a.Train, b.Train) && same(a.Test, b.Test)
}
