package main

import (
	"strconv"

	"github.com/vugu/vugu"

	"github.com/intelscenes/resnet-browser/nn"
)

// RecipeForm is the recipe of a training run: a preset to start from
// and every field of it, each checked as it is typed, with its meaning,
// default and what is wrong with it beside it.
type RecipeForm struct {
	State    RecipeState
	Cost     string                   // what the run will cost, as the page estimates it
	Defaults int                      // the workers field's default
	Set      func(func(*RecipeState)) // changes the page's form state
}

// Presets are the names of the presets.
func (c *RecipeForm) Presets() []string {
	var names []string
	for _, p := range nn.Presets {
		names = append(names, p().Name)
	}
	return names
}

// PresetHint says what the preset chosen is.
func (c *RecipeForm) PresetHint() string {
	switch c.State.Preset {
	case "reference":
		return "Exactly the reference notebook: ResNet-14 on 32×32 images, 24 epochs of batch 64, Adam, one-cycle to 0.01, gradients clipped to ±0.1, no augmentation. It trains on 1 worker, which is the notebook's arithmetic: with more, each worker's BatchNorm normalizes its own share of the batch."
	case "quick":
		return "The default recipe in 8 epochs, with flips but no crops: under 10 minutes on the 14,034 images of the scenes data set on two cores, loading included, and better than the notebook."
	}
	return "The reference's network, budget and optimizer, with random crops and flips: more accurate than the notebook at the same cost."
}

// Fields are the form's fields.
func (c *RecipeForm) Fields() []field { return recipeFields }

// FieldHint is a field's meaning and default.
func (c *RecipeForm) FieldHint(f field) string {
	return f.Hint + "; " + c.State.Preset + ": " + f.get(&c.State.Defaults)
}

// WorkersHint says what the workers are, and how BatchNorm sees them.
func (c *RecipeForm) WorkersHint() string {
	return "workers training together, one a core; default " + strconv.Itoa(c.Defaults) + ", at most 16. On more than one, each worker's BatchNorm normalizes its own share of a batch, which needs at least 16 images a share (resnet train -batchnorm-per-share repeats such a run natively)."
}

// Note says what a person should know of the recipe as it stands.
func (c *RecipeForm) Note() string {
	if c.State.Preset == "reference" && c.State.Workers != "1" && c.State.WorkErr == "" {
		return "On more than one worker the reference recipe is no longer the notebook's arithmetic: each worker's BatchNorm normalizes its own share of the batch."
	}
	return ""
}

// Problem says why the recipe cannot run, if it cannot.
func (c *RecipeForm) Problem() string {
	if _, _, err := c.State.recipe(); err != nil {
		return nn.Message(err)
	}
	return ""
}

// HandlePreset fills the form with the preset chosen.
func (c *RecipeForm) HandlePreset(e vugu.DOMEvent) {
	name := e.JSEventTarget().Get("value").String()
	workers := c.Defaults
	c.Set(func(s *RecipeState) {
		keep := s.KeepBest
		*s = newRecipeState(name, workers)
		s.KeepBest = keep
	})
}

// HandleField takes what was typed in field key.
func (c *RecipeForm) HandleField(key string, e vugu.DOMEvent) {
	v := e.JSEventTarget().Get("value").String()
	c.Set(func(s *RecipeState) { s.set(key, v) })
}

// HandleWorkers takes what was typed in the workers field.
func (c *RecipeForm) HandleWorkers(e vugu.DOMEvent) {
	v := e.JSEventTarget().Get("value").String()
	c.Set(func(s *RecipeState) { s.setWorkers(v) })
}

// HandleKeepBest takes the keep-best checkbox.
func (c *RecipeForm) HandleKeepBest(e vugu.DOMEvent) {
	v := e.JSEventTarget().Get("checked").Bool()
	c.Set(func(s *RecipeState) { s.KeepBest = v })
}
