package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// stepShown is the run's step as the page shows it.
func (p *page) stepShown() int {
	p.t.Helper()
	v, _ := strconv.Atoi(p.attr("#training-progress progress[aria-label='Progress of the run']", "value"))
	return v
}

// attr returns the attribute name of the element sel selects, or "".
func (p *page) attr(sel, name string) string {
	p.t.Helper()
	return p.eval(`document.querySelector(` + strconv.Quote(sel) + `)?.getAttribute(` + strconv.Quote(name) + `) ?? ""`)
}

// startRun loads the sample and trains the default recipe for epochs
// epochs on two workers, from the page opened at path.
func startRun(t *testing.T, path string, epochs int) *page {
	t.Helper()
	p := openPageAt(t, path, 4*time.Minute)
	p.trainSample(epochs)
	return p
}

// trainSample loads the sample and trains the default recipe for epochs
// epochs on two workers.
func (p *page) trainSample(epochs int) {
	p.t.Helper()
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	p.choose("Preset", "default")
	p.fill("Epochs", strconv.Itoa(epochs))
	p.fill("Workers", "2")
	p.click("Train")
}

// TestTrainInThePage trains a model on the sample on two workers,
// pauses, resumes and stops it: the stopped run's model is kept in the
// list, the built-in one classifying until the person uses the new one.
func TestTrainInThePage(t *testing.T) {
	p := startRun(t, "/", 40)
	p.waitFor(`Number(document.querySelector("#training-progress progress[aria-label='Progress of the run']")?.value) >= 4`, "four steps")
	for _, id := range []string{"loss-chart", "accuracy-chart", "lr-chart", "beta-chart"} {
		if p.text("#"+id+" figcaption") == "" {
			t.Errorf("no chart %s", id)
		}
	}
	// The data set cannot be edited while the run trains on it.
	if got := p.text("#dataset-locked"); !strings.Contains(got, "can be edited once the run ends") {
		t.Errorf("during the run the data set panel says %q", got)
	}
	// An image dropped during the run is classified by the model the page
	// had before it.
	checkClassified(t, p.pick("forest-10007.jpg"), []string{"forest-10007.jpg"})
	if got := p.text("#model-file"); got != "built-in" {
		t.Errorf("during the run the model card shows %q, want built-in", got)
	}
	p.click("Pause")
	p.waitFor(`document.querySelector("#training-status")?.textContent.startsWith("Paused")`, "the run to pause")
	at := p.stepShown()
	time.Sleep(1500 * time.Millisecond)
	if now := p.stepShown(); now != at {
		t.Errorf("paused at step %d, the page shows step %d later", at, now)
	}
	p.click("Resume")
	p.waitFor(`Number(document.querySelector("#training-progress progress[aria-label='Progress of the run']")?.value) >= `+strconv.Itoa(at+4), "the run to go on")
	p.click("Stop")
	p.waitFor(`document.querySelector("#training-ended") !== null`, "the run to stop")
	if got := p.text("#training-ended"); !strings.HasPrefix(got, "Stopped after") {
		t.Errorf("ended: %q", got)
	}
	if p.eval(`String(document.querySelector("#dataset-locked"))`) != "null" {
		t.Error("after the run the data set still cannot be edited")
	}
	if got := p.text("#test-accuracy-line"); !strings.HasPrefix(got, "accuracy: ") {
		t.Errorf("the test report's accuracy line: %q", got)
	}
	if got := p.text("#val-accuracy-line"); !strings.HasPrefix(got, "accuracy: ") {
		t.Errorf("the validation report's accuracy line: %q", got)
	}
	// Stopped, the run's model is kept in the list, and the model in use
	// stays until the person chooses the stopped one.
	p.waitFor(`document.querySelector('#models li[aria-label^="trained-"]') !== null`, "the stopped run's model in the list")
	if got := p.text("#model-file"); got != "built-in" {
		t.Errorf("after Stop the model card shows %q, want built-in", got)
	}
	checkClassified(t, p.pick("sea-10016.jpg"), []string{"sea-10016.jpg"})
	trained := p.eval(`document.querySelector('#models li[aria-label^="trained-"]').getAttribute("aria-label")`)
	p.clickIn("listitem", trained, "Use")
	p.waitFor(`document.querySelector("#model-file")?.textContent.startsWith("trained-")`, "the trained model in the model card")
	if got := p.text("#model-source"); !strings.Contains(got, "trained in this page with the custom recipe, seed 1") || !strings.Contains(got, "stopped at step") {
		t.Errorf("model source: %q", got)
	}
	rs := p.settled(2, 2)
	if rs[0].Status != "done" || len(rs[0].Predictions) != 3 {
		t.Errorf("the images after choosing the stopped model: %+v", rs)
	}
	screenshot(p, "training.png")
}

