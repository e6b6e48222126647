package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// focusedName is the accessible name of the element with the focus, as
// near as its label, aria-label or text give it.
const focusedName = `(() => { const e = document.activeElement; if (!e || e === document.body) return "";
	return (e.getAttribute("aria-label") || (e.labels && e.labels[0] && e.labels[0].textContent) || e.textContent || "").trim() })()`

// tabTo presses Tab until the control named name has the focus, as a
// person at the keyboard does.
func (p *page) tabTo(name string) {
	p.t.Helper()
	for range 300 {
		if p.eval(focusedName) == name {
			return
		}
		p.do(chromedp.KeyEvent("\t"))
	}
	p.t.Fatalf("Tab never reached %q", name)
}

// TestKeyboardOnly goes through the whole flow by keyboard alone: pick
// a dataset zip, evaluate, train, pause, resume and download the model.
func TestKeyboardOnly(t *testing.T) {
	p := openPage(t)
	dir := p.downloads()
	chooser := make(chan cdp.BackendNodeID, 1)
	go func() {
		for e, err := range chromedp.Events(p.ctx, cdppage.FileChooserOpened) {
			if err != nil {
				return
			}
			chooser <- e.BackendNodeID
			return
		}
	}()
	if _, err := chromedp.Call(p.ctx, cdppage.SetInterceptFileChooserDialog, cdppage.SetInterceptFileChooserDialogParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	p.tabTo("Dataset zip")
	p.do(chromedp.KeyEvent(" "))
	select {
	case id := <-chooser:
		if _, err := chromedp.Call(p.ctx, dom.SetFileInputFiles, dom.SetFileInputFilesParams{Files: []string{filepath.Join(repoRoot, sampleZip)}, BackendNodeID: id}); err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Space on the dataset zip's input opened no file chooser")
	}
	p.waitDataset("sample-scenes.zip")

	p.tabTo("Evaluate")
	p.do(chromedp.KeyEvent("\r"))
	p.waitFor(`document.querySelector("#accuracy-line") !== null`, "the evaluation")

	p.tabTo("Epochs") // 3, typed: a short run
	p.do(chromedp.KeyEvent("\b\b3"))
	p.tabTo("Train")
	p.do(chromedp.KeyEvent("\r"))
	p.tabTo("Pause")
	p.do(chromedp.KeyEvent("\r"))
	p.waitFor(`[...document.querySelectorAll("#training-panel button")].some(b => b.textContent === "Resume")`, "the run paused")
	p.tabTo("Resume")
	p.do(chromedp.KeyEvent("\r"))
	p.waitFor(`document.querySelector("#training-ended")?.textContent.startsWith("Done")`, "the run to end")

	p.waitFor(`document.querySelector("#model-file")?.textContent.startsWith("trained-")`, "the trained model in the model card")
	p.tabTo("Download model")
	p.do(chromedp.KeyEvent("\r"))
	deadline := time.Now().Add(30 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.safetensors"))
		if len(files) == 1 {
			if b, err := os.ReadFile(files[0]); err == nil && len(b) > 0 && strings.HasPrefix(filepath.Base(files[0]), "trained-") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no trained model downloaded into %s (%v)", dir, files)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
