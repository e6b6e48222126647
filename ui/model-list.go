package main

import (
	"strings"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/store"
)

// ModelList shows the models kept in the browser, the built-in one
// first: each with where it came from, when, its classes, accuracy and
// size, and buttons to classify with it, rename, download and delete it.
type ModelList struct {
	Models *Models
	Do     func(ModelEvent)  // a row's button was pressed
	Typed  func(name string) // the name typed for the model being renamed
}

// Press tells of a press of the button action of the row of model id.
func (c *ModelList) Press(action ModelAction, id string) { c.Do(ModelEvent{Action: action, ID: id}) }

// SelectName focuses the field of the new name, el, with the old name
// selected, when Rename has just shown it.
func (c *ModelList) SelectName(el js.Value) {
	if c.Models.SelectName {
		c.Models.SelectName = false
		el.Call("select")
	}
}

// HandleTyped passes the name typed on.
func (c *ModelList) HandleTyped(e vugu.DOMEvent) {
	c.Typed(e.JSEventTarget().Get("value").String())
}

// HandleRename saves the name typed for the model id: Enter in its field,
// or Save name.
func (c *ModelList) HandleRename(e vugu.DOMEvent, id string) {
	e.PreventDefault()
	c.Press(SaveName, id)
}

// HandleRenameKey leaves the model id's name as it was on Escape.
func (c *ModelList) HandleRenameKey(e vugu.DOMEvent, id string) {
	if e.JSEvent().Get("key").String() == "Escape" {
		c.Press(CancelRename, id)
	}
}

// Classes lists a row's classes.
func (c *ModelList) Classes(m store.Model) string { return strings.Join(m.Classes, ", ") }

// RowClass marks the row of the model in use.
func (c *ModelList) RowClass(m store.Model) string {
	if m.ID == c.Models.Current {
		return "model-row current"
	}
	return "model-row"
}
