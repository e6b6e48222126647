package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

// realImages returns the real images of the repository's test data,
// each as its class and its bytes, named class-id.jpg: the browser
// tests' own and those of nn/data's decoder tests.
func realImages(t testing.TB) (names []string, files map[string][]byte) {
	t.Helper()
	files = map[string][]byte{}
	for _, glob := range []string{"testdata/*-*.jpg", "../../nn/data/testdata/photo/*_*.jpg"} {
		paths, err := filepath.Glob(glob)
		if err != nil || len(paths) == 0 {
			t.Fatalf("no images %s (%v)", glob, err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.Replace(filepath.Base(p), "_", "-", 1)
			if _, ok := files[name]; !ok {
				names = append(names, name)
			}
			files[name] = b
		}
	}
	return names, files
}

// kaggleZip writes a zip laid out as the Kaggle archive: the real
// images under seg_train/seg_train/<class>/ and, those of the browser
// tests again, under seg_test/seg_test/<class>/, with a Mac's junk, the
// unlabelled seg_pred folder and a text file named like an image.
func kaggleZip(t *testing.T) string {
	t.Helper()
	names, files := realImages(t)
	var fs []zipFile
	for _, n := range names {
		class, id, _ := strings.Cut(n, "-")
		fs = append(fs, zipFile{name: "seg_train/seg_train/" + class + "/" + id, data: files[n]})
	}
	tests, _ := filepath.Glob("testdata/*-*.jpg")
	for _, p := range tests {
		class, id, _ := strings.Cut(filepath.Base(p), "-")
		fs = append(fs, zipFile{name: "seg_test/seg_test/" + class + "/" + id, data: files[filepath.Base(p)]})
	}
	fs = append(fs,
		zipFile{name: "__MACOSX/seg_train/._x.jpg", data: []byte("junk")},
		zipFile{name: "seg_pred/seg_pred/1.jpg", data: files[names[0]]},
		zipFile{name: "seg_train/seg_train/sea/notes.jpg", data: []byte("a note, not a photo\n")},
	)
	return zipOf(t, "kaggle-like.zip", fs)
}

// skippedShown opens the list of the skipped files the dataset panel
// shows, if it is closed, and returns it.
func (p *page) skippedShown() []string {
	p.t.Helper()
	if p.eval(`document.querySelector("#dataset-skipped button")?.getAttribute("aria-expanded") ?? "none"`) == "false" {
		p.click(p.eval(`document.querySelector("#dataset-skipped button").textContent.replace(/^[▸▾] /, "")`))
		p.waitFor(`document.querySelector("#dataset-skipped ul") !== null`, "the files skipped")
	}
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#dataset-skipped li")].map(li => li.textContent.trim())`))
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// warningsShown returns the warnings the dataset panel shows.
func (p *page) warningsShown() []string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#dataset-warnings > li > span")].map(s => s.textContent.trim())`))
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

func TestDatasetFromFileInput(t *testing.T) {
	p := openPage(t)
	path := kaggleZip(t)
	p.upload("Dataset zip", path)
	p.waitDataset("kaggle-like.zip")

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	z, err := data.OpenZip(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	a, err := data.ReadZip(bytes.NewReader(b), int64(len(b)), data.Options{Size: 32, MaxPixels: data.DefaultMaxPixels})
	if err != nil {
		t.Fatal(err)
	}
	r := nn.DefaultRecipe()
	trainIdx, valIdx := a.Train.SplitIndices(r.ValFraction, r.SplitRand())
	st := p.splits()
	want := []string{fmt.Sprint(len(trainIdx)), fmt.Sprint(len(valIdx)), fmt.Sprint(a.Test.Len())}
	if !reflect.DeepEqual(st.Totals, want) {
		t.Errorf("split totals %q, want %q", st.Totals, want)
	}
	if got := p.skippedShown(); len(got) != 2 || !strings.HasPrefix(got[0], "seg_pred/: not a train or test folder") ||
		got[1] != "seg_train/seg_train/sea/notes.jpg: not a JPEG, PNG, GIF or WebP image" {
		t.Errorf("skipped files shown: %q", got)
	}
	var wantWarnings []string
	var copies []string // a group of identical files
	for _, w := range z.Warnings(a, z.Duplicates()) {
		wantWarnings = append(wantWarnings, w.Message)
		if copies == nil && len(w.Groups) > 0 {
			copies = w.Groups[0]
		}
	}
	if got := p.warningsShown(); !reflect.DeepEqual(got, wantWarnings) || len(got) == 0 {
		t.Errorf("warnings shown %q, want %q", got, wantWarnings)
	}
	// A copy is resolved as a cell's image is: left out.
	if len(copies) < 2 {
		t.Fatalf("no group of copies among the warnings %q", wantWarnings)
	}
	for i := range wantWarnings { // every warning's files shown
		if p.eval(fmt.Sprintf(`String(document.querySelectorAll("#dataset-warnings > li")[%d].querySelector("button[aria-expanded]") !== null)`, i)) == "true" {
			p.eval(fmt.Sprintf(`(() => { document.querySelectorAll("#dataset-warnings > li")[%d].querySelector("button[aria-expanded]").click(); return "" })()`, i))
		}
	}
	// The copies show side by side, each with its thumbnail.
	p.waitFor(fmt.Sprintf(`[...document.querySelectorAll("#dataset-warnings .file-thumb")].filter(i => i.complete && i.naturalWidth > 0).length >= %d`, len(copies)), "the copies' thumbnails")
	p.click("Exclude " + copies[1])
	p.waitFor(`document.querySelectorAll("#dataset-edits li").length === 1`, "the copy left out")
	if got := p.text("#dataset-edits li span"); !strings.Contains(got, "left out") {
		t.Errorf("the edit listed: %q", got)
	}
	p.click("Undo the edit of " + copies[1])
	p.waitFor(`document.querySelector("#dataset-edits") === null`, "the copy back")

	got := p.evaluate()
	wantEval, ties := nativeEvaluation(t, builtinModel, path)
	checkEvaluation(t, got, wantEval, ties)
	// The list of the files skipped, opened above, stayed open through the
	// renders of the edits and the evaluation (a <details> did not).
	if open := p.eval(`document.querySelector("#dataset-skipped button").getAttribute("aria-expanded")`); open != "true" {
		t.Errorf("the files skipped: aria-expanded %q after the evaluation, want it still open", open)
	}
	if n := p.eval(`String(document.querySelectorAll("#dataset-skipped li").length)`); n != "2" {
		t.Errorf("%s files skipped listed after the evaluation, want 2", n)
	}
	screenshot(p, "dataset-skipped.png")
	p.checkAxe("files skipped and the warnings' files listed") // last: it skips without axe-core
}

// dropFile drops a file of the given name and bytes on the element sel
// selects, as a browser does.
func (p *page) dropFile(sel, name string, b []byte) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => {
		const bytes = Uint8Array.from(atob(%q), c => c.charCodeAt(0));
		const data = new DataTransfer();
		data.items.add(new File([bytes], %q));
		document.querySelector(%q).dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
	})()`, base64.StdEncoding.EncodeToString(b), name, sel)
	p.do(chromedp.Evaluate[chromedp.Void](js))
}

// TestDropsGoWhereTheyBelong drops a zip, a model and an image beside
// and on the wrong drop zones: each goes where its kind belongs.
func TestDropsGoWhereTheyBelong(t *testing.T) {
	p := openPage(t)
	sample, err := os.ReadFile(filepath.Join(repoRoot, sampleZip))
	if err != nil {
		t.Fatal(err)
	}
	p.dropFile(".page-header", "dropped.zip", sample) // beside every zone
	p.waitDataset("dropped.zip")

	model, err := os.ReadFile(modelTestdata(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	p.dropFile("#drop-zone", "dropped.pth", model) // on the images' zone
	p.waitFor(`document.querySelector("#model-file")?.textContent === "dropped.pth"`, "the dropped model")

	img, err := os.ReadFile(filepath.Join("testdata", "sea-10016.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	p.dropFile("#dataset-drop", "sea-10016.jpg", img) // on the data set's zone
	checkClassified(t, p.settled(1, 1), []string{"sea-10016.jpg"})
	if got := p.text("#dataset-facts"); !strings.HasPrefix(got, "dropped.zip:") {
		t.Errorf("the image replaced the data set: %q", got)
	}
}

// TestBadDatasetZips gives the dataset panel zips that cannot be used:
// each gets a message that names the file and says what is wrong, and
// the data set loaded before stays, its worker alive.
func TestBadDatasetZips(t *testing.T) {
	p := openPage(t)
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")

	_, files := realImages(t)
	jpg := files["sea-10016.jpg"]
	huge, err := os.ReadFile(filepath.Join("testdata", "huge.png"))
	if err != nil {
		t.Fatal(err)
	}
	sample, err := os.ReadFile(filepath.Join(repoRoot, sampleZip))
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("not a photo")
	many := make([]zipFile, data.MaxEntries+1)
	for i := range many {
		many[i] = zipFile{name: fmt.Sprintf("c%d/%d.jpg", i%2, i)}
	}
	for _, tt := range []struct {
		name string
		path string
		want string
	}{
		{"notes.zip", writeFile(t, "notes.zip", []byte("this is a text file, not a zip")), "not a zip file, or a damaged or cut-short one"},
		{"cut.zip", writeFile(t, "cut.zip", sample[:len(sample)/3]), "not a zip file, or a damaged or cut-short one"},
		{"locked.zip", zipOf(t, "locked.zip", []zipFile{{name: "a/1.jpg", data: text, flags: 1}, {name: "b/1.jpg", data: text, flags: 1}}), "zip is encrypted: its 2 image files are password-protected"},
		{"bomb.zip", bombZip(t, jpg), "b/ has no image that could be read (b/bomb.jpg: image too large: the zip says it unpacks to 4.0 GB, more than the 32 MB an image file may have)"},
		{"huge.zip", zipOf(t, "huge.zip", []zipFile{{name: "a/1.jpg", data: jpg}, {name: "b/huge.png", data: huge}}), "b/huge.png: image too large: PNG of 20000x20000 pixels; the limit is 40 megapixels"},
		{"loose.zip", zipOf(t, "loose.zip", []zipFile{{name: "1.jpg", data: jpg}, {name: "2.jpg", data: jpg}}), "no class folders in the top of the zip"},
		{"one.zip", zipOf(t, "one.zip", []zipFile{{name: "forest/1.jpg", data: jpg}}), "only one class folder: forest/"},
		{"empty.zip", zipOf(t, "empty.zip", []zipFile{{name: "train/a/1.jpg", data: jpg}, {name: "train/b/"}}), "empty class folder: train/b/ has no JPEG, PNG, GIF or WebP files"},
		{"many.zip", zipOf(t, "many.zip", many), "too many files in the zip: 80,001 files and folders, more than the 80,000 a data set may have"},
		{"unreadable.zip", zipOf(t, "unreadable.zip", []zipFile{{name: "a/1.jpg", data: text}, {name: "b/2.jpg", data: text}}), "no images: none of the 2 image files could be read (a/1.jpg: not a JPEG, PNG, GIF or WebP image)"},
	} {
		p.upload("Dataset zip", tt.path)
		p.waitFor(`document.querySelector("#dataset-error") !== null && !document.querySelector("#dataset-progress")`, "the error about "+tt.name)
		got := p.text("#dataset-error")
		if !strings.HasPrefix(got, "Could not load "+tt.name+": ") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: the panel says %q, want it to name the file and say %q", tt.name, got, tt.want)
		}
		if got := p.text("#dataset-facts"); !strings.HasPrefix(got, "sample-scenes.zip:") {
			t.Errorf("%s: the sample is gone: %q", tt.name, got)
		}
	}
	if got := p.text("#worker-notice"); got != "" {
		t.Errorf("a worker stopped: %q", got)
	}
	// The worker still reads and evaluates.
	ev := p.evaluate()
	if !strings.HasPrefix(ev.Accuracy, "accuracy: ") {
		t.Errorf("evaluating after the bad zips: %q", ev.Accuracy)
	}
	screenshot(p, "dataset-error.png")
}

// bombZip writes a zip whose b/bomb.jpg says it unpacks to 4 GB.
func bombZip(t *testing.T, jpg []byte) string {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("a/1.jpg")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(jpg)
	raw, err := w.CreateRaw(&zip.FileHeader{Name: "b/bomb.jpg", Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: 4 << 30})
	if err != nil {
		t.Fatal(err)
	}
	raw.Write([]byte{0x03, 0x00})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "bomb.zip", buf.Bytes())
}

// writeFile writes b as name in the test's temporary folder and returns
// its path.
func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCancelDatasetLoad cancels the reading of a zip of 3,000 images:
// the reading stops, nothing is said to be wrong, and the data set
// loaded before stays.
func TestCancelDatasetLoad(t *testing.T) {
	p := openPage(t)
	p.click("Sample data set")
	p.waitDataset("sample-scenes.zip")
	names, files := realImages(t)
	var fs []zipFile
	for i := range 3000 {
		n := names[i%len(names)]
		class, _, _ := strings.Cut(n, "-")
		fs = append(fs, zipFile{name: fmt.Sprintf("%s/%d.jpg", class, i), data: files[n]})
	}
	p.upload("Dataset zip", zipOf(t, "big.zip", fs))
	p.waitFor(`document.querySelector("#dataset-progress progress")?.value > 0`, "the reading to start")
	p.click("Cancel")
	p.waitFor(`!document.querySelector("#dataset-progress")`, "the reading to stop")
	if got := p.text("#dataset-error"); got != "" {
		t.Errorf("after Cancel, the panel says %q", got)
	}
	if got := p.text("#dataset-facts"); !strings.HasPrefix(got, "sample-scenes.zip:") {
		t.Errorf("after Cancel, the panel shows %q, want the sample", got)
	}
	// The worker is free again: the next load works.
	p.upload("Dataset zip", kaggleZip(t))
	p.waitDataset("kaggle-like.zip")
}
