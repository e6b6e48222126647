package e2e

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"github.com/intelscenes/resnet-browser/nn"
)

// What the page keeps in the browser (IndexedDB): models, runs and their
// checkpoints, the data sets of runs.

// reload reloads the page and waits for its model and its Models list.
func (p *page) reload() {
	p.t.Helper()
	p.do(chromedp.Reload())
	p.waitFor(`document.querySelector("#model-file") !== null && document.querySelector("#storage-line") !== null`, "the page to load again")
}

// rowShown reports whether the Models list has a row named name.
func (p *page) rowShown(name string) bool {
	return p.eval(`String(document.querySelector('#models li[aria-label=`+strconv.Quote(name)+`]') !== null)`) == "true"
}

// currentRow is the name of the Models list's row that classifies.
func (p *page) currentRow() string {
	return p.eval(`document.querySelector("#models li.current")?.getAttribute("aria-label") ?? ""`)
}

// weightsOf returns the tensors of a model file.
func weightsOf(t *testing.T, b []byte) map[string][]float32 {
	t.Helper()
	m, err := nn.ReadModel(bytes.NewReader(b), int64(len(b)), "model")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float32{}
	for _, ts := range m.Net.StateDict() {
		out[ts.Name] = ts.Data
	}
	return out
}

// TestModelsKeptAcrossReload trains a short run, reloads, and finds the
// model in the Models list and classifying, as before the reload;
// renamed, it keeps its name across a reload; its file, downloaded from
// the list, scores natively what the page showed; deleted, it is gone
// after a reload too and the built-in model classifies.
func TestModelsKeptAcrossReload(t *testing.T) {
	p := startRun(t, "/", 1)
	dir := p.downloads()
	p.waitFor(`document.querySelector("#training-ended")?.textContent.startsWith("Done")`, "the run to end")
	shown := p.text("#test-accuracy-line")
	const name = "trained-custom-seed1"
	p.waitFor(`document.querySelector('#models li.current')?.getAttribute("aria-label") === "`+name+`"`, "the trained model in the list, chosen")
	before := p.pick("sea-10016.jpg")[0]

	p.reload()
	p.waitFor(`document.querySelector("#model-file")?.textContent.startsWith("trained-")`, "the trained model to classify after the reload")
	if got := p.currentRow(); got != name {
		t.Errorf("after the reload the list's current model is %q, want %q", got, name)
	}
	after := p.pick("sea-10016.jpg")[0]
	if !reflect.DeepEqual(before.Predictions, after.Predictions) {
		t.Errorf("the same image before the reload %+v, after %+v", before.Predictions, after.Predictions)
	}
	if got := p.text("#storage-line"); !strings.Contains(got, "This page uses") {
		t.Errorf("storage line %q", got)
	}

	// Renamed, it keeps the name across a reload, and downloads by it.
	// Rename puts the cursor in the name's field; Enter saves it.
	p.clickIn("listitem", name, "Rename")
	p.waitFor(fmt.Sprintf(`document.activeElement?.getAttribute("aria-label") === %q`, "New name of "+name), "the focus in the new name's field")
	// Typed key by key, as a person types: the old name, selected, goes
	// with the first key, and the field keeps the rest.
	for _, keys := range []string{"my scenes", "\r"} {
		if _, err := chromedp.Run(p.ctx, chromedp.KeyEvent(keys)); err != nil {
			t.Fatal(err)
		}
	}
	p.waitFor(`document.querySelector('#models li[aria-label="my scenes"]') !== null`, "the new name")
	p.reload()
	if got := p.currentRow(); got != "my scenes" {
		t.Errorf("after renaming and a reload the current model is %q", got)
	}
	p.clickIn("listitem", "my scenes", "Download")
	if got := sampleAccuracy(t, p.downloaded(dir, "my scenes.safetensors")); got != shown {
		t.Errorf("the model downloaded from the list scores %q natively, the page showed %q", got, shown)
	}

	p.clickIn("listitem", "my scenes", "Delete")
	p.clickIn("listitem", "my scenes", "Yes, delete")
	p.waitFor(`document.querySelector('#models li[aria-label="my scenes"]') === null`, "the model to leave the list")
	p.waitFor(`document.querySelector("#model-file")?.textContent === "built-in"`, "the built-in model to classify")
	p.reload()
	if p.rowShown("my scenes") || p.text("#model-file") != "built-in" {
		t.Errorf("after deleting and a reload: the row is there %v, the model card shows %q", p.rowShown("my scenes"), p.text("#model-file"))
	}
}