// downloads has the browser save downloads into a new folder, and
// returns it.
func (p *page) downloads() string {
	p.t.Helper()
	dir := p.t.TempDir()
	if _, err := chromedp.Call(p.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
		BrowserContextID: chromedp.FromContext(p.ctx).BrowserContextID}); err != nil {
		p.t.Fatal(err)
	}
	return dir
}

// downloaded waits for the file name to arrive in dir, whole, and
// returns its bytes.
func (p *page) downloaded(dir, name string) []byte {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil && len(b) > 0 {
			if _, err := os.Stat(filepath.Join(dir, name+".crdownload")); err != nil {
				return b
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.t.Fatalf("no %s downloaded", name)
	return nil
}

// sampleAccuracy returns the accuracy line of the model file, evaluated
// natively on the sample's test split.
func sampleAccuracy(t *testing.T, model []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := os.WriteFile(path, model, 0o644); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(repoRoot, path)
	ev, _ := nativeEvaluation(t, rel, filepath.Join(repoRoot, sampleZip))
	return ev.Accuracy
}

// TestTrainedModelDownloads trains a short run on the sample, downloads
// the model and the history, and evaluates the model's file natively:
// the same test accuracy as the page showed.
func TestTrainedModelDownloads(t *testing.T) {
	p := startRun(t, "/", 2)
	dir := p.downloads()
	p.waitFor(`document.querySelector("#training-ended")?.textContent.startsWith("Done")`, "the run to end")
	shown := p.text("#test-accuracy-line")
	p.waitFor(`document.querySelector("#model-file")?.textContent.startsWith("trained-")`, "the trained model in the model card")
	p.click("Download model")
	model := p.downloaded(dir, "trained-custom-seed1.safetensors")
	p.click("Download history")
	csv := string(p.downloaded(dir, "training-history.csv"))
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "epoch,train_loss") {
		t.Errorf("history:\n%s", csv)
	}
	if got := sampleAccuracy(t, model); got != shown {
		t.Errorf("the downloaded model scores %q natively, the page showed %q", got, shown)
	}
}

// TestPauseOnOneWorker pauses a run on one worker, where no helper's
// answer lets the worker's messages in: the pause takes effect after the
// step at work, not at the epoch's end.
func TestPauseOnOneWorker(t *testing.T) {
	p := openPageWithin(t, 4*time.Minute)
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	p.choose("Preset", "default")
	p.openAdvanced()
	p.fill("Batch size", "16") // 12 steps an epoch
	p.fill("Workers", "1")
	p.click("Train")
	p.waitFor(`Number(document.querySelector("#training-progress progress[aria-label='Progress of the run']")?.value) >= 2`, "two steps")
	p.click("Pause")
	at := p.stepShown()
	p.waitWithin(`document.querySelector("#training-status")?.textContent.startsWith("Paused")`, "the pause", 20*time.Second)
	if now := p.stepShown(); now > at+2 {
		t.Errorf("Pause pressed at step %d took effect at step %d", at, now)
	}
	p.click("Stop")
}

// TestTrainDiverges makes a run's step 5 diverge: the run stops there,
// says so, and the page still classifies.
func TestTrainDiverges(t *testing.T) {
	p := startRun(t, "/?nan-step=5", 24)
	p.waitFor(`document.querySelector("#training-ended") !== null`, "the run to end")
	if got := p.text("#training-ended"); !strings.Contains(got, "The loss was not a number at step 5") {
		t.Errorf("ended: %q", got)
	}
	// The model of the four good steps classifies, poorly but surely.
	if rs := p.pick("street-10015.jpg"); rs[0].Status != "done" || len(rs[0].Predictions) != 3 {
		t.Errorf("an image after the run: %+v", rs[0])
	}
}

// TestTrainHelperKilled kills a helper worker mid-run through the
// DevTools protocol, as a crash would: the run reports it, the page keeps
// a working classifier and its data set, offers the run's last
// checkpoint to resume, and a new run starts.
func TestTrainHelperKilled(t *testing.T) {
	p := startRun(t, "/", 30)
	p.waitFor(`Number(document.querySelector("#training-progress progress[aria-label='Progress of the run']")?.value) >= 5`, "five steps")
	p.killHelper()
	p.waitFor(`document.querySelector("#training-ended") !== null`, "the run to end")
	if got := p.text("#training-ended"); !strings.Contains(got, "A worker failed at step") {
		t.Errorf("ended: %q", got)
	}
	// Its last checkpoint is offered to resume.
	p.waitFor(`document.querySelector("#interrupted-run") !== null`, "the run to be offered to resume")
	if rs := p.pick("street-10015.jpg"); rs[0].Status != "done" || len(rs[0].Predictions) != 3 {
		t.Errorf("an image after the run: %+v", rs[0])
	}
	if got := p.text("#dataset-facts"); !strings.HasPrefix(got, "sample-scenes.zip:") {
		t.Errorf("the data set is gone: %q", got)
	}
	p.fill("Epochs", "1")
	p.click("Train")
	p.waitFor(`document.querySelector("#training-ended")?.textContent.startsWith("Done")`, "a new run to end")
}

// killHelper ends a helper worker of the data set worker, as a crash
// does: without an error event. (Chromium's DevTools cannot attach to a
// nested worker; the data set worker lists its helpers in nnHelpers.)
func (p *page) killHelper() {
	p.t.Helper()
	targets, err := chromedp.Targets(p.ctx)
	if err != nil {
		p.t.Fatal(err)
	}
	for _, ti := range targets {
		if ti.Type != "worker" || !strings.HasSuffix(ti.URL, "/assets/worker.js?role=datasets") {
			continue
		}
		wctx, cancel := chromedp.NewContext(p.ctx, chromedp.WithTargetID(ti.TargetID), chromedp.WithDetachOnCancel())
		defer cancel()
		n, err := chromedp.Run(wctx, chromedp.Evaluate[int](`(() => { const h = globalThis.nnHelpers ?? []; h.forEach(w => w.terminate()); return h.length })()`))
		if err != nil || n == 0 {
			p.t.Fatalf("ending the helpers: %d ended, %v", n, err)
		}
		return
	}
	p.t.Fatalf("no data set worker among %d targets", len(targets))
}

// TestTrainAtAnotherSide trains a network of another input size than the
// built-in model's and the preset's on the sample, loaded at the built-in
// model's, and evaluates the model it leaves: the page decodes the images
// again at that size and scores the model as resnet evaluate does.
func TestTrainAtAnotherSide(t *testing.T) {
	side := 40
	if readModel(t, builtinModel).Meta.InputSize == side {
		side = 36
	}
	size := fmt.Sprintf("%d×%d", side, side)
	p := openPageWithin(t, 4*time.Minute)
	dir := p.downloads()
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	p.choose("Preset", "default")
	p.fill("Epochs", "1")
	p.fill("Workers", "1")
	p.openAdvanced()
	p.fill("Input size", strconv.Itoa(side))
	p.waitFor(`document.querySelector("#recipe-cost")?.textContent.includes("its images are decoded again from the zip at `+size+` when the run starts")`, "the cost to say the images are read again")
	p.click("Train")
	p.waitFor(`document.querySelector("#training-ended")?.textContent.startsWith("Done")`, "the run to end")
	p.waitFor(`document.querySelector("#model-file")?.textContent.startsWith("trained-")`, "the trained model in the model card")
	if got := p.text("#model-input"); !strings.Contains(got, size) {
		t.Errorf("the trained model's input: %q", got)
	}
	screenshot(p, "train-"+strconv.Itoa(side)+".png")
	p.click("Download model")
	model := p.downloaded(dir, "trained-custom-seed1.safetensors")
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := os.WriteFile(path, model, 0o644); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(repoRoot, path)
	want, ties := nativeEvaluation(t, rel, filepath.Join(repoRoot, sampleZip))
	checkEvaluation(t, p.evaluate(), want, ties)
}
