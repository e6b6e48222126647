// Command resnet trains, evaluates and runs the project's ResNet natively,
// on every core, with the same engine the browser runs.
//
// Usage:
//
//	resnet convert  -o out.safetensors in.pth
//	resnet evaluate -model m.safetensors -data data.zip
//	resnet predict  -model m.safetensors image.jpg ...
//	resnet train    -data data.zip -recipe reference -seed 1 -o model.safetensors
//
// Run "resnet <command> -help" for each command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/intelscenes/resnet-browser/nn"
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"convert", "convert a PyTorch .pth (or safetensors) model to this project's safetensors", runConvert},
	{"evaluate", "classify a dataset zip and print the classification report", runEvaluate},
	{"predict", "print the top-3 classes of image files", runPredict},
	{"train", "train a model on a dataset zip", runTrain},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "resnet:", nn.Message(err))
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return errors.New("no command given")
		}
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: resnet <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"resnet <command> -help\" for a command's flags.")
}

// newFlags returns a flag set that writes its usage to stderr and returns
// errors instead of exiting.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: resnet %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}
