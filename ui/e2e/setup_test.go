package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The run's shared state, set by TestMain.
var (
	// unusable says why the tests cannot run here, if they cannot.
	unusable string
	// pageURL is the address of the page on the test server.
	pageURL string
	// browser is the context of the headless Chromium the tests share.
	browser context.Context
	// repoRoot is the repository's top directory.
	repoRoot string
	// chromiumPath is the browser's program, tmpDir the run's own folder.
	chromiumPath, tmpDir string
)

// skipMarker starts the line that says why the tests skipped; build.sh
// looks for it.
const skipMarker = "SKIPPING the browser tests:"

// builtAssets are the files ./build.sh makes that the page needs.
var builtAssets = []string{"ui.wasm", "worker.wasm", "gemm-simd.wasm", "gemm-simd-fma.wasm", "wasm_exec.js", "vugu-render.js"}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := filepath.Abs("../..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	repoRoot = root
	tmp, err := os.MkdirTemp("", "e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)

	chromium, err := findChromium()
	switch {
	case err != nil:
		unusable = err.Error()
	case missingAssets() != "":
		unusable = missingAssets()
	}
	if unusable != "" {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "FAIL: the browser tests cannot run with CI=true: %s\n", unusable)
			return 1
		}
		fmt.Fprintf(os.Stderr, "\n*** %s %s ***\n\n", skipMarker, unusable)
		return m.Run() // every test skips, saying why
	}

	serverLog := filepath.Join(tmp, "server.log")
	addr, stop, err := startServer(tmp, serverLog)
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the server:", err)
		return 1
	}
	defer stop()
	pageURL = addr

	chromiumPath, tmpDir = chromium, tmp
	ctx, cancel, err := startBrowser(filepath.Join(tmp, "profile"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting Chromium:", err)
		return 1
	}
	defer cancel()
	browser = ctx
	code := m.Run()
	if code != 0 {
		if b, err := os.ReadFile(serverLog); err == nil {
			fmt.Fprintf(os.Stderr, "\nthe server's log:\n%s", b)
		}
	}
	return code
}

// startBrowser starts a headless Chromium with its profile in dir, the
// flags every test needs and then flags, which may replace them.
func startBrowser(dir string, flags ...chromedp.ExecAllocatorOption) (context.Context, func(), error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// A camera that shows a test pattern, granted without asking.
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, flags...)...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	stop := func() { cancel(); cancelAlloc() }
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		stop()
		return nil, nil, err
	}
	return ctx, stop, nil
}

// findChromium returns the path of the browser to test with.
func findChromium() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found (set CHROMIUM, or install it: apt-get install chromium)")
}

// missingAssets says which built files are missing, if any.
func missingAssets() string {
	var missing []string
	for _, name := range builtAssets {
		if _, err := os.Stat(filepath.Join(repoRoot, "assets", name)); err != nil {
			missing = append(missing, "assets/"+name)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "the page is not built (" + strings.Join(missing, ", ") + " missing): run ./build.sh first"
}

// startServer builds the server into dir and starts it on a free port,
// logging to logName, and returns the page's address and a func that
// stops it.
func startServer(dir, logName string) (string, func(), error) {
	bin := filepath.Join(dir, "server")
	build := exec.Command("go", "build", "-o", bin, "./server")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("building: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-root", repoRoot)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	logFile, err := os.Create(logName)
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
		logFile.Close()
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "serving "); ok {
				found <- addr
				break
			}
		}
		for sc.Scan() { // keep the pipe drained
		}
	}()
	select {
	case addr := <-found:
		return addr, stop, nil
	case <-time.After(30 * time.Second):
		stop()
		return "", nil, errors.New(`no "serving http://..." line within 30s`)
	}
}

// page is a fresh tab showing the page, with its console watched.
type page struct {
	ctx context.Context
	t   testing.TB

	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
}

// openPage opens the page in a new tab, waits until the built-in model
// has loaded, and checks at the end of the test that the console got no
// error.
func openPage(t testing.TB) *page {
	t.Helper()
	return openPageWithin(t, 2*time.Minute)
}

// openPageWithin is openPage for a test that may take the time given.
func openPageWithin(t testing.TB, limit time.Duration) *page {
	t.Helper()
	return openPageAt(t, "/", limit)
}

// openPageAt is openPageWithin for the page at path, such as
// "/?nan-step=5".
func openPageAt(t testing.TB, path string, limit time.Duration) *page {
	t.Helper()
	return openPageIn(t, browser, path, limit)
}

// openPageIn is openPageAt in the browser of context b.
func openPageIn(t testing.TB, b context.Context, path string, limit time.Duration) *page {
	t.Helper()
	if unusable != "" {
		t.Skip(skipMarker + " " + unusable)
	}
	// A browser context of its own, so that what one test's page keeps in
	// the browser's storage is not another's.
	ctx, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	p := &page{ctx: ctx, t: t}
	console := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range console {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.messages = append(p.messages, m)
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		<-done
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, m := range p.messages {
			t.Logf("console %s: %s", m.Type, m.Text)
			if m.Type == chromedp.ConsoleError || m.IsException() {
				t.Errorf("console error: %s (%s:%d)", m.Text, m.URL, m.Line)
			}
		}
	})
	p.do(chromedp.Navigate(pageURL + strings.TrimPrefix(path, "/")))
	p.waitFor(`document.querySelector("#model-file") !== null`, "the built-in model to load")
	return p
}

// do runs actions in the tab, failing the test on error.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatal(err)
	}
}

// waitFor waits until the JavaScript expression is true, 90 s at most.
func (p *page) waitFor(expr, what string) {
	p.t.Helper()
	p.waitWithin(expr, what, 90*time.Second)
}

// waitWithin waits until the JavaScript expression is true, d at most.
func (p *page) waitWithin(expr, what string, d time.Duration) {
	p.t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(d)))
	if err != nil {
		p.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// text returns the text of the element sel selects, or "" if there is none.
func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](
		fmt.Sprintf(`document.querySelector(%q)?.textContent.trim() ?? ""`, sel)))
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// testdata returns the absolute paths of files in testdata.
func testdata(t testing.TB, names ...string) []string {
	t.Helper()
	paths := make([]string, len(names))
	for i, n := range names {
		p, err := filepath.Abs(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		paths[i] = p
	}
	return paths
}

// modelTestdata returns the reference notebook's PyTorch weights, kept
// once in the repository beside the model-file reader.
func modelTestdata(t testing.TB) []string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "nn", "modelfile", "testdata", "seed-resnet14.pth"))
	if err != nil {
		t.Fatal(err)
	}
	return []string{p}
}

// eval returns the value of the JavaScript expression, a string.
func (p *page) eval(expr string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}
