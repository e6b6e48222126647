package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// The data set's edits: images a person moved to another class or left
// out, from a confusion-matrix cell or the top losses. The data set
// worker holds them and applies them to what Evaluate and Train use;
// the page shows them in the data set panel, each with Undo.

// edit has the data set worker make e, a person's edit, to the data set
// loaded; edited hears of it.
func (d *Dataset) edit(e protocol.Edit) { d.apply([]protocol.Edit{e}, true) }

// apply has the data set worker make edits, all or none, to the data set
// loaded; with tell, edited hears the edits as they then stand.
func (d *Dataset) apply(edits []protocol.Edit, tell bool) {
	if d.Info == nil {
		return
	}
	if d.Locked() {
		d.EditErr = d.LockedLine()
		return
	}
	d.EditErr = ""
	info := d.Info
	q := protocol.EditRequest{Edits: edits}
	ask(d.page, d.worker, protocol.EditDataset, q, js.Undefined(), 0, link.Handlers[protocol.DatasetEdits, protocol.None]{
		Done: func(res protocol.DatasetEdits, _ js.Value, err *protocol.Error) {
			if d.Info != info { // another data set came meanwhile
				return
			}
			if err != nil {
				d.EditErr = "Could not edit the data set: " + err.About(edits[0].Name)
				return
			}
			d.Edits, d.Info.Splits, d.Info.Images = res.Edits, res.Splits, res.Images
			if tell && d.edited != nil {
				d.edited(info, res.Edits)
			}
		}})
}

// restore makes edits, kept from before, to the data set info, if it is
// still the one loaded: in one request, so that the worker remakes the
// edited splits once.
func (d *Dataset) restore(info *protocol.DatasetInfo, kept []protocol.ImageEdit) {
	if d.Info != info || len(kept) == 0 {
		return
	}
	edits := make([]protocol.Edit, len(kept))
	for i, e := range kept {
		edits[i] = protocol.Edit{Name: e.Name, Class: e.To, Exclude: e.Excluded}
		if e.Excluded {
			edits[i].Class = ""
		}
	}
	d.apply(edits, false)
}

// editsSetting is the setting under which the edits of the data set
// info are kept in the browser: by its name and size, which the same zip
// dropped again after a reload has too.
func editsSetting(info *protocol.DatasetInfo) string {
	return fmt.Sprintf("edits of %s (%d bytes)", info.Name, info.Bytes)
}

// Locked says whether the data set cannot be edited now: a run trains
// on it.
func (d *Dataset) Locked() bool { return d.training != nil && d.training() }

// LockedLine says why the data set cannot be edited now.
func (d *Dataset) LockedLine() string {
	return "A run is training on this data set: it can be edited once the run ends."
}

// Relabel moves the image name to class.
func (d *Dataset) Relabel(name, class string) { d.edit(protocol.Edit{Name: name, Class: class}) }

// Exclude leaves the image name out.
func (d *Dataset) Exclude(name string) { d.edit(protocol.Edit{Name: name, Exclude: true}) }

// Undo takes the edit of the image name back.
func (d *Dataset) Undo(name string) { d.edit(protocol.Edit{Name: name, Undo: true}) }

// EditOf returns the edit of the image name, if it has one.
func (d *Dataset) EditOf(name string) (protocol.ImageEdit, bool) {
	for _, e := range d.Edits {
		if e.Name == name {
			return e, true
		}
	}
	return protocol.ImageEdit{}, false
}

// ToggleFiles shows or hides the files of warning i.
func (d *Dataset) ToggleFiles(i int) {
	if d.FilesShown == nil {
		d.FilesShown = map[int]bool{}
	}
	d.FilesShown[i] = !d.FilesShown[i]
	if d.FilesShown[i] {
		d.askThumbs(slices.Concat(d.Info.Warnings[i].Groups...)) // a group's line in Files joins its names
	}
}

