package main

import (
	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Explanation is what a result card shows of why the model chose a
// class: the Grad-CAM heat map of that class over the photo, made by
// the classifier on the model in use.
type Explanation struct {
	Class   string // the class the map is of, or is being made for
	URL     string // blob: URL of the photo with the map, a PNG; "" until made
	Running bool   // the classifier is making it
	Err     string // why it could not be made
}

// Explain has the classifier make the heat map of class over its photo;
// "" hides the one shown.
func (im *Images) Explain(it *Item, class string) {
	if class == "" {
		it.setExplanation(nil)
		return
	}
	if !it.file.Truthy() || it.Status != Done {
		return
	}
	ex := &Explanation{Class: class, Running: true}
	if it.Heat != nil {
		ex.URL = it.Heat.URL // shown until the new one comes
	}
	it.Heat = ex
	q := protocol.ExplainRequest{Name: it.Name, Class: class}
	ask(im.page, im.classifier, protocol.Explain, q, it.file, imagesRender, link.Handlers[protocol.Explained, protocol.None]{
		Done: func(_ protocol.Explained, body js.Value, err *protocol.Error) {
			if it.gone || it.Heat != ex { // cleared, hidden or asked again meanwhile
				return
			}
			ex.Running = false
			if err != nil {
				ex.Err = "No heat map: " + err.About(it.Name)
				return
			}
			it.setExplanation(&Explanation{Class: class, URL: objectURL(blobOf(body, "image/png"))})
		}})
}

// setExplanation makes it show ex (nil for none), freeing the heat map it
// showed.
func (it *Item) setExplanation(ex *Explanation) {
	if it.Heat != nil && (ex == nil || ex.URL != it.Heat.URL) {
		revokeObjectURL(it.Heat.URL)
	}
	it.Heat = ex
}
