package main

import (
	"fmt"
	"strings"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Status is where an item stands.
type Status string

// The statuses of an item, also its data-status attribute on the page.
const (
	Pending Status = "pending" // with the worker
	Done    Status = "done"    // classified
	Failed  Status = "error"   // refused or lost; Item.Err says why
)

// topK is how many classes the page shows for an image.
const topK = 3

// Item is one image the person gave the page, and what became of it.
type Item struct {
	ID       uint64
	Name     string
	ThumbURL string // object URL of the image, shown once the worker accepted it
	Status   Status
	Err      string                // why it failed, when Status is Failed; the card names the file
	Top      []protocol.Prediction // most probable first, when Status is Done

	gone bool // cleared from the page
}

// finish records the worker's answer about the item.
func (it *Item) finish(resp protocol.Response) {
	if resp.Error != "" {
		it.Status, it.Err = Failed, strings.TrimPrefix(resp.Error, it.Name+": ")
		return
	}
	it.Status, it.Top = Done, resp.Predictions
}

// percent formats a probability in [0, 1] as a percentage.
func percent(p float32) string {
	return fmt.Sprintf("%.1f%%", 100*p)
}
