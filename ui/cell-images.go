package main

import (
	"fmt"
	"path"
)

// CellImages shows the images of one cell of the confusion matrix, the
// lowest probability of the true class first.
type CellImages struct {
	ID      string
	Cell    *Cell
	Classes []string
	Explain func(im *CellImage, class string) // a heat map of class over im was asked for; "" hides it
}

// explainer is Explain for the image im.
func (c *CellImages) explainer(im *CellImage) func(class string) {
	return func(class string) { c.Explain(im, class) }
}

// Title names the cell.
func (c *CellImages) Title() string {
	if c.Cell.Actual == c.Cell.Predicted {
		return c.TrueClass() + " classified right"
	}
	return c.TrueClass() + " taken for " + c.Classes[c.Cell.Predicted]
}

// TrueClass is the class of the cell's images.
func (c *CellImages) TrueClass() string { return c.Classes[c.Cell.Actual] }

// Summary says how many images there are and which are shown.
func (c *CellImages) Summary() string {
	switch n := c.Cell.Total; {
	case n == 0:
		return "No images."
	case len(c.Cell.Images) < n:
		return fmt.Sprintf("The %d of %s with the lowest probability of %s.", len(c.Cell.Images), plural(n, "image", "images"), c.TrueClass())
	default:
		return fmt.Sprintf("%s, the lowest probability of %s first.", plural(n, "image", "images"), c.TrueClass())
	}
}

// baseName is the last element of a path in a zip.
func baseName(name string) string { return path.Base(name) }
