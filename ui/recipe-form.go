package main

import (
	"fmt"

	"github.com/vugu/vugu"

	"github.com/intelscenes/resnet-browser/nn"
)

// RecipeForm is the recipe of a training run: a preset to start from,
// the epochs and the workers up front with what the run will cost, and
// every other field of nn.RecipeFields behind "Advanced", each checked
// as it is typed, with its meaning, default and what is wrong with it
// beside it. Advanced opens by itself when one of its fields is wrong or
// differs from the preset.
type RecipeForm struct {
	Recipe *Recipe
	Cost   string              // what the run will cost, as the page estimates it
	Edit   func(func(*Recipe)) // changes the recipe form
}

// Presets are the names of the presets.
func (c *RecipeForm) Presets() []string { return nn.PresetNames() }

// Expanded is the aria-expanded of the Advanced button.
func (c *RecipeForm) Expanded() string { return fmt.Sprint(c.Recipe.AdvancedOpen()) }

// Arrow shows whether Advanced is open.
func (c *RecipeForm) Arrow() string { return disclosure(c.Recipe.AdvancedOpen()) }

// ToggleAdvanced opens or closes Advanced.
func (c *RecipeForm) ToggleAdvanced() { c.Edit(func(r *Recipe) { r.toggleAdvanced() }) }

// HandlePreset fills the form with the preset chosen.
func (c *RecipeForm) HandlePreset(e vugu.DOMEvent) {
	name := e.JSEventTarget().Get("value").String()
	c.Edit(func(r *Recipe) { r.setPreset(name) })
}

// HandleField takes what was typed in the field named name.
func (c *RecipeForm) HandleField(name string, e vugu.DOMEvent) {
	v := e.JSEventTarget().Get("value").String()
	c.Edit(func(r *Recipe) { r.set(name, v) })
}

// HandleWorkers takes what was typed in the workers field.
func (c *RecipeForm) HandleWorkers(e vugu.DOMEvent) {
	v := e.JSEventTarget().Get("value").String()
	c.Edit(func(r *Recipe) { r.setWorkers(v) })
}

// HandleKeepBest takes the keep-best checkbox.
func (c *RecipeForm) HandleKeepBest(e vugu.DOMEvent) {
	v := e.JSEventTarget().Get("checked").Bool()
	c.Edit(func(r *Recipe) { r.KeepBest = v })
}
