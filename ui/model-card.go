package main

import (
	"fmt"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// ModelCard shows the model in use: its classes, input size and source,
// and its file's buttons.
type ModelCard struct {
	Model    *ModelInUse
	Pick     func(f js.Value) // a model file was picked
	Download func()           // "Download model" was pressed
}

// HandlePick takes the model file picked.
func (c *ModelCard) HandlePick(e vugu.DOMEvent) {
	if files := pickedFiles(e.JSEventTarget()); len(files) > 0 {
		c.Pick(files[0])
	}
}

// InputSize describes the model's input.
func (c *ModelCard) InputSize() string {
	s := c.Model.Info.InputSize
	return fmt.Sprintf("%d×%d RGB", s, s)
}

// Params is the model's size in parameters.
func (c *ModelCard) Params() string {
	return data.CountWords(c.Model.Info.Params) + " parameters"
}
