package nn

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// A RecipeField is one setting of a Recipe as a person gives it, as
// text: a field of the page's recipe form and a flag of resnet train.
// Both are made from RecipeFields, whose limits Recipe.Validate checks
// too, so neither can accept what the engine refuses or refuse what it
// accepts.
type RecipeField struct {
	// Name is the flag's name and the form field's key: "clip-value".
	Name string
	// Label names it in the form: "Clip by value".
	Label string
	// Usage says what it does, in a few words.
	Usage string
	// Unit is the unit of its value, if it has one: "images".
	Unit string
	// Choices, when not nil, are every value it takes.
	Choices []string

	get   func(r *Recipe) string
	set   func(r *Recipe, s string) error // parses s into r, unchecked
	check func(r Recipe) error            // r's value within its limits
}

// Get returns r's value of the field, as Set reads it.
func (f RecipeField) Get(r Recipe) string { return f.get(&r) }

// Set reads s, the field's value as a person typed it, into r, and
// checks it against the field's own limits (Recipe.Validate checks
// those between fields); on error r is unchanged.
func (f RecipeField) Set(r *Recipe, s string) error {
	next := *r
	if err := f.set(&next, strings.TrimSpace(s)); err != nil {
		return err
	}
	if err := f.check(next); err != nil {
		return err
	}
	*r = next
	return nil
}

// Limits of the recipe's values, and of the networks a model file may
// describe (Config.Validate).
const (
	MaxEpochs    = 10000
	MaxBatchSize = 4096
	MaxInputSize = 1024
	MaxWidth     = 1024
	MaxStages    = 8  // stages of a network
	MaxBlocks    = 64 // residual blocks of a stage
)

// RecipeFields are the fields of a recipe a person sets, in the order
// the page's form shows them. The split seed and per-share BatchNorm
// are not among them: resnet train has flags of its own for them, and
// the page sets BatchNormPerShare from its number of workers.
var RecipeFields = []RecipeField{
	intField("width", "Width", "channels of the stem and the first stage; each stage doubles them", "channels",
		func(r *Recipe) *int { return &r.Config.Width }, 1, MaxWidth),
	{Name: "stages", Label: "Blocks per stage", Usage: "residual blocks in each stage, comma-separated; a stage halves the image",
		get: func(r *Recipe) string { return joinInts(r.Config.Stages) },
		set: func(r *Recipe, s string) error {
			var stages []int
			for _, part := range strings.Split(s, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(part))
				if err != nil {
					return fmt.Errorf("%q: want whole numbers from 1 to %d, comma-separated", s, MaxBlocks)
				}
				stages = append(stages, n)
			}
			r.Config.Stages = stages
			return nil
		},
		check: func(r Recipe) error { return checkStages(r.Config.Stages) }},
	{Name: "shortcut", Label: "Shortcut", Usage: "how a block that halves the image adds its input: the reference's 3×3 convolution or a cheaper 1×1",
		Choices: []string{"conv3x3", "conv1x1"},
		get:     func(r *Recipe) string { return r.Config.Shortcut },
		set:     func(r *Recipe, s string) error { r.Config.Shortcut = s; return nil },
		check: func(r Recipe) error {
			if s := r.Config.Shortcut; s != "conv3x3" && s != "conv1x1" {
				return fmt.Errorf("%q: want conv3x3 or conv1x1", s)
			}
			return nil
		}},
	intField("size", "Input size", "side of the square images the network sees; 64 costs four times 32", "pixels",
		func(r *Recipe) *int { return &r.Config.InputSize }, 1, MaxInputSize),
	intField("epochs", "Epochs", "passes over the training images", "",
		func(r *Recipe) *int { return &r.Epochs }, 1, MaxEpochs),
	intField("batch", "Batch size", "images per optimizer step", "images",
		func(r *Recipe) *int { return &r.BatchSize }, 1, MaxBatchSize),
	floatField("lr", "Peak learning rate", "the one-cycle schedule's highest learning rate",
		func(r *Recipe) *float64 { return &r.MaxLR }, interval{lo: 0, hi: 10, openLo: true, openHi: true}),
	floatField("warmup", "Warm-up fraction", "share of the steps over which the learning rate rises to its peak",
		func(r *Recipe) *float64 { return &r.PctStart }, interval{lo: 0, hi: 1, openLo: true, openHi: true}),
	floatField("wd", "Weight decay", "Adam's L2 penalty on the weights, added to the gradients",
		func(r *Recipe) *float64 { return &r.WeightDecay }, interval{lo: 0, hi: 1, openHi: true}),
	floatField("clip-value", "Clip by value", "each gradient element kept within ± this; 0 is off",
		func(r *Recipe) *float64 { return &r.ClipValue }, interval{lo: 0, hi: math.Inf(1), openHi: true}),
	floatField("clip-norm", "Clip by norm", "the gradients scaled to at most this L2 norm, after clipping by value; 0 is off",
		func(r *Recipe) *float64 { return &r.ClipNorm }, interval{lo: 0, hi: math.Inf(1), openHi: true}),
	floatField("label-smoothing", "Label smoothing", "share of each label spread evenly over all classes in the training loss, so that wrong labels mislead less; 0 is off",
		func(r *Recipe) *float64 { return &r.LabelSmoothing }, interval{lo: 0, hi: 1, openHi: true}),
	{Name: "pad", Label: "Crop padding", Usage: "random crops of the image padded by this many pixels; 0 is off", Unit: "pixels",
		get:   func(r *Recipe) string { return strconv.Itoa(r.Augment.Pad) },
		set:   func(r *Recipe, s string) error { return parseInt(&r.Augment.Pad, s) },
		check: func(r Recipe) error { return checkInt(r.Augment.Pad, 0, MaxInputSize) }},
	floatField("flip", "Flip probability", "chance that a training image is mirrored left to right",
		func(r *Recipe) *float64 { return &r.Augment.FlipProb }, interval{lo: 0, hi: 1}),
	floatField("val", "Validation fraction", "share of the training folder held out to validate each epoch",
		func(r *Recipe) *float64 { return &r.ValFraction }, interval{lo: 0, hi: 1, openHi: true}),
	{Name: "seed", Label: "Seed", Usage: "decides the initial weights, the split, the order and the augmentation",
		get: func(r *Recipe) string { return strconv.FormatUint(r.Seed, 10) },
		set: func(r *Recipe, s string) error {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not a whole number from 0 up", s)
			}
			r.Seed = v
			return nil
		},
		check: func(Recipe) error { return nil }},
}

