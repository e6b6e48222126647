package e2e

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

// The sample data set and the built-in model, in the repository.
const (
	sampleZip    = "assets/sample-scenes.zip"
	builtinModel = "assets/model.safetensors"
)

// readModel reads the model file at modelPath, relative to the
// repository's root.
func readModel(t testing.TB, modelPath string) *nn.Model {
	t.Helper()
	mb, err := os.ReadFile(filepath.Join(repoRoot, modelPath))
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.ReadModel(bytes.NewReader(mb), int64(len(mb)), filepath.Base(modelPath))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// splitTable is the dataset panel's table of counts, as the page shows
// it: the splits' names and, for each class, its counts.
type splitTable struct {
	Splits []string            `json:"splits"`
	Counts map[string][]string `json:"counts"`
	Totals []string            `json:"totals"`
}

const splitTableJS = `(() => {
	const t = document.querySelector("#dataset-splits");
	const splits = [...t.querySelectorAll("thead th")].slice(1, -1).map(th => th.textContent);
	const counts = {};
	for (const tr of t.querySelectorAll("tbody tr")) {
		counts[tr.querySelector("th").textContent] = [...tr.querySelectorAll("td")].slice(0, splits.length).map(td => td.textContent);
	}
	const totals = [...t.querySelectorAll("tfoot td")].slice(0, splits.length).map(td => td.textContent);
	return {splits, counts, totals};
})()`

// splits returns the dataset panel's table.
func (p *page) splits() splitTable {
	p.t.Helper()
	st, err := chromedp.Run(p.ctx, chromedp.Evaluate[splitTable](splitTableJS))
	if err != nil {
		p.t.Fatal(err)
	}
	return st
}

// waitDataset waits until the dataset panel shows the data set named
// name and no load is at work.
func (p *page) waitDataset(name string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf(`document.querySelector("#dataset-facts")?.textContent.startsWith(%q) && !document.querySelector("#dataset-progress")`, name+":"),
		"the data set "+name)
}

// evaluation is what the page shows of an evaluation.
type evaluation struct {
	Accuracy string     `json:"accuracy"`
	Report   [][]string `json:"report"` // the rows of the classification report
	Matrix   [][]string `json:"matrix"` // the heatmap's counts
}

const evaluationJS = `({
	accuracy: document.querySelector("#accuracy-line").textContent,
	report: [...document.querySelectorAll("#classification-report tr")].slice(1).map(tr => [...tr.children].map(c => c.textContent.trim().replaceAll(",", ""))),
	matrix: [...document.querySelectorAll("#confusion-matrix tbody tr")].map(tr => [...tr.querySelectorAll("td")].map(td => td.textContent.trim().replaceAll(",", ""))),
})`

// evaluate presses Evaluate and returns what the page shows once done.
func (p *page) evaluate() evaluation {
	p.t.Helper()
	p.click("Evaluate")
	p.waitFor(`document.querySelector("#accuracy-line") !== null || document.querySelector("#evaluate-error") !== null`, "the evaluation")
	if msg := p.text("#evaluate-error"); msg != "" {
		p.t.Fatalf("evaluation failed: %s", msg)
	}
	ev, err := chromedp.Run(p.ctx, chromedp.Evaluate[evaluation](evaluationJS))
	if err != nil {
		p.t.Fatal(err)
	}
	return ev
}

// nativeEvaluation evaluates the model file on the zip with nn, as
// cmd/resnet evaluate does, and returns the report and matrix as the
// page formats them, and how many images have two top logits closer
// than 1e-4 (their class may go either way).
func nativeEvaluation(t testing.TB, modelPath, zipPath string) (evaluation, int) {
	t.Helper()
	m := readModel(t, modelPath)
	zb, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	a, err := data.ReadZip(bytes.NewReader(zb), int64(len(zb)), data.Options{Size: m.Meta.InputSize, MaxPixels: data.DefaultMaxPixels})
	if err != nil {
		t.Fatal(err)
	}
	set := a.Test
	if set == nil {
		set = a.Train
	}
	_, cm, err := nn.Evaluate(m, set, 128, 2)
	if err != nil {
		t.Fatal(err)
	}
	r := nn.NewReport(cm, m.Meta.Classes)
	var ev evaluation
	ev.Accuracy = cm.AccuracyLine()
	f := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	for i, s := range r.PerClass {
		ev.Report = append(ev.Report, []string{r.Classes[i], f(s.Precision), f(s.Recall), f(s.F1), fmt.Sprint(s.Support)})
	}
	ev.Report = append(ev.Report,
		[]string{"accuracy", "", "", f(r.Accuracy), fmt.Sprint(r.Examples)},
		[]string{"macro avg", f(r.Macro.Precision), f(r.Macro.Recall), f(r.Macro.F1), fmt.Sprint(r.Macro.Support)},
		[]string{"weighted avg", f(r.Weighted.Precision), f(r.Weighted.Recall), f(r.Weighted.F1), fmt.Sprint(r.Weighted.Support)})
	for _, row := range cm {
		var cells []string
		for _, n := range row {
			cells = append(cells, fmt.Sprint(n))
		}
		ev.Matrix = append(ev.Matrix, cells)
	}
	ties := 0
	x := &nn.Tensor{}
	x.Resize(set.Len(), 3, set.Size, set.Size)
	idx := make([]int, set.Len())
	for i := range idx {
		idx[i] = i
	}
	set.Fill(x.Data, make([]int, set.Len()), idx, m.Meta.Norm, nil, nil)
	logits := m.Net.Infer(x)
	k := len(m.Meta.Classes)
	for i := range set.Len() {
		row := logits.Data[i*k : (i+1)*k]
		top := nn.TopK(row, 2)
		if row[top[0]]-row[top[1]] < 1e-4 {
			ties++
		}
	}
	return ev, ties
}

