package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vugu/vugu"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// ModelList shows the models kept in the browser, the built-in one
// first: each with where it came from, when, its classes, accuracy and
// size, and buttons to classify with it, rename, download and delete it.
type ModelList struct {
	State ModelsState
	// Act does what a row's button asks: "use", "rename", "save-name",
	// "cancel-name", "download", "delete" (which asks first), "confirm"
	// or "keep" (the answers), for the model id.
	Act func(action, id string)
	// Typed takes the name typed for the model being renamed.
	Typed func(name string)
}

// Rows returns the list's rows: the built-in model, then those kept.
func (c *ModelList) Rows() []store.Model {
	builtin := store.Model{ID: builtinID, Name: "Built-in model", Source: "the reference network trained on the Intel scenes, shipped with the page",
		Arch: "ResNet-14", Classes: nil, Accuracy: -1}
	return append([]store.Model{builtin}, c.State.List...)
}

// Facts describes a row's model: when, classes, accuracy, size.
func (c *ModelList) Facts(m store.Model) string {
	if m.ID == builtinID {
		return "always here"
	}
	parts := []string{when(m.Created), fmt.Sprintf("%d classes", len(m.Classes))}
	if m.Accuracy >= 0 {
		parts = append(parts, fmt.Sprintf("%.2f%% accuracy", 100*m.Accuracy)+c.accuracyOn(m))
	}
	parts = append(parts, data.ByteWords(int64(m.Bytes)))
	return strings.Join(parts, " · ")
}

// accuracyOn says what a row's accuracy was measured on: the last
// report's images.
func (c *ModelList) accuracyOn(m store.Model) string {
	var ev protocol.Evaluation
	if json.Unmarshal(m.Report, &ev) != nil || ev.Split == "" {
		return ""
	}
	return " (" + ev.Split + ")"
}

// Classes lists a row's classes.
func (c *ModelList) Classes(m store.Model) string { return strings.Join(m.Classes, ", ") }

// RowClass marks the row of the model that classifies.
func (c *ModelList) RowClass(m store.Model) string {
	if m.ID == c.State.Current {
		return "model-row current"
	}
	return "model-row"
}

// HandleTyped passes the name typed on.
func (c *ModelList) HandleTyped(e vugu.DOMEvent) {
	c.Typed(e.JSEventTarget().Get("value").String())
}
