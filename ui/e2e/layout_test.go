package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPhoneWidth uses the page at a phone's 390 CSS pixels: in every
// state it goes through, nothing makes the page wider than the screen;
// nor at 1280×900 zoomed to 200% (640 CSS pixels).
func TestPhoneWidth(t *testing.T) {
	p := openPage(t)
	width := 390
	if _, err := chromedp.Run(p.ctx, chromedp.EmulateViewport(int64(width), 844)); err != nil {
		t.Fatal(err)
	}
	fits := func(state string) {
		t.Helper()
		w, err := chromedp.Run(p.ctx, chromedp.Evaluate[struct{ Scroll, Client int }](`({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})`))
		if err != nil {
			t.Fatal(err)
		}
		if w.Client != width || w.Scroll > w.Client {
			t.Errorf("%s, %d pixels: the page is %d pixels wide on a screen of %d", state, width, w.Scroll, w.Client)
		}
	}
	fits("fresh")
	// The drop zone, the page's first use, is on the first screen.
	zone := p.eval(`String(Math.round(document.querySelector("#drop-zone").getBoundingClientRect().bottom))`)
	var bottom int
	if _, err := fmt.Sscan(zone, &bottom); err != nil || bottom > 844 {
		t.Errorf("the drop zone ends %s pixels down a screen of 844", zone)
	}
	if got := p.eval(`String(document.querySelectorAll("main").length)`); got != "1" {
		t.Errorf("%s main landmarks, want 1", got)
	}
	checkClassified(t, p.pick("forest-10007.jpg", "sea-10071.jpg"), []string{"forest-10007.jpg", "sea-10071.jpg"})
	p.click("Explain forest-10007.jpg")
	p.waitFor(`[...document.querySelectorAll("#results img")].some(i => i.alt.startsWith("Grad-CAM") && i.complete)`, "the heat map")
	fits("photos classified and explained")
	if got := p.text("#results .heat-legend"); got != "Red did most for forest, blue little (Grad-CAM)." {
		t.Errorf("the heat map's legend says %q", got)
	}
	// Every button shown is a target at least 24 pixels tall (WCAG 2.5.8).
	small := p.eval(`[...document.querySelectorAll("button")].filter(b => b.offsetParent !== null && b.getBoundingClientRect().height < 24)
		.map(b => (b.getAttribute("aria-label") || b.textContent.trim()) + " " + Math.round(b.getBoundingClientRect().height)).join("; ")`)
	if small != "" {
		t.Errorf("buttons under 24 pixels tall at %d pixels wide: %s", width, small)
	}
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	fits("the sample loaded")
	p.evaluate()
	fits("evaluated")
	p.click("Top losses")
	p.waitFor(`document.querySelector("#cell-images .hint") !== null`, "the top losses")
	fits("the top losses shown")
	screenshot(p, "phone.png")
	width = 640
	if _, err := chromedp.Run(p.ctx, chromedp.EmulateViewport(int64(width), 450)); err != nil {
		t.Fatal(err)
	}
	fits("the top losses shown")
	screenshot(p, "zoom200.png")
}

// TestRecipeAdvanced: the recipe form shows the preset, the epochs and
// the workers; the other fields wait behind Advanced, which opens by
// itself on a wrong value.
func TestRecipeAdvanced(t *testing.T) {
	p := openPage(t)
	has := func(label string) bool {
		return p.eval(fmt.Sprintf(`String([...document.querySelectorAll("#recipe-form label")].some(l => l.textContent.trim() === %q))`, label)) == "true"
	}
	if !has("Epochs") || !has("Workers") || has("Batch size") || has("Seed") {
		t.Errorf("a fresh form shows Epochs %v, Workers %v, Batch size %v, Seed %v; want only the first two", has("Epochs"), has("Workers"), has("Batch size"), has("Seed"))
	}
	if got := p.eval(`document.querySelector("#recipe-form").offsetHeight < 450 ? "short" : "tall " + document.querySelector("#recipe-form").offsetHeight`); got != "short" {
		t.Errorf("the recipe form is %s", got)
	}
	p.openAdvanced()
	p.fill("Batch size", "abc")
	p.waitFor(`document.querySelector("#recipe-advanced .field-error") !== null`, "the batch size's error")
	invalid := `document.querySelector("#recipe-batch").getAttribute("aria-invalid")`
	if got := p.eval(invalid); got != "true" {
		t.Errorf(`Batch size "abc": aria-invalid %q, want "true"`, got)
	}
	if got := p.eval(`document.querySelector("#recipe-seed").getAttribute("aria-invalid")`); got != "false" {
		t.Errorf(`Seed, as the preset has it: aria-invalid %q, want "false"`, got)
	}
	p.click("Advanced") // closing it: a wrong field keeps it open
	if got := p.eval(`String(document.querySelector("#recipe-advanced") !== null)`); got != "true" {
		t.Error("Advanced closed over a wrong field")
	}
	p.fill("Batch size", "32")
	if got := p.text(".advanced-summary"); !strings.Contains(got, "changed from the preset: Batch size") {
		t.Errorf("Advanced says %q", got)
	}
	screenshot(p, "recipe.png")
}

// TestTrainingInView: at 1280×800, pressing Train brings the Training
// panel into view, its progress and charts inside the window.
func TestTrainingInView(t *testing.T) {
	p := openPage(t)
	if _, err := chromedp.Run(p.ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	p.fill("Epochs", "3")
	p.click("Train")
	p.waitFor(`document.querySelectorAll("#training-panel .charts svg, #training-panel .charts canvas").length > 0`, "the charts")
	box := func(sel string) string {
		return p.eval(fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return Math.round(r.top) + " " + Math.round(r.bottom) })()`, sel))
	}
	for _, sel := range []string{"#training-progress", "#training-panel .charts"} {
		var top, bottom int
		if _, err := fmt.Sscan(box(sel), &top, &bottom); err != nil {
			t.Fatal(err)
		}
		if top < 0 || bottom > 800 {
			t.Errorf("%s spans %d to %d of a window 800 high", sel, top, bottom)
		}
	}
	screenshot(p, "training-in-view.png")
	p.click("Stop")
}
