package main

import (
	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// cellLimit is how many images of a cell the page shows, topLossesLimit
// how many of the top losses.
const (
	cellLimit      = 60
	topLossesLimit = 24
)

// Evaluation is a model's evaluation on the data set, as a report shows
// it: the page's Evaluate, or a run's on its held-out or test images.
type Evaluation struct {
	Result   *protocol.Evaluation // nil until one ends
	Report   nn.Report            // Result's classification report
	Running  string               // the name of the model at work, if one is
	Progress protocol.Progress
	Err      string
	Cell     *Cell  // the cell whose images are shown, if any
	split    string // how the data set worker knows it (protocol.CellRequest.Split)
	id       uint64 // the evaluation at work
	// Edits are the data set's edits when the evaluation was asked for;
	// nil for a run's, which scored the data set its run was given.
	Edits []protocol.ImageEdit

	page   *page
	worker *link.Worker
	// scored hears of an Evaluate that ended (Root.evaluated).
	scored func(protocol.Evaluation)
}

// Cell is a cell of the confusion matrix whose images are shown.
type Cell struct {
	Actual, Predicted int  // -1 for the top losses
	TopLosses         bool // the images of every cell with the highest loss
	Loading           bool // the first images are on their way
	LoadingMore       bool // more images are on their way (ShowMore)
	Err               string
	Total             int // images in the cell
	Images            []*CellImage

	opener js.Value // the control that showed the cell, which Close gives the focus back to
	more   js.Value // the Show more pressed, whose section's new images take the focus once none are left
}

// CellImage is one image of a cell, as the model saw it.
type CellImage struct {
	Thumbnail
	Index    int // in the split evaluated
	TrueProb float32
	Top      []protocol.Prediction
	Heat     *Explanation // the heat map shown or asked for; nil for none
}

// HeatShown reports whether the image's heat map is shown rather than
// the image.
func (im *CellImage) HeatShown() bool { return im.Heat != nil && im.Heat.URL != "" }

// BoxClass is the class attribute of the image's box: twice as wide with a
// heat map.
func (im *CellImage) BoxClass() string {
	if im.HeatShown() {
		return "cell-image heat"
	}
	return "cell-image"
}

// evaluate has the data set worker score the model file named name (at
// url, or body) on the data set's test split, on every core.
func (e *Evaluation) evaluate(name, url string, body js.Value) {
	e.reset()
	e.Running, e.Progress = name, protocol.Progress{Stage: "reading the model"}
	var id uint64
	id = ask(e.page, e.worker, protocol.Evaluate, protocol.EvaluateRequest{Name: name, URL: url, Workers: cores()}, body, 0, link.Handlers[protocol.Evaluation, protocol.Progress]{
		Notice: func(p protocol.Progress, _ js.Value) {
			if e.id == id {
				e.Progress = p
			}
		},
		Done: func(ev protocol.Evaluation, _ js.Value, err *protocol.Error) {
			if e.id != id {
				return
			}
			e.Running = ""
			switch {
			case protocol.IsCancelled(err):
			case err != nil:
				e.Err = "Could not evaluate " + name + ": " + err.About(name)
			default:
				e.set(ev)
				e.scored(ev)
			}
		}})
	e.id = id
}

// cancel stops the evaluation at work.
func (e *Evaluation) cancel() {
	if e.Running != "" {
		e.worker.Cancel(e.id)
		e.Running = ""
	}
}

// set shows the result ev.
func (e *Evaluation) set(ev protocol.Evaluation) {
	e.Result, e.Report = &ev, nn.NewReport(nn.ConfusionMatrix(ev.Matrix), ev.Classes)
}

// reset forgets the evaluation, and the cell shown.
func (e *Evaluation) reset() {
	e.clearCell()
	e.Result, e.Report, e.Running, e.Progress, e.Err = nil, nn.Report{}, "", protocol.Progress{}, ""
}

// Show shows the images of the cell (actual, predicted) of the matrix.
func (e *Evaluation) Show(actual, predicted int) {
	e.clearCell()
	e.Cell = &Cell{Actual: actual, Predicted: predicted, Loading: true, opener: focusedElement()}
	e.askImages(0, cellLimit)
}

// ShowTopLosses shows the images with the highest loss, whatever their
// cell.
func (e *Evaluation) ShowTopLosses() {
	e.clearCell()
	e.Cell = &Cell{Actual: -1, Predicted: -1, TopLosses: true, Loading: true, opener: focusedElement()}
	e.askImages(0, topLossesLimit)
}

// More says how many more images of the cell shown ShowMore shows: as
// many again as the first time, at most those left; 0 when none are, or
// while images are on their way.
func (e *Evaluation) More() int {
	c := e.Cell
	if c == nil || c.Loading || c.LoadingMore || len(c.Images) >= c.Total {
		return 0
	}
	step := cellLimit
	if c.TopLosses {
		step = topLossesLimit
	}
	return min(step, c.Total-len(c.Images))
}

// ShowMore adds More more images to the cell shown, after those it
// shows, which stay as they are (a heat map shown with them).
func (e *Evaluation) ShowMore() {
	if n := e.More(); n > 0 {
		e.Cell.LoadingMore, e.Cell.Err, e.Cell.more = true, "", focusedElement()
		e.askImages(len(e.Cell.Images), n)
	}
}

// CloseCell stops showing the cell's images, and gives the focus back
// to the control that showed them.
func (e *Evaluation) CloseCell() {
	if e.Cell != nil {
		focusOn(e.Cell.opener)
	}
	e.clearCell()
}

// askImages has the data set worker send limit images of the cell shown
// from the from-th on, and adds them to it.
func (e *Evaluation) askImages(from, limit int) {
	cell := e.Cell
	h := link.Handlers[protocol.CellImages, protocol.None]{
		Done: func(res protocol.CellImages, body js.Value, err *protocol.Error) {
			if e.Cell != cell {
				return
			}
			cell.Loading, cell.LoadingMore = false, false
			if err != nil {
				cell.Err = err.Message
				return
			}
			cell.Total = res.Total
			for _, im := range res.Images {
				url := ""
				if im.Length > 0 {
					url = thumbnailURL(body, im.Thumb)
				}
				cell.Images = append(cell.Images, &CellImage{Thumbnail: Thumbnail{Thumb: im.Thumb, URL: url}, Index: im.Index, TrueProb: im.TrueProb, Top: im.Top})
			}
			if from > 0 && len(cell.Images) >= cell.Total {
				focusNewImage(cell.more, from)
			}
		}}
	if cell.TopLosses {
		ask(e.page, e.worker, protocol.TopLosses, protocol.TopLossesRequest{Split: e.split, From: from, Limit: limit}, js.Undefined(), 0, h)
		return
	}
	q := protocol.CellRequest{Split: e.split, Actual: cell.Actual, Predicted: cell.Predicted, From: from, Limit: limit}
	ask(e.page, e.worker, protocol.Cell, q, js.Undefined(), 0, h)
}

// focusNewImage gives the focus to the first control of image i of the
// cell whose Show more, more, showed it, once rendered: with no images
// left to show, that button has gone.
func focusNewImage(more js.Value, i int) {
	if !more.Truthy() {
		return
	}
	section := more.Call("closest", "section")
	afterRender(func() {
		if !section.Truthy() {
			return
		}
		if im := section.Call("querySelectorAll", ".cell-image").Index(i); im.Truthy() {
			if ctl := im.Call("querySelector", "select, button"); ctl.Truthy() {
				ctl.Call("focus")
			}
		}
	})
}

// clearCell forgets the cell shown, freeing its thumbnails.
func (e *Evaluation) clearCell() {
	if e.Cell == nil {
		return
	}
	for _, im := range e.Cell.Images {
		revokeObjectURL(im.URL)
		setExplanation(&im.Heat, nil)
	}
	e.Cell = nil
}
