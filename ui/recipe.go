package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Recipe is the recipe form: the preset it started from, what the
// person typed in each field of nn.RecipeFields, what is wrong with it,
// and the training speeds measured on this machine, which say what a
// run will cost.
type Recipe struct {
	Preset   string
	Values   map[string]string // by field name, as typed
	Errs     map[string]string // by field name; "" when fine
	Workers  string            // as typed
	WorkErr  string
	KeepBest bool
	Defaults nn.Recipe // the preset's values, shown as each field's default
	cores    int       // the workers field's default
	// advanced is whether the person opened Advanced (true) or closed it
	// (false); nil when they did neither.
	advanced *bool

	speeds    map[string]float64 // training images/s measured, by speedKey
	measuring bool               // a speed is being measured
	edits     int                // counts the form's changes
}

// newRecipe returns the form filled with the preset named name, on
// cores workers (1 for the reference, whose arithmetic is one worker's).
func newRecipe(name string, cores int) Recipe {
	r := Recipe{cores: cores}
	r.setPreset(name)
	return r
}

// setPreset fills the form with the preset named name, the default
// recipe when there is none of that name; Keep best stays as it was.
func (r *Recipe) setPreset(name string) {
	rec, ok := nn.Preset(name)
	if !ok {
		rec, name = nn.DefaultRecipe(), "default"
	}
	r.Preset, r.Defaults, r.Values, r.Errs = name, rec, map[string]string{}, map[string]string{}
	for _, f := range nn.RecipeFields {
		r.Values[f.Name] = f.Get(rec)
	}
	r.setWorkers(strconv.Itoa(r.cores))
	if name == "reference" {
		r.setWorkers("1") // the notebook's arithmetic: see WorkersHint
	}
}

// set records what the person typed in the field named name, and checks
// it on its own.
func (r *Recipe) set(name, value string) {
	f, ok := nn.RecipeFieldNamed(name)
	if !ok {
		return
	}
	r.Values[name] = value
	rec := r.Defaults
	if err := f.Set(&rec, value); err != nil {
		r.Errs[name] = err.Error()
	} else {
		r.Errs[name] = ""
	}
}

// setWorkers records the workers field and checks it.
func (r *Recipe) setWorkers(value string) {
	r.Workers = value
	n, err := strconv.Atoi(strings.TrimSpace(value))
	switch {
	case err != nil:
		r.WorkErr = fmt.Sprintf("%q is not a whole number", value)
	case n < 1 || n > protocol.MaxWorkers:
		r.WorkErr = fmt.Sprintf("%d is out of range: 1 to %d", n, protocol.MaxWorkers)
	default:
		r.WorkErr = ""
	}
}

// recipe returns the recipe the form holds and its number of workers,
// or why it cannot run: every field in error (the workers' last), else
// what nn says of the whole. Its Config.Classes is 2, the data set's
// being set when it trains.
func (r *Recipe) recipe() (nn.Recipe, int, error) {
	rec := r.Defaults
	rec.Name = r.Preset
	changed := false
	var wrong []string // "Label: what is wrong", a field in error each
	for _, f := range nn.RecipeFields {
		if err := f.Set(&rec, r.Values[f.Name]); err != nil {
			wrong = append(wrong, fmt.Sprintf("%s: %v", f.Label, err))
		}
		changed = changed || r.Values[f.Name] != f.Get(r.Defaults)
	}
	if changed {
		rec.Name = "custom"
	}
	if r.WorkErr != "" {
		wrong = append(wrong, "Workers: "+r.WorkErr)
	}
	switch len(wrong) {
	case 0:
	case 1:
		return rec, 0, errors.New(wrong[0])
	default:
		return rec, 0, fmt.Errorf("%d fields to put right: %s", len(wrong), strings.Join(wrong, "; "))
	}
	n, _ := strconv.Atoi(strings.TrimSpace(r.Workers))
	rec.BatchNormPerShare = n > 1
	rec.Config.Classes = 2
	if err := rec.Validate(); err != nil {
		return rec, 0, err
	}
	return rec, n, rec.CheckWorkers(n)
}

// Problem says why the recipe cannot run, if it cannot.
func (r *Recipe) Problem() string {
	if _, _, err := r.recipe(); err != nil {
		return nn.Message(err)
	}
	return ""
}

// PresetHint says what the preset chosen is.
func (r *Recipe) PresetHint() string {
	switch r.Preset {
	case "reference":
		return "Exactly the reference notebook: ResNet-14 on 32×32 images, 24 epochs of batch 64, Adam, one-cycle to 0.01, gradients clipped to ±0.1, no augmentation. It trains on 1 worker, which is the notebook's arithmetic: with more, each worker's BatchNorm normalizes its own share of the batch."
	case "quick":
		return "Like the default preset, but in 8 epochs, with flips and no crops: a run of minutes rather than hours. Once a data set is loaded, the line under Workers says how long it takes here."
	case "best":
		return "The built-in model's recipe, without the models it also learnt from: the default at 40×40 images with label smoothing 0.1. Each image has about one and a half times the default's pixels; once a data set is loaded, the line under Workers says how long a run takes here."
	}
	return "The reference's network, budget and optimizer, with random crops and flips of the training images."
}

// frontFields names the fields the form shows up front, beside the
// workers; the others are behind "Advanced".
var frontFields = []string{"epochs"}

// Front returns the fields shown up front.
func (r *Recipe) Front() []nn.RecipeField { return r.fields(true) }

// Advanced returns the fields behind "Advanced".
func (r *Recipe) Advanced() []nn.RecipeField { return r.fields(false) }

// fields returns the fields up front, or the others.
func (r *Recipe) fields(front bool) []nn.RecipeField {
	var fs []nn.RecipeField
	for _, f := range nn.RecipeFields {
		if slices.Contains(frontFields, f.Name) == front {
			fs = append(fs, f)
		}
	}
	return fs
}

