package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

func runPredict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("predict", "-model m.safetensors image ...", stderr)
	modelPath := fs.String("model", "", "model `file`, safetensors or PyTorch .pth (required)")
	top := fs.Int("top", 3, "classes to print per image")
	explain := fs.String("explain", "", "write into `dir` each image with the Grad-CAM heat map of its most probable class painted over it, as NAME.gradcam.png")
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
	if *explain != "" {
		if err := os.MkdirAll(*explain, 0o755); err != nil {
			return err
		}
	}
	var failed []error
	for _, path := range fs.Args() {
		b, err := os.ReadFile(path)
		if err == nil {
			var pix []uint8
			if pix, err = data.DecodeImage(b, path, m.Meta.InputSize, data.PhotoMaxPixels); err == nil {
				probs := m.Predict(pix, 1)
				order := nn.TopK(probs, *top)
				fmt.Fprintln(stdout, path)
				for _, c := range order {
					fmt.Fprintf(stdout, "  %-12s %6.2f%%\n", m.Meta.Classes[c], 100*probs[c])
				}
				if *explain == "" {
					continue
				}
				var out string
				if out, err = writeExplained(*explain, path, b, m, order[0]); err == nil {
					fmt.Fprintf(stdout, "  Grad-CAM of %s: %s\n", m.Meta.Classes[order[0]], out)
					continue
				}
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

// explainSide is the side of the box the images -explain writes fit in.
const explainSide = 256

// writeExplained writes into dir the image file b, read from path, with
// m's Grad-CAM heat map of class painted over it, and returns the file's
// path.
func writeExplained(dir, path string, b []byte, m *nn.Model, class int) (string, error) {
	img, err := data.HeatMapPNG(b, path, m.Meta.InputSize, explainSide, data.PhotoMaxPixels, func(pix []uint8) ([]float32, int, int) {
		return m.GradCAM(pix, 1, []int{class})
	})
	if err != nil {
		return "", err
	}
	base := filepath.Base(path)
	out := filepath.Join(dir, strings.TrimSuffix(base, filepath.Ext(base))+".gradcam.png")
	return out, os.WriteFile(out, img, 0o644)
}
