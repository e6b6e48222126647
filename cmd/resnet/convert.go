package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

func runConvert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("convert", "-o out.safetensors in.pth", stderr)
	out := fs.String("o", "", "output safetensors `file` (required)")
	classes := fs.String("classes", "", "comma-separated class names, in label order (default: those in the file, or the scene classes for a six-class PyTorch file)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 1 {
		fs.Usage()
		return errors.New("convert needs -o and one input file")
	}
	m, err := readModel(fs.Arg(0))
	if err != nil {
		return err
	}
	if *classes != "" {
		names := strings.Split(*classes, ",")
		if len(names) != len(m.Meta.Classes) {
			return fmt.Errorf("-classes names %d classes, the model has %d", len(names), len(m.Meta.Classes))
		}
		m.Meta.Classes = names
	}
	if err := writeModel(m, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s, %d parameters, %d classes (%s), input %dx%d -> %s\n",
		fs.Arg(0), m.Meta.Arch, m.NumParams(), len(m.Meta.Classes), strings.Join(m.Meta.Classes, ", "),
		m.Meta.InputSize, m.Meta.InputSize, *out)
	return nil
}
