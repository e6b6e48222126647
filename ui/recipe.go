package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// field is a field of the recipe form: what it means, how it reads and
// writes its part of a recipe.
type field struct {
	Key, Label, Hint string
	Unit             string                    // shown after the input, if any
	Options          []string                  // a choice of values, shown as a select; else a text input
	get              func(r *nn.Recipe) string // the recipe's value, as the form shows it
	set              func(r *nn.Recipe, s string) error
}

// intField returns the accessors of an int field between lo and hi.
func intField(p func(r *nn.Recipe) *int, lo, hi int) (func(*nn.Recipe) string, func(*nn.Recipe, string) error) {
	return func(r *nn.Recipe) string { return strconv.Itoa(*p(r)) },
		func(r *nn.Recipe, s string) error {
			v, err := strconv.Atoi(strings.TrimSpace(s))
			switch {
			case err != nil:
				return fmt.Errorf("%q is not a whole number", s)
			case v < lo || v > hi:
				return fmt.Errorf("%d is out of range: %d to %d", v, lo, hi)
			}
			*p(r) = v
			return nil
		}
}

// floatField returns the accessors of a float field in [lo, hi] (hi
// excluded when open).
func floatField(p func(r *nn.Recipe) *float64, lo, hi float64, open bool) (func(*nn.Recipe) string, func(*nn.Recipe, string) error) {
	return func(r *nn.Recipe) string { return strconv.FormatFloat(*p(r), 'g', -1, 64) },
		func(r *nn.Recipe, s string) error {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			switch {
			case err != nil:
				return fmt.Errorf("%q is not a number", s)
			case !(v >= lo && (v < hi || !open && v == hi)):
				bracket := "]"
				if open {
					bracket = ")"
				}
				return fmt.Errorf("%v is out of range: [%v, %v%s", v, lo, hi, bracket)
			}
			*p(r) = v
			return nil
		}
}

// recipeFields are the recipe form's fields, in order.
var recipeFields = func() []field {
	f := func(key, label, hint, unit string, get func(*nn.Recipe) string, set func(*nn.Recipe, string) error) field {
		return field{Key: key, Label: label, Hint: hint, Unit: unit, get: get, set: set}
	}
	width, setWidth := intField(func(r *nn.Recipe) *int { return &r.Config.Width }, 1, 256)
	epochs, setEpochs := intField(func(r *nn.Recipe) *int { return &r.Epochs }, 1, 1000)
	batch, setBatch := intField(func(r *nn.Recipe) *int { return &r.BatchSize }, 1, 4096)
	pad, setPad := intField(func(r *nn.Recipe) *int { return &r.Augment.Pad }, 0, 64)
	lr, setLR := floatField(func(r *nn.Recipe) *float64 { return &r.MaxLR }, 1e-6, 10, true)
	warm, setWarm := floatField(func(r *nn.Recipe) *float64 { return &r.PctStart }, 0.01, 0.99, false)
	wd, setWD := floatField(func(r *nn.Recipe) *float64 { return &r.WeightDecay }, 0, 1, true)
	cv, setCV := floatField(func(r *nn.Recipe) *float64 { return &r.ClipValue }, 0, 1e6, false)
	cn, setCN := floatField(func(r *nn.Recipe) *float64 { return &r.ClipNorm }, 0, 1e6, false)
	flip, setFlip := floatField(func(r *nn.Recipe) *float64 { return &r.Augment.FlipProb }, 0, 1, false)
	val, setVal := floatField(func(r *nn.Recipe) *float64 { return &r.ValFraction }, 0, 0.9, false)
	fields := []field{
		f("width", "Width", "channels of the stem and the first stage; each stage doubles them", "channels", width, setWidth),
		f("stages", "Blocks per stage", "residual blocks in each stage, comma-separated; a stage halves the image", "",
			func(r *nn.Recipe) string { return joinInts(r.Config.Stages) },
			func(r *nn.Recipe, s string) error {
				var st []int
				for _, part := range strings.Split(s, ",") {
					n, err := strconv.Atoi(strings.TrimSpace(part))
					if err != nil || n < 1 || n > 16 {
						return fmt.Errorf("%q: want whole numbers from 1 to 16, comma-separated", s)
					}
					st = append(st, n)
				}
				if len(st) > 5 {
					return fmt.Errorf("%d stages: at most 5", len(st))
				}
				r.Config.Stages = st
				return nil
			}),
		{Key: "shortcut", Label: "Shortcut", Hint: "how a block that halves the image adds its input: the reference's 3×3 convolution or a cheaper 1×1",
			Options: []string{"conv3x3", "conv1x1"},
			get:     func(r *nn.Recipe) string { return r.Config.Shortcut },
			set:     func(r *nn.Recipe, s string) error { r.Config.Shortcut = s; return nil }},
		{Key: "size", Label: "Input size", Hint: "side of the images the network sees; 64 costs four times 32", Unit: "pixels",
			Options: []string{"32", "64"},
			get:     func(r *nn.Recipe) string { return strconv.Itoa(r.Config.InputSize) },
			set: func(r *nn.Recipe, s string) error {
				n, err := strconv.Atoi(s)
				if err != nil || n != 32 && n != 64 {
					return fmt.Errorf("%q: 32 or 64", s)
				}
				r.Config.InputSize = n
				return nil
			}},
		f("epochs", "Epochs", "passes over the training images", "", epochs, setEpochs),
		f("batch", "Batch size", "images per optimizer step", "images", batch, setBatch),
		f("lr", "Peak learning rate", "the one-cycle schedule's highest learning rate", "", lr, setLR),
		f("warmup", "Warm-up fraction", "share of the steps over which the learning rate rises to its peak", "", warm, setWarm),
		f("wd", "Weight decay", "Adam's L2 penalty on the weights, added to the gradients", "", wd, setWD),
		f("clipValue", "Clip by value", "each gradient element kept within ± this; 0 is off", "", cv, setCV),
		f("clipNorm", "Clip by norm", "the gradients scaled to at most this L2 norm, after clipping by value; 0 is off", "", cn, setCN),
		f("pad", "Crop padding", "random crops of the image padded by this many pixels; 0 is off", "pixels", pad, setPad),
		f("flip", "Flip probability", "chance that a training image is mirrored left to right", "", flip, setFlip),
		f("val", "Validation fraction", "share of the training folder held out to validate each epoch", "", val, setVal),
		f("seed", "Seed", "decides the initial weights, the split, the order and the augmentation", "",
			func(r *nn.Recipe) string { return strconv.FormatUint(r.Seed, 10) },
			func(r *nn.Recipe, s string) error {
				v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
				if err != nil {
					return fmt.Errorf("%q is not a whole number from 0 up", s)
				}
				r.Seed = v
				return nil
			}),
	}
	return fields
}()

