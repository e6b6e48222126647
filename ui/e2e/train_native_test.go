package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// trainJS starts a data set worker in the page, loads the sample (or the
// zip given to #bench-zip, when there is one) with the load-dataset
// request head %[1]q, trains with the train request head %[2]q, a step
// of which diverges (the test hook: the run ends there, with the weights
// of the step before), and returns every step's loss, how the run ended
// and a digest of the model's tensors (the file without its header,
// whose metadata holds times).
const trainJS = `(async (load, train) => {
	const worker = new Worker("/assets/worker.js?role=datasets");
	const losses = [];
	const ask = (head, body) => new Promise((resolve, reject) => {
		worker.onmessage = (e) => {
			const h = JSON.parse(e.data.head);
			if (h.part === "notice") {
				if (h.kind === "train" && h.payload.step) losses.push(h.payload.step.loss);
				return;
			}
			resolve({head: h, body: e.data.body});
		};
		worker.onerror = (e) => reject(new Error(e.message));
		worker.postMessage(body ? {head, body} : {head});
	});
	try {
		await new Promise((r) => { worker.onmessage = r; }); // ready
		const file = document.querySelector("#bench-zip")?.files?.[0];
		const req = JSON.parse(load);
		if (file) {
			req.payload.name = file.name;
			delete req.payload.url;
		}
		const loaded = await ask(JSON.stringify(req), file);
		if (loaded.head.error) return {error: loaded.head.error.message};
		const run = await ask(train);
		if (run.head.error) return {error: run.head.error.message};
		const b = new Uint8Array(run.body);
		const n = Number(new DataView(run.body).getBigUint64(0, true));
		const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", b.subarray(8 + n)));
		return {losses, ended: run.head.payload.ended, digest: Array.from(digest, (x) => x.toString(16).padStart(2, "0")).join("")};
	} finally {
		worker.terminate();
	}
})(%[1]q, %[2]q)`

// pageRun is what trainJS returns.
type pageRun struct {
	Losses []float64 `json:"losses"`
	Ended  string    `json:"ended"`
	Digest string    `json:"digest"`
	Error  string    `json:"error"`
}

// trainInPage runs trainJS for steps steps.
func trainInPage(t *testing.T, p *page, r nn.Recipe, workers, steps int) pageRun {
	t.Helper()
	run, err := runInPage(p.ctx, r, workers, steps+1)
	if err != nil {
		t.Fatal(err)
	}
	if run.Error != "" || !strings.Contains(run.Ended, fmt.Sprintf("not a number at step %d", steps+1)) {
		t.Fatalf("training in the page: %q, ended %q", run.Error, run.Ended)
	}
	return run
}

// runInPage runs trainJS in the tab ctx: r on workers workers, its step
// nanStep diverging.
func runInPage(ctx context.Context, r nn.Recipe, workers, nanStep int) (pageRun, error) {
	load := protocol.LoadDataset.Request(1, protocol.LoadDatasetRequest{Name: "sample-scenes.zip", URL: "/assets/sample-scenes.zip", Size: 32, Workers: 2})
	train := protocol.Train.Request(2, protocol.TrainRequest{Run: "native", Name: "sample-scenes.zip", Recipe: &r, Workers: workers, NaNStep: nanStep})
	return chromedp.Run(ctx, chromedp.Evaluate[pageRun](fmt.Sprintf(trainJS, load, train), chromedp.EvalAwaitPromise))
}

// nativeLosses returns the losses of the first steps of r run natively
// on the sample, as resnet train -workers n (-batchnorm-per-share when
// n > 1) runs it.
func nativeLosses(t *testing.T, r nn.Recipe, workers, steps int) []float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, sampleZip))
	if err != nil {
		t.Fatal(err)
	}
	a, err := data.ReadZip(bytes.NewReader(b), int64(len(b)), data.Options{Size: 32, MaxPixels: data.DefaultMaxPixels})
	if err != nil {
		t.Fatal(err)
	}
	r.BatchNormPerShare = workers > 1
	run, err := nn.NewRun(r, a, func(m *nn.Model, r nn.Recipe, steps int) (*nn.Trainer, error) {
		return nn.NewTrainer(m, r, steps, workers)
	})
	if err != nil {
		t.Fatal(err)
	}
	var losses []float64
	for len(losses) < steps {
		st, err := run.Next()
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, st.Loss)
		if st.EndEpoch {
			run.EndEpoch(func(*data.Set) (float64, float64) { return 0, 0 })
		}
	}
	return losses
}

