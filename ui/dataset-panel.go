package main

import (
	"fmt"

	"github.com/vugu/vugu"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// maxSkippedShown is how many skipped files the panel lists.
const maxSkippedShown = 500

// DatasetPanel shows the data set: its drop zone and file input, the
// progress of a load, and the summary of the data set loaded.
type DatasetPanel struct {
	State  DatasetState
	Pick   func(vugu.DOMEvent) // the file input changed
	Sample func(vugu.DOMEvent) // "Sample data set" was pressed
	Cancel func(vugu.DOMEvent) // "Cancel" was pressed
	Drop   func(vugu.DOMEvent) // files were dropped on the drop zone

	dragOver bool
}

// HandleDragOver accepts files dragged over the drop zone.
func (c *DatasetPanel) HandleDragOver(e vugu.DOMEvent) {
	e.PreventDefault()
	c.dragOver = true
}

// HandleDragLeave ends the drop zone's highlight.
func (c *DatasetPanel) HandleDragLeave(vugu.DOMEvent) { c.dragOver = false }

// HandleDrop passes the files dropped on the drop zone on.
func (c *DatasetPanel) HandleDrop(e vugu.DOMEvent) {
	c.dragOver = false
	c.Drop(e)
}

// ZoneClass is the drop zone's class attribute.
func (c *DatasetPanel) ZoneClass() string {
	if c.dragOver {
		return "drop-zone dataset-drop drag-over"
	}
	return "drop-zone dataset-drop"
}

// LoadingLine says what the load is doing.
func (c *DatasetPanel) LoadingLine() string {
	return fmt.Sprintf("Reading %s: %s…", c.State.Loading, c.State.Progress.Stage)
}

// ProgressMax is the progress bar's maximum: the files to read, or 1
// before they are known.
func (c *DatasetPanel) ProgressMax() int { return max(c.State.Progress.Total, 1) }

// ProgressFigures says how far the load got: files done of total, and
// their rate.
func (c *DatasetPanel) ProgressFigures() string {
	p := c.State.Progress
	if p.Total == 0 {
		return ""
	}
	s := fmt.Sprintf("%s of %s files", groupThousands(p.Done), groupThousands(p.Total))
	if p.PerSec > 0 {
		s += fmt.Sprintf(" · %s images/s", groupThousands(int(p.PerSec+0.5)))
	}
	return s
}

// Facts sums the data set up in a sentence.
func (c *DatasetPanel) Facts() string {
	in := c.State.Info
	if in.Kept {
		return fmt.Sprintf("%s: %s images of %d classes, read back in %.1f s from this browser's storage, where a run kept them decoded at %d×%d (%s of memory).",
			in.Name, groupThousands(in.Images), len(in.Classes), in.Seconds, in.Size, in.Size, data.ByteWords(in.Memory))
	}
	return fmt.Sprintf("%s: %s images of %d classes, read in %.1f s on %s (%s images/s). Decoded at %d×%d they take %s of memory.",
		in.Name, groupThousands(in.Images), len(in.Classes), in.Seconds, plural(in.Workers, "worker", "workers"),
		groupThousands(int(float64(in.Images)/max(in.Seconds, 1e-3)+0.5)), in.Size, in.Size, data.ByteWords(in.Memory))
}

// BalanceStyle is the style of class ci's balance bar: its share of the
// training split against the largest class's.
func (c *DatasetPanel) BalanceStyle(ci int) string {
	counts := c.State.Info.Splits[0].Counts
	most := 1
	for _, n := range counts {
		most = max(most, n)
	}
	return fmt.Sprintf("width: %.1f%%", 100*float64(counts[ci])/float64(most))
}

// Share says class ci's share of the training split.
func (c *DatasetPanel) Share(ci int) string {
	counts := c.State.Info.Splits[0].Counts
	return percentOf(counts[ci], total(counts)) + " of the training split"
}

// Notes says how the splits with a note are made.
func (c *DatasetPanel) Notes() []string {
	var notes []string
	for _, s := range c.State.Info.Splits {
		if s.Note != "" {
			notes = append(notes, "The "+s.Name+" split: "+s.Note+".")
		}
	}
	return notes
}

// SkippedShown returns the skipped files the panel lists.
func (c *DatasetPanel) SkippedShown() []protocol.Skip {
	s := c.State.Info.Skipped
	return s[:min(len(s), maxSkippedShown)]
}

// total sums counts.
func total(counts []int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}

// plural writes n with the singular or plural noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return groupThousands(n) + " " + many
}
