package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// realZip returns the path of the project's development copy of the
// Intel scenes training zip, beside the repository, or "" if it is not
// there.
func realZip() string {
	p := filepath.Join(repoRoot, "..", "shared", "data", "intel-scenes-train.zip")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// BenchmarkLoadZip times the dataset panel reading the 14,034-image
// training zip (../shared/data/intel-scenes-train.zip) through its file
// input, on navigator.hardwareConcurrency workers, as the page reports
// it, and the peak memory of the browser's renderer processes while it
// does (their proportional set size, which counts the page, its workers
// and their WebAssembly memory). It ends with a line such as
//
//	load-zip images=14034 workers=2 seconds=12.1 images/s=1160 renderer-peak-MB=410
func BenchmarkLoadZip(b *testing.B) {
	zipPath := realZip()
	if zipPath == "" {
		b.Skip("no ../shared/data/intel-scenes-train.zip beside the repository: nothing to time")
	}
	p := openPageWithin(b, 10*time.Minute)
	before := rendererPSS()
	var mu sync.Mutex
	peak := before
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if os.Getenv("NOPSS") != "" {
				continue
			}
			if m := rendererPSS(); m > 0 {
				mu.Lock()
				peak = max(peak, m)
				mu.Unlock()
			}
		}
	}()
	start := time.Now()
	p.upload("Dataset zip", zipPath)
	p.waitFor(`document.querySelector("#dataset-facts")?.textContent.startsWith("intel-scenes-train.zip:") || document.querySelector("#dataset-error") !== null`, "the data set")
	wall := time.Since(start)
	close(stop)
	if msg := p.text("#dataset-error"); msg != "" {
		b.Fatal(msg)
	}
	facts := p.text("#dataset-facts")
	// "NAME: 14,034 images of 6 classes, read in 12.1 s on 2 workers (1,160 images/s). ..."
	var images, classes, workers int
	var secs float64
	var imgs, rest string
	if _, err := fmt.Sscanf(facts[strings.Index(facts, ":")+2:], "%s images of %d classes, read in %g s on %d workers%s", &imgs, &classes, &secs, &workers, &rest); err != nil {
		b.Fatalf("reading %q: %v", facts, err)
	}
	images, _ = strconv.Atoi(strings.ReplaceAll(imgs, ",", ""))
	mu.Lock()
	b.ReportMetric(float64(images)/secs, "images/s")
	line := fmt.Sprintf("load-zip images=%d workers=%d seconds=%.1f images/s=%.0f wall-seconds=%.1f renderer-MB-before=%d renderer-peak-MB=%d",
		images, workers, secs, float64(images)/secs, wall.Seconds(), before>>20, peak>>20)
	mu.Unlock()

	// The built-in model on all of it (the zip has no test split), on the
	// page and natively.
	start = time.Now()
	got := p.evaluate()
	evalSecs := time.Since(start).Seconds()
	want, ties := nativeEvaluation(b, builtinModel, zipPath)
	fmt.Printf("\n%s\nevaluate images=%d seconds=%.1f page=%q native=%q near-ties=%d same-matrix=%v\n",
		line, images, evalSecs, got.Accuracy, want.Accuracy, ties, reflect.DeepEqual(got.Matrix, want.Matrix))
}

// rendererPSS returns the summed proportional set size, in bytes, of
// the browser's renderer processes, or 0 where /proc cannot tell.
func rendererPSS() int64 {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var sum int64
	for _, d := range dirs {
		cmd, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || !strings.Contains(string(cmd), "--type=renderer") {
			continue
		}
		roll, err := os.ReadFile(filepath.Join(d, "smaps_rollup"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(roll), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "Pss:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				sum += kb << 10
			}
		}
	}
	return sum
}