// pauseKept pauses the run at work once it passed step n and waits for
// the checkpoint of the pause to be kept; it returns the step.
func (p *page) pauseKept(n int) int {
	p.t.Helper()
	p.waitFor(`Number(document.querySelector("#training-progress progress[aria-label='Progress of the run']")?.value) >= `+strconv.Itoa(n), fmt.Sprintf("step %d", n))
	p.click("Pause")
	p.waitFor(`document.querySelector("#training-status")?.textContent.startsWith("Paused")`, "the pause")
	at := p.stepShown()
	p.waitFor(`document.querySelector("#checkpoint-line")?.textContent.includes("at step `+strconv.Itoa(at)+` (")`, "the pause's checkpoint to be kept")
	return at
}

// TestRunResumesAfterReload pauses a run mid-epoch, reloads the page,
// resumes the run from its checkpoint on the data set the browser kept,
// and ends with the weights of the same run never interrupted.
func TestRunResumesAfterReload(t *testing.T) {
	const model = "trained-custom-seed1.safetensors"
	whole := startRun(t, "/", 4)
	dir := whole.downloads()
	whole.waitFor(`document.querySelector("#training-ended")?.textContent.startsWith("Done")`, "the uninterrupted run to end")
	whole.waitFor(`document.querySelector("#model-file")?.textContent.startsWith("trained-")`, "its model")
	whole.click("Download model")
	want := weightsOf(t, whole.downloaded(dir, model))

	p := startRun(t, "/", 4)
	at := p.pauseKept(5) // in the second epoch of three steps
	p.reload()
	p.waitFor(`document.querySelector("#interrupted-run") !== null`, "the interrupted run to be offered")
	screenshot(p, "resume-offered.png")
	if got := p.text("#interrupted-run"); !strings.Contains(got, fmt.Sprintf("saved at step %d of 12", at)) || !strings.Contains(got, "2 workers") {
		t.Errorf("the offer: %q", got)
	}
	// The top of the page says so too, with a link to the offer.
	if got, href := p.text("#interrupted-notice"), p.attr("#interrupted-notice a", "href"); !strings.Contains(got, "A run was interrupted") || href != "#interrupted-run" {
		t.Errorf("the notice at the top: %q, its link %q", got, href)
	}
	dir2 := p.downloads()
	p.click("Resume run")
	p.waitFor(`document.querySelector("#dataset-facts")?.textContent.startsWith("sample-scenes.zip")`, "the kept data set")
	p.waitFor(`document.querySelector("#interrupted-notice") === null`, "the notice to go as the run resumes")
	p.waitFor(`document.querySelector("#training-ended")?.textContent.startsWith("Done")`, "the resumed run to end")
	if got := p.text("#training-ended"); !strings.Contains(got, "4 of 4 epochs") {
		t.Errorf("ended: %q", got)
	}
	p.waitFor(`document.querySelector("#model-file")?.textContent.startsWith("trained-")`, "the resumed run's model")
	p.click("Download model")
	if got := weightsOf(t, p.downloaded(dir2, model)); !reflect.DeepEqual(got, want) {
		t.Error("the run resumed after a reload ends with other weights than the run never interrupted")
	}
	if p.eval(`String(document.querySelector("#interrupted-run") === null)`) != "true" {
		t.Error("a finished run is still offered to resume")
	}
}

