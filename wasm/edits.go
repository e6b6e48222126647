package main

import (
	"archive/zip"
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

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

// editDataset applies the request's edits to the loaded data set, all
// or none, and answers every edit and the data set's splits as edited.
// thumbnails answers a ThumbnailsRequest: the thumbnails of the images
// of the loaded data set named.
func (d *datasets) thumbnails(r *request, q protocol.ThumbnailsRequest) (protocol.ThumbnailSet, []byte, error) {
	ds := d.dataset
	if ds == nil {
		return protocol.ThumbnailSet{}, nil, errNoDataset
	}
	thumbs, body := ds.thumbnails(q.Names, func(int) int { return 0 })
	return protocol.ThumbnailSet{Thumbs: append([]protocol.Thumb{}, thumbs...)}, body, nil
}

func (d *datasets) editDataset(r *request, q protocol.EditRequest) (protocol.DatasetEdits, []byte, error) {
	ds := d.dataset
	if ds == nil {
		return protocol.DatasetEdits{}, nil, errNoDataset
	}
	if ds.original == nil {
		ds.original = ds.archive
	}
	edits := make(map[string]imageEdit, len(ds.edits)+len(q.Edits))
	for name, e := range ds.edits {
		edits[name] = e
	}
	for _, e := range q.Edits {
		r.file = e.Name
		if err := ds.edit(edits, e); err != nil {
			return protocol.DatasetEdits{}, nil, badInput(err)
		}
	}
	r.file = ""
	ds.edits = edits
	ds.applyEdits()
	return ds.editsOf(), nil, nil
}

// edit makes e in edits, the edits by image name.
func (ds *dataset) edit(edits map[string]imageEdit, e protocol.Edit) error {
	label, ok := ds.labelOf(e.Name)
	if !ok {
		return fmt.Errorf("%s is not an image of the data set", e.Name)
	}
	switch {
	case e.Undo:
		delete(edits, e.Name)
	case e.Exclude:
		edits[e.Name] = imageEdit{excluded}
	default:
		c := slices.Index(ds.original.Train.Classes, e.Class)
		switch {
		case c < 0:
			return fmt.Errorf("the data set has no class %q (it has %v)", e.Class, ds.original.Train.Classes)
		case c == label:
			delete(edits, e.Name)
		default:
			edits[e.Name] = imageEdit{c}
		}
	}
	return nil
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

// applyEdits makes the archive, at each side held, the one read with
// the edits applied.
func (ds *dataset) applyEdits() {
	ds.sided.apply(ds.edits)
	if ds.other != nil {
		ds.other.apply(ds.edits)
	}
	if ds.zip == nil {
		ds.indexSets()
	}
}

// apply makes s's archive its original with edits applied.
func (s *sided) apply(edits map[string]imageEdit) {
	if s.original == nil {
		s.original = s.archive
	}
	a := *s.original
	a.Train = editedSet(s.original.Train, edits)
	if a.Test != nil {
		a.Test = editedSet(s.original.Test, edits)
	}
	s.archive, s.digest = &a, ""
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
	out := &data.Set{Size: s.Size, Classes: s.Classes, Pix: make([]uint8, 0, len(s.Pix))}
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

// zipPart is how many bytes of the edited zip a notice carries.
const zipPart = 4 << 20

// download writes the loaded data set as edited as a zip, in the layout
// it came in, into the request's notices, a part at a time: the
// worker's memory holds a part, never the zip.
func (d *datasets) download(r *request, _ protocol.DownloadRequest) (protocol.ZipWritten, []byte, error) {
	ds := d.dataset
	if ds == nil {
		return protocol.ZipWritten{}, nil, errNoDataset
	}
	z := ds.zip
	if z == nil {
		return protocol.ZipWritten{}, nil, notLoaded("this data set was kept in the browser without its files: load its zip again to download it")
	}
	out := &partWriter{send: func(b []byte, done, total int) {
		r.tell(protocol.Download.Notice(r.ID(), protocol.ZipPart{Progress: protocol.Progress{Stage: "writing the zip", Done: done, Total: total}}), b)
	}}
	names := map[string]bool{}
	for _, im := range z.Images {
		names[im.Name] = true
	}
	w := zip.NewWriter(out)
	written := 0
	for i, im := range z.Images {
		if r.cancelled() {
			return protocol.ZipWritten{}, nil, errCancelled
		}
		name := im.Name
		if e, ok := ds.edits[name]; ok {
			if e.label == excluded {
				continue
			}
			name = movedName(name, z.Classes[im.Label], z.Classes[e.label], z.TrainDir, z.TestDir, im.Test, names)
			names[name] = true
		}
		b, err := z.ReadFile(i)
		if err != nil {
			return protocol.ZipWritten{}, nil, fmt.Errorf("%s: %w", im.Name, err)
		}
		f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err == nil {
			_, err = f.Write(b)
		}
		if err != nil {
			return protocol.ZipWritten{}, nil, err
		}
		written++
		out.done, out.total = i+1, len(z.Images)
	}
	if err := w.Close(); err != nil {
		return protocol.ZipWritten{}, nil, err
	}
	out.flush()
	return protocol.ZipWritten{Name: strings.TrimSuffix(ds.name, path.Ext(ds.name)) + " (edited).zip", Images: written, Bytes: out.bytes}, nil, nil
}

// movedName is where the image name, of the class from in the test
// folder or not, goes when relabelled to: its class folder's place, a
// name of its own when the new folder has one like it (names holds the
// zip's).
func movedName(name, from, to, trainDir, testDir string, test bool, names map[string]bool) string {
	dir := trainDir
	if test {
		dir = testDir
	}
	rest, ok := strings.CutPrefix(name, dir+from+"/")
	if !ok {
		return name // not under its class folder: as it came
	}
	moved := dir + to + "/" + rest
	if names[moved] {
		ext := path.Ext(rest)
		moved = dir + to + "/" + strings.TrimSuffix(rest, ext) + " (from " + from + ")" + ext
	}
	return moved
}

// partWriter sends what is written to it a zipPart at a time.
type partWriter struct {
	buf         []byte
	bytes       int64
	done, total int // images written, to write
	send        func(b []byte, done, total int)
}

func (p *partWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	p.bytes += int64(len(b))
	if len(p.buf) >= zipPart {
		p.flush()
	}
	return len(b), nil
}

// flush sends what was written since the last part.
func (p *partWriter) flush() {
	if len(p.buf) > 0 {
		p.send(p.buf, p.done, p.total)
		p.buf = p.buf[:0]
	}
}
