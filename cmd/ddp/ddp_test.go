//go:build unix

// Package ddp_test checks cmd/ddp/train.py, the PyTorch trainer, against
// the Go engine: the same recipes, data and split, a model file that
// resnet evaluate reads, and replicas that stay equal under torchrun.
//
// The tests need PyTorch and Pillow at /usr/bin/python3 (or $PYTHON);
// without them they skip, saying so. On Debian: apt-get install
// python3-torch.
package ddp_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

const sampleZip = "../../assets/sample-scenes.zip"

// python returns the interpreter with PyTorch and Pillow, or skips.
func python(t *testing.T) string {
	t.Helper()
	py := os.Getenv("PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if out, err := exec.Command(py, "-c", "import torch, PIL").CombinedOutput(); err != nil {
		t.Skipf("skipped: no PyTorch and Pillow at %s (on Debian: apt-get install python3-torch): %v %s", py, err, lastLine(out))
	}
	return py
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// patience is how long one run of a script may take. The longest takes
// well under a minute; one that hangs fails its test, showing what it
// printed, instead of stopping the whole package at go test's timeout.
const patience = 5 * time.Minute

// run runs py with args and returns its output and error. Past patience
// its process group (torchrun, and its workers where they share its
// group) gets SIGTERM, and 10 s later SIGKILL; the error then says so.
func run(py string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		pgid := cmd.Process.Pid
		time.AfterFunc(10*time.Second, func() { syscall.Kill(-pgid, syscall.SIGKILL) })
		return syscall.Kill(-pgid, syscall.SIGTERM)
	}
	cmd.WaitDelay = 15 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("still running after %v, stopped (%v)", patience, err)
	}
	return string(out), err
}

// command is run, failing the test on an error.
func command(t *testing.T, py string, args ...string) string {
	t.Helper()
	out, err := run(py, args...)
	if err != nil {
		t.Fatalf("%s %s: %v; it printed:\n%s", py, strings.Join(args, " "), err, out)
	}
	return out
}

// torchrunArgs are the arguments of python that run train.py's args on n
// processes, with the flags Debian's PyTorch 1.13 needs under Python 3.11
// (its default --redirects fails there), each process's output tagged
// [defaultK].
func torchrunArgs(t *testing.T, n int, args ...string) []string {
	return append([]string{"-m", "torch.distributed.run", "--redirects", "1", "--tee", "1",
		"--log_dir", t.TempDir(), "--standalone", fmt.Sprintf("--nproc_per_node=%d", n)}, args...)
}

// torchrun runs train.py's args on n processes and returns their output,
// failing the test on an error.
func torchrun(t *testing.T, py string, n int, args ...string) string {
	t.Helper()
	return command(t, py, torchrunArgs(t, n, args...)...)
}

// TestTorchrunFails checks that a run refused after the processes joined
// their group (a batch smaller than their number) ends, within patience,
// with the refusal and a failing status.
func TestTorchrunFails(t *testing.T) {
	py := python(t)
	out, err := run(py, torchrunArgs(t, 2, "train.py", "--data", sampleZip, "--batch", "1",
		"-o", filepath.Join(t.TempDir(), "m.safetensors"))...)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(out, "--batch 1: want at least one image a process (2)") {
		t.Fatalf("torchrun of train.py --batch 1 on 2 processes: %v, want a failing exit status and the refusal; it printed:\n%s", err, out)
	}
}

