package main

import (
	"fmt"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// ResultCard shows one image and its most probable classes.
type ResultCard struct {
	Item *Item
}

// BarStyle is the style of a prediction's probability bar.
func (c *ResultCard) BarStyle(p protocol.Prediction) string {
	return fmt.Sprintf("width: %.1f%%", 100*p.Probability)
}
