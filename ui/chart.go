package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/vugu/vugu"
)

// Series is a line of a chart: points (X[i], Y[i]), X rising.
type Series struct {
	Name  string
	Color string
	X, Y  []float64
	Faint bool // drawn thin and light, under the others
	Dots  bool // each point marked, as per-epoch figures are
}

// Chart is an SVG line chart with axes, ticks, a legend, the values at
// the pointer's x shown on hover, an optional log scale and a marker at
// one x. Long series are drawn from at most one point a pixel.
type Chart struct {
	ID     string
	Title  string
	XLabel string
	Series []Series
	XMax   float64 // the x axis runs from XMin to XMax
	XMin   float64
	LogY   bool
	YMin   float64 // with YMax, a fixed y range; else from the data
	YMax   float64
	Marker float64              // x of a vertical marker; NaN for none
	Format func(float64) string // how values read; nil: 3 significant digits

	hoverX float64 // x under the pointer; NaN when it is not over the chart
	hover  bool
}

// The chart's drawing area, in SVG units. The SVG is as wide as its
// column and its text is sized in these units (app.css), so the fewer
// units across, the larger the ticks read.
const (
	chartW, chartH                       = 420, 180
	padLeft, padRight, padTop, padBottom = 58, 10, 10, 34
	hoverBoxW                            = 180 // the hover box's width
)

// plotW and plotH are the size of the plot inside the axes; plotRight
// and plotBottom are where its axes end.
const (
	plotW      = chartW - padLeft - padRight
	plotH      = chartH - padTop - padBottom
	plotRight  = chartW - padRight
	plotBottom = chartH - padBottom
)

// ViewBox is the SVG's viewBox.
func (c *Chart) ViewBox() string { return fmt.Sprintf("0 0 %d %d", chartW, chartH) }

// yRange returns the y axis's range.
func (c *Chart) yRange() (lo, hi float64) {
	if c.YMax > c.YMin {
		return c.YMin, c.YMax
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, y := range s.Y {
			if c.LogY && y <= 0 || math.IsNaN(y) || math.IsInf(y, 0) {
				continue
			}
			lo, hi = min(lo, y), max(hi, y)
		}
	}
	switch {
	case lo > hi:
		lo, hi = 0, 1
		if c.LogY {
			lo, hi = 0.01, 10
		}
	case c.LogY:
		lo, hi = lo/1.15, hi*1.15
	case lo == hi:
		lo, hi = lo-1, hi+1
	default:
		pad := (hi - lo) * 0.05
		lo, hi = lo-pad, hi+pad
	}
	return lo, hi
}

// px returns the SVG point of (x, y).
func (c *Chart) px(x, y, lo, hi float64) (float64, float64) {
	span := c.XMax - c.XMin
	if span <= 0 {
		span = 1
	}
	sx := padLeft + plotW*(x-c.XMin)/span
	var t float64
	if c.LogY {
		t = (math.Log10(y) - math.Log10(lo)) / (math.Log10(hi) - math.Log10(lo))
	} else {
		t = (y - lo) / (hi - lo)
	}
	return sx, padTop + plotH*(1-t)
}

// Path returns series i as an SVG path, one point a pixel at most.
func (c *Chart) Path(i int) string {
	s := c.Series[i]
	lo, hi := c.yRange()
	var b strings.Builder
	lastX := math.Inf(-1)
	for j, x := range s.X {
		y := s.Y[j]
		if math.IsNaN(y) || math.IsInf(y, 0) || c.LogY && y <= 0 {
			continue
		}
		sx, sy := c.px(x, y, lo, hi)
		if sx-lastX < 1 && j != len(s.X)-1 {
			continue
		}
		cmd := "L"
		if b.Len() == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&b, "%s%.1f %.1f", cmd, sx, sy)
		lastX = sx
	}
	return b.String()
}

// Dot is a marked point of a series.
type Dot struct {
	CX, CY float64
	Label  string // read on hover
}

// Dots returns the marked points of series i.
func (c *Chart) Dots(i int) []Dot {
	s := c.Series[i]
	if !s.Dots {
		return nil
	}
	lo, hi := c.yRange()
	var dots []Dot
	for j, x := range s.X {
		if y := s.Y[j]; !math.IsNaN(y) && !(c.LogY && y <= 0) {
			cx, cy := c.px(x, y, lo, hi)
			dots = append(dots, Dot{cx, cy, fmt.Sprintf("%s at %s %s: %s", s.Name, c.XLabel, formatX(x), c.format(y))})
		}
	}
	return dots
}

// Tick is an axis tick: its position and label.
type Tick struct {
	Pos   float64
	Label string
}

