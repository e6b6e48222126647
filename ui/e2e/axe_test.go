package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeScript is axe-core as ui/e2e/axe pins it, installed by ./build.sh
// test (npm ci).
const axeScript = "ui/e2e/axe/node_modules/axe-core/axe.min.js"

// violation is one rule axe-core found broken, and where.
type violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// checkAxe runs axe-core on the page as it stands and fails the test on
// every violation it finds, naming the state.
func (p *page) checkAxe(state string) {
	p.t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot, axeScript))
	if err != nil {
		if os.Getenv("CI") == "true" {
			p.t.Fatalf("no axe-core (%v): ./build.sh test installs it with npm ci", err)
		}
		p.t.Skipf("SKIPPING the accessibility checks: no axe-core (%v); ./build.sh test installs it with npm ci", err)
	}
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[any](string(src)+";0")); err != nil {
		p.t.Fatal(err)
	}
	vs, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]violation](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatal(err)
	}
	for _, v := range vs {
		p.t.Errorf("%s: axe-core: %s (%s, %s) at %s", state, v.ID, v.Help, v.Impact, strings.Join(v.Targets, "; "))
	}
	p.t.Logf("%s: axe-core found %d violations", state, len(vs))
}

// TestAccessibility runs axe-core on the page in its main states: fresh,
// photos classified and explained, a data set loaded, evaluated with a
// cell and the top losses shown, a run training and trained, and the
// Models list holding several models.
func TestAccessibility(t *testing.T) {
	p := openPage(t)
	p.checkAxe("fresh")
	checkClassified(t, p.pick("forest-10007.jpg", "sea-10071.jpg"), []string{"forest-10007.jpg", "sea-10071.jpg"})
	p.click("Explain forest-10007.jpg")
	p.waitFor(`[...document.querySelectorAll("#results img")].some(i => i.alt.startsWith("Grad-CAM") && i.complete)`, "the heat map")
	p.checkAxe("photos classified and explained")
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	p.checkAxe("the sample loaded")
	p.evaluate()
	p.click("Top losses")
	p.waitFor(`document.querySelector("#cell-images .hint") !== null`, "the top losses")
	p.checkAxe("evaluated, the top losses shown")
	p.fill("Epochs", "2")
	p.openAdvanced()
	p.checkAxe("the recipe's advanced fields open")
	p.click("Train")
	p.waitFor(`document.querySelectorAll("#training-panel .charts svg").length > 0`, "the charts")
	p.checkAxe("training")
	p.waitFor(`document.querySelector("#training-ended") !== null`, "the end of the run")
	p.checkAxe("trained")
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#pick-model"), modelTestdata(t)))
	p.waitFor(`document.querySelector("#model-file")?.textContent === "seed-resnet14.pth" && document.querySelectorAll("#model-list li[data-id]").length >= 3`, "a third model in the list")
	p.checkAxe(fmt.Sprintf("%s models listed", p.eval(`String(document.querySelectorAll("#model-list li[data-id]").length)`)))
}