// AdvancedOpen reports whether Advanced shows its fields: always when
// one of them is wrong; else as the person left it; else when one of
// them differs from the preset.
func (r *Recipe) AdvancedOpen() bool {
	for _, f := range r.Advanced() {
		if r.Errs[f.Name] != "" {
			return true
		}
	}
	if r.advanced != nil {
		return *r.advanced
	}
	return len(r.changed()) > 0
}

// toggleAdvanced opens or closes Advanced.
func (r *Recipe) toggleAdvanced() {
	open := !r.AdvancedOpen()
	r.advanced = &open
}

// changed returns the labels of the fields behind Advanced that differ
// from the preset.
func (r *Recipe) changed() []string {
	var labels []string
	for _, f := range r.Advanced() {
		if strings.TrimSpace(r.Values[f.Name]) != f.Get(r.Defaults) {
			labels = append(labels, f.Label)
		}
	}
	return labels
}

// AdvancedSummary says what Advanced holds.
func (r *Recipe) AdvancedSummary() string {
	s := fmt.Sprintf("%d more fields, all as the preset sets them", len(r.Advanced()))
	if ch := r.changed(); len(ch) > 0 {
		s = fmt.Sprintf("%d more fields; changed from the preset: %s", len(r.Advanced()), strings.Join(ch, ", "))
	}
	return s
}

// FieldHint is a field's meaning and default.
func (r *Recipe) FieldHint(f nn.RecipeField) string {
	return f.Usage + "; " + r.Preset + ": " + f.Get(r.Defaults)
}

// WorkersHint says what the workers are, and how BatchNorm sees them.
func (r *Recipe) WorkersHint() string {
	return fmt.Sprintf("workers training together, one a core; default %d, at most %d. On more than one, each worker's BatchNorm normalizes its own share of a batch, which needs at least %d images a share (resnet train -batchnorm-per-share repeats such a run natively).",
		r.cores, protocol.MaxWorkers, nn.MinShare)
}

// Note says what a person should know of the recipe as it stands.
func (r *Recipe) Note() string {
	if r.Preset == "reference" && r.Workers != "1" && r.WorkErr == "" {
		return "On more than one worker the reference recipe is no longer the notebook's arithmetic: each worker's BatchNorm normalizes its own share of the batch."
	}
	return ""
}

// Cost says what the recipe will cost on the data set info, whose
// training folder holds trainImages images: its steps and memory, and
// its time at the speed measured here.
func (r *Recipe) Cost(info *protocol.DatasetInfo, trainImages int) string {
	rec, workers, err := r.recipe()
	if err != nil || info == nil {
		return ""
	}
	first, _ := data.SplitSizes(trainImages, rec.ValFraction)
	steps := rec.Epochs * ((first + rec.BatchSize - 1) / rec.BatchSize)
	rec.Config.Classes = len(info.Classes)
	mem := nn.EstimateTrainMemory(rec.Config, rec.BatchSize/workers)
	s := fmt.Sprintf("%s of %d images (%s of %s images); about %s a worker for training, beside the data set's %s",
		plural(steps, "step", "steps"), rec.BatchSize, plural(rec.Epochs, "epoch", "epochs"), data.CountWords(first), data.ByteWords(mem), data.ByteWords(info.Memory))
	if side := rec.Config.InputSize; side != info.Size {
		s += ". " + otherSide(info, side)
	}
	if v := r.speeds[speedKey(rec, workers)]; v > 0 {
		s += fmt.Sprintf("; about %s of training at the %.0f images/s measured here, plus validation", clock(float64(rec.Epochs*first)/v), v)
	} else if r.measuring {
		s += "; measuring the speed…"
	}
	return s + "."
}

// otherSide says what training or evaluating at side, not the side the
// data set info was read at, takes.
func otherSide(info *protocol.DatasetInfo, side int) string {
	if info.Kept {
		return fmt.Sprintf("This data set was kept in the browser at %d×%d without its files: load its zip again to use it at %d×%d, or choose input size %d",
			info.Size, info.Size, side, side, info.Size)
	}
	more := info.Memory * int64(side*side) / int64(info.Size*info.Size)
	return fmt.Sprintf("The data set was read at %d×%d: its images are decoded again from the zip at %d×%d when the run starts, another %s",
		info.Size, info.Size, side, side, data.ByteWords(more))
}

// speedKey names what the training speed depends on.
func speedKey(r nn.Recipe, workers int) string {
	return fmt.Sprintf("%d/%v/%s/%d/%d/%d", r.Config.Width, r.Config.Stages, r.Config.Shortcut, r.Config.InputSize, r.BatchSize, workers)
}

// toTime returns the benchmark that times a few training steps of the
// form's network on the data set named name, and its speed's key; ok is
// false when the speed is known, the recipe cannot be timed, or a speed
// is being measured.
func (r *Recipe) toTime(name string) (q protocol.BenchRequest, key string, ok bool) {
	rec, workers, err := r.recipe()
	if err != nil || r.measuring || rec.BatchSize > protocol.MaxBenchBatch {
		return q, "", false
	}
	key = speedKey(rec, workers)
	if r.speeds[key] > 0 {
		return q, "", false
	}
	return protocol.BenchRequest{Name: name, Batch: rec.BatchSize, Steps: 2, Workers: workers, Recipe: &rec}, key, true
}

// measured records the speed v, in images a second, of the network of
// key; 0 is none.
func (r *Recipe) measured(key string, v float64) {
	if v <= 0 {
		return
	}
	if r.speeds == nil {
		r.speeds = map[string]float64{}
	}
	r.speeds[key] = v
}