// RecipeFieldNamed returns the field named name.
func RecipeFieldNamed(name string) (RecipeField, bool) {
	for _, f := range RecipeFields {
		if f.Name == name {
			return f, true
		}
	}
	return RecipeField{}, false
}

// intField is a field of the int *p(r), from lo to hi.
func intField(name, label, usage, unit string, p func(r *Recipe) *int, lo, hi int) RecipeField {
	return RecipeField{Name: name, Label: label, Usage: usage, Unit: unit,
		get:   func(r *Recipe) string { return strconv.Itoa(*p(r)) },
		set:   func(r *Recipe, s string) error { return parseInt(p(r), s) },
		check: func(r Recipe) error { return checkInt(*p(&r), lo, hi) }}
}

// parseInt reads s, a whole number, into dst.
func parseInt(dst *int, s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	*dst = v
	return nil
}

// checkInt checks that v is from lo to hi.
func checkInt(v, lo, hi int) error {
	if v < lo || v > hi {
		return fmt.Errorf("%d is out of range: %d to %d", v, lo, hi)
	}
	return nil
}

// interval is a range of numbers; an infinite end stands for none.
type interval struct {
	lo, hi         float64
	openLo, openHi bool // the end left out
}

// contains reports whether v is a finite number of the interval.
func (iv interval) contains(v float64) bool {
	return !math.IsInf(v, 0) && !math.IsNaN(v) &&
		(v > iv.lo || !iv.openLo && v == iv.lo) && (v < iv.hi || !iv.openHi && v == iv.hi)
}

// String writes the interval as [0, 1) is written.
func (iv interval) String() string {
	left, right := "[", "]"
	if iv.openLo {
		left = "("
	}
	if iv.openHi {
		right = ")"
	}
	hi := strconv.FormatFloat(iv.hi, 'g', -1, 64)
	if math.IsInf(iv.hi, 1) {
		hi = "∞"
	}
	return left + strconv.FormatFloat(iv.lo, 'g', -1, 64) + ", " + hi + right
}

// floatField is a field of the float64 *p(r), in iv.
func floatField(name, label, usage string, p func(r *Recipe) *float64, iv interval) RecipeField {
	return RecipeField{Name: name, Label: label, Usage: usage,
		get: func(r *Recipe) string { return strconv.FormatFloat(*p(r), 'g', -1, 64) },
		set: func(r *Recipe, s string) error {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("%q is not a number", s)
			}
			*p(r) = v
			return nil
		},
		check: func(r Recipe) error {
			if v := *p(&r); !iv.contains(v) {
				return fmt.Errorf("%v is out of range: %v", v, iv)
			}
			return nil
		}}
}

// checkStages checks a network's blocks per stage.
func checkStages(stages []int) error {
	if len(stages) < 1 || len(stages) > MaxStages {
		return fmt.Errorf("%d stages: want 1 to %d", len(stages), MaxStages)
	}
	for i, b := range stages {
		if b < 1 || b > MaxBlocks {
			return fmt.Errorf("stage %d has %d blocks: want 1 to %d", i+1, b, MaxBlocks)
		}
	}
	return nil
}

// checkFields checks every field of r against its limits, and the
// limits between fields.
func (r Recipe) checkFields() error {
	for _, f := range RecipeFields {
		if err := f.check(r); err != nil {
			return fmt.Errorf("nn: %s: %w", strings.ToLower(f.Label), err)
		}
	}
	if r.Augment.Pad > r.Config.InputSize {
		return fmt.Errorf("nn: crop padding %d is more than the input size, %d", r.Augment.Pad, r.Config.InputSize)
	}
	switch {
	case !(r.Distill >= 0 && r.Distill <= 1):
		return fmt.Errorf("nn: the teachers' share %v of each target, want 0 to 1", r.Distill)
	case r.Distill > 0 && len(r.Teachers) == 0:
		return fmt.Errorf("nn: the teachers' share of each target is %v, but the recipe names no teachers", r.Distill)
	case r.Distill == 0 && len(r.Teachers) > 0:
		return fmt.Errorf("nn: the recipe names teachers, %s, but gives them no share of the targets", strings.Join(r.Teachers, ", "))
	}
	return nil
}

// joinInts writes ints comma-separated.
func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// Changes returns, in the order of RecipeFields, each field but the seed
// in which r differs from base, as its label in lower case and r's value
// with its unit: "input size 40 pixels".
func (r Recipe) Changes(base Recipe) []string {
	var out []string
	for _, f := range RecipeFields {
		if v := f.Get(r); f.Name != "seed" && v != f.Get(base) {
			out = append(out, strings.TrimSpace(strings.ToLower(f.Label)+" "+v+" "+f.Unit))
		}
	}
	return out
}
