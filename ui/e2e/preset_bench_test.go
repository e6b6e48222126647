package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkTrainPreset trains a preset (PRESET, default quick) on the
// 14,034-image training zip (../shared/data/intel-scenes-train.zip)
// through the page, as a person would, once for each of SEEDS (default
// "1"), on the page's default workers, and prints for each the wall
// time from giving the zip to the end of the run (data loading
// included) and the final validation accuracy:
//
//	train-preset preset=quick seed=1 workers=2 wall-seconds=545 validation="accuracy: 0.8490 (2383/2807)"
//
// With SCREENSHOT set it saves the page halfway through the first run
// as assets/screenshot-training.png.
func BenchmarkTrainPreset(b *testing.B) {
	zipPath := realZip()
	if zipPath == "" {
		b.Skip("no ../shared/data/intel-scenes-train.zip beside the repository")
	}
	preset := os.Getenv("PRESET")
	if preset == "" {
		preset = "quick"
	}
	seeds := strings.Split(os.Getenv("SEEDS"), ",")
	if seeds[0] == "" {
		seeds = []string{"1"}
	}
	for i, seed := range seeds {
		p := openPageWithin(b, 60*time.Minute)
		start := time.Now()
		p.upload("Dataset zip", zipPath)
		p.waitFor(`document.querySelector("#dataset-facts")?.textContent.startsWith("intel-scenes-train.zip:")`, "the data set")
		loaded := time.Since(start)
		p.choose("Preset", preset)
		p.openAdvanced()
		p.fill("Seed", seed)
		workers := p.eval(`document.querySelector("#recipe-workers").value`)
		p.click("Train")
		if i == 0 && os.Getenv("SCREENSHOT") != "" && os.Getenv("SCREENSHOT") != "0" {
			p.waitWithin(`(() => { const v = document.querySelector("#training-progress progress[aria-label='Progress of the run']"); return v && v.value >= v.max / 2 })()`, "half the run", 50*time.Minute)
			png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				b.Fatal(err)
			}
			out := filepath.Join(repoRoot, "assets", "screenshot-training.png")
			if err := os.WriteFile(out, png, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		p.waitWithin(`document.querySelector("#training-ended") !== null`, "the run", 55*time.Minute)
		wall := time.Since(start)
		fmt.Printf("\ntrain-preset preset=%s seed=%s workers=%s wall-seconds=%.0f load-seconds=%.1f ended=%q validation=%q figures=%q\n",
			preset, seed, workers, wall.Seconds(), loaded.Seconds(), p.text("#training-ended"), p.text("#val-accuracy-line"), p.text("#training-figures"))
	}
}
