package main

import (
	"path"
	"strings"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// fileKind is where a file given to the page belongs.
type fileKind int

const (
	imageKind   fileKind = iota // to the classifier (which says so when it is no image)
	datasetKind                 // to the data set panel
	modelKind                   // to the model card
)

// kindOf tells by its name's extension where a file belongs: a .zip is a
// data set, a .safetensors, .pth or .pt a model (a .pth is a zip too),
// the rest goes to the classifier.
func kindOf(name string) fileKind {
	switch strings.ToLower(path.Ext(name)) {
	case ".zip":
		return datasetKind
	case ".safetensors", ".pth", ".pt":
		return modelKind
	}
	return imageKind
}

// sorted is the files given to the page at once, by where they belong:
// the last data set and the last model given (nil when none), and the
// images.
type sorted[F any] struct {
	dataset, model *F
	images         []F
}

// sortFiles sorts files by kindOf their names.
func sortFiles[F any](files []F, name func(F) string) sorted[F] {
	var s sorted[F]
	for _, f := range files {
		switch kindOf(name(f)) {
		case datasetKind:
			s.dataset = &f
		case modelKind:
			s.model = &f
		default:
			s.images = append(s.images, f)
		}
	}
	return s
}

// nameOf is a File's name.
func nameOf(f js.Value) string { return f.Get("name").String() }

// fileList returns the File objects of a FileList. A DataTransfer's list
// empties once its event is over, so read it during the event.
func fileList(list js.Value) []js.Value {
	if list.IsUndefined() || list.IsNull() {
		return nil
	}
	files := make([]js.Value, list.Length())
	for i := range files {
		files[i] = list.Index(i)
	}
	return files
}

// pickedFiles returns the files a file input holds, and empties it, so
// that picking the same file again is a change.
func pickedFiles(input js.Value) []js.Value {
	files := fileList(input.Get("files"))
	input.Set("value", "")
	return files
}

// objectURL returns a blob: URL for a File or Blob, for an <img> or a
// download.
func objectURL(f js.Value) string {
	return js.Global().Get("URL").Call("createObjectURL", f).String()
}

// revokeObjectURL frees a URL made by objectURL.
func revokeObjectURL(u string) {
	if u != "" {
		js.Global().Get("URL").Call("revokeObjectURL", u)
	}
}

// thumbnailURL returns a blob: URL of the JPEG t in body, an ArrayBuffer.
func thumbnailURL(body js.Value, t protocol.Thumb) string {
	part := js.Global().Get("Uint8Array").New(body, t.Offset, t.Length)
	return objectURL(blobOf(part, "image/jpeg"))
}

// blobOf returns a Blob of the bytes of buf, an ArrayBuffer or a typed
// array, or of a string.
func blobOf(buf js.Value, typ string) js.Value {
	opts := js.Global().Get("Object").New()
	opts.Set("type", typ)
	return js.Global().Get("Blob").New(js.Global().Get("Array").Call("of", buf), opts)
}

// download has the browser save blob as name.
func download(name string, blob js.Value) {
	url := objectURL(blob)
	downloadURL(name, url)
	go func() { // after the browser took it
		time.Sleep(time.Minute)
		revokeObjectURL(url)
	}()
}

// downloadURL has the browser save what url holds as name.
func downloadURL(name, url string) {
	a := js.Global().Get("document").Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	js.Global().Get("document").Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
}

// listenForPaste calls give with the files pasted anywhere on the page,
// in a goroutine of its own.
func listenForPaste(give func([]js.Value)) {
	js.Global().Get("document").Call("addEventListener", "paste", js.FuncOf(func(_ js.Value, args []js.Value) any {
		ev := args[0]
		files := fileList(ev.Get("clipboardData").Get("files"))
		if len(files) > 0 {
			ev.Call("preventDefault")
			go give(files)
		}
		return nil
	}))
}

// listenForDrops calls give with the files dropped anywhere on the page
// outside a drop zone (whose own handler takes them and prevents the
// default), in a goroutine of its own; without it the browser would
// open a file dropped beside the zones.
func listenForDrops(give func([]js.Value)) {
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
		go give(files)
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
