package main

import "fmt"

// ConfusionMatrix is a heatmap of an evaluation's confusion matrix:
// counts in cells coloured by their share of the row, each a button
// that shows the cell's images.
type ConfusionMatrix struct {
	ID       string
	Classes  []string
	Matrix   [][]int // Matrix[actual][predicted]
	Selected [2]int  // the cell shown, or {-1, -1}
	Select   func(actual, predicted int)
}

// share returns cell (a, p)'s share of its row.
func (c *ConfusionMatrix) share(a, p int) float64 {
	row := 0
	for _, n := range c.Matrix[a] {
		row += n
	}
	if row == 0 {
		return 0
	}
	return float64(c.Matrix[a][p]) / float64(row)
}

// CellStyle colours cell (a, p) by its share of the row: the accent
// colour on the diagonal, red elsewhere, both fading to white at 0.
func (c *ConfusionMatrix) CellStyle(a, p int) string {
	s := c.share(a, p)
	hue := 205 // the accent's blue
	if a != p {
		hue = 355
	}
	light := 100 - 62*s
	ink := "var(--ink)"
	if light < 60 {
		ink = "#fff"
	}
	return fmt.Sprintf("background: hsl(%d, 60%%, %.0f%%); color: %s", hue, light, ink)
}

// CellClass marks the diagonal and the cell shown.
func (c *ConfusionMatrix) CellClass(a, p int) string {
	cls := "cell"
	if a == p {
		cls += " diagonal"
	}
	if c.Selected == [2]int{a, p} {
		cls += " selected"
	}
	return cls
}

// CellLabel says what cell (a, p) holds, for screen readers.
func (c *ConfusionMatrix) CellLabel(a, p int) string {
	n := c.Matrix[a][p]
	if a == p {
		return fmt.Sprintf("%s classified right: %s (%s of the row); show them", c.Classes[a], plural(n, "image", "images"), pct(c.share(a, p)))
	}
	return fmt.Sprintf("%s taken for %s: %s (%s of the row); show them", c.Classes[a], c.Classes[p], plural(n, "image", "images"), pct(c.share(a, p)))
}

// Pressed says whether cell (a, p) is the one shown.
func (c *ConfusionMatrix) Pressed(a, p int) string {
	return fmt.Sprint(c.Selected == [2]int{a, p})
}

// pct formats a share in [0, 1] as a whole percentage.
func pct(s float64) string { return fmt.Sprintf("%.0f%%", 100*s) }
