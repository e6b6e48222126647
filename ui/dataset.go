package main

import (
	"fmt"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// The sample data set, as the server serves it.
const (
	sampleURL  = "/assets/sample-scenes.zip"
	sampleName = "sample-scenes.zip"
)

// Dataset is the data set: the one loaded, and the one being read.
type Dataset struct {
	Info     *protocol.DatasetInfo // the data set loaded; nil until one is
	Samples  [][]Thumbnail         // thumbnails of the first images of each class
	Loading  string                // name of the zip being read, if one is
	Progress protocol.Progress     // how far the reading got
	Err      string                // why the last load failed, if it did
	Edits    []protocol.ImageEdit  // images relabelled or left out, by name (see edits.go)
	EditErr  string                // why the last edit failed, if it did
	Writing  string                // how far the edited zip's writing got, while Download writes it
	// FilesShown says which warnings show their files, by index (a
	// <details> would close at every render, so these are buttons).
	FilesShown map[int]bool
	// SkippedOpen says whether the files skipped are listed.
	SkippedOpen bool
	loadID      uint64 // the load request at work
	digest      string // the data set's digest, once a run told it

	page   *page
	worker *link.Worker
	// loaded hears that a data set was loaded (Root.datasetLoaded).
	loaded func()
	// training says whether a run trains on the data set, which cannot
	// be edited meanwhile.
	training func() bool
	// fileThumbs are the URLs of the thumbnails of the warnings' files
	// shown, by name, asked for as their lists open.
	fileThumbs map[string]string
	// edited hears a person's edit of the data set info, with the edits
	// as they then stand (Root.datasetEdited).
	edited func(info *protocol.DatasetInfo, edits []protocol.ImageEdit)
}

// Thumbnail is a thumbnail of an image the page shows: the image, and
// the blob: URL of its thumbnail.
type Thumbnail struct {
	protocol.Thumb
	URL string
}

// load has the data set worker read the zip f, a File, or the sample
// when f is undefined, at side size on workers workers. The data set
// loaded stays until the new one is read.
func (d *Dataset) load(name string, f js.Value, size, workers int) {
	q := protocol.LoadDatasetRequest{Name: name, Size: size, Workers: workers}
	if f.IsUndefined() {
		q.URL = sampleURL
	}
	d.read(name, protocol.Progress{Stage: "opening the zip"}, func(h link.Handlers[protocol.DatasetInfo, protocol.Progress]) uint64 {
		return ask(d.page, d.worker, protocol.LoadDataset, q, f, 0, h)
	}, func(err *protocol.Error) {
		if err == nil || protocol.IsCancelled(err) {
			return
		}
		d.Err = "Could not load " + name + ": " + err.About(name)
		if d.Info != nil {
			d.Err += ". " + d.Info.Name + " is still loaded."
		}
	}, func() {})
}

// loadKept has the data set worker load the data set kept under digest,
// named name, then calls then; or failed if it could not, with why (nil
// when another load replaced it).
func (d *Dataset) loadKept(name, digest string, then func(), failed func(err *protocol.Error)) {
	q := protocol.LoadKeptRequest{Name: name, Digest: digest}
	d.read(name+" (kept in this browser)", protocol.Progress{Stage: "reading the data set kept"}, func(h link.Handlers[protocol.DatasetInfo, protocol.Progress]) uint64 {
		return ask(d.page, d.worker, protocol.LoadKept, q, js.Undefined(), 0, h)
	}, failed, func() {
		d.digest = digest
		then()
	})
}

// read shows a data set being read, sent by send, as loading under
// name from stage on, and takes its answer: failed hears why it could
// not be read (nil when a newer load replaced it), then follows a data
// set read.
func (d *Dataset) read(name string, stage protocol.Progress, send func(link.Handlers[protocol.DatasetInfo, protocol.Progress]) uint64,
	failed func(err *protocol.Error), then func()) {
	if d.Loading != "" {
		d.worker.Cancel(d.loadID)
	}
	d.Loading, d.Err, d.Progress = name, "", stage
	var id uint64
	id = send(link.Handlers[protocol.DatasetInfo, protocol.Progress]{
		Notice: func(p protocol.Progress, _ js.Value) {
			if d.loadID == id {
				d.Progress = p
			}
		},
		Done: func(info protocol.DatasetInfo, body js.Value, err *protocol.Error) {
			switch {
			case d.loadID != id: // a newer load replaced it
				failed(nil)
				return
			case err != nil:
				d.Loading = ""
				failed(err)
				return
			}
			d.Loading = ""
			d.show(info, func(t protocol.Thumb) string { return thumbnailURL(body, t) })
			d.loaded()
			then()
		}})
	d.loadID = id
}

// cancel stops the data set being read.
func (d *Dataset) cancel() {
	if d.Loading != "" {
		d.worker.Cancel(d.loadID)
		d.Loading = ""
	}
}

// show makes info the data set loaded, its samples' thumbnails at the
// URLs url gives, freeing those of the data set it replaces.
func (d *Dataset) show(info protocol.DatasetInfo, url func(protocol.Thumb) string) {
	for _, row := range d.Samples {
		for _, t := range row {
			revokeObjectURL(t.URL)
		}
	}
	for _, url := range d.fileThumbs {
		revokeObjectURL(url)
	}
	d.fileThumbs = nil
	d.Info, d.digest, d.Edits, d.EditErr, d.FilesShown, d.SkippedOpen = &info, "", nil, "", nil, false
	d.Samples = make([][]Thumbnail, len(info.Classes))
	for _, s := range info.Samples {
		if s.Class >= 0 && s.Class < len(info.Classes) {
			d.Samples[s.Class] = append(d.Samples[s.Class], Thumbnail{Thumb: s, URL: url(s)})
		}
	}
}

// ready reports whether a data set is loaded and none is being read.
func (d *Dataset) ready() bool { return d.Info != nil && d.Loading == "" }

// trainingImages returns how many images the training folder holds: the
// training split and the validation split held out of it.
func (d *Dataset) trainingImages() int {
	n := 0
	for _, s := range d.Info.Splits {
		if s.Name == "training" || s.Name == "validation" {
			n += total(s.Counts)
		}
	}
	return n
}

// LoadingLine says what the load is doing.
func (d *Dataset) LoadingLine() string {
	return fmt.Sprintf("Reading %s: %s…", d.Loading, d.Progress.Stage)
}

// ProgressFigures says how far the load got: files done of total, their
// rate and the time left.
func (d *Dataset) ProgressFigures() string { return progressFigures(d.Progress, "files") }

// progressFigures says how far work on many images got: p's done of its
// total, what they are (files, images), then, once p has a rate, the
// images a second and the time left at that rate; "" before p has a
// total.
func progressFigures(p protocol.Progress, what string) string {
	if p.Total == 0 {
		return ""
	}
	s := fmt.Sprintf("%s of %s %s", data.CountWords(p.Done), data.CountWords(p.Total), what)
	if p.PerSec > 0 {
		s += fmt.Sprintf(" · %s images/s", data.CountWords(int(p.PerSec+0.5)))
		if p.Done < p.Total {
			s += " · about " + clock(float64(p.Total-p.Done)/p.PerSec) + " left"
		}
	}
	return s
}

// Facts sums the data set up in a sentence.
func (d *Dataset) Facts() string {
	in := d.Info
	if in.Kept {
		return fmt.Sprintf("%s: %s images of %d classes, read back in %.1f s from this browser's storage, where a run kept them decoded at %d×%d (%s of memory).",
			in.Name, data.CountWords(in.Images), len(in.Classes), in.Seconds, in.Size, in.Size, data.ByteWords(in.Memory))
	}
	return fmt.Sprintf("%s: %s images of %d classes, read in %.1f s on %s (%s images/s). Decoded at %d×%d they take %s of memory.",
		in.Name, data.CountWords(in.Images), len(in.Classes), in.Seconds, plural(in.Workers, "worker", "workers"),
		data.CountWords(int(float64(in.Images)/max(in.Seconds, 1e-3)+0.5)), in.Size, in.Size, data.ByteWords(in.Memory))
}

// Notes says how the splits with a note are made.
func (d *Dataset) Notes() []string {
	var notes []string
	for _, s := range d.Info.Splits {
		if s.Note != "" {
			notes = append(notes, "The "+s.Name+" split: "+s.Note+".")
		}
	}
	return notes
}

// total sums counts.
func total(counts []int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}

// percentOf formats part of whole as a percentage.
func percentOf(part, whole int) string {
	if whole == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(part)/float64(whole))
}
