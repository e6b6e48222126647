//go:build js && wasm

package link

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// fakeWorker stands in for the browser's Worker in Node, which has none:
// a worker that talks the protocol as the worker program does, and
// misbehaves as its script's query says: ?crash=NAME fires an error
// event at the classify request of NAME, ?silent=NAME never answers it,
// ?exit sends an exit event at the first request. Every worker logs the
// requests it got in fakeLog, one array a worker started.
const fakeWorker = `(() => {
	globalThis.fakeLog = [];
	globalThis.fakeMaxHeld = 0;
	globalThis.Worker = class {
		constructor(url) {
			this.q = new URL(url, "http://page/").searchParams;
			this.log = [];
			this.held = 0;
			fakeLog.push(this.log);
			setTimeout(() => this.send({id: 0, kind: "ready", part: "notice", payload: {kernel: "go"}}), 0);
		}
		send(head, body) {
			if (!this.dead && this.onmessage) this.onmessage({data: {head: JSON.stringify(head), body}});
		}
		postMessage(msg) {
			const h = JSON.parse(msg.head);
			const name = h.payload.name ?? "";
			this.log.push(h.kind + ":" + name);
			if (h.kind === "cancel") return;
			this.held++;
			fakeMaxHeld = Math.max(fakeMaxHeld, this.held);
			if (this.q.has("exit")) {
				setTimeout(() => this.send({id: 0, kind: "exit", part: "notice", error: {code: "worker-lost", message: "the worker stopped (exit code 2)"}}), 0);
				return;
			}
			if (this.q.get("crash") === name) {
				setTimeout(() => { if (this.onerror) this.onerror({message: "boom", preventDefault() {}}); }, 0);
				return;
			}
			if (this.q.get("silent") === name) return;
			setTimeout(() => {
				if (h.kind === "load-dataset") {
					this.send({id: h.id, kind: h.kind, part: "notice", payload: {stage: "reading", done: 1, total: 2}});
					this.send({id: h.id, kind: h.kind, part: "notice", payload: {stage: "reading", done: 2, total: 2}});
				}
				this.held--;
				const payload = h.kind === "classify" ? {top: [{class: name, probability: 1}]} : {name};
				this.send({id: h.id, kind: h.kind, part: "answer", payload});
			}, 5);
		}
		terminate() { this.dead = true; }
	};
})()`

// setUpFake installs fakeWorker, afresh.
func setUpFake(t *testing.T) {
	t.Helper()
	js.Global().Call("eval", fakeWorker)
}

// workerLog returns the requests worker k got, as "kind:name".
func workerLog(k int) []string {
	l := js.Global().Get("fakeLog").Index(k)
	out := make([]string, l.Length())
	for i := range out {
		out[i] = l.Index(i).String()
	}
	return out
}

// answers collects the answers of classify requests.
type answers struct {
	mu   sync.Mutex
	got  []string // the class answered, or "error: message"
	done chan struct{}
	want int
}

func newAnswers(n int) *answers { return &answers{done: make(chan struct{}), want: n} }

func (a *answers) classify(w *Worker, name string) uint64 {
	return a.classifyBody(w, name, js.Undefined())
}

// classifyBody is classify with a body.
func (a *answers) classifyBody(w *Worker, name string, body js.Value) uint64 {
	return Ask(w, protocol.Classify, protocol.ClassifyRequest{Name: name, TopK: 1}, body, Handlers[protocol.Classified, protocol.None]{
		Done: func(res protocol.Classified, _ js.Value, err *protocol.Error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			if err != nil {
				a.got = append(a.got, "error: "+string(err.Code)+": "+err.Message)
			} else {
				a.got = append(a.got, res.Top[0].Class)
			}
			if len(a.got) == a.want {
				close(a.done)
			}
		}})
}

func (a *answers) wait(t *testing.T) []string {
	t.Helper()
	select {
	case <-a.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("only %d of %d answers came: %q", len(a.got), a.want, a.got)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.got)
}

