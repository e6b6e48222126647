package main

import (
	"time"

	"github.com/vugu/vugu/js"
)

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

// objectURL returns a blob: URL for a File, for an <img>.
func objectURL(f js.Value) string {
	return js.Global().Get("URL").Call("createObjectURL", f).String()
}

// revokeObjectURL frees a URL made by objectURL.
func revokeObjectURL(u string) {
	js.Global().Get("URL").Call("revokeObjectURL", u)
}

// listenForPaste calls add with the files pasted anywhere on the page,
// in a goroutine of its own.
func listenForPaste(add func([]js.Value)) {
	js.Global().Get("document").Call("addEventListener", "paste", js.FuncOf(func(_ js.Value, args []js.Value) any {
		ev := args[0]
		files := fileList(ev.Get("clipboardData").Get("files"))
		if len(files) > 0 {
			ev.Call("preventDefault")
			go add(files)
		}
		return nil
	}))
}

// blobOf returns a Blob of the bytes of buf, an ArrayBuffer.
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
