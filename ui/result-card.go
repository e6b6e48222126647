package main

import (
	"fmt"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// ResultCard shows one image and its most probable classes, and, when
// asked, why the model chose one of them (a Grad-CAM heat map).
type ResultCard struct {
	Item    *Item
	Explain func(it *Item, class string) // a heat map was asked for, of class; "" hides it
}

// BarStyle is the style of a prediction's probability bar.
func (c *ResultCard) BarStyle(p protocol.Prediction) string {
	return fmt.Sprintf("width: %.1f%%", 100*p.Probability)
}

// HeatShown reports whether the card shows a heat map rather than the
// photo.
func (c *ResultCard) HeatShown() bool { return c.Item.Heat != nil && c.Item.Heat.URL != "" }

// HeatAlt is the heat map's text alternative.
func (c *ResultCard) HeatAlt() string {
	return fmt.Sprintf("Grad-CAM heat map of %s over %s: where the model looked", c.Item.Heat.Class, c.Item.Name)
}

// GroupLabel names the buttons that choose the heat map's class.
func (c *ResultCard) GroupLabel() string {
	return "Grad-CAM heat map of " + c.Item.Name + " for the class"
}

// Pressed is the aria-pressed of the button of class.
func (c *ResultCard) Pressed(class string) string {
	return fmt.Sprint(c.Item.Heat != nil && c.Item.Heat.Class == class)
}

// ThumbClass is the class of the image's box: larger with a heat map,
// for a person to see where it lies.
func (c *ResultCard) ThumbClass() string {
	if c.HeatShown() {
		return "thumb heat"
	}
	return "thumb"
}
