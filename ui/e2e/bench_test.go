package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/benchdata"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// workerJS starts %d workers of its own in the page, waits until they
// are ready, sends each every request head of %s, with the bytes of the
// base64 %q as its body, concurrently across workers, and returns each
// one's ready event and answers, as their heads.
const workerJS = `(async (n, requests, body64) => {
	const body = Uint8Array.from(atob(body64), (c) => c.charCodeAt(0)).buffer;
	const one = async () => {
		const worker = new Worker("/assets/worker.js?role=classifier");
		const next = () => new Promise((resolve, reject) => {
			worker.onmessage = (e) => resolve(e.data.head);
			worker.onerror = (e) => reject(new Error("the worker failed: " + e.message));
		});
		try {
			const ready = await next();
			const answers = [];
			for (const head of requests) {
				const answer = next();
				worker.postMessage({ head: head, body: body.slice(0) });
				answers.push(await answer);
			}
			return { ready, answers };
		} finally {
			worker.terminate();
		}
	};
	return Promise.all(Array.from({ length: n }, one));
})(%d, %s, %q)`

// benchAsk is a benchmark to ask of a worker: its kind and its request.
type benchAsk struct {
	call protocol.Call[protocol.BenchRequest, protocol.BenchResult, protocol.None]
	q    protocol.BenchRequest
}

// workerRun is what one worker of workerJS answered.
type workerRun struct {
	Ready   protocol.ReadyEvent
	Answers []protocol.BenchResult
}

// runWorker runs workerJS in the tab ctx with one worker, the
// benchmarks and the dataset zip of testdata's images.
func runWorker(tb testing.TB, ctx context.Context, asks ...benchAsk) workerRun {
	tb.Helper()
	return runWorkers(tb, ctx, 1, asks...)[0]
}

// runWorkers is runWorker with n workers running at once.
func runWorkers(tb testing.TB, ctx context.Context, n int, asks ...benchAsk) []workerRun {
	tb.Helper()
	var heads []string
	for i, a := range asks {
		heads = append(heads, a.call.Request(uint64(i+1), a.q))
	}
	js, err := json.Marshal(heads)
	if err != nil {
		tb.Fatal(err)
	}
	body := base64.StdEncoding.EncodeToString(imagesZip(tb))
	type raw struct {
		Ready   string   `json:"ready"`
		Answers []string `json:"answers"`
	}
	raws, err := chromedp.Run(ctx, chromedp.Evaluate[[]raw](fmt.Sprintf(workerJS, n, js, body), chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatal(err)
	}
	runs := make([]workerRun, len(raws))
	for k, r := range raws {
		h, err := protocol.ReadHead(r.Ready)
		if err == nil {
			runs[k].Ready, err = protocol.Ready.Read(h)
		}
		if err != nil || h.Kind != protocol.Ready.Kind() {
			tb.Fatalf("the worker's first word %s: %v", r.Ready, err)
		}
		if len(r.Answers) != len(asks) {
			tb.Fatalf("got %d answers to %d requests", len(r.Answers), len(asks))
		}
		for i, text := range r.Answers {
			h, err := protocol.ReadHead(text)
			if err != nil || h.ID != uint64(i+1) || h.Error != nil || h.Part != protocol.PartAnswer {
				tb.Fatalf("request %+v: got %s (%v), want a benchmark's result", asks[i].q, text, err)
			}
			res, err := asks[i].call.ReadAnswer(h)
			if err != nil {
				tb.Fatal(err)
			}
			runs[k].Answers = append(runs[k].Answers, res)
		}
	}
	return runs
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
		benchAsk{protocol.BenchTrain, protocol.BenchRequest{Name: "images.zip", Batch: 8, Steps: 1}},
		benchAsk{protocol.BenchInfer, protocol.BenchRequest{Name: "images.zip", Batch: 8, Steps: 1, Kernel: protocol.KernelGo}})
	if k := run.Ready.Kernel; k != protocol.KernelSIMD && k != protocol.KernelSIMDFMA {
		t.Errorf("the worker's kernel: got %q, want %q or %q", k, protocol.KernelSIMD, protocol.KernelSIMDFMA)
	}
	if got, want := run.Answers[0].Kernel, run.Ready.Kernel; got != want {
		t.Errorf("training benchmark ran kernel %q, want the worker's, %q", got, want)
	}
	if got := run.Answers[1].Kernel; got != protocol.KernelGo {
		t.Errorf("inference benchmark asking for Go's kernel ran %q", got)
	}
}