// joinInts writes ints comma-separated.
func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// RecipeState is the recipe form: the preset it started from, what the
// person typed, and what is wrong with it.
type RecipeState struct {
	Preset   string
	Values   map[string]string // by field key, as typed
	Errs     map[string]string // by field key; "" when fine
	Workers  string            // as typed
	WorkErr  string
	KeepBest bool
	Defaults nn.Recipe // the preset's values, shown as each field's default
}

// newRecipeState returns the form filled with the preset named name, on
// workers workers.
func newRecipeState(name string, workers int) RecipeState {
	r, ok := nn.Preset(name)
	if !ok {
		r, name = nn.DefaultRecipe(), "default"
	}
	s := RecipeState{Preset: name, Values: map[string]string{}, Errs: map[string]string{}, Defaults: r, Workers: strconv.Itoa(workers)}
	for _, f := range recipeFields {
		s.Values[f.Key] = f.get(&r)
	}
	if name == "reference" {
		s.Workers = "1" // the notebook's arithmetic: see WorkersHint
	}
	return s
}

// set records what the person typed in field key and checks it.
func (s *RecipeState) set(key, value string) {
	s.Values[key] = value
	r := s.Defaults
	for _, f := range recipeFields {
		if f.Key == key {
			if err := f.set(&r, value); err != nil {
				s.Errs[key] = err.Error()
			} else {
				s.Errs[key] = ""
			}
		}
	}
}

// setWorkers records the workers field and checks it.
func (s *RecipeState) setWorkers(value string) {
	s.Workers = value
	n, err := strconv.Atoi(strings.TrimSpace(value))
	switch {
	case err != nil:
		s.WorkErr = fmt.Sprintf("%q is not a whole number", value)
	case n < 1 || n > protocol.MaxWorkers:
		s.WorkErr = fmt.Sprintf("%d is out of range: 1 to %d", n, protocol.MaxWorkers)
	default:
		s.WorkErr = ""
	}
}

// recipe returns the recipe the form holds and its number of workers,
// or why it cannot run: the first field in error, else what nn says of
// the whole.
func (s *RecipeState) recipe() (nn.Recipe, int, error) {
	r := s.Defaults
	r.Name = s.Preset
	changed := false
	for _, f := range recipeFields {
		if err := f.set(&r, s.Values[f.Key]); err != nil {
			return r, 0, fmt.Errorf("%s: %v", f.Label, err)
		}
		changed = changed || s.Values[f.Key] != f.get(&s.Defaults)
	}
	if changed {
		r.Name = "custom"
	}
	if s.WorkErr != "" {
		return r, 0, fmt.Errorf("Workers: %s", s.WorkErr)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(s.Workers))
	r.BatchNormPerShare = n > 1
	r.Config.Classes = 2 // the data set's, set when training; enough to check the rest
	if err := r.Validate(); err != nil {
		return r, 0, err
	}
	return r, n, r.CheckWorkers(n)
}
