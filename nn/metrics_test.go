package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// referenceMatrix is the test-split confusion matrix the reference
// notebook printed (rows actual, columns predicted).
var referenceMatrix = ConfusionMatrix{
	{364, 11, 7, 2, 12, 41},
	{4, 449, 2, 3, 2, 14},
	{4, 3, 425, 74, 37, 10},
	{5, 4, 68, 414, 30, 4},
	{12, 3, 24, 19, 446, 6},
	{34, 12, 7, 5, 8, 435},
}

func TestReportMatchesReferenceNotebook(t *testing.T) {
	r := NewReport(referenceMatrix, SceneClasses)
	if r.Correct != 2533 || r.Examples != 3000 {
		t.Fatalf("correct/examples = %d/%d, want 2533/3000", r.Correct, r.Examples)
	}
	// The notebook's classification_report, two digits.
	want := [][4]float64{
		{0.86, 0.83, 0.85, 437},
		{0.93, 0.95, 0.94, 474},
		{0.80, 0.77, 0.78, 553},
		{0.80, 0.79, 0.79, 525},
		{0.83, 0.87, 0.85, 510},
		{0.85, 0.87, 0.86, 501},
	}
	round := func(v float64) float64 { return math.Round(v*100) / 100 }
	for i, w := range want {
		s := r.PerClass[i]
		got := [4]float64{round(s.Precision), round(s.Recall), round(s.F1), float64(s.Support)}
		if got != w {
			t.Errorf("%s: got %v, want %v", SceneClasses[i], got, w)
		}
	}
	if got := [3]float64{round(r.Macro.Precision), round(r.Macro.Recall), round(r.Macro.F1)}; got != [3]float64{0.85, 0.85, 0.85} {
		t.Errorf("macro avg = %v, want [0.85 0.85 0.85]", got)
	}
	if got, want := fmt.Sprintf("%.4f", r.Accuracy), "0.8443"; got != want {
		t.Errorf("accuracy = %s, want %s", got, want)
	}
}

func TestReportByHand(t *testing.T) {
	// Two classes: 3 a's of which 2 right, 1 b predicted as a.
	m := NewConfusionMatrix(2)
	m.Add(0, 0)
	m.Add(0, 0)
	m.Add(0, 1)
	m.Add(1, 0)
	r := NewReport(m, []string{"a", "b"})
	checks := []struct {
		name      string
		got, want float64
	}{
		{"precision a", r.PerClass[0].Precision, 2.0 / 3},
		{"recall a", r.PerClass[0].Recall, 2.0 / 3},
		{"f1 a", r.PerClass[0].F1, 2.0 / 3},
		{"precision b (no right prediction)", r.PerClass[1].Precision, 0},
		{"f1 b", r.PerClass[1].F1, 0},
		{"macro precision", r.Macro.Precision, 1.0 / 3},
		{"weighted recall", r.Weighted.Recall, 0.75 * 2.0 / 3},
		{"accuracy", r.Accuracy, 0.5},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestReportLayout(t *testing.T) {
	s := NewReport(referenceMatrix, SceneClasses).String()
	for _, line := range []string{
		"   buildings      0.86      0.83      0.85       437",
		"    accuracy                          0.84      3000",
		"   macro avg      0.85      0.85      0.85      3000",
	} {
		if !strings.Contains(s, line) {
			t.Errorf("report lacks line %q; got\n%s", line, s)
		}
	}
}