// TestWorkersTrainTogether has a worker train on two workers, starting
// the second itself, with its own kernel, and finds the losses of the
// native trainer on two replicas (up to rounding, should the browser's
// kernel not fuse multiply-adds as the native one does).
func TestWorkersTrainTogether(t *testing.T) {
	p := openPage(t)
	const batch, steps = 8, 3
	run := runWorker(t, p.ctx, benchAsk{protocol.BenchTrain, protocol.BenchRequest{Name: "images.zip",
		Batch: batch, Steps: steps - 1, Workers: 2}})
	got := run.Answers[0]
	two, err := benchdata.Losses(imagesZip(t), batch, steps, 2)
	if err != nil {
		t.Fatal(err)
	}
	one, err := benchdata.Losses(imagesZip(t), batch, steps, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Workers != 2 || len(got.Losses) != steps {
		t.Fatalf("got %+v, want 2 workers and %d losses", got, steps)
	}
	apart := false
	for i, want := range two {
		if math.Abs(got.Losses[i]-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("step %d: loss %.9g, want the native %.9g", i+1, got.Losses[i], want)
		}
		apart = apart || math.Abs(one[i]-want) > 1e-3
	}
	if !apart {
		t.Errorf("native losses on 1 replica %v and 2 %v are too close for this test to tell them apart", one, two)
	}
}

// BenchmarkWorker times training steps and inference of the reference
// network at batch 64 in a worker of the page in Chromium, with the SIMD
// kernel and with Go's, as the worker measures them. It ends with one
// line per figure:
//
//	train workers=1 batch=64 kernel=simd-fma images/s=N
//
// Training runs on 1 worker and on 2 (the worker starts a helper), with
// the worker's own kernel; the 2-worker line also gives its speed-up. The
// last line is inference of the built-in model's network (its input size,
// fresh weights), what classifying photos costs:
//
//	infer workers=1 batch=64 kernel=simd-fma network=built-in side=S images/s=N
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
	cores, err := chromedp.Run(ctx, chromedp.Evaluate[int](`navigator.hardwareConcurrency`))
	if err != nil {
		b.Fatal(err)
	}
	builtin := readModel(b, builtinModel)
	many := min(max(cores, 2), protocol.MaxWorkers) // on one core, 2 shows the cost of sharing it
	const batch = 64
	var lines []string
	var oneTrains float64 // training images/s of one worker with SIMD
	for _, c := range []struct {
		call       protocol.Call[protocol.BenchRequest, protocol.BenchResult, protocol.None]
		workers    int
		kernel     string
		steps      int
		concurrent bool // the workers run on their own, not together
		builtin    bool // of the built-in model's network, not the reference's
	}{
		{call: protocol.BenchTrain, workers: 1, kernel: protocol.KernelSIMD, steps: 16},
		{call: protocol.BenchTrain, workers: many, kernel: protocol.KernelSIMD, steps: 16},
		{call: protocol.BenchTrain, workers: 1, kernel: protocol.KernelGo, steps: 3},
		{call: protocol.BenchInfer, workers: 1, kernel: protocol.KernelSIMD, steps: 20},
		{call: protocol.BenchInfer, workers: many, kernel: protocol.KernelSIMD, steps: 20, concurrent: true},
		{call: protocol.BenchInfer, workers: 1, kernel: protocol.KernelGo, steps: 5},
		{call: protocol.BenchInfer, workers: 1, kernel: protocol.KernelSIMD, steps: 20, builtin: true},
	} {
		what := strings.TrimPrefix(string(c.call.Kind()), "bench-")
		network := ""
		if c.builtin {
			network = fmt.Sprintf(" network=built-in side=%d", builtin.Net.Config.InputSize)
		}
		b.Run(fmt.Sprintf("%s/workers=%d/batch=%d/kernel=%s%s", what, c.workers, batch, c.kernel, strings.ReplaceAll(network, " ", "/")), func(b *testing.B) {
			q := protocol.BenchRequest{Name: "images.zip", Batch: batch, Steps: c.steps * b.N, Kernel: c.kernel}
			if c.builtin {
				r := nn.DefaultRecipe()
				r.Config = builtin.Net.Config
				q.Recipe = &r
			}
			var rate float64
			var kernel string
			if c.concurrent {
				for _, run := range runWorkers(b, ctx, c.workers, benchAsk{c.call, q}) {
					rate += run.Answers[0].ImagesPerSec
					kernel = run.Answers[0].Kernel
				}
			} else {
				q.Workers = c.workers
				res := runWorker(b, ctx, benchAsk{c.call, q}).Answers[0]
				rate, kernel = res.ImagesPerSec, res.Kernel
			}
			b.ReportMetric(rate, "images/s")
			line := fmt.Sprintf("%s workers=%d batch=%d kernel=%s%s images/s=%.1f", what, c.workers, batch, kernel, network, rate)
			if c.call.Kind() == protocol.BenchTrain.Kind() && c.kernel == protocol.KernelSIMD {
				if c.workers == 1 {
					oneTrains = rate
				} else if oneTrains > 0 {
					line += fmt.Sprintf(" speedup=%.2f", rate/oneTrains)
				}
			}
			lines = append(lines, line)
		})
	}
	fmt.Printf("\n%s\n", strings.Join(lines, "\n"))
}
