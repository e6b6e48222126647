package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// workerJS starts a worker of its own in the page, waits until it is
// ready, sends it each request of %s, with the bytes of the base64 %q as
// its body, and returns its ready notice and its answers.
const workerJS = `(async (requests, body64) => {
	const worker = new Worker("/assets/worker.js");
	const next = () => new Promise((resolve, reject) => {
		worker.onmessage = (e) => resolve(JSON.parse(e.data.head));
		worker.onerror = (e) => reject(new Error("the worker failed: " + e.message));
	});
	try {
		const ready = await next();
		const body = Uint8Array.from(atob(body64), (c) => c.charCodeAt(0)).buffer;
		const answers = [];
		for (const r of requests) {
			const answer = next();
			worker.postMessage({ head: JSON.stringify(r), body: body.slice(0) });
			answers.push(await answer);
		}
		return { ready, answers };
	} finally {
		worker.terminate();
	}
})(%s, %q)`

// workerRun is what workerJS returns.
type workerRun struct {
	Ready   protocol.Response   `json:"ready"`
	Answers []protocol.Response `json:"answers"`
}

// runWorker runs workerJS in the tab ctx with the requests and the
// dataset zip of testdata's images.
func runWorker(tb testing.TB, ctx context.Context, reqs ...protocol.Request) workerRun {
	tb.Helper()
	heads, err := json.Marshal(reqs)
	if err != nil {
		tb.Fatal(err)
	}
	body := base64.StdEncoding.EncodeToString(imagesZip(tb))
	run, err := chromedp.Run(ctx, chromedp.Evaluate[workerRun](fmt.Sprintf(workerJS, heads, body), chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatal(err)
	}
	if len(run.Answers) != len(reqs) {
		tb.Fatalf("got %d answers to %d requests", len(run.Answers), len(reqs))
	}
	for i, a := range run.Answers {
		if a.Error != "" || a.ID != reqs[i].ID || a.Bench == nil {
			tb.Fatalf("request %+v: got %+v, want a benchmark's result", reqs[i], a)
		}
	}
	return run
}

// imagesZip returns a dataset zip of the clear examples in testdata, in
// class folders.
func imagesZip(tb testing.TB) []byte {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*-*.jpg"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no class-id.jpg images in testdata (%v)", err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range names {
		img, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		base := filepath.Base(name)
		class, _, _ := strings.Cut(base, "-")
		f, err := zw.Create(class + "/" + base)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := f.Write(img); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// TestWorkerUsesSIMD checks that the worker runs the WebAssembly SIMD
// kernel in Chromium, and can run with Go's kernel on request.
func TestWorkerUsesSIMD(t *testing.T) {
	p := openPage(t)
	run := runWorker(t, p.ctx,
		protocol.Request{ID: 1, Kind: protocol.KindBenchTrain, Name: "images.zip", Batch: 8, Steps: 1},
		protocol.Request{ID: 2, Kind: protocol.KindBenchInfer, Name: "images.zip", Batch: 8, Steps: 1, Kernel: protocol.KernelGo})
	if k := run.Ready.Kernel; k != protocol.KernelSIMD && k != protocol.KernelSIMDFMA {
		t.Errorf("the worker's kernel: got %q, want %q or %q", k, protocol.KernelSIMD, protocol.KernelSIMDFMA)
	}
	if got, want := run.Answers[0].Bench.Kernel, run.Ready.Kernel; got != want {
		t.Errorf("training benchmark ran kernel %q, want the worker's, %q", got, want)
	}
	if got := run.Answers[1].Bench.Kernel; got != protocol.KernelGo {
		t.Errorf("inference benchmark asking for Go's kernel ran %q", got)
	}
}

// BenchmarkWorker times training steps and inference of the reference
// network at batch 64 in a worker of the page in Chromium, with the SIMD
// kernel and with Go's, as the worker measures them. It ends with one
// line per figure:
//
//	train workers=1 batch=64 kernel=simd-fma images/s=63.2
//
// Only one worker trains: the page does not yet train data-parallel
// over several.
//
//	go test ./ui/e2e -run '^$' -bench Worker -benchtime 1x
func BenchmarkWorker(b *testing.B) {
	if unusable != "" {
		b.Fatal(unusable)
	}
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 20*time.Minute)
	defer cancelTimeout()
	// The page's own worker loads the built-in model first: let it.
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		b.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`document.querySelector("#model-file") !== null`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		b.Fatalf("waiting for the built-in model to load: %v", err)
	}
	const batch = 64
	var lines []string
	for _, kind := range []protocol.Kind{protocol.KindBenchTrain, protocol.KindBenchInfer} {
		steps := map[protocol.Kind]int{protocol.KindBenchTrain: 5, protocol.KindBenchInfer: 10}[kind]
		what := strings.TrimPrefix(string(kind), "bench-")
		for _, kernel := range []string{protocol.KernelSIMD, protocol.KernelGo} {
			b.Run(fmt.Sprintf("%s/workers=1/batch=%d/kernel=%s", what, batch, kernel), func(b *testing.B) {
				req := protocol.Request{ID: 1, Kind: kind, Name: "images.zip", Batch: batch, Steps: steps * b.N, Kernel: kernel}
				res := runWorker(b, ctx, req).Answers[0].Bench
				b.ReportMetric(res.ImagesPerSec, "images/s")
				lines = append(lines, fmt.Sprintf("%s workers=1 batch=%d kernel=%s images/s=%.1f", what, batch, res.Kernel, res.ImagesPerSec))
			})
		}
	}
	fmt.Printf("\n%s\n", strings.Join(lines, "\n"))
}
