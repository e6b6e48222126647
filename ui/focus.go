package main

import "github.com/vugu/vugu/js"

// Keyboard focus, for the controls that take away the element that had
// it (Clear, Close, the last Show more): the page moves it to where a
// person goes on from, rather than leaving it on the page's body.

// afterRender runs f once the page has rendered what the handler at work
// changed.
func afterRender(f func()) {
	var run js.Func
	run = js.FuncOf(func(js.Value, []js.Value) any {
		run.Release()
		f()
		return nil
	})
	js.Global().Call("setTimeout", run, 0)
}

// focusedElement returns the element that has the keyboard focus, or
// null.
func focusedElement() js.Value { return js.Global().Get("document").Get("activeElement") }

// focusOn moves the focus to el, once rendered, if it is still on the
// page.
func focusOn(el js.Value) {
	afterRender(func() {
		if el.Truthy() && el.Get("isConnected").Truthy() {
			el.Call("focus")
		}
	})
}
