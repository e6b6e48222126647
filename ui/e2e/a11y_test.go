package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Elements are found as a person or a screen reader finds them: by their
// role and accessible name, as the browser itself computes them
// (Accessibility.queryAXTree), the way Testing Library's getByRole and
// getByLabelText do.

// byRole returns the DOM node of the one element of the given role
// (such as "button"; "" for any) whose accessible name is name, waiting
// for it to appear.
func (p *page) byRole(role, name string) cdp.BackendNodeID {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ids, err := p.queryAX(role, name)
		if err != nil {
			p.t.Fatalf("looking for the %s %q: %v", role, name, err)
		}
		switch {
		case len(ids) == 1:
			return ids[0]
		case len(ids) > 1:
			p.t.Fatalf("%d elements of role %q are named %q, want one", len(ids), role, name)
		case time.Now().After(deadline):
			p.t.Fatalf("no element of role %q is named %q", role, name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// queryAX returns the DOM nodes of the elements, not ignored, of the role
// and accessible name given.
func (p *page) queryAX(role, name string) ([]cdp.BackendNodeID, error) {
	doc, err := chromedp.Call(p.ctx, runtime.Evaluate, runtime.EvaluateParams{Expression: "document"})
	if err != nil {
		return nil, err
	}
	// The name is compared here: Chromium 148's own filter misses file
	// inputs named by aria-label, which its tree names all the same.
	res, err := chromedp.Call(p.ctx, accessibility.QueryAXTree,
		accessibility.QueryAXTreeParams{ObjectID: doc.Result.ObjectID, Role: role})
	if err != nil {
		return nil, err
	}
	var ids []cdp.BackendNodeID
	for _, n := range res.Nodes {
		if !n.Ignored && n.BackendDOMNodeID != 0 && n.Name != nil && nameOf(n.Name.Value) == name {
			ids = append(ids, n.BackendDOMNodeID)
		}
	}
	return ids, nil
}

// nameOf decodes an accessible name, a JSON string.
func nameOf(v []byte) string {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return ""
	}
	return s
}

// call calls the JavaScript function fn (a declaration such as
// "function() { this.click() }") on the DOM node id, with the result
// returned as a string.
func (p *page) call(id cdp.BackendNodeID, fn string) string {
	p.t.Helper()
	obj, err := chromedp.Call(p.ctx, dom.ResolveNode, dom.ResolveNodeParams{BackendNodeID: id})
	if err != nil {
		p.t.Fatal(err)
	}
	yes := true
	res, err := chromedp.Call(p.ctx, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
		FunctionDeclaration: fn, ObjectID: obj.Object.ObjectID, ReturnByValue: &yes, UserGesture: &yes})
	if err != nil {
		p.t.Fatal(err)
	}
	if res.ExceptionDetails != nil {
		p.t.Fatalf("%s: %s", fn, res.ExceptionDetails.Text)
	}
	return strings.Trim(string(res.Result.Value), `"`)
}

// click clicks the button named name, failing if it is disabled.
func (p *page) click(name string) {
	p.t.Helper()
	id := p.byRole("button", name)
	if p.call(id, `function() { return String(this.disabled) }`) == "true" {
		p.t.Fatalf("the button %q is disabled", name)
	}
	p.call(id, `function() { this.click() }`)
}

// press presses the button named name as a keyboard user does: it
// takes the focus, then Enter clicks it.
func (p *page) press(name string) {
	p.t.Helper()
	id := p.byRole("button", name)
	p.call(id, `function() { this.focus(); this.click() }`)
}

// focused describes the element that has the keyboard focus: its tag,
// its id and its accessible name (aria-label or text).
func (p *page) focused() string {
	p.t.Helper()
	return p.eval(`(e => e ? e.tagName.toLowerCase() + "#" + e.id + " " + (e.getAttribute("aria-label") ?? e.textContent.trim()) : "none")(document.activeElement)`)
}

// clickIn clicks the button named name inside the element of role
// scopeRole named scope, such as a row of a list.
func (p *page) clickIn(scopeRole, scope, name string) {
	p.t.Helper()
	in := p.byRole(scopeRole, scope)
	deadline := time.Now().Add(30 * time.Second)
	for {
		obj, err := chromedp.Call(p.ctx, dom.ResolveNode, dom.ResolveNodeParams{BackendNodeID: in})
		if err != nil {
			p.t.Fatal(err)
		}
		res, err := chromedp.Call(p.ctx, accessibility.QueryAXTree,
			accessibility.QueryAXTreeParams{ObjectID: obj.Object.ObjectID, Role: "button"})
		if err != nil {
			p.t.Fatal(err)
		}
		for _, n := range res.Nodes {
			if !n.Ignored && n.BackendDOMNodeID != 0 && n.Name != nil && nameOf(n.Name.Value) == name {
				p.call(n.BackendDOMNodeID, `function() { this.click() }`)
				return
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("no button %q in the %s %q", name, scopeRole, scope)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// disabled reports whether the button named name is disabled.
func (p *page) disabled(name string) bool {
	p.t.Helper()
	return p.call(p.byRole("button", name), `function() { return String(this.disabled) }`) == "true"
}

// upload gives files to the file input labelled label.
func (p *page) upload(label string, files ...string) {
	p.t.Helper()
	id := p.byRole("", label)
	if tag := p.call(id, `function() { return this.tagName + "/" + this.type }`); tag != "INPUT/file" {
		p.t.Fatalf("%q labels a %s, not a file input", label, tag)
	}
	if _, err := chromedp.Call(p.ctx, dom.SetFileInputFiles, dom.SetFileInputFilesParams{Files: files, BackendNodeID: id}); err != nil {
		p.t.Fatal(fmt.Errorf("giving %v to %q: %w", files, label, err))
	}
}

// openAdvanced opens the recipe's Advanced fields, as a person does
// before changing one.
func (p *page) openAdvanced() {
	p.t.Helper()
	if p.eval(`document.querySelector("#recipe-advanced-toggle").getAttribute("aria-expanded")`) != "true" {
		p.click("Advanced")
	}
	p.waitFor(`document.querySelector("#recipe-advanced") !== null`, "the recipe's advanced fields")
}

// fill replaces the text of the field labelled label, as typing does:
// one input event with the new value.
func (p *page) fill(label, text string) {
	p.t.Helper()
	id := p.byRole("textbox", label)
	p.call(id, fmt.Sprintf(`function() { this.value = %q; this.dispatchEvent(new Event("input", {bubbles: true})) }`, text))
}

// choose picks the option value of the select labelled label.
func (p *page) choose(label, value string) {
	p.t.Helper()
	id := p.byRole("combobox", label)
	p.call(id, fmt.Sprintf(`function() { this.value = %q; this.dispatchEvent(new Event("change", {bubbles: true})) }`, value))
}
