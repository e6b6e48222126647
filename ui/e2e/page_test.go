package e2e

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The clear examples in testdata: the reference model gets each right,
// and each file is named after its class (class-id.jpg).
var (
	clearBatch1 = []string{"forest-10007.jpg", "buildings-0.jpg", "forest-10010.jpg", "buildings-1001.jpg"}
	clearBatch2 = []string{"sea-10016.jpg", "street-10015.jpg", "sea-10071.jpg", "street-10019.jpg"}
)

// result is an image's card as the page shows it.
type result struct {
	Name        string       `json:"name"`
	Status      string       `json:"status"`
	Error       string       `json:"error"`
	Predictions []prediction `json:"predictions"`
}

type prediction struct {
	Class string `json:"class"`
	Prob  string `json:"prob"` // as shown, e.g. "97.5%"
}

// resultsJS reads every card, top to bottom.
const resultsJS = `[...document.querySelectorAll("#results .result")].map(li => ({
	name: li.querySelector(".name").textContent,
	status: li.dataset.status,
	error: li.querySelector(".error")?.textContent ?? "",
	predictions: [...li.querySelectorAll(".prediction")].map(p => ({
		class: p.querySelector(".class").textContent,
		prob: p.querySelector(".prob").textContent,
	})),
}))`

// results returns the cards on the page, newest first.
func (p *page) results() []result {
	p.t.Helper()
	rs, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]result](resultsJS))
	if err != nil {
		p.t.Fatal(err)
	}
	return rs
}

// settled waits until the page shows n cards and none is pending, and
// returns the newest added of them.
func (p *page) settled(n, added int) []result {
	p.t.Helper()
	p.waitFor(fmt.Sprintf(`document.querySelectorAll("#results .result").length === %d &&
		document.querySelector('#results .result[data-status="pending"]') === null`, n),
		fmt.Sprintf("%d images to be classified", n))
	return p.results()[:added]
}

// pick gives files to the drop zone's file input and returns their cards
// once classified.
func (p *page) pick(names ...string) []result {
	p.t.Helper()
	before := len(p.results())
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#pick-images"), testdata(p.t, names...)))
	return p.settled(before+len(names), len(names))
}

// dispatchFile sends a file from testdata as a browser would with a drop
// on the drop zone (event "drop") or a paste (event "paste").
func (p *page) dispatchFile(event, name string) []result {
	p.t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		p.t.Fatal(err)
	}
	before := len(p.results())
	js := fmt.Sprintf(`(() => {
		const bytes = Uint8Array.from(atob(%q), c => c.charCodeAt(0));
		const data = new DataTransfer();
		data.items.add(new File([bytes], %q, {type: "image/jpeg"}));
		const ev = %q === "drop"
			? new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true})
			: new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
		(%q === "drop" ? document.querySelector("#drop-zone") : document.body).dispatchEvent(ev);
	})()`, base64.StdEncoding.EncodeToString(b), name, event, event)
	p.do(chromedp.Evaluate[chromedp.Void](js))
	return p.settled(before+1, 1)
}

// checkClassified checks that each card shows three predictions, most
// probable first, and that the top class is the one in the file's name.
func checkClassified(t *testing.T, rs []result, names []string) {
	t.Helper()
	if len(rs) != len(names) {
		t.Fatalf("got %d cards, want %d", len(rs), len(names))
	}
	for i, r := range rs {
		if r.Name != names[i] {
			t.Errorf("card %d: got %q, want %q (newest first, in the order given)", i, r.Name, names[i])
			continue
		}
		if r.Status != "done" || len(r.Predictions) != 3 {
			t.Errorf("%s: got status %q, error %q and %d predictions, want done with 3", r.Name, r.Status, r.Error, len(r.Predictions))
			continue
		}
		want, _, _ := strings.Cut(r.Name, "-")
		if got := r.Predictions[0].Class; got != want {
			t.Errorf("%s: got top class %q, want %q (%+v)", r.Name, got, want, r.Predictions)
		}
		last := 101.0
		for _, pr := range r.Predictions {
			v, err := strconv.ParseFloat(strings.TrimSuffix(pr.Prob, "%"), 64)
			if err != nil || v < 0 || v > last {
				t.Errorf("%s: probabilities %+v are not decreasing percentages", r.Name, r.Predictions)
				break
			}
			last = v
		}
	}
}

