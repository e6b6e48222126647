package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestExplainPhoto asks a result card why: the card shows the Grad-CAM
// heat map of its top class over the photo, then of its third class, and
// the photo again once hidden.
func TestExplainPhoto(t *testing.T) {
	p := openPage(t)
	const name = "forest-10007.jpg"
	rs := p.pick(name, "sea-10071.jpg")
	checkClassified(t, rs, []string{name, "sea-10071.jpg"})
	var card result
	for _, r := range rs {
		if r.Name == name {
			card = r
		}
	}
	shown := func(alt string) string {
		return fmt.Sprintf(`[...document.querySelectorAll("#results img")].some(i => i.alt.startsWith(%q) && i.complete && i.naturalWidth > 0)`, alt)
	}
	p.click("Explain " + name)
	top := card.Predictions[0].Class
	p.waitFor(shown("Grad-CAM heat map of "+top+" over "+name), "the heat map of the top class")
	img := `[...document.querySelectorAll("#results img")].find(i => i.alt.startsWith("Grad-CAM"))`
	if got := p.eval(img + `.naturalWidth + "x" + ` + img + `.naturalHeight`); got != "150x150" {
		t.Errorf("the heat map is %s, want the photo's 150x150", got)
	}
	if got := p.eval(`String([...document.querySelectorAll("#results img")].filter(i => i.alt.startsWith("Grad-CAM")).length)`); got != "1" {
		t.Errorf("%s heat maps shown, want the one asked for", got)
	}
	screenshot(p, "explain.png")

	group := "Grad-CAM heat map of " + name + " for the class"
	third := card.Predictions[2].Class
	p.clickIn("group", group, third)
	p.waitFor(shown("Grad-CAM heat map of "+third+" over "+name), "the heat map of the third class")
	pressed := p.eval(`[...document.querySelectorAll(".heat-class[aria-pressed=true]")].map(b => b.textContent).join()`)
	if pressed != third {
		t.Errorf("pressed: %q, want %q alone", pressed, third)
	}
	p.clickIn("group", group, "Hide the heat map")
	p.waitFor(`![...document.querySelectorAll("#results img")].some(i => i.alt.startsWith("Grad-CAM"))`, "the photo again")
	if got := p.eval(`[...document.querySelectorAll("#results img")].map(i => i.alt).join()`); !strings.Contains(got, name) {
		t.Errorf("after Hide the cards show %q", got)
	}
}
