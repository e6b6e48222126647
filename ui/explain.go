package main

import (
	"fmt"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Explanation is what the page shows of why the model chose a class for
// an image, a result card's or a confusion-matrix cell's: the Grad-CAM
// heat map of that class over the image, made by a worker on the model.
type Explanation struct {
	Class   string // the class the map is of, or is being made for
	URL     string // blob: URL of the image with the map, a PNG; "" until made
	Running bool   // a worker is making it
	Err     string // why it could not be made
}

// explain sets *heat to the heat map of class over the image named name
// in the making, which ask has a worker make, then to the map made; ""
// hides the one shown. gone reports that the image left the page.
func explain(heat **Explanation, name, class string, gone func() bool, ask func(link.Handlers[protocol.Explained, protocol.None])) {
	if class == "" {
		setExplanation(heat, nil)
		return
	}
	ex := &Explanation{Class: class, Running: true}
	if *heat != nil {
		ex.URL = (*heat).URL // shown until the new one comes
	}
	*heat = ex
	ask(link.Handlers[protocol.Explained, protocol.None]{
		Done: func(_ protocol.Explained, body js.Value, err *protocol.Error) {
			if gone() || *heat != ex { // cleared, hidden or asked again meanwhile
				return
			}
			ex.Running = false
			if err != nil {
				ex.Err = "No heat map: " + err.About(name)
				return
			}
			setExplanation(heat, &Explanation{Class: class, URL: objectURL(blobOf(body, "image/png"))})
		}})
}

// setExplanation makes *heat ex (nil for none), freeing the heat map it
// was.
func setExplanation(heat **Explanation, ex *Explanation) {
	if old := *heat; old != nil && (ex == nil || ex.URL != old.URL) {
		revokeObjectURL(old.URL)
	}
	*heat = ex
}

// heatAlt is the text alternative of ex, a heat map over the image name.
func heatAlt(ex *Explanation, name string) string {
	return fmt.Sprintf("Grad-CAM heat map of %s over %s: where the model looked", ex.Class, name)
}

// Explain has the classifier make the heat map of class over its photo
// ("" hides the one shown).
func (im *Images) Explain(it *Item, class string) {
	if class != "" && (!it.file.Truthy() || it.Status != Done) {
		return
	}
	explain(&it.Heat, it.Name, class, func() bool { return it.gone }, func(h link.Handlers[protocol.Explained, protocol.None]) {
		ask(im.page, im.classifier, protocol.Explain, protocol.ExplainRequest{Name: it.Name, Class: class}, it.file, imagesRender, h)
	})
}

// Explain has the data set worker make the heat map of class over the
// cell's image im, by the model evaluated ("" hides the one shown).
func (e *Evaluation) Explain(im *CellImage, class string) {
	cell := e.Cell
	explain(&im.Heat, im.Name, class, func() bool { return e.Cell != cell }, func(h link.Handlers[protocol.Explained, protocol.None]) {
		q := protocol.ExplainImageRequest{Split: e.split, Index: im.Index, Class: class}
		ask(e.page, e.worker, protocol.ExplainCell, q, js.Undefined(), 0, h)
	})
}