func TestPageLoads(t *testing.T) {
	p := openPage(t)
	if got := p.text("#model-file"); got != "built-in" {
		t.Errorf("model file: got %q, want built-in", got)
	}
	if got := p.text("#model-arch"); got == "" {
		t.Error("model card shows no architecture")
	}
	side := readModel(t, builtinModel).Meta.InputSize
	if got, want := p.text("#model-input"), fmt.Sprintf("%d×%d", side, side); !strings.HasPrefix(got, want) {
		t.Errorf("model input: got %q, want %s", got, want)
	}
	classes, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#model-classes li")].map(li => li.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(classes) != 6 {
		t.Errorf("model card: got classes %q, want 6", classes)
	}
	if got := p.text("#worker-notice"); got != "" {
		t.Errorf("worker notice on a fresh page: %q", got)
	}
}

func TestClassifiesImages(t *testing.T) {
	p := openPage(t)
	checkClassified(t, p.pick(clearBatch1...), clearBatch1)
	checkClassified(t, p.pick(clearBatch2...), clearBatch2)
	checkClassified(t, p.dispatchFile("drop", "glacier-10.jpg"), []string{"glacier-10.jpg"})
	checkClassified(t, p.dispatchFile("paste", "mountain-10001.jpg"), []string{"mountain-10001.jpg"})

	// The newest are on top: the last batch came before the first one.
	all := p.results()
	if len(all) != 10 || all[2].Name != clearBatch2[0] || all[9].Name != clearBatch1[3] {
		t.Errorf("cards are not newest first: %v", names(all))
	}

	if s := os.Getenv("SCREENSHOT"); s != "" && s != "0" {
		png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(repoRoot, "assets", "screenshot.png")
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", out)
	}
}

func TestBadFilesShowErrors(t *testing.T) {
	p := openPage(t)
	files := []string{"forest-10007.jpg", "corrupt.jpg", "notes.jpg", "huge.png", "sea-10071.jpg"}
	rs := p.pick(files...)
	want := map[string]string{ // file: what its error says
		"corrupt.jpg": "cannot decode",
		"notes.jpg":   "not a JPEG, PNG, GIF or WebP",
		"huge.png":    "too large",
	}
	var good []result
	for _, r := range rs {
		msg, bad := want[r.Name]
		if !bad {
			good = append(good, r)
			continue
		}
		if r.Status != "error" || !strings.Contains(r.Error, msg) {
			t.Errorf("%s: got status %q, error %q; want an error saying %q", r.Name, r.Status, r.Error, msg)
		}
	}
	checkClassified(t, good, []string{"forest-10007.jpg", "sea-10071.jpg"})
	if got := p.text("#worker-notice"); got != "" {
		t.Errorf("bad files disturbed the worker: %q", got)
	}
	// Later images still classify.
	checkClassified(t, p.pick("street-10015.jpg"), []string{"street-10015.jpg"})
	// A card comes off with Remove; the others stay.
	p.click("Remove notes.jpg")
	p.waitFor(`![...document.querySelectorAll("#results .name")].some(n => n.textContent === "notes.jpg")`, "the card removed")
	if got := p.eval(`String(document.querySelectorAll("#results li.result").length)`); got != "5" {
		t.Errorf("after removing one of 6 cards: %s left", got)
	}
}

