package main

import (
	"cmp"
	"fmt"
	"slices"
)

// mostConfusedShown is how many pairs of classes MostConfused lists.
const mostConfusedShown = 5

// MostConfused lists the pairs of classes the model mixed up most, as
// fastai's most_confused does, each opening its cell of the confusion
// matrix, and shows the images of highest loss on request.
type MostConfused struct {
	Classes        []string
	Matrix         [][]int
	Select         func(actual, predicted int) // a pair was pressed
	TopLosses      func()                      // "Top losses" was pressed
	TopLossesShown string                      // "true" while they are shown, for aria-pressed
}

// confusion is a pair of classes and how many images of the one were
// taken for the other.
type confusion struct {
	Actual, Predicted, Images int
}

// Pairs returns the off-diagonal cells of the matrix that hold images,
// most first (ties in the matrix's order), at most mostConfusedShown.
func (c *MostConfused) Pairs() []confusion { return mostConfused(c.Matrix, mostConfusedShown) }

// mostConfused returns the off-diagonal cells of m that hold images,
// most first (ties in row, then column order), at most n.
func mostConfused(m [][]int, n int) []confusion {
	var ps []confusion
	for a, row := range m {
		for p, k := range row {
			if a != p && k > 0 {
				ps = append(ps, confusion{a, p, k})
			}
		}
	}
	slices.SortStableFunc(ps, func(x, y confusion) int { return cmp.Compare(y.Images, x.Images) })
	return ps[:min(n, len(ps))]
}

// Label says what a pair is.
func (c *MostConfused) Label(p confusion) string {
	return fmt.Sprintf("%s taken for %s: %s", c.Classes[p.Actual], c.Classes[p.Predicted], plural(p.Images, "image", "images"))
}
