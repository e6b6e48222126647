package main

import (
	"github.com/vugu/vugu"

	"github.com/intelscenes/resnet-browser/nn"
)

// RecipeForm is the recipe of a training run: a preset to start from
// and every field of nn.RecipeFields, each checked as it is typed, with
// its meaning, default and what is wrong with it beside it.
type RecipeForm struct {
	Recipe *Recipe
	Cost   string              // what the run will cost, as the page estimates it
	Edit   func(func(*Recipe)) // changes the recipe form
}

// Presets are the names of the presets.
func (c *RecipeForm) Presets() []string {
	var names []string
	for _, p := range nn.Presets {
		names = append(names, p().Name)
	}
	return names
}

// Fields are the form's fields.
func (c *RecipeForm) Fields() []nn.RecipeField { return nn.RecipeFields }

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
