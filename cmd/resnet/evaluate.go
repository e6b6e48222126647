package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

func runEvaluate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("evaluate", "-model m.safetensors -data data.zip", stderr)
	modelPath := fs.String("model", "", "model `file`, safetensors or PyTorch .pth (required)")
	dataPath := fs.String("data", "", "dataset `zip` (required)")
	split := fs.String("split", "auto", "which images: test, train, or auto (test when the zip has a test folder, else all train images)")
	batch := fs.Int("batch", 128, "images per forward pass")
	n := fs.Int("workers", workers(), "parallel replicas")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *batch < 1 || *n < 1 {
		return fmt.Errorf("-batch %d and -workers %d must be at least 1", *batch, *n)
	}
	if *modelPath == "" || *dataPath == "" || fs.NArg() != 0 {
		fs.Usage()
		return errors.New("evaluate needs -model and -data")
	}
	m, err := readModel(*modelPath)
	if err != nil {
		return err
	}
	a, err := readZip(*dataPath, m.Meta.InputSize, stderr)
	if err != nil {
		return err
	}
	var set *data.Set
	switch {
	case *split == "test" || *split == "auto" && a.Test != nil:
		if a.Test == nil {
			return fmt.Errorf("%s has no test folder", *dataPath)
		}
		set = a.Test
	case *split == "train" || *split == "auto":
		set = a.Train
	default:
		return fmt.Errorf("-split %q: want test, train or auto", *split)
	}
	if err := relabel(set, m.Meta.Classes); err != nil {
		return fmt.Errorf("%s: %w", *dataPath, err)
	}
	start := time.Now()
	loss, cm, err := nn.Evaluate(m, set, *batch, *n)
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(stderr, "classified %d images in %.1fs (%.0f images/s)\n", set.Len(), secs, float64(set.Len())/secs)
	printEvaluation(stdout, cm, m.Meta.Classes, loss)
	return nil
}

// printEvaluation prints the classification report, the confusion matrix
// and the accuracy line.
func printEvaluation(w io.Writer, cm nn.ConfusionMatrix, classes []string, loss float64) {
	fmt.Fprintln(w, nn.NewReport(cm, classes))
	fmt.Fprintln(w, "confusion matrix (rows actual, columns predicted):")
	fmt.Fprintln(w, cm.Format(classes, 4))
	fmt.Fprintf(w, "loss: %.4f\n", loss)
	fmt.Fprintln(w, cm.AccuracyLine())
}
