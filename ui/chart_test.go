package main

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestChartLogTicks(t *testing.T) {
	c := Chart{LogY: true, XMin: 1, XMax: 100, Marker: math.NaN(),
		Series: []Series{{X: []float64{1, 50, 100}, Y: []float64{1.8, 0.6, 0.25}}}}
	var labels []string
	for _, tk := range c.YTicks() {
		labels = append(labels, tk.Label)
	}
	if got, want := strings.Join(labels, " "), "0.5 1 2"; got != want {
		t.Errorf("ticks of a loss from 0.25 to 1.8: %q, want %q", got, want)
	}
	if p := c.Path(0); !strings.HasPrefix(p, "M") || strings.Count(p, "L") != 2 {
		t.Errorf("path %q", p)
	}
}

func TestNiceStep(t *testing.T) {
	for _, tt := range []struct{ rough, want float64 }{{0.13, 0.2}, {3, 5}, {7, 10}, {240, 500}, {1, 1}} {
		if got := niceStep(tt.rough); got != tt.want {
			t.Errorf("niceStep(%v) = %v, want %v", tt.rough, got, tt.want)
		}
	}
}

func TestChartTicksReadZero(t *testing.T) {
	c := Chart{XMin: 1, XMax: 10, Marker: math.NaN(), Series: []Series{{X: []float64{1, 10}, Y: []float64{0.0004, 0.01}}}}
	for _, tk := range c.YTicks() {
		if strings.HasPrefix(tk.Label, "-") || strings.Contains(tk.Label, "e-1") {
			t.Errorf("tick %q", tk.Label)
		}
	}
}

// TestChartDotsReadTheStep checks that a marked point names its step as
// the x axis does, not in the values' format (a percentage, say).
func TestChartDotsReadTheStep(t *testing.T) {
	c := Chart{XLabel: "step", XMin: 0, XMax: 352, Marker: math.NaN(), Format: func(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) },
		Series: []Series{{Name: "validation accuracy", Dots: true, X: []float64{176, 352}, Y: []float64{0.601, 0.708}}}}
	var labels []string
	for _, d := range c.Dots(0) {
		labels = append(labels, d.Label)
	}
	if got, want := strings.Join(labels, "; "), "validation accuracy at step 176: 60.1%; validation accuracy at step 352: 70.8%"; got != want {
		t.Errorf("dots %q, want %q", got, want)
	}
}
