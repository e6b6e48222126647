package main

import (
	"fmt"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// ExplainButtons ask why the model chose a class for an image: "Explain"
// shows the Grad-CAM heat map of its most probable class, then a button
// for each of its classes shown switches to that class's, and "Hide"
// hides it.
type ExplainButtons struct {
	Name    string                // the image's
	Top     []protocol.Prediction // its most probable classes, first first
	Heat    *Explanation          // shown or asked for; nil for none
	Explain func(class string)    // a heat map of class was asked for; "" hides it
}

// GroupLabel names the buttons that choose the heat map's class.
func (c *ExplainButtons) GroupLabel() string {
	return "Grad-CAM heat map of " + c.Name + " for the class"
}

// Legend says how to read the heat map shown: Grad-CAM's colours, from
// blue (what did little for the class) to red (what did most).
func (c *ExplainButtons) Legend() string {
	return "Red did most for " + c.Heat.Class + ", blue little (Grad-CAM)."
}

// Pressed is the aria-pressed of the button of class.
func (c *ExplainButtons) Pressed(class string) string {
	return fmt.Sprint(c.Heat != nil && c.Heat.Class == class)
}
