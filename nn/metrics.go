package nn

import (
	"fmt"
	"strings"
)

// ConfusionMatrix counts predictions: M[actual][predicted].
type ConfusionMatrix [][]int

// NewConfusionMatrix returns a zero k×k matrix.
func NewConfusionMatrix(k int) ConfusionMatrix {
	m := make(ConfusionMatrix, k)
	for i := range m {
		m[i] = make([]int, k)
	}
	return m
}

// Add counts one prediction.
func (m ConfusionMatrix) Add(actual, predicted int) { m[actual][predicted]++ }

// Total returns the number of predictions counted.
func (m ConfusionMatrix) Total() int {
	n := 0
	for _, row := range m {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// Correct returns the number of right predictions, the diagonal's sum.
func (m ConfusionMatrix) Correct() int {
	n := 0
	for i := range m {
		n += m[i][i]
	}
	return n
}

// Accuracy returns Correct/Total, or 0 for an empty matrix.
func (m ConfusionMatrix) Accuracy() float64 {
	if t := m.Total(); t > 0 {
		return float64(m.Correct()) / float64(t)
	}
	return 0
}

// AccuracyLine returns the accuracy as cmd/resnet evaluate and the page
// print it: "accuracy: 0.9679 (13583/14034)".
func (m ConfusionMatrix) AccuracyLine() string {
	return fmt.Sprintf("accuracy: %.4f (%d/%d)", m.Accuracy(), m.Correct(), m.Total())
}

// ClassScores are one class's figures in a classification report.
type ClassScores struct {
	Precision, Recall, F1 float64
	Support               int
}

// Report is scikit-learn's classification_report: per-class scores and
// their macro (unweighted) and weighted (by support) averages. A score
// whose denominator is zero is 0, as scikit-learn's zero_division
// default reports it.
type Report struct {
	Classes           []string
	PerClass          []ClassScores
	Accuracy          float64
	Macro, Weighted   ClassScores
	Correct, Examples int
}

// NewReport computes the report of m for the named classes.
func NewReport(m ConfusionMatrix, classes []string) Report {
	k := len(m)
	r := Report{Classes: classes, PerClass: make([]ClassScores, k),
		Accuracy: m.Accuracy(), Correct: m.Correct(), Examples: m.Total()}
	for c := 0; c < k; c++ {
		tp, predicted, actual := m[c][c], 0, 0
		for i := 0; i < k; i++ {
			predicted += m[i][c]
			actual += m[c][i]
		}
		s := ClassScores{Precision: ratio(tp, predicted), Recall: ratio(tp, actual), Support: actual}
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		r.PerClass[c] = s
		r.Macro.Precision += s.Precision / float64(k)
		r.Macro.Recall += s.Recall / float64(k)
		r.Macro.F1 += s.F1 / float64(k)
		if r.Examples > 0 {
			w := float64(actual) / float64(r.Examples)
			r.Weighted.Precision += w * s.Precision
			r.Weighted.Recall += w * s.Recall
			r.Weighted.F1 += w * s.F1
		}
	}
	r.Macro.Support, r.Weighted.Support = r.Examples, r.Examples
	return r
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// String formats the report as scikit-learn's classification_report does
// with two digits.
func (r Report) String() string {
	width := len("weighted avg")
	for _, c := range r.Classes {
		width = max(width, len(c))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support")
	line := func(name string, s ClassScores) {
		fmt.Fprintf(&b, "%*s %9.2f %9.2f %9.2f %9d\n", width, name, s.Precision, s.Recall, s.F1, s.Support)
	}
	for i, s := range r.PerClass {
		line(r.Classes[i], s)
	}
	fmt.Fprintf(&b, "\n%*s %9s %9s %9.2f %9d\n", width, "accuracy", "", "", r.Accuracy, r.Examples)
	line("macro avg", r.Macro)
	line("weighted avg", r.Weighted)
	return b.String()
}

// Format prints the matrix with class names, rows actual and columns
// predicted; names are cut to abbrev characters (0: whole).
func (m ConfusionMatrix) Format(classes []string, abbrev int) string {
	short := func(s string) string {
		if abbrev > 0 && len(s) > abbrev {
			return s[:abbrev]
		}
		return s
	}
	width := 0
	for _, c := range classes {
		width = max(width, len(c))
	}
	cell := 5
	for _, row := range m {
		for _, v := range row {
			cell = max(cell, len(fmt.Sprint(v))+1)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s", width, "")
	for _, c := range classes {
		fmt.Fprintf(&b, " %*s", cell, short(c))
	}
	b.WriteByte('\n')
	for i, row := range m {
		fmt.Fprintf(&b, "%*s", width, classes[i])
		for _, v := range row {
			fmt.Fprintf(&b, " %*d", cell, v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