// TestAnswersInOrder checks that requests are answered in order, the
// worker holding no more than InFlight at a time, and that a request
// still queued can be cancelled without reaching the worker.
func TestAnswersInOrder(t *testing.T) {
	setUpFake(t)
	w, err := Start("fake.js", Options{Name: "the fake", InFlight: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	a := newAnswers(6)
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		a.classify(w, name)
	}
	w.Cancel(a.classify(w, "f")) // queued behind five
	got := a.wait(t)
	if want := []string{"error: cancelled: cancelled", "a", "b", "c", "d", "e"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if held := js.Global().Get("fakeMaxHeld").Int(); held != 2 {
		t.Errorf("the worker held %d requests at once, want 2", held)
	}
	if log := workerLog(0); slices.Contains(log, "classify:f") {
		t.Errorf("the cancelled request reached the worker: %q", log)
	}
}

// TestNoticesBeforeAnswer checks that a request's notices come to its
// handler in order, before its answer, and that Await waits for it.
func TestNoticesBeforeAnswer(t *testing.T) {
	setUpFake(t)
	w, err := Start("fake.js", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var seen []string
	done := make(chan struct{})
	Ask(w, protocol.LoadDataset, protocol.LoadDatasetRequest{Name: "z.zip", Size: 32}, js.Undefined(), Handlers[protocol.DatasetInfo, protocol.Progress]{
		Notice: func(p protocol.Progress, _ js.Value) { seen = append(seen, p.Stage+" "+string(rune('0'+p.Done))) },
		Done: func(info protocol.DatasetInfo, _ js.Value, err *protocol.Error) {
			seen = append(seen, "done "+info.Name)
			close(done)
		}})
	<-done
	if want := []string{"reading 1", "reading 2", "done z.zip"}; !slices.Equal(seen, want) {
		t.Errorf("got %q, want %q", seen, want)
	}
	res, _, perr := Await(w, protocol.Classify, protocol.ClassifyRequest{Name: "sea", TopK: 1}, js.Undefined())
	if perr != nil || res.Top[0].Class != "sea" {
		t.Errorf("Await: %+v, %v", res, perr)
	}
}

// TestRestartReplays crashes the worker on a request: that request
// fails, a new worker is started, is set up again by the last request of
// each kind in Replay, and takes the rest of the queue; two deaths in a
// row beyond Restarts give up.
func TestRestartReplays(t *testing.T) {
	setUpFake(t)
	var mu sync.Mutex
	var news []string
	w, err := Start("fake.js?crash=boom", Options{Name: "the fake", Restarts: 1, Replay: []protocol.Kind{protocol.LoadModel.Kind()},
		News: func(s string) { mu.Lock(); news = append(news, s); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, _, err := Await(w, protocol.LoadModel, protocol.LoadModelRequest{Name: "m"}, js.Undefined()); err != nil {
		t.Fatal(err)
	}
	a := newAnswers(3)
	a.classify(w, "a")
	a.classify(w, "boom")
	a.classify(w, "b")
	got := a.wait(t)
	if want := []string{"a", "error: worker-lost: the fake failed: boom (while working on this)", "b"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if log := workerLog(1); !slices.Equal(log, []string{"load-model:m", "classify:b"}) {
		t.Errorf("the new worker got %q, want the model again, then b", log)
	}
	mu.Lock()
	if len(news) != 1 || !strings.Contains(news[0], "The fake stopped (the fake failed: boom); a new one was started.") {
		t.Errorf("news %q", news)
	}
	mu.Unlock()

	// A worker that dies twice in a row without answering anything, with
	// one restart allowed: the link gives up.
	g, err := Start("fake.js?crash=boom", Options{Name: "the fake", Restarts: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	a = newAnswers(3)
	a.classify(g, "boom")
	a.classify(g, "boom")
	a.classify(g, "c")
	got = a.wait(t)
	if !strings.HasSuffix(got[0], "(while working on this)") || !strings.HasSuffix(got[1], "(while working on this)") || !strings.Contains(got[2], "keeps stopping") {
		t.Errorf("after two deaths in a row: %q", got)
	}
	if _, _, err := Await(g, protocol.Classify, protocol.ClassifyRequest{Name: "d", TopK: 1}, js.Undefined()); err == nil || !strings.Contains(err.Message, "keeps stopping") {
		t.Errorf("a request after giving up: %+v", err)
	}
}

// TestSilenceAndExit checks that a worker that stops answering, or
// says its program stopped, counts as dead, and that one that may not
// restart fails what it held.
func TestSilenceAndExit(t *testing.T) {
	setUpFake(t)
	w, err := Start("fake.js?silent=hang", Options{Name: "the fake", Silence: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, _, perr := Await(w, protocol.Classify, protocol.ClassifyRequest{Name: "hang", TopK: 1}, js.Undefined())
	if perr == nil || perr.Code != protocol.WorkerLost || !strings.Contains(perr.Message, "the fake did not answer for 2s") || time.Since(start) > 5*time.Second {
		t.Errorf("a silent worker: %+v after %v", perr, time.Since(start))
	}
	if _, _, perr := Await(w, protocol.Classify, protocol.ClassifyRequest{Name: "a", TopK: 1}, js.Undefined()); perr == nil {
		t.Error("a worker that may not restart took a request after its death")
	}

	x, err := Start("fake.js?exit", Options{Name: "the fake"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, perr := Await(x, protocol.Classify, protocol.ClassifyRequest{Name: "a", TopK: 1}, js.Undefined()); perr == nil || !strings.HasPrefix(perr.Message, "the worker stopped (exit code 2)") {
		t.Errorf("a worker that exits: %+v", perr)
	}
}

// TestTransferredNotResent checks that a request whose body went to a
// worker that died fails, rather than being sent again with an empty
// body, and that an answer without the body its kind must have fails
// its request.
func TestTransferredNotResent(t *testing.T) {
	setUpFake(t)
	w, err := Start("fake.js?crash=boom", Options{Name: "the fake", InFlight: 2, Restarts: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	a := newAnswers(2)
	a.classify(w, "boom")
	a.classifyBody(w, "b", Buffer([]byte{1, 2, 3}))
	got := a.wait(t)
	if want := []string{"error: worker-lost: the fake failed: boom (while working on this)", "error: worker-lost: the fake failed: boom"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if log := workerLog(1); slices.Contains(log, "classify:b") {
		t.Errorf("the new worker got the request whose body was gone: %q", log)
	}
	_, _, perr := Await(w, protocol.Shard, protocol.ShardRequest{Batch: 1, Images: 1, Size: 1}, Buffer([]byte{1}))
	if perr == nil || perr.Code != protocol.BadMessage || !strings.Contains(perr.Message, "shard answer without its body") {
		t.Errorf("a shard's answer without its body: %+v", perr)
	}
}
