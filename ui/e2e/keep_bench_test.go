package e2e

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkKeepRun measures what keeping a run costs on the 14,034-image
// training zip (../shared/data/intel-scenes-train.zip) with the
// reference recipe: keeping the decoded data set when the run starts,
// writing the checkpoint of a pause, the storage used, and, after a
// reload, reading the checkpoint and the data set back to resume. It
// prints what the page says of each.
func BenchmarkKeepRun(b *testing.B) {
	zipPath := realZip()
	if zipPath == "" {
		b.Skip("no ../shared/data/intel-scenes-train.zip beside the repository")
	}
	p := openPageWithin(b, 10*time.Minute)
	p.upload("Dataset zip", zipPath)
	p.waitWithin(`document.querySelector("#dataset-facts")?.textContent.startsWith("intel-scenes-train.zip:")`, "the data set", 2*time.Minute)
	p.choose("Preset", "reference")
	p.click("Train")
	p.waitWithin(`document.querySelector("#checkpoint-line")?.textContent.startsWith("The data set is kept")`, "the data set to be kept", 2*time.Minute)
	keptLine := p.text("#checkpoint-line")
	p.waitWithin(`Number(document.querySelector("#training-progress progress[aria-label='Progress of the run']")?.value) >= 3`, "three steps", 2*time.Minute)
	p.click("Pause")
	p.waitFor(`document.querySelector("#checkpoint-line")?.textContent.startsWith("Checkpoint kept")`, "the pause's checkpoint")
	ckptLine := p.text("#checkpoint-line")
	paused := p.stepShown()
	used, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](`navigator.storage.estimate().then(e => e.usage)`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.Fatal(err)
	}
	p.reload()
	start := time.Now()
	p.click("Resume run")
	p.waitWithin(`document.querySelector("#checkpoint-line")?.textContent.startsWith("Resumed")`, "the run to resume", 2*time.Minute)
	resumed := time.Since(start)
	resumeLine := p.text("#checkpoint-line")
	p.waitWithin(`Number(document.querySelector("#training-progress progress[aria-label='Progress of the run']")?.value) > `+strconv.Itoa(paused), "a step after the pause", 2*time.Minute)
	stepped := time.Since(start)
	facts := p.text("#dataset-facts")
	p.click("Stop")
	fmt.Printf("\n%s\n%s\nstorage used: %.1f MB\n%s\nthe data set kept: %s\nResume run pressed to the line that says so: %.2f s, to the first step after the pause: %.2f s\n",
		keptLine, ckptLine, used/1e6, resumeLine, facts, resumed.Seconds(), stepped.Seconds())
}
