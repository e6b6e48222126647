package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/intelscenes/resnet-browser/nn"
)

func runPredict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("predict", "-model m.safetensors image ...", stderr)
	modelPath := fs.String("model", "", "model `file`, safetensors or PyTorch .pth (required)")
	top := fs.Int("top", 3, "classes to print per image")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *modelPath == "" || fs.NArg() == 0 {
		fs.Usage()
		return errors.New("predict needs -model and at least one image")
	}
	m, err := readModel(*modelPath)
	if err != nil {
		return err
	}
	var failed []error
	for _, path := range fs.Args() {
		b, err := os.ReadFile(path)
		if err == nil {
			var probs []float32
			if probs, err = m.ClassifyImage(b, path); err == nil {
				fmt.Fprintln(stdout, path)
				for _, c := range nn.TopK(probs, *top) {
					fmt.Fprintf(stdout, "  %-12s %6.2f%%\n", m.Meta.Classes[c], 100*probs[c])
				}
				continue
			}
		}
		failed = append(failed, err)
		fmt.Fprintln(stderr, nn.Message(err))
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d images could not be classified; first: %w", len(failed), fs.NArg(), failed[0])
	}
	return nil
}
