package main

import (
	"fmt"
	"math"

	"path"

	"github.com/vugu/vugu"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// CellImages shows the images of one cell of the confusion matrix, the
// lowest probability of the true class first.
type CellImages struct {
	ID      string
	Cell    *Cell
	Classes []string
	Explain func(im *CellImage, class string) // a heat map of class over im was asked for; "" hides it
	Data    *Dataset                          // the data set, whose images can be relabelled or left out; nil: not here
	More    int                               // how many more images ShowMore shows; 0: none are left, or images are on their way
	// ShowMore shows More more of the cell's images; Close stops showing
	// them.
	ShowMore, Close func()
}

// MoreLabel is the text of the button that shows more images, and that
// stays, for the focus to stay on it, while they are on their way.
func (c *CellImages) MoreLabel() string {
	if c.Cell.LoadingMore {
		return "Reading more images…"
	}
	return fmt.Sprintf("Show %s more (of %s not shown)", data.CountWords(c.More), data.CountWords(c.Cell.Total-len(c.Cell.Images)))
}

// Busy is the Show more button's aria-disabled: "true" while more images
// are on their way.
func (c *CellImages) Busy() string { return fmt.Sprint(c.Cell.LoadingMore) }

// EditTag says what was done to the image im in the data set: "" when
// nothing.
func (c *CellImages) EditTag(im *CellImage) string { return c.Data.EditTag(im.Name) }

// HandleRelabel moves the image im to the class chosen.
func (c *CellImages) HandleRelabel(im *CellImage, e vugu.DOMEvent) {
	if class := e.JSEventTarget().Get("value").String(); class != "" {
		c.Data.Relabel(im.Name, class)
	}
}

// RelabelTo returns the classes the image im can be moved to: the data
// set's, but for its own.
func (c *CellImages) RelabelTo(im *CellImage) []string {
	var to []string
	for _, class := range c.Data.Info.Classes {
		if im.Class >= len(c.Classes) || class != c.Classes[im.Class] {
			to = append(to, class)
		}
	}
	return to
}

// explainer is Explain for the image im.
func (c *CellImages) explainer(im *CellImage) func(class string) {
	return func(class string) { c.Explain(im, class) }
}

// Title names the cell.
func (c *CellImages) Title() string {
	switch {
	case c.Cell.TopLosses:
		return "Top losses"
	case c.Cell.Actual == c.Cell.Predicted:
		return c.TrueClass() + " classified right"
	}
	return c.TrueClass() + " taken for " + c.Classes[c.Cell.Predicted]
}

// TrueClass is the class of the cell's images.
func (c *CellImages) TrueClass() string { return c.Classes[c.Cell.Actual] }

// TrueLine says what an image is and how probable the model found that,
// and, among the top losses, its loss (the cross-entropy, -ln p).
func (c *CellImages) TrueLine(im *CellImage) string {
	if !c.Cell.TopLosses {
		return c.TrueClass() + ": " + percent(im.TrueProb)
	}
	return fmt.Sprintf("%s: %s · loss %.2f", c.Classes[im.Class], percent(im.TrueProb), -math.Log(max(float64(im.TrueProb), math.SmallestNonzeroFloat32)))
}

// Summary says how many images there are and which are shown.
func (c *CellImages) Summary() string {
	switch n := c.Cell.Total; {
	case n == 0:
		return "No images."
	case c.Cell.TopLosses && len(c.Cell.Images) < n:
		return fmt.Sprintf("The %d of %s with the highest loss, the highest first: the lowest probability of their true class, whatever the model took them for.", len(c.Cell.Images), plural(n, "image", "images"))
	case c.Cell.TopLosses:
		return fmt.Sprintf("%s, the highest loss first: the lowest probability of their true class, whatever the model took them for.", plural(n, "image", "images"))
	case len(c.Cell.Images) < n:
		return fmt.Sprintf("The %d of %s with the lowest probability of %s.", len(c.Cell.Images), plural(n, "image", "images"), c.TrueClass())
	default:
		return fmt.Sprintf("%s, the lowest probability of %s first.", plural(n, "image", "images"), c.TrueClass())
	}
}

// baseName is the last element of a path in a zip.
func baseName(name string) string { return path.Base(name) }
