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

// BenchmarkClassifyMany gives the page 1,000 photos of the data set's
// size (150×150 JPEGs, the real images of testdata under other names) at
// once, and times until every card shows its classes. It ends with a
// line such as
//
//	classify-many images=1000 seconds=9.8 images/s=102
func BenchmarkClassifyMany(b *testing.B) {
	const n = 1000
	names, files := realImages(b)
	dir := b.TempDir()
	paths := make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("%04d-%s", i, names[i%len(names)]))
		if err := os.WriteFile(paths[i], files[names[i%len(names)]], 0o644); err != nil {
			b.Fatal(err)
		}
	}
	p := openPageWithin(b, 5*time.Minute)
	// The page's main thread: the tasks of 50 ms or more that it ran (the
	// browser's long tasks), which are what a person feels as a page
	// that does not respond.
	p.eval(`window.longTasks = []; new PerformanceObserver(l => { for (const e of l.getEntries()) window.longTasks.push(e.duration) }).observe({type: "longtask"}); "ok"`)
	start := time.Now()
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#pick-images"), paths))
	p.waitFor(`document.querySelector("#results-bar")?.dataset.pending === "0"`, "the photos to be classified")
	secs := time.Since(start).Seconds()
	if got, want := p.text("#results-bar span"), "1,000 images, newest first: 1,000 classified"; got != want {
		b.Errorf("the results bar says %q, want %q", got, want)
	}
	long := p.eval(`"tasks=" + longTasks.length + " busy_ms=" + Math.round(longTasks.reduce((a, b) => a + b, 0)) + " longest_ms=" + Math.round(Math.max(0, ...longTasks))`)
	b.ReportMetric(n/secs, "images/s")
	fmt.Printf("\nclassify-many images=%d seconds=%.1f images/s=%.0f main-thread long %s\n", n, secs, n/secs, long)
}

// TestManyImages gives the page 130 photos at once: all are classified,
// the newest 100 cards are shown with a button for the rest, and the
// page counts the images of each class.
func TestManyImages(t *testing.T) {
	const n = 130
	names, files := realImages(t)
	dir := t.TempDir()
	paths := make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("%03d-%s", i, names[i%len(names)]))
		if err := os.WriteFile(paths[i], files[names[i%len(names)]], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := openPage(t)
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#pick-images"), paths))
	p.waitFor(`document.querySelector("#results-bar")?.dataset.pending === "0"`, "the photos to be classified")
	if got, want := p.text("#results-bar span"), "130 images, newest first: 130 classified"; got != want {
		t.Errorf("the results bar says %q, want %q", got, want)
	}
	if got := len(p.results()); got != 100 {
		t.Errorf("%d cards shown, want the newest 100", got)
	}
	if got := p.text("#results-tally"); !strings.HasPrefix(got, "Most probable class: ") || !strings.Contains(got, "forest") {
		t.Errorf("tally %q", got)
	}
	screenshot(p, "many.png")
	p.click("Show 30 more (of 30 not shown)")
	p.waitFor(`document.querySelectorAll("#results .result").length === 130`, "all the cards")
	rs := p.results()
	if rs[0].Name != filepath.Base(paths[0]) || rs[n-1].Name != filepath.Base(paths[n-1]) {
		t.Errorf("cards not in the order picked: %s ... %s", rs[0].Name, rs[n-1].Name)
	}
}
