package main

import (
	"path"
	"strings"

	"github.com/vugu/vugu/js"
)

// fileKind is where a file given to the page belongs.
type fileKind int

const (
	imageKind   fileKind = iota // to the classifier (which says so when it is no image)
	datasetKind                 // to the dataset panel
	modelKind                   // to the model card
)

// kindOf tells by its name's extension where a file belongs: a .zip is a
// data set, a .safetensors or .pth a model (a .pth is a zip too), the
// rest goes to the classifier.
func kindOf(name string) fileKind {
	switch strings.ToLower(path.Ext(name)) {
	case ".zip":
		return datasetKind
	case ".safetensors", ".pth", ".pt":
		return modelKind
	}
	return imageKind
}

// route takes files given to the page (dropped anywhere, or pasted)
// where they belong: data sets and models load (the last of each kind
// given), the rest is classified.
func (c *Root) route(files []js.Value) {
	var images []js.Value
	var zip, model js.Value
	for _, f := range files {
		switch kindOf(f.Get("name").String()) {
		case datasetKind:
			zip = f
		case modelKind:
			model = f
		default:
			images = append(images, f)
		}
	}
	if zip.Truthy() {
		c.loadDataset(zip.Get("name").String(), zip)
	}
	if model.Truthy() {
		c.loadModelFile(model)
	}
	if len(images) > 0 {
		c.addImages(images)
	}
}

// listenForDrops calls route with the files dropped anywhere on the
// page outside a drop zone (whose own handler takes them and prevents
// the default), in a goroutine of its own; without it the browser would
// open a file dropped beside the zones.
func listenForDrops(route func([]js.Value)) {
	doc := js.Global().Get("document")
	doc.Call("addEventListener", "dragover", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if hasFiles(args[0]) {
			args[0].Call("preventDefault")
		}
		return nil
	}))
	doc.Call("addEventListener", "drop", js.FuncOf(func(_ js.Value, args []js.Value) any {
		ev := args[0]
		if ev.Get("defaultPrevented").Bool() || !hasFiles(ev) {
			return nil
		}
		ev.Call("preventDefault")
		files := fileList(ev.Get("dataTransfer").Get("files"))
		go route(files)
		return nil
	}))
}

// hasFiles reports whether a drag event carries files.
func hasFiles(ev js.Value) bool {
	dt := ev.Get("dataTransfer")
	if !dt.Truthy() {
		return false
	}
	types := dt.Get("types")
	for i := range types.Length() {
		if types.Index(i).String() == "Files" {
			return true
		}
	}
	return false
}
