package main

import (
	"fmt"
	"strings"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// The sample data set, as the server serves it.
const (
	sampleURL  = "/assets/sample-scenes.zip"
	sampleName = "sample-scenes.zip"
)

// maxCores is the most workers the page decodes or trains on.
const maxCores = protocol.MaxWorkers

// DatasetState is what the page knows about the data set.
type DatasetState struct {
	Info     *protocol.DatasetInfo // the data set loaded; nil until one is
	Samples  [][]Thumb             // thumbnails of the first images of each class
	Loading  string                // name of the zip being read, if one is
	Progress protocol.Progress     // how far the reading got
	Err      string                // why the last load failed, if it did
	loadID   uint64                // the load request at work
	digest   string                // the data set's digest, once a run told it
}

// Thumb is a thumbnail shown on the page.
type Thumb struct {
	URL  string // a blob: URL
	Name string // the image's file
}

// EvalState is what the page knows about the last evaluation.
type EvalState struct {
	Result   *protocol.Evaluation // nil until one ends
	Report   nn.Report            // Result's classification report
	Running  string               // name of the model at work, if one is
	Progress protocol.Progress
	Err      string
	Cell     *CellState // the cell whose images are shown, if any
	evalID   uint64
}

// CellState is a cell of the confusion matrix whose images are shown.
type CellState struct {
	Actual, Predicted int
	Loading           bool
	Err               string
	Total             int // images in the cell
	Images            []CellImage
}

// CellImage is one image of a cell, as the model saw it.
type CellImage struct {
	Thumb
	TrueProb float32
	Top      []protocol.Prediction
}

// modelFile is where the model in use came from, so that the data
// worker can read it too.
type modelFile struct {
	name string
	url  string   // for the built-in model
	body js.Value // the File, for a model picked or dropped
}

// cores is how many workers the page decodes a data set on, and trains
// on by default: one a core.
func cores() int {
	n := js.Global().Get("navigator").Get("hardwareConcurrency")
	if n.Type() != js.TypeNumber {
		return 2
	}
	return max(1, min(n.Int(), maxCores))
}

// loadDataset asks the data worker to read the zip f, a File, or the
// sample when f is undefined. The data set loaded stays until the new
// one is read.
func (c *Root) loadDataset(name string, f js.Value) {
	if c.trainState.Running {
		c.dataset.Err = "Could not load " + name + ": a run is training on " + c.dataset.Info.Name + "; stop it first."
		return
	}
	if c.dataset.Loading != "" {
		c.data.Cancel(c.dataset.loadID)
	}
	req := protocol.Request{Kind: protocol.KindLoadDataset, Name: name, Size: c.inputSize(), Workers: cores()}
	if f.IsUndefined() {
		req.URL = sampleURL
	}
	c.dataset.Loading, c.dataset.Err, c.dataset.Progress = name, "", protocol.Progress{Stage: "opening the zip"}
	var id uint64
	id = c.data.SendWatched(req, f, func(p protocol.Progress) {
		c.env.Lock()
		defer c.env.UnlockRender()
		if c.dataset.loadID == id {
			c.dataset.Progress = p
		}
	}, func(resp protocol.Response, body js.Value) {
		c.env.Lock()
		defer c.env.UnlockRender()
		if c.dataset.loadID != id {
			return // a newer load replaced it
		}
		c.dataset.Loading = ""
		switch {
		case resp.Error == name+": "+protocol.ErrCancelled.Error() || resp.Error == protocol.ErrCancelled.Error():
			return
		case resp.Error != "":
			c.dataset.Err = "Could not load " + name + ": " + strings.TrimPrefix(resp.Error, name+": ")
			if c.dataset.Info != nil {
				c.dataset.Err += ". " + c.dataset.Info.Name + " is still loaded."
			}
			return
		}
		c.setDataset(resp.Dataset, body)
	})
	c.dataset.loadID = id
}

// setDataset shows the data set info, whose sample thumbnails are in
// body, replacing the one shown and its evaluation.
func (c *Root) setDataset(info *protocol.DatasetInfo, body js.Value) {
	for _, row := range c.dataset.Samples {
		for _, t := range row {
			revokeObjectURL(t.URL)
		}
	}
	c.dataset.Info, c.dataset.digest = info, ""
	c.dataset.Samples = make([][]Thumb, len(info.Classes))
	for _, s := range info.Samples {
		if s.Class >= 0 && s.Class < len(info.Classes) {
			c.dataset.Samples[s.Class] = append(c.dataset.Samples[s.Class], Thumb{URL: thumbURL(body, s), Name: s.Name})
		}
	}
	clearCell(&c.eval)
	c.eval = EvalState{}
	c.measureSpeed()
}

// inputSize is the side of the images the model in use takes, at which
// data sets are read.
func (c *Root) inputSize() int {
	if c.model.Info != nil {
		return c.model.Info.InputSize
	}
	return 32
}

// evaluate asks the data worker to score the model in use on the data
// set's test split.
func (c *Root) evaluate() {
	if c.dataset.Info == nil || c.model.Info == nil || c.eval.Running != "" {
		return
	}
	m := c.modelFile
	req := protocol.Request{Kind: protocol.KindEvaluate, Name: m.name, URL: m.url}
	clearCell(&c.eval)
	c.eval = EvalState{Running: m.name, Progress: protocol.Progress{Stage: "reading the model"}}
	var id uint64
	id = c.data.SendWatched(req, m.body, func(p protocol.Progress) {
		c.env.Lock()
		defer c.env.UnlockRender()
		if c.eval.evalID == id {
			c.eval.Progress = p
		}
	}, func(resp protocol.Response, _ js.Value) {
		c.env.Lock()
		defer c.env.UnlockRender()
		if c.eval.evalID != id {
			return
		}
		c.eval.Running = ""
		switch {
		case strings.HasSuffix(resp.Error, protocol.ErrCancelled.Error()):
		case resp.Error != "":
			c.eval.Err = "Could not evaluate " + m.name + ": " + strings.TrimPrefix(resp.Error, m.name+": ")
		default:
			e := resp.Evaluation
			c.eval.Result = e
			c.eval.Report = nn.NewReport(nn.ConfusionMatrix(e.Matrix), e.Classes)
			c.keepReport(e)
		}
	})
	c.eval.evalID = id
}

// showCell asks for the images of a cell of the confusion matrix of
// the evaluation ev, which the worker knows as split (see
// protocol.Request.Split).
func (c *Root) showCell(ev *EvalState, split string, actual, predicted int) {
	clearCell(ev)
	cell := &CellState{Actual: actual, Predicted: predicted, Loading: true}
	ev.Cell = cell
	req := protocol.Request{Kind: protocol.KindCellImages, Actual: actual, Predicted: predicted, Limit: cellLimit, Split: split}
	c.data.Send(req, js.Undefined(), func(resp protocol.Response, body js.Value) {
		c.env.Lock()
		defer c.env.UnlockRender()
		if ev.Cell != cell {
			return
		}
		cell.Loading = false
		if resp.Error != "" {
			cell.Err = resp.Error
			return
		}
		cell.Total = resp.Total
		for _, im := range resp.Images {
			url := ""
			if im.Length > 0 {
				url = thumbURL(body, im.Thumb)
			}
			cell.Images = append(cell.Images, CellImage{Thumb: Thumb{URL: url, Name: im.Name}, TrueProb: im.TrueProb, Top: im.Top})
		}
	})
}

// cellLimit is how many images of a cell the page shows.
const cellLimit = 60

// clearCell forgets the cell of ev shown, freeing its thumbnails.
func clearCell(ev *EvalState) {
	if ev.Cell == nil {
		return
	}
	for _, im := range ev.Cell.Images {
		revokeObjectURL(im.URL)
	}
	ev.Cell = nil
}

// thumbURL returns a blob: URL of the JPEG at t in body, an ArrayBuffer.
func thumbURL(body js.Value, t protocol.Thumb) string {
	part := js.Global().Get("Uint8Array").New(body, t.Offset, t.Length)
	opts := js.Global().Get("Object").New()
	opts.Set("type", "image/jpeg")
	blob := js.Global().Get("Blob").New(js.Global().Get("Array").Call("of", part), opts)
	return objectURL(blob)
}

// accuracyLine is the evaluation's accuracy as cmd/resnet evaluate
// prints it.
func accuracyLine(e *protocol.Evaluation) string {
	return nn.ConfusionMatrix(e.Matrix).AccuracyLine()
}

// percentOf formats part of whole as a percentage.
func percentOf(part, whole int) string {
	if whole == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(part)/float64(whole))
}