// YTicks returns the y axis's ticks: powers of ten on a log scale.
func (c *Chart) YTicks() []Tick {
	lo, hi := c.yRange()
	var ticks []Tick
	if c.LogY {
		// 1, 2 and 5 times the powers of ten within the range, or only
		// the powers when the range spans more than two of them.
		mults := []float64{1, 2, 5}
		if hi/lo > 100 {
			mults = []float64{1}
		}
		for p := math.Floor(math.Log10(lo)); p <= math.Ceil(math.Log10(hi)); p++ {
			for _, m := range mults {
				if v := m * math.Pow(10, p); v >= lo && v <= hi {
					_, y := c.px(c.XMin, v, lo, hi)
					ticks = append(ticks, Tick{y, c.format(v)})
				}
			}
		}
		return ticks
	}
	step := niceStep((hi - lo) / 4)
	for v := math.Ceil(lo/step) * step; v <= hi+1e-12; v += step {
		if math.Abs(v) < step/1e6 {
			v = 0 // not -0, nor 1e-18 from the sums
		}
		_, y := c.px(c.XMin, v, lo, hi)
		ticks = append(ticks, Tick{y, c.format(v)})
	}
	return ticks
}

// XTicks returns the x axis's ticks.
func (c *Chart) XTicks() []Tick {
	step := niceStep((c.XMax - c.XMin) / 6)
	lo, hi := c.yRange()
	var ticks []Tick
	for v := math.Ceil(c.XMin/step) * step; v <= c.XMax+1e-12; v += step {
		x, _ := c.px(v, lo, lo, hi)
		ticks = append(ticks, Tick{x, formatX(v)})
	}
	return ticks
}

// niceStep rounds a rough tick spacing to 1, 2 or 5 times a power of ten.
func niceStep(rough float64) float64 {
	if !(rough > 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(rough)))
	for _, m := range []float64{1, 2, 5, 10} {
		if rough <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// markerX is the SVG x of the marker.
func (c *Chart) markerX() float64 {
	lo, hi := c.yRange()
	x, _ := c.px(c.Marker, lo, lo, hi)
	return x
}

// formatX writes a value of the x axis (a step), whatever Format writes
// the values with.
func formatX(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// format writes a value.
func (c *Chart) format(v float64) string {
	if c.Format != nil {
		return c.Format(v)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// HandleMove follows the pointer over the plot.
func (c *Chart) HandleMove(e vugu.DOMEvent) {
	rect := e.JSEventTarget().Call("getBoundingClientRect")
	w := rect.Get("width").Float()
	if w <= 0 {
		return
	}
	sx := (e.JSEvent().Get("clientX").Float() - rect.Get("left").Float()) / w * chartW
	c.hoverX = c.XMin + (sx-padLeft)/plotW*(c.XMax-c.XMin)
	c.hover = sx >= padLeft && sx <= padLeft+plotW
}

// HandleLeave ends the hover.
func (c *Chart) HandleLeave(vugu.DOMEvent) { c.hover = false }

// hoverInfo is what the chart shows at the pointer.
type hoverInfo struct {
	X     float64  // SVG x of the pointer
	Lines []string // the x, then each series's value at its nearest point
	BoxX  float64  // where the box of lines goes
}

// Hover returns what the chart shows at the pointer, or nil.
func (c *Chart) Hover() *hoverInfo {
	if !c.hover {
		return nil
	}
	lo, hi := c.yRange()
	x, _ := c.px(c.hoverX, lo, lo, hi)
	h := &hoverInfo{X: x, BoxX: x + 8}
	if x > padLeft+plotW/2 {
		h.BoxX = x - 8 - hoverBoxW
	}
	h.Lines = append(h.Lines, c.XLabel+" "+strconv.FormatFloat(math.Round(c.hoverX), 'f', 0, 64))
	for _, s := range c.Series {
		if j := nearest(s.X, c.hoverX); j >= 0 {
			h.Lines = append(h.Lines, fmt.Sprintf("%s: %s", s.Name, c.format(s.Y[j])))
		}
	}
	return h
}

// LineY is the SVG y of line i of the hover box.
func (c *Chart) LineY(i int) float64 { return padTop + 16 + 16*float64(i) }

// BoxH is the height of the hover box for n lines.
func (c *Chart) BoxH(n int) float64 { return 8 + 16*float64(n) }

// nearest returns the index of the value of xs, rising, nearest to x, or
// -1 for none.
func nearest(xs []float64, x float64) int {
	if len(xs) == 0 {
		return -1
	}
	lo, hi := 0, len(xs)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if xs[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo > 0 && x-xs[lo-1] < xs[lo]-x {
		lo--
	}
	return lo
}