// askThumbs has the data set worker send the thumbnails of the images
// names that have none yet, for a warning's groups of copies to show
// side by side.
func (d *Dataset) askThumbs(names []string) {
	var missing []string
	for _, name := range names {
		if _, ok := d.fileThumbs[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return
	}
	missing = missing[:min(len(missing), protocol.MaxCellLimit)]
	if d.fileThumbs == nil {
		d.fileThumbs = map[string]string{}
	}
	for _, name := range missing {
		d.fileThumbs[name] = "" // asked for
	}
	info := d.Info
	ask(d.page, d.worker, protocol.Thumbnails, protocol.ThumbnailsRequest{Names: missing}, js.Undefined(), 0, link.Handlers[protocol.ThumbnailSet, protocol.None]{
		Done: func(res protocol.ThumbnailSet, body js.Value, err *protocol.Error) {
			if d.Info != info || err != nil {
				return // another data set came meanwhile; or the names show without
			}
			for _, t := range res.Thumbs {
				d.fileThumbs[t.Name] = thumbnailURL(body, t)
			}
		}})
}

// FileThumb returns the URL of the thumbnail of the image name of a
// warning, or "" while there is none.
func (d *Dataset) FileThumb(name string) string { return d.fileThumbs[name] }

// ToggleSkipped shows or hides the list of the files skipped.
func (d *Dataset) ToggleSkipped() { d.SkippedOpen = !d.SkippedOpen }

// disclosure shows whether a list is shown.
func disclosure(shown bool) string {
	if shown {
		return "▾ "
	}
	return "▸ "
}

// EditTag says what was done to the image name: "" when nothing.
func (d *Dataset) EditTag(name string) string {
	e, ok := d.EditOf(name)
	switch {
	case !ok:
		return ""
	case e.Excluded:
		return "left out"
	}
	return "now " + e.To
}

// EditsLine says how many images were edited, and what that changes.
func (d *Dataset) EditsLine() string {
	relabelled, left := 0, 0
	for _, e := range d.Edits {
		if e.Excluded {
			left++
		} else {
			relabelled++
		}
	}
	var parts []string
	if relabelled > 0 {
		parts = append(parts, plural(relabelled, "image", "images")+" relabelled")
	}
	if left > 0 {
		parts = append(parts, plural(left, "image", "images")+" left out")
	}
	line := strings.Join(parts, " and ") + ": Evaluate and Train use the data set so edited."
	if left > 0 {
		line += " Leaving out a training image draws the validation split anew: it is a random share of the training images, so one image fewer changes which ones it holds."
	}
	return line
}

// editLine says what was done to an image.
func editLine(e protocol.ImageEdit) string {
	if e.Excluded {
		return fmt.Sprintf("%s (%s): left out", baseName(e.Name), e.From)
	}
	return fmt.Sprintf("%s: %s → %s", baseName(e.Name), e.From, e.To)
}

// Download has the data set worker write the data set as edited as a
// zip, and saves it: the parts come in the notices' bodies and become
// one Blob, so no wasm memory ever holds the zip.
func (d *Dataset) Download() {
	if d.Info == nil || d.Writing != "" {
		return
	}
	d.Writing, d.EditErr = "starting", ""
	parts := js.Global().Get("Array").New()
	info := d.Info
	ask(d.page, d.worker, protocol.Download, protocol.DownloadRequest{}, js.Undefined(), 0, link.Handlers[protocol.ZipWritten, protocol.ZipPart]{
		Notice: func(n protocol.ZipPart, body js.Value) {
			parts.Call("push", body)
			d.Writing = fmt.Sprintf("%s of %s images", data.CountWords(n.Progress.Done), data.CountWords(n.Progress.Total))
		},
		Done: func(res protocol.ZipWritten, _ js.Value, err *protocol.Error) {
			d.Writing = ""
			if err != nil {
				if d.Info == info {
					d.EditErr = "Could not write the zip: " + err.About(info.Name)
				}
				return
			}
			opts := js.Global().Get("Object").New()
			opts.Set("type", "application/zip")
			download(res.Name, js.Global().Get("Blob").New(parts, opts))
		}})
}
