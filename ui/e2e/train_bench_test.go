package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// BenchmarkTrainPage times training steps of a real run through the
// page (the recipe form, Train, the live charts: the reference recipe
// on the sample, 8 epochs of 4 steps without validation) on 1
// and 2 workers, each alternately with the worker's own benchmark
// (bench-train, 16 steps of batch 64) in the same tab, twice. It ends
// with lines such as
//
//	train-page workers=2 images/s=188.1 bench-train images/s=190.2 ratio=0.99
func BenchmarkTrainPage(b *testing.B) {
	p := openPageWithin(b, 15*time.Minute)
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	var lines []string
	for round := range 2 {
		for _, workers := range []int{1, 2} {
			bench := runWorker(b, p.ctx, benchAsk{protocol.BenchTrain, protocol.BenchRequest{Name: "images.zip",
				Batch: 64, Steps: 16, Workers: workers}}).Answers[0].ImagesPerSec
			p.choose("Preset", "reference")
			p.fill("Epochs", "8")
			p.openAdvanced()
			p.fill("Validation fraction", "0") // 4 steps an epoch, none of them after a validation
			p.fill("Workers", strconv.Itoa(workers))
			p.click("Train")
			p.waitFor(`document.querySelector("#training-ended") !== null && !document.querySelector("#train")?.disabled`, "the run to end")
			if got := p.text("#training-ended"); !strings.HasPrefix(got, "Done") {
				b.Fatalf("the run ended: %q", got)
			}
			page, _ := strconv.ParseFloat(p.attr("#training-progress", "data-speed"), 64)
			lines = append(lines, fmt.Sprintf("train-page round=%d workers=%d images/s=%.1f bench-train images/s=%.1f ratio=%.3f",
				round+1, workers, page, bench, page/bench))
		}
	}
	fmt.Printf("\n%s\n", strings.Join(lines, "\n"))
}
