package e2e

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestRelabelAndExclude fixes the sample's data from the top losses:
// one image relabelled, one left out. The data set panel counts and
// lists them, Evaluate sees the data set so edited, the same zip loaded
// after a reload has them again, and Undo takes each back.
func TestRelabelAndExclude(t *testing.T) {
	p := openPage(t)
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	before := p.splits()
	p.evaluate()
	p.click("Top losses")
	p.waitFor(`document.querySelector("#cell-images .hint") !== null`, "the top losses")
	names, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#cell-images .cell-image img")].map(i => i.alt)`))
	if err != nil || len(names) < 2 {
		t.Fatalf("top losses %q, %v", names, err)
	}
	first, second := path.Base(names[0]), path.Base(names[1])
	firstClass := strings.Split(names[0], "/")[len(strings.Split(names[0], "/"))-2] // .../test/CLASS/NAME.jpg
	to := "sea"
	if firstClass == "sea" {
		to = "forest"
	}
	p.choose("Relabel "+first, to)
	p.waitFor(`document.querySelector("#dataset-edits") !== null`, "the edit listed")
	p.click("Exclude " + second)
	p.waitFor(`document.querySelectorAll("#dataset-edits li").length === 2`, "both edits listed")
	if got := p.text("#dataset-edits p"); got != "1 image relabelled and 1 image left out: Evaluate and Train use the data set so edited. Leaving out a training image draws the validation split anew: it is a random share of the training images, so one image fewer changes which ones it holds." {
		t.Errorf("edits line %q", got)
	}
	after := p.splits()
	if before.Counts[firstClass][2] == after.Counts[firstClass][2] || after.Totals[2] == before.Totals[2] {
		t.Errorf("test counts before %v (%v), after %v (%v)", before.Counts, before.Totals, after.Counts, after.Totals)
	}
	if got := p.eval(`[...document.querySelectorAll("#cell-images .edit-tag")].map(s => s.textContent).join()`); got != "now "+to+",left out" {
		t.Errorf("the images' tags: %q", got)
	}
	if got := p.text("#evaluate-stale"); !strings.Contains(got, "edited since this evaluation") {
		t.Errorf("the evaluation made before the edits says %q of them", got)
	}
	screenshot(p, "edits.png")
	ev := p.evaluate()
	if got := p.eval(`String(document.querySelector("#evaluate-stale"))`); got != "null" {
		t.Errorf("Evaluate after the edits still says the data set was edited since")
	}
	if !strings.HasSuffix(ev.Accuracy, fmt.Sprintf("/%s)", after.Totals[2])) {
		t.Errorf("Evaluate after the edits: %q, want %s images", ev.Accuracy, after.Totals[2])
	}
	// The zip as edited, evaluated natively: the page's accuracy line.
	dir := p.downloads()
	p.click("Download data set")
	zipped := p.downloaded(dir, "sample-scenes (edited).zip")
	zipPath := filepath.Join(t.TempDir(), "edited.zip")
	if err := os.WriteFile(zipPath, zipped, 0o644); err != nil {
		t.Fatal(err)
	}
	native, _ := nativeEvaluation(t, builtinModel, zipPath)
	if native.Accuracy != ev.Accuracy {
		t.Errorf("the downloaded zip natively: %q; the page: %q", native.Accuracy, ev.Accuracy)
	}
	// The same zip after a reload has the edits again.
	p.reload()
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	p.waitFor(`document.querySelectorAll("#dataset-edits li").length === 2`, "the edits kept across the reload")
	if got := p.splits(); fmt.Sprint(got.Totals) != fmt.Sprint(after.Totals) {
		t.Errorf("after the reload the splits count %v, want %v", got.Totals, after.Totals)
	}
	screenshot(p, "edits-reloaded.png")

	p.click("Undo the edit of " + first)
	p.click("Undo the edit of " + second)
	p.waitFor(`document.querySelector("#dataset-edits") === null`, "no edits left")
	if got := p.splits(); fmt.Sprint(got.Totals) != fmt.Sprint(before.Totals) {
		t.Errorf("after Undo the splits count %v, want %v", got.Totals, before.Totals)
	}
	// Undone, they stay undone after another reload.
	p.reload()
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	if got := p.splits(); fmt.Sprint(got.Totals) != fmt.Sprint(before.Totals) || p.eval(`String(document.querySelector("#dataset-edits") === null)`) != "true" {
		t.Errorf("after Undo and a reload: %v, edits shown %s", got.Totals, p.eval(`String(document.querySelector("#dataset-edits") !== null)`))
	}
}
