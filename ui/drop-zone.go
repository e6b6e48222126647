package main

import (
	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"
)

// dropZone is what a panel's drop zone knows: whether files are dragged
// over it, which highlights it. A panel embeds it and handles the drop.
type dropZone struct {
	dragOver bool
}

// HandleDragOver accepts files dragged over the drop zone.
func (z *dropZone) HandleDragOver(e vugu.DOMEvent) {
	e.PreventDefault()
	z.dragOver = true
}

// HandleDragLeave ends the drop zone's highlight.
func (z *dropZone) HandleDragLeave(vugu.DOMEvent) { z.dragOver = false }

// dropped ends the highlight of a drop, and returns the files dropped.
func (z *dropZone) dropped(e vugu.DOMEvent) []js.Value {
	e.PreventDefault()
	z.dragOver = false
	return fileList(e.JSEvent().Get("dataTransfer").Get("files"))
}

// zoneClass is the drop zone's class attribute: base, and "drag-over"
// while files are dragged over it.
func (z *dropZone) zoneClass(base string) string {
	if z.dragOver {
		return base + " drag-over"
	}
	return base
}