// TestRecipes checks that train.py's presets and flags make the recipes
// nn makes: each preset, and each preset with every field set to a value
// other than its own through its flag.
func TestRecipes(t *testing.T) {
	py := python(t)
	asJSON := func(v any) any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	values := map[string]string{"width": "24", "stages": "1,3", "shortcut": "conv1x1", "size": "40", "epochs": "7",
		"batch": "50", "lr": "0.02", "warmup": "0.25", "wd": "0.0005", "clip-value": "0.3", "clip-norm": "2",
		"label-smoothing": "0.1", "pad": "3", "flip": "0.25", "val": "0.1", "seed": "18446744073709551615"}
	for _, p := range nn.Presets {
		r := p()
		for _, changed := range []bool{false, true} {
			args := []string{"train.py", "--recipe", r.Name, "--print-recipe"}
			want := r
			if changed {
				for _, f := range nn.RecipeFields {
					v, ok := values[f.Name]
					if !ok {
						t.Fatalf("no value to try for the recipe field %s", f.Name)
					}
					if err := f.Set(&want, v); err != nil {
						t.Fatal(err)
					}
					args = append(args, "--"+f.Name, v)
				}
				split := uint64(5)
				want.SplitSeed, want.BatchNormPerShare = &split, true
				args = append(args, "--split-seed", "5", "--batchnorm-per-share")
			}
			var got any
			out := command(t, py, args...)
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%s: %v", out, err)
			}
			if w := asJSON(want); !reflect.DeepEqual(got, w) {
				t.Errorf("train.py %s:\n got %v\nwant %v", strings.Join(args[1:], " "), got, w)
			}
		}
	}
	cmd := exec.Command(py, "train.py", "--data", "x.zip", "--batch", "abc")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), `--batch: 'abc' is not a whole number`) {
		t.Errorf("--batch abc: %v %s, want a refusal naming it", err, out)
	}
}

// listing is what train.py's Dataset makes of a zip, with its split.
type listing struct {
	Classes    []string `json:"classes"`
	Train      []string `json:"train"`
	Val        []string `json:"val"`
	Test       []string `json:"test"`
	Skipped    []string `json:"skipped"`
	TrainLabel []int    `json:"train_labels"`
}

// list runs train.py's reading of zipPath at size with the split of
// recipe r, writing the pixels of its train, val and test images, in
// that order, to pixPath.
func list(t *testing.T, py, zipPath string, size int, r nn.Recipe, pixPath string) listing {
	t.Helper()
	rj, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	script := `
import json, sys
import train
zip_path, size, recipe, out = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
ds = train.Dataset(zip_path)
pix, skipped = train.load(ds, size, 0, 1, 2)
kept = [i for i in range(len(ds.names)) if i not in skipped]
train_all = [i for i in kept if not ds.test[i]]
tr, va = train.split_indices(len(train_all), recipe)
tr, va = [train_all[i] for i in tr], [train_all[i] for i in va]
test = [i for i in kept if ds.test[i]]
open(out, "wb").write(pix[tr + va + test].numpy().tobytes())
print(json.dumps({"classes": ds.classes, "train": [ds.names[i] for i in tr], "val": [ds.names[i] for i in va],
                  "test": [ds.names[i] for i in test], "skipped": [ds.names[i] for i in sorted(skipped)],
                  "train_labels": [ds.labels[i] for i in tr]}))
`
	out := command(t, py, "-c", script, zipPath, fmt.Sprint(size), string(rj), pixPath)
	var l listing
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	return l
}