func TestLoadModelFromDisk(t *testing.T) {
	p := openPage(t)
	// A file that is no model: an error, and the built-in model stays.
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#pick-model"), testdata(t, "notes.jpg")))
	p.waitFor(`document.querySelector("#model-error") !== null`, "the model error")
	if got := p.text("#model-error"); !strings.Contains(got, "notes.jpg") {
		t.Errorf("model error: got %q, want it to name notes.jpg", got)
	}
	if got := p.text("#model-file"); got != "built-in" {
		t.Errorf("after a bad model file, model file: got %q, want built-in", got)
	}

	// A PyTorch file replaces it.
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#pick-model"), modelTestdata(t)))
	p.waitFor(`document.querySelector("#model-file")?.textContent === "seed-resnet14.pth"`, "the model from disk")
	if got := p.text("#model-error"); got != "" {
		t.Errorf("model error after a good model file: %q", got)
	}
	checkClassified(t, p.pick("street-10019.jpg", "forest-10010.jpg"), []string{"street-10019.jpg", "forest-10010.jpg"})
}

func TestWorkerRestarts(t *testing.T) {
	p := openPage(t)
	checkClassified(t, p.pick("sea-10016.jpg"), []string{"sea-10016.jpg"})

	// Make the page's worker fail as a bug in it would: an uncaught error.
	frames, err := chromedp.Call(p.ctx, cdppage.GetFrameTree, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	targets, err := chromedp.Targets(p.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var workers int
	for _, ti := range targets {
		// Some Chromium versions (148) leave a worker's parent frame empty;
		// the tabs of earlier tests are closed, so the page's worker is the
		// only one then.
		if ti.Type != "worker" || ti.ParentFrameID != "" && ti.ParentFrameID != frames.FrameTree.Frame.ID || !strings.HasSuffix(ti.URL, "/assets/worker.js?role=classifier") {
			continue
		}
		workers++
		wctx, cancel := chromedp.NewContext(p.ctx, chromedp.WithTargetID(ti.TargetID), chromedp.WithDetachOnCancel())
		err := chromedp.Do(wctx, chromedp.Evaluate[chromedp.Void](
			`setTimeout(() => { throw new Error("injected by the browser test") }, 0)`))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}
	if workers != 1 {
		t.Fatalf("found %d workers, want 1", workers)
	}
	p.waitFor(`document.querySelector("#worker-notice")?.textContent.includes("new one was started")`, "the worker notice")
	if got := p.text("#worker-notice"); !strings.Contains(got, "injected by the browser test") {
		t.Errorf("worker notice: got %q, want it to say why", got)
	}

	// The new worker has the model and works.
	checkClassified(t, p.pick("street-10015.jpg", "buildings-0.jpg"), []string{"street-10015.jpg", "buildings-0.jpg"})
	if got := p.text("#model-file"); got != "built-in" {
		t.Errorf("after the restart, model file: got %q, want built-in", got)
	}
}

func names(rs []result) []string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.Name
	}
	return s
}

// TestCardsFollowTheModel checks that the cards classified go on to say
// what the model in use makes of their photos: another model chosen,
// they are classified again, and read as the same photos given anew.
func TestCardsFollowTheModel(t *testing.T) {
	p := openPage(t)
	before := p.pick(clearBatch1...)
	p.upload("Model file", modelTestdata(t)...)
	p.waitFor(`document.querySelector("#model-file")?.textContent === "seed-resnet14.pth"`, "the model file to classify")
	again := p.settled(len(clearBatch1), len(clearBatch1))
	fresh := p.pick(clearBatch1...)
	if fmt.Sprint(again) != fmt.Sprint(fresh) {
		t.Errorf("the cards classified again read %+v, the photos given anew %+v", again, fresh)
	}
	if fmt.Sprint(again) == fmt.Sprint(before) {
		t.Errorf("the cards read %+v with both models, which classify apart", before)
	}
	if got, want := p.text("#results-bar span"), "8 images, newest first: 8 classified"; got != want {
		t.Errorf("the results bar says %q, want %q", got, want)
	}
	// Clear takes every card, and gives the focus to the file picker.
	p.press("Clear")
	p.waitFor(`document.querySelector("#results .result") === null && document.querySelector("#results-bar") === null`, "the cards cleared")
	p.waitFor(`document.activeElement?.id === "pick-images"`, "the focus on the file picker")
}
