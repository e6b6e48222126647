package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Report shows an evaluation of a model on the data set: the accuracy
// line, the classification report, the confusion matrix and the images
// of the cell chosen.
type Report struct {
	Eval        *Evaluation
	Prefix      string   // of its elements' ids: "" for the page's Evaluate, "val-" and "test-" for a training run's
	Heading     string   // its title; "" for "Evaluation"
	CanEvaluate bool     // a model and a data set are loaded
	Evaluate    func()   // "Evaluate" was pressed; nil: no Evaluate button
	Cancel      func()   // "Cancel" was pressed
	Data        *Dataset // the data set evaluated, whose images its cells can relabel or leave out
}

// Id returns the id of its element name.
func (c *Report) Id(name string) string { return c.Prefix + name }

// Title is the report's heading.
func (c *Report) Title() string {
	if c.Heading == "" {
		return "Evaluation"
	}
	return c.Heading
}

// Hint says what Evaluate does, or what it needs.
func (c *Report) Hint() string {
	if !c.CanEvaluate {
		return "Load a data set to score the model on it."
	}
	return "Evaluate scores the model on the data set's test split (on all of it when it has none)."
}

// Facts says what was evaluated.
func (c *Report) Facts() string {
	e := c.Eval.Result
	split := "the " + e.Split + " images"
	switch e.Split {
	case "all":
		split = "all its images (it has no test split)"
	case "test":
		split = "the test split"
	}
	on := ""
	if e.Workers > 1 {
		on = fmt.Sprintf(" on %d workers", e.Workers)
	}
	return fmt.Sprintf("%s on %s: %s images in %.1f s%s; mean loss %.4f.",
		e.Model, split, data.CountWords(c.Eval.Report.Examples), e.Seconds, on, e.Loss)
}

// NotHeldOutLine warns that a score on all of a data set's images, which
// has no test split, is no held-out score; "" for a test split's.
func (c *Report) NotHeldOutLine() string {
	if c.Eval.Result.Split != "all" {
		return ""
	}
	return "With no test split, this is no held-out score: a model trained on this data set learned from most of these images, and scores higher on them than it would on new ones."
}

// StaleLine says that the data set was edited after the evaluation was
// asked for, so that its figures are not the data set's as it stands;
// "" when it was not.
func (c *Report) StaleLine() string {
	e := c.Eval
	if e.Edits == nil || c.Data == nil || c.Data.Info == nil || slices.Equal(e.Edits, c.Data.Edits) {
		return ""
	}
	return "The data set has been edited since this evaluation: Evaluate again to score the model on it as it stands."
}

// UnknownLine names the data set's classes the model does not know.
func (c *Report) UnknownLine() string {
	e := c.Eval.Result
	return fmt.Sprintf("The model does not know the class%s %s: their %s were left out.",
		map[bool]string{true: "es", false: ""}[len(e.Unknown) > 1], quoteAll(e.Unknown), plural(e.Left, "image", "images"))
}

// Selected is the cell shown, or {-1, -1}.
func (c *Report) Selected() [2]int {
	if c.Eval.Cell == nil {
		return [2]int{-1, -1}
	}
	return [2]int{c.Eval.Cell.Actual, c.Eval.Cell.Predicted}
}

// TopLossesShown is the aria-pressed of "Top losses".
func (c *Report) TopLossesShown() string {
	return fmt.Sprint(c.Eval.Cell != nil && c.Eval.Cell.TopLosses)
}

// accuracyLine is the evaluation's accuracy as resnet evaluate prints
// it.
func accuracyLine(e *protocol.Evaluation) string {
	return nn.ConfusionMatrix(e.Matrix).AccuracyLine()
}

// two formats a score with two decimals, as scikit-learn's report does.
func two(v float64) string { return fmt.Sprintf("%.2f", v) }

// quoteAll quotes names and joins them with commas.
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
