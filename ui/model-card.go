package main

import (
	"fmt"
	"strconv"

	"github.com/vugu/vugu"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// ModelState is what the page knows about the model.
type ModelState struct {
	Info    *protocol.ModelInfo // the model in use; nil until one loads
	Loading string              // name of the model file being loaded, if any
	Err     string              // why the last load failed, if it did
}

// ModelCard shows the model in use: its classes, input size and source.
type ModelCard struct {
	State    ModelState
	Pick     func(vugu.DOMEvent) // handles the change of the "load a model file" input
	Download func(vugu.DOMEvent) // "Download model" was pressed
}

// InputSize describes the model's input.
func (c *ModelCard) InputSize() string {
	s := c.State.Info.InputSize
	return fmt.Sprintf("%d×%d RGB", s, s)
}

// Params is the model's size in parameters.
func (c *ModelCard) Params() string {
	return groupThousands(c.State.Info.Params) + " parameters"
}

// groupThousands formats n >= 0 with commas between groups of three
// digits.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