// goListing is nn/data's reading of the zip and resnet train's split.
func goListing(t *testing.T, zipPath string, size int, r nn.Recipe) (listing, []uint8) {
	t.Helper()
	f, err := os.Open(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	a, err := data.ReadZip(f, st.Size(), data.Options{Size: size, MaxPixels: data.DefaultMaxPixels})
	if err != nil {
		t.Fatal(err)
	}
	tr, va := a.Train.Split(r.ValFraction, r.SplitRand())
	l := listing{Classes: a.Train.Classes, Train: tr.Names, Val: va.Names, TrainLabel: tr.Labels, Skipped: []string{}}
	pix := append(append([]uint8{}, tr.Pix...), va.Pix...)
	if a.Test != nil {
		l.Test = a.Test.Names
		pix = append(pix, a.Test.Pix...)
	}
	z, err := data.OpenZip(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, n := range append(append(l.Train, l.Val...), l.Test...) {
		kept[n] = true
	}
	for _, im := range z.Images { // listed as images, but not decoded
		if !kept[im.Name] {
			l.Skipped = append(l.Skipped, im.Name)
		}
	}
	return l, pix
}

// TestSameData checks that train.py reads a zip as nn/data does: the same
// classes, images in the same order, the same split as resnet train's
// (Go's PCG and Perm), and the same pixels, exactly where the images are
// lossless and within 1 where a JPEG's inverse DCT rounds otherwise.
func TestSameData(t *testing.T) {
	py := python(t)
	tricky := trickyZip(t)
	for _, tt := range []struct {
		name, zip string
		maxDiff   int
	}{
		{"sample JPEGs", sampleZip, 1},
		{"PNGs in a tricky layout", tricky, 0},
	} {
		for _, seed := range []uint64{1, 7} {
			r := nn.DefaultRecipe()
			r.Seed = seed
			pixPath := filepath.Join(t.TempDir(), "pix")
			got := list(t, py, tt.zip, 32, r, pixPath)
			want, wantPix := goListing(t, tt.zip, 32, r)
			if got.Skipped == nil {
				got.Skipped = []string{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, seed %d: train.py lists\n%+v\nnn/data and resnet train\n%+v", tt.name, seed, got, want)
				continue
			}
			gotPix, err := os.ReadFile(pixPath)
			if err != nil {
				t.Fatal(err)
			}
			if len(gotPix) != len(wantPix) {
				t.Fatalf("%s: %d bytes of pixels, want %d", tt.name, len(gotPix), len(wantPix))
			}
			worst, differ := 0, 0
			for i := range gotPix {
				d := int(gotPix[i]) - int(wantPix[i])
				worst = max(worst, d, -d)
				if d != 0 {
					differ++
				}
			}
			t.Logf("%s, seed %d: %d images, %d train / %d val / %d test; pixels differ by at most %d, %.2f%% of channel values",
				tt.name, seed, len(want.Train)+len(want.Val)+len(want.Test), len(want.Train), len(want.Val), len(want.Test),
				worst, 100*float64(differ)/float64(len(gotPix)))
			if worst > tt.maxDiff {
				t.Errorf("%s: pixels differ by up to %d, want at most %d", tt.name, worst, tt.maxDiff)
			}
		}
	}
}

// trickyZip writes a zip of PNGs in Kaggle's doubled layout with what
// nn/data leaves out: junk, a file outside the class folders, a
// validation folder beside train and test, a text file among the images,
// a corrupt PNG, and names that sort differently as bytes and as text.
func trickyZip(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, b []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	img := func(seed int) []byte {
		m := image.NewRGBA(image.Rect(0, 0, 37+seed%5, 29+seed%3))
		for i := range m.Pix {
			m.Pix[i] = uint8(i*seed*31 + i/7)
		}
		m.Set(0, 0, color.RGBA{1, 2, 3, 128})
		var b bytes.Buffer
		if err := png.Encode(&b, m); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	n := 0
	for _, split := range []string{"seg_train/seg_train", "seg_test/seg_test", "val"} {
		for _, class := range []string{"Zebra", "apple", "b"} {
			for _, name := range []string{"10.png", "9.png", "B.png", "a.PNG", "é.png"} {
				n++
				add("top/"+split+"/"+class+"/"+name, img(n))
			}
		}
	}
	add("top/seg_train/seg_train/apple/notes.txt", []byte("not an image"))
	add("top/seg_train/seg_train/b/broken.png", []byte("\x89PNG but not really"))
	add("top/seg_train/readme.txt", []byte("a file outside the class folders"))
	add("__MACOSX/top/seg_train/seg_train/b/._9.png", []byte("junk"))
	add("top/seg_train/seg_train/b/.DS_Store", []byte("junk"))
	add("top/seg_train/seg_train/Zebra/Thumbs.db", []byte("junk"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tricky.zip")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSyncBatchNorm checks that on two processes one step's gradients
// and BatchNorm statistics are one process's, in float64.
func TestSyncBatchNorm(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	one, two := filepath.Join(dir, "one.pt"), filepath.Join(dir, "two.pt")
	command(t, py, "check_sync.py", one)
	torchrun(t, py, 2, "check_sync.py", two)
	t.Log(strings.TrimSpace(command(t, py, "check_sync.py", "--compare", one, two)))
}

var (
	digestLine = regexp.MustCompile(`\[default(\d)\]:process (\d) of 2: weights sha256 ([0-9a-f]{64})`)
	testLines  = regexp.MustCompile(`test \(60 images\):\n\[default0\]:(loss: [0-9.]+)\n\[default0\]:(accuracy: .*)\n`)
)

// digest returns the weights' digest both processes of a run printed,
// failing unless there are two and they are equal.
func digest(t *testing.T, out string) string {
	t.Helper()
	ms := digestLine.FindAllStringSubmatch(out, -1)
	if len(ms) != 2 || ms[0][1] != ms[0][2] || ms[1][1] != ms[1][2] || ms[0][1] == ms[1][1] {
		t.Fatalf("want a weights line from each of the two processes:\n%s", out)
	}
	if ms[0][3] != ms[1][3] {
		t.Fatalf("the two processes' weights differ: %s and %s", ms[0][3], ms[1][3])
	}
	return ms[0][3]
}

// TestTorchrun trains on two processes with torchrun (gloo, CPU) a few
// epochs of the sample, checks that both processes hold the same weights,
// that resnet evaluate scores the file as the script did, and that a run
// stopped after an epoch and resumed ends where the whole run does.
func TestTorchrun(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	resnet := filepath.Join(dir, "resnet")
	if out, err := exec.Command("go", "build", "-o", resnet, "../resnet").CombinedOutput(); err != nil {
		t.Fatalf("go build ../resnet: %v\n%s", err, out)
	}
	model := filepath.Join(dir, "model.safetensors")
	args := []string{"train.py", "--data", sampleZip, "--recipe", "quick", "--epochs", "4", "-o", model}
	out := torchrun(t, py, 2, args...)
	whole := digest(t, out)
	m := testLines.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no test evaluation in the output:\n%s", out)
	}
	ev, err := exec.Command(resnet, "evaluate", "-model", model, "-data", sampleZip).Output()
	if err != nil {
		t.Fatalf("resnet evaluate: %v\n%s", err, ev)
	}
	lines := strings.Split(strings.TrimSpace(string(ev)), "\n")
	t.Logf("train.py on 2 processes: %s, %s; resnet evaluate: %s", m[1], m[2], strings.Join(lines[len(lines)-2:], ", "))
	if !strings.Contains(string(ev), "\n"+m[2]+"\n") {
		t.Errorf("resnet evaluate of the file:\n%s\nwant the script's %q", ev, m[2])
	}
	f, err := os.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	mod, err := nn.ReadModel(f, st.Size(), "model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	var rec nn.Recipe
	if err := json.Unmarshal(mod.Meta.Recipe, &rec); err != nil {
		t.Fatalf("the file's recipe: %v", err)
	}
	if mod.Meta.Arch != "resnet14" || len(mod.Meta.History) != 4 || rec.Name != "quick" || rec.Epochs != 4 ||
		!reflect.DeepEqual(mod.Meta.Classes, []string{"buildings", "forest", "glacier", "mountain", "sea", "street"}) ||
		!strings.Contains(mod.Meta.Source, "PyTorch") {
		t.Errorf("the file's metadata: %+v", mod.Meta)
	}

	perShare := torchrun(t, py, 2, "train.py", "--data", sampleZip, "--recipe", "quick", "--epochs", "1",
		"--batchnorm-per-share", "-o", filepath.Join(dir, "per-share.safetensors"))
	digest(t, perShare) // DDP hands process 0's BatchNorm statistics to the other

	resumed := filepath.Join(dir, "resumed.safetensors")
	two := append(append([]string{}, args[:len(args)-1]...), resumed)
	first := torchrun(t, py, 2, append(two, "--steps", "6")...) // 2 epochs of 3 steps
	if !strings.Contains(first, "[default0]:    2  ") || strings.Contains(first, "[default0]:    3  ") {
		t.Fatalf("--steps 6 should stop after epoch 2:\n%s", first)
	}
	if digest(t, first) == whole {
		t.Fatal("the run stopped after 2 epochs holds the 4 epochs' weights")
	}
	again := torchrun(t, py, 2, append(two, "--resume")...)
	if !strings.Contains(again, "resumed "+resumed+".ckpt after epoch 2 of 4") {
		t.Errorf("no resume line:\n%s", again)
	}
	if got := digest(t, again); got != whole {
		t.Errorf("stopped after epoch 2 and resumed: weights sha256 %s, the whole run's %s", got, whole)
	}
}