// TestTrainMatchesNative trains the default recipe on the sample in the
// page's worker and natively: the first 20 steps' losses agree within
// 1e-3 (they come out the same: both kernels multiply and add fused, in
// the same order, and the loss's exp and log are the same Go), on one
// worker and on two; and two runs in the page give the same weights.
// The run has the 24 epochs of 176 steps of the scenes data set, so its
// learning rate rises as slowly (the sample has 3 steps an epoch).
func TestTrainMatchesNative(t *testing.T) {
	p := openPageWithin(t, 4*time.Minute)
	r := nn.DefaultRecipe()
	r.Epochs = 24 * 176 / 3
	const steps = 20
	for _, workers := range []int{1, 2} {
		got := trainInPage(t, p, r, workers, steps)
		want := nativeLosses(t, r, workers, steps)
		if len(got.Losses) != len(want) {
			t.Fatalf("%d workers: %d steps in the page, %d natively", workers, len(got.Losses), len(want))
		}
		var lines []string
		worst := 0.0
		for i := range steps {
			rel := math.Abs(got.Losses[i]-want[i]) / math.Abs(want[i])
			worst = max(worst, rel)
			lines = append(lines, fmt.Sprintf("%2d  %.6f  %.6f  %.1e", i+1, got.Losses[i], want[i], rel))
		}
		t.Logf("%d workers: step, page loss, native loss, relative difference\n%s", workers, strings.Join(lines, "\n"))
		for i := range steps {
			if rel := math.Abs(got.Losses[i]-want[i]) / math.Abs(want[i]); rel > 1e-3 {
				t.Errorf("%d workers: step %d's loss %.6f, natively %.6f: %.1e relative, want within 1e-3", workers, i+1, got.Losses[i], want[i], rel)
			}
		}
		t.Logf("%d workers: up to %.1e relative over 20 steps", workers, worst)
		if workers == 2 {
			again := trainInPage(t, p, r, workers, steps)
			if again.Digest != got.Digest || fmt.Sprint(again.Losses) != fmt.Sprint(got.Losses) {
				t.Errorf("two runs of the same recipe on 2 workers end with different weights (%s, %s)", got.Digest[:12], again.Digest[:12])
			}
		}
	}
}

// BenchmarkTrainMatchesNative compares the first 20 steps of the
// default recipe on the 14,034-image training zip
// (../shared/data/intel-scenes-train.zip) in the page's worker, on one
// worker, with cmd/resnet train -workers 1's, and prints them side by
// side.
func BenchmarkTrainMatchesNative(b *testing.B) {
	zipPath := realZip()
	if zipPath == "" {
		b.Skip("no ../shared/data/intel-scenes-train.zip beside the repository")
	}
	p := openPageWithin(b, 10*time.Minute)
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const i = document.createElement("input"); i.type = "file"; i.id = "bench-zip"; document.body.appendChild(i); })()`))
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#bench-zip"), []string{zipPath}))
	r := nn.DefaultRecipe()
	const steps = 20
	got, err := runInPage(p.ctx, r, 1, steps+1)
	if err != nil || got.Error != "" {
		b.Fatalf("%v %s", err, got.Error)
	}
	zb, err := os.ReadFile(zipPath)
	if err != nil {
		b.Fatal(err)
	}
	a, err := data.ReadZip(bytes.NewReader(zb), int64(len(zb)), data.Options{Size: 32, MaxPixels: data.DefaultMaxPixels})
	if err != nil {
		b.Fatal(err)
	}
	run, err := nn.NewRun(r, a, func(m *nn.Model, r nn.Recipe, n int) (*nn.Trainer, error) { return nn.NewTrainer(m, r, n, 1) })
	if err != nil {
		b.Fatal(err)
	}
	fmt.Println("\nstep  page (Chromium, 1 worker)  native (resnet train -workers 1)  relative difference")
	worst := 0.0
	for i := range steps {
		st, err := run.Next()
		if err != nil {
			b.Fatal(err)
		}
		rel := math.Abs(got.Losses[i]-st.Loss) / st.Loss
		worst = max(worst, rel)
		fmt.Printf("%4d  %.6f  %.6f  %.1e\n", i+1, got.Losses[i], st.Loss, rel)
	}
	fmt.Printf("train-matches-native steps=%d worst-relative=%.1e\n", steps, worst)
}