// TestStorageFull gives the page a quota that holds one model (the
// DevTools protocol's Storage.overrideQuotaForOrigin, which Chromium
// applies to an origin's writes from before its first), keeps a model
// file, then trains: neither the run's data set nor its model fits,
// which the page says; the model kept before is not lost, and
// persistent storage was asked for.
func TestStorageFull(t *testing.T) {
	p := openPage(t)
	origin := strings.TrimSuffix(pageURL, "/")
	quota := 1.5e6
	if _, err := chromedp.Call(p.ctx, storage.OverrideQuotaForOrigin, storage.OverrideQuotaForOriginParams{Origin: origin, QuotaSize: &quota}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(p.ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{
		Source: `(() => { const s = navigator.storage; const persist = s.persist.bind(s);
			s.persist = () => { localStorage.setItem("persist-asked", "yes"); return persist(); }; })()`}); err != nil {
		t.Fatal(err)
	}
	p.reload()
	p.upload("Model file", modelTestdata(t)...)
	p.waitFor(`document.querySelector('#models li.current')?.getAttribute("aria-label") === "seed-resnet14.pth"`, "the model file kept")
	if got := p.eval(`localStorage.getItem("persist-asked") ?? ""`); got != "yes" {
		t.Error("the page never asked for persistent storage")
	}
	p.trainSample(4) // long enough for the note, shown while the run trains, to be seen
	p.waitFor(`document.querySelector("#runs-note") !== null || document.querySelector("#training-ended") !== null`, "the run to start")
	if got := p.text("#runs-note"); !strings.Contains(got, "cannot resume after a reload") || !strings.Contains(got, "full") {
		t.Errorf("the run's note: %q", got)
	}
	p.waitFor(`document.querySelector("#training-ended")?.textContent.startsWith("Done")`, "the run to end")
	p.waitFor(`document.querySelector("#models-error") !== null`, "the message that the model could not be kept")
	if got := p.text("#models-error"); !strings.Contains(got, "full") || !strings.Contains(got, "trained-custom-seed1") {
		t.Errorf("message %q", got)
	}
	if !strings.HasPrefix(p.text("#model-file"), "trained-") {
		t.Errorf("the trained model does not classify: %q", p.text("#model-file"))
	}
	screenshot(p, "storage-full.png")
	p.reload()
	if !p.rowShown("seed-resnet14.pth") || p.rowShown("trained-custom-seed1") {
		t.Errorf("after a reload: the model kept before listed %v, the one that did not fit listed %v", p.rowShown("seed-resnet14.pth"), p.rowShown("trained-custom-seed1"))
	}
	p.waitFor(`document.querySelector("#model-file")?.textContent === "seed-resnet14.pth"`, "the model kept before to classify")
}

// openTab opens the page in another tab of p's browser context, which
// shares its storage, and returns it with the func that closes it.
func (p *page) openTab() (*page, func()) {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx)
	q := &page{ctx: ctx, t: p.t}
	q.do(chromedp.Navigate(pageURL))
	q.waitFor(`document.querySelector("#model-file") !== null && document.querySelector("#storage-line") !== null`, "the second tab to load")
	return q, cancel
}

// TestTwoTabs runs a run in a second tab: the first tab never offers it
// as interrupted while it lives, and offers it once that tab is closed.
func TestTwoTabs(t *testing.T) {
	first := openPage(t)
	p, closeTab := first.openTab()
	p.trainSample(40)
	p.pauseKept(2)
	first.reload()
	time.Sleep(2 * time.Second) // the runs kept are read after the page loads
	if first.eval(`String(document.querySelector("#interrupted-run") === null)`) != "true" {
		t.Errorf("the first tab offers the run live in the second: %q", first.text("#interrupted-run"))
	}
	closeTab()
	first.reload()
	first.waitFor(`document.querySelector("#interrupted-run") !== null`, "the run of the closed tab to be offered")
	if got := first.text("#interrupted-run"); !strings.Contains(got, "of 120") {
		t.Errorf("the offer: %q", got)
	}
}
