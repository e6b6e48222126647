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
	Remove  func(it *Item)               // "Remove" was pressed
}

// Removable reports whether the card can be taken off: once its image
// is classified, or failed.
func (c *ResultCard) Removable() bool { return c.Item.Status != Pending }

// BarStyle is the style of a prediction's probability bar.
func (c *ResultCard) BarStyle(p protocol.Prediction) string { return barStyle(p) }

// barStyle is the style of a prediction's probability bar.
func barStyle(p protocol.Prediction) string {
	return fmt.Sprintf("width: %.1f%%", 100*p.Probability)
}

// HeatShown reports whether the card shows a heat map rather than the
// photo.
func (c *ResultCard) HeatShown() bool { return c.Item.Heat != nil && c.Item.Heat.URL != "" }

// ExplainClass asks for the heat map of class over the image.
func (c *ResultCard) ExplainClass(class string) { c.Explain(c.Item, class) }

// HeatAlt is the heat map's text alternative.
func (c *ResultCard) HeatAlt() string { return heatAlt(c.Item.Heat, c.Item.Name) }

// ThumbClass is the class of the image's box: larger with a heat map,
// for a person to see where it lies.
func (c *ResultCard) ThumbClass() string {
	if c.HeatShown() {
		return "thumb heat"
	}
	return "thumb"
}