// checkEvaluation compares the page's evaluation with the native one.
func checkEvaluation(t *testing.T, got, want evaluation, ties int) {
	t.Helper()
	t.Logf("%s on the page; natively %s, with %d images whose two top logits are within 1e-4", got.Accuracy, want.Accuracy, ties)
	if ties > 0 {
		return // the counts may differ by as many images; the test says so above
	}
	if got.Accuracy != want.Accuracy {
		t.Errorf("accuracy line %q, want %q", got.Accuracy, want.Accuracy)
	}
	if !reflect.DeepEqual(got.Report, want.Report) {
		t.Errorf("classification report\n%q\nwant\n%q", got.Report, want.Report)
	}
	if !reflect.DeepEqual(got.Matrix, want.Matrix) {
		t.Errorf("confusion matrix %q, want %q", got.Matrix, want.Matrix)
	}
}

func TestSampleDataset(t *testing.T) {
	p := openPage(t)
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	st := p.splits()
	if want := []string{"training", "validation", "test"}; !reflect.DeepEqual(st.Splits, want) {
		t.Errorf("splits %q, want %q", st.Splits, want)
	}
	if want := []string{"192", "48", "60"}; !reflect.DeepEqual(st.Totals, want) {
		t.Errorf("split totals %q, want %q", st.Totals, want)
	}
	for _, class := range []string{"buildings", "forest", "glacier", "mountain", "sea", "street"} {
		if c := st.Counts[class]; len(c) != 3 || c[2] != "10" {
			t.Errorf("%s: counts %q, want 10 test images", class, c)
		}
	}
	thumbs, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`(async () => {
		const imgs = [...document.querySelectorAll("#dataset-samples img")];
		await Promise.all(imgs.map(i => i.decode()));
		return imgs.filter(i => i.naturalWidth === 96 || i.naturalHeight === 96).length;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil || thumbs != 48 {
		t.Errorf("%d thumbnails of 96 pixels decoded (%v), want 48", thumbs, err)
	}

	got := p.evaluate()
	want, ties := nativeEvaluation(t, builtinModel, filepath.Join(repoRoot, sampleZip))
	checkEvaluation(t, got, want, ties)

	// The images behind a cell: buildings taken for streets.
	row := 0
	for _, n := range want.Matrix[0] {
		v, _ := strconv.Atoi(n)
		row += v
	}
	n, _ := strconv.Atoi(want.Matrix[0][5])
	p.click(fmt.Sprintf("buildings taken for street: %s (%.0f%% of the row); show them", plural(want.Matrix[0][5]), 100*float64(n)/float64(row)))
	p.waitFor(`document.querySelector("#cell-images .hint") !== null`, "the cell's images")
	cell, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`(async () => {
		const imgs = [...document.querySelectorAll("#cell-images img")];
		await Promise.all(imgs.map(i => i.decode()));
		return imgs.map(i => i.alt + " " + i.naturalWidth);
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(len(cell)) != want.Matrix[0][5] {
		t.Errorf("cell shows %q, want %s images", cell, want.Matrix[0][5])
	}
	for _, c := range cell {
		if !strings.Contains(c, "/test/buildings/") || strings.HasSuffix(c, " 0") {
			t.Errorf("cell image %q: not a decoded test image of buildings", c)
		}
	}
	screenshot(p, "dataset.png")

	// Why street: the heat map of the first image's top class over it.
	if len(cell) > 0 {
		name := path.Base(strings.Fields(cell[0])[0])
		p.click("Explain " + name)
		p.waitFor(fmt.Sprintf(`[...document.querySelectorAll("#cell-images img")].some(i => i.alt.startsWith(%q) && i.complete && i.naturalWidth === 150)`,
			"Grad-CAM heat map of street over "+name), "the cell image's heat map")
		screenshot(p, "cell-explain.png")
	}

	// The top losses, whatever their cell: the lowest probability of the
	// true class first.
	p.press("Top losses")
	p.waitFor(`document.querySelector("#cell-images h3")?.textContent === "Top losses" && document.querySelector("#cell-images .hint") !== null`, "the top losses")
	probs, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#cell-images .true-prob")].map(p => p.textContent)`))
	if err != nil || len(probs) == 0 {
		t.Fatalf("top losses: %q, %v", probs, err)
	}
	var last float64
	for i, line := range probs { // "forest: 3.2% · loss 3.44"
		var loss float64
		if _, err := fmt.Sscanf(line[strings.Index(line, "loss ")+5:], "%g", &loss); err != nil {
			t.Fatalf("top loss %q: %v", line, err)
		}
		if i > 0 && loss > last {
			t.Errorf("top losses not highest first: %q", probs)
			break
		}
		last = loss
	}
	screenshot(p, "top-losses.png")
	// Show more, up to the whole split, the images shown staying as they
	// are (the first one's heat map with them); Close.
	count := `String(document.querySelectorAll("#cell-images .cell-image").length)`
	if got := p.eval(count); got != "24" {
		t.Errorf("top losses: %s images shown, want 24", got)
	}
	first := p.eval(`document.querySelector("#cell-images .cell-image .name").textContent`)
	heat := fmt.Sprintf(`[...document.querySelectorAll("#cell-images .cell-image:first-child img")].some(i => i.alt.startsWith("Grad-CAM heat map of ") && i.alt.includes(" over %s:") && i.complete && i.naturalWidth > 0)`, first)
	p.click("Explain " + first)
	p.waitFor(heat, "the first top loss's heat map")
	for _, shown := range []int{24, 48} {
		more := p.eval(`document.querySelector("#cell-images .show-more")?.textContent ?? ""`)
		if more == "" {
			t.Fatalf("%s top losses shown with no Show more", p.eval(count))
		}
		p.press(more)
		p.waitFor(fmt.Sprintf(`document.querySelectorAll("#cell-images .cell-image").length > %d`, shown), "more top losses")
		// The focus stays on Show more while some are left, then goes to
		// the first image it showed.
		want := "button# Show 12 more (of 12 not shown)"
		if shown == 48 {
			p.waitFor(`document.activeElement?.closest(".cell-image") === document.querySelectorAll("#cell-images .cell-image")[48]`, "the focus on the first image shown last")
			continue
		}
		if got := p.focused(); got != want {
			t.Errorf("after Show more with %d shown, the focus is on %q, want %q", shown, got, want)
		}
	}
	if got, more := p.eval(count), p.eval(`String(document.querySelector("#cell-images .show-more"))`); got != "60" || more != "null" {
		t.Errorf("after Show more twice: %s images (want all 60), Show more %s", got, more)
	}
	if p.eval(`String(`+heat+`)`) != "true" || p.eval(`document.querySelector("#cell-images .cell-image .name").textContent`) != first {
		t.Errorf("after Show more, the first top loss is %q, or its heat map is gone", p.eval(`document.querySelector("#cell-images .cell-image .name").textContent`))
	}
	screenshot(p, "top-losses-more.png")
	p.press("Close Top losses")
	p.waitFor(`document.querySelector("#cell-images") === null`, "the top losses closed")
	p.waitFor(`document.activeElement?.textContent === "Top losses"`, "the focus back on Top losses")
	// The pair most confused opens its cell.
	p.click(fmt.Sprintf("%s taken for %s: %s", mostConfused(want.Matrix)[0], mostConfused(want.Matrix)[1], plural(mostConfused(want.Matrix)[2])))
	p.waitFor(fmt.Sprintf(`document.querySelector("#cell-images h3")?.textContent === %q`, mostConfused(want.Matrix)[0]+" taken for "+mostConfused(want.Matrix)[1]), "the most confused pair's cell")
}

// mostConfused returns the true class, the class taken for and the count
// (as the page writes it) of the matrix's largest off-diagonal cell, the
// first in row order among equals.
func mostConfused(m [][]string) [3]string {
	best, at := -1, [2]int{}
	for a, row := range m {
		for p, s := range row {
			n, _ := strconv.Atoi(s)
			if a != p && n > best {
				best, at = n, [2]int{a, p}
			}
		}
	}
	classes := []string{"buildings", "forest", "glacier", "mountain", "sea", "street"}
	return [3]string{classes[at[0]], classes[at[1]], strconv.Itoa(best)}
}

// plural writes a count as the page's names do: "1 image", "2 images".
func plural(n string) string {
	if n == "1" {
		return "1 image"
	}
	return n + " images"
}

// screenshot saves the page as name in the test's output folder
// (SCREENSHOTS, or the system's temporary folder), when SCREENSHOT is
// set.
func screenshot(p *page, name string) {
	if s := os.Getenv("SCREENSHOT"); s == "" || s == "0" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatal(err)
	}
	dir := os.Getenv("SCREENSHOTS")
	if dir == "" {
		dir = os.TempDir()
	}
	out := filepath.Join(dir, name)
	if err := os.WriteFile(out, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("wrote %s", out)
}

// zipOf writes a zip of the given files (name: contents) into the
// test's temporary folder and returns its path.
func zipOf(t *testing.T, name string, files []zipFile) string {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range files {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Store, Flags: f.flags})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// zipFile is a file of a test zip; a name ending in "/" is a folder.
type zipFile struct {
	name  string
	data  []byte
	flags uint16
}
