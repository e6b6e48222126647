package main

import (
	"fmt"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// maxSkippedShown is how many skipped files the panel lists.
const maxSkippedShown = 500

// DatasetPanel shows the data set: its drop zone and file input, the
// progress of a load, and the summary of the data set loaded.
type DatasetPanel struct {
	Dataset *Dataset
	Pick    func(f js.Value)       // a dataset zip was picked with the file input
	Drop    func(files []js.Value) // files were dropped on the drop zone
	Sample  func()                 // "Sample data set" was pressed
	Cancel  func()                 // "Cancel" was pressed

	dropZone
}

// HandlePick takes the zip picked.
func (c *DatasetPanel) HandlePick(e vugu.DOMEvent) {
	if files := pickedFiles(e.JSEventTarget()); len(files) > 0 {
		c.Pick(files[0])
	}
}

// HandleDrop passes the files dropped on the drop zone on.
func (c *DatasetPanel) HandleDrop(e vugu.DOMEvent) { c.Drop(c.dropped(e)) }

// ZoneClass is the drop zone's class attribute.
func (c *DatasetPanel) ZoneClass() string { return c.zoneClass("drop-zone dataset-drop") }

// ProgressMax is the progress bar's maximum: the files to read, or 1
// before they are known.
func (c *DatasetPanel) ProgressMax() int { return max(c.Dataset.Progress.Total, 1) }

// BalanceStyle is the style of class ci's balance bar: its share of the
// training split against the largest class's.
func (c *DatasetPanel) BalanceStyle(ci int) string {
	counts := c.Dataset.Info.Splits[0].Counts
	most := 1
	for _, n := range counts {
		most = max(most, n)
	}
	return fmt.Sprintf("width: %.1f%%", 100*float64(counts[ci])/float64(most))
}

// Share says class ci's share of the training split.
func (c *DatasetPanel) Share(ci int) string {
	counts := c.Dataset.Info.Splits[0].Counts
	return percentOf(counts[ci], total(counts)) + " of the training split"
}

// SkippedShown returns the skipped files the panel lists.
func (c *DatasetPanel) SkippedShown() []protocol.Skip {
	s := c.Dataset.Info.Skipped
	return s[:min(len(s), maxSkippedShown)]
}

// EditTag says what was done to the image name: "" when nothing.
func (c *DatasetPanel) EditTag(name string) string { return c.Dataset.EditTag(name) }
