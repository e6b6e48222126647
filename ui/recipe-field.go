package main

import (
	"fmt"

	"github.com/vugu/vugu"

	"github.com/intelscenes/resnet-browser/nn"
)

// RecipeField is one field of the recipe form: its label, what was
// typed, its unit, its meaning and default (shown while it has the
// focus) and what is wrong with it.
type RecipeField struct {
	F      nn.RecipeField
	Recipe *Recipe
	Handle func(name string, e vugu.DOMEvent) // something was typed or chosen
}

// Invalid is the field's aria-invalid: "true" while what was typed is
// wrong, else "false".
func (c *RecipeField) Invalid() string { return fmt.Sprint(c.Recipe.Errs[c.F.Name] != "") }
