package main

import (
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
)

// TestTrainFlagsAreTheRecipeFields checks that resnet train has a flag
// for every field of nn.RecipeFields, showing the recipe's value as its
// default, and that a flag refuses what the field refuses, in the
// field's words.
func TestTrainFlagsAreTheRecipeFields(t *testing.T) {
	r := nn.ReferenceRecipe()
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	trainFlags(fs, &r)
	for _, f := range nn.RecipeFields {
		fl := fs.Lookup(f.Name)
		if fl == nil {
			t.Errorf("no flag -%s", f.Name)
			continue
		}
		if fl.DefValue != f.Get(nn.ReferenceRecipe()) {
			t.Errorf("-%s: default %q, want the reference recipe's %q", f.Name, fl.DefValue, f.Get(nn.ReferenceRecipe()))
		}
	}
	if err := fs.Parse([]string{"-epochs", "3", "-stages", "1,1", "-size", "64", "-pad", "40"}); err != nil {
		t.Fatal(err)
	}
	if r.Epochs != 3 || len(r.Config.Stages) != 2 || r.Config.InputSize != 64 || r.Augment.Pad != 40 {
		t.Errorf("got %+v after -epochs 3 -stages 1,1 -size 64 -pad 40", r)
	}
	for _, args := range [][]string{{"-epochs", "0"}, {"-batch", "5000"}, {"-lr", "abc"}, {"-shortcut", "conv5x5"}, {"-stages", "1,99"}} {
		fs := flag.NewFlagSet("train", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		r := nn.ReferenceRecipe()
		trainFlags(fs, &r)
		err := fs.Parse(args)
		f, _ := nn.RecipeFieldNamed(strings.TrimPrefix(args[0], "-"))
		want := f.Set(&r, args[1])
		if err == nil || want == nil || !strings.Contains(err.Error(), want.Error()) {
			t.Errorf("%v: got %v, want the field's own error %v", args, err, want)
		}
	}
}
