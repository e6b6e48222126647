package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/modelfile"
)

// run1 runs the command with args and returns its stdout, stderr and
// error.
func run1(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

// colorZip writes a dataset zip of plain class folders whose images are
// noisy squares of one color per class, easy to learn.
func colorZip(t *testing.T, perClass int, extra map[string][]byte) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	classes := map[string]color.RGBA{"blue": {20, 40, 220, 255}, "green": {30, 200, 40, 255}, "red": {220, 30, 30, 255}}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, c := range classes {
		for i := 0; i < perClass; i++ {
			img := image.NewRGBA(image.Rect(0, 0, 40, 30))
			for p := 0; p < len(img.Pix); p += 4 {
				img.Pix[p] = uint8(min(255, int(c.R)+rng.IntN(30)))
				img.Pix[p+1] = uint8(min(255, int(c.G)+rng.IntN(30)))
				img.Pix[p+2] = uint8(min(255, int(c.B)+rng.IntN(30)))
				img.Pix[p+3] = 255
			}
			w, err := zw.Create(fmt.Sprintf("colors/%s/%d.png", name, i))
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(w, img); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, b := range extra {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "colors.zip")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTrainEvaluatePredict(t *testing.T) {
	zipPath := colorZip(t, 10, map[string][]byte{"colors/red/notes.jpg": []byte("not an image")})
	model := filepath.Join(t.TempDir(), "m.safetensors")
	out, log, err := run1(t, "train", "-data", zipPath, "-recipe", "reference", "-size", "16", "-width", "4",
		"-stages", "1,1", "-epochs", "12", "-batch", "8", "-val", "0.25", "-workers", "2", "-o", model)
	if err != nil {
		t.Fatalf("train: %v\n%s\n%s", err, out, log)
	}
	for _, want := range []string{"   12  ", "validation (8 images):", "accuracy: "} {
		if !strings.Contains(out, want) {
			t.Errorf("train output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(log, "notes.jpg") {
		t.Errorf("train log does not mention the skipped non-image:\n%s", log)
	}
	out, _, err = run1(t, "evaluate", "-model", model, "-data", zipPath)
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	if !strings.Contains(out, "accuracy: 1.0000 (30/30)") {
		t.Errorf("evaluate: want all 30 colors right, got\n%s", out)
	}
	// The checkpoint resumes; a finished run has nothing left to do.
	out, log, err = run1(t, "train", "-data", zipPath, "-recipe", "reference", "-size", "16", "-width", "4",
		"-stages", "1,1", "-epochs", "12", "-batch", "8", "-val", "0.25", "-workers", "2", "-o", model, "-resume")
	if err != nil || !strings.Contains(log, "resuming after epoch 12") {
		t.Errorf("resume: %v\n%s", err, log)
	}
	// Results depend on the number of workers: a resume with another is refused.
	_, _, err = run1(t, "train", "-data", zipPath, "-recipe", "reference", "-size", "16", "-width", "4",
		"-stages", "1,1", "-epochs", "12", "-batch", "8", "-val", "0.25", "-workers", "1", "-o", model, "-resume")
	if err == nil || !strings.Contains(err.Error(), "workers") {
		t.Errorf("resume with 1 worker instead of 2: got %v, want an error about workers", err)
	}
	// A checkpoint from before workers summed their BatchNorm statistics
	// (no "batchnorm" in its metadata) computed something else: refused.
	ckpt := model + ".ckpt"
	raw, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	ts, meta, err := modelfile.ReadSafetensors(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	delete(meta, "batchnorm")
	var old bytes.Buffer
	if err := modelfile.WriteSafetensors(&old, ts, meta); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ckpt, old.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = run1(t, "train", "-data", zipPath, "-recipe", "reference", "-size", "16", "-width", "4",
		"-stages", "1,1", "-epochs", "12", "-batch", "8", "-val", "0.25", "-workers", "2", "-o", model, "-resume")
	if err == nil || !strings.Contains(err.Error(), "older version") {
		t.Errorf("resume of a checkpoint whose workers normalized apart: got %v, want a refusal", err)
	}
}

// TestTrainFromTeachers trains a model, then one learning from it, and
// refuses a teacher of another input size, a share without teachers,
// and a resume that forgets them.
func TestTrainFromTeachers(t *testing.T) {
	zipPath := colorZip(t, 10, nil)
	dir := t.TempDir()
	tiny := []string{"-data", zipPath, "-recipe", "reference", "-size", "16", "-width", "4", "-stages", "1,1", "-epochs", "2", "-batch", "8", "-val", "0.25", "-workers", "2"}
	train := func(args ...string) (string, string, error) {
		return run1(t, append(append([]string{"train"}, tiny...), args...)...)
	}
	teacher := filepath.Join(dir, "teacher.safetensors")
	if out, log, err := train("-o", teacher); err != nil {
		t.Fatalf("train the teacher: %v\n%s\n%s", err, out, log)
	}
	student := filepath.Join(dir, "student.safetensors")
	out, log, err := train("-teacher", teacher, "-distill", "0.7", "-o", student)
	if err != nil {
		t.Fatalf("train the student: %v\n%s\n%s", err, out, log)
	}
	if !strings.Contains(log, "1 teacher classified the 22 training images") || !strings.Contains(out, "    2  ") {
		t.Errorf("the student's run:\n%s\n%s", out, log)
	}
	m, err := readModel(student)
	if err != nil {
		t.Fatal(err)
	}
	var r nn.Recipe
	if err := json.Unmarshal(m.Meta.Recipe, &r); err != nil || r.Distill != 0.7 || !slices.Equal(r.Teachers, []string{"teacher.safetensors"}) {
		t.Errorf("the student's recipe: %+v (%v), want a share of 0.7 for teacher.safetensors", r, err)
	}
	if !strings.Contains(m.Meta.Source, "learning from 1 teacher (a share of 0.7 of each target)") {
		t.Errorf("the student's source: %q", m.Meta.Source)
	}
	_, _, err = train("-o", student, "-resume")
	if err == nil || !strings.Contains(err.Error(), "teacher") {
		t.Errorf("a resume of the student without its teacher: got %v", err)
	}
	big := append(slices.Clone(tiny), "-teacher", teacher, "-o", filepath.Join(dir, "big.safetensors"))
	big[slices.Index(big, "16")] = "20"
	if _, _, err := run1(t, append([]string{"train"}, big...)...); err == nil || !strings.Contains(err.Error(), "16×16") {
		t.Errorf("a teacher of 16×16 images for a run at 20×20: got %v", err)
	}
	if _, _, err := train("-distill", "0.5", "-o", filepath.Join(dir, "x.safetensors")); err == nil || !strings.Contains(err.Error(), "-teacher") {
		t.Errorf("-distill without -teacher: got %v", err)
	}
}

func TestReferenceWeightsOnScenes(t *testing.T) {
	model := filepath.Join(t.TempDir(), "seed.safetensors")
	if _, _, err := run1(t, "convert", "-o", model, "../../nn/modelfile/testdata/seed-resnet14.pth"); err != nil {
		t.Fatalf("convert: %v", err)
	}
	out, _, err := run1(t, "predict", "-model", model, "../../ui/e2e/testdata/forest-10007.jpg", "../../ui/e2e/testdata/sea-10071.jpg")
	if err != nil {
		t.Fatalf("predict: %v", err)
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 8 || !strings.HasPrefix(strings.TrimSpace(lines[1]), "forest") || !strings.HasPrefix(strings.TrimSpace(lines[5]), "sea") {
		t.Errorf("predict: want forest then sea on top, got\n%s", out)
	}
}

// TestPredictExplain writes each photo with its Grad-CAM heat map, the
// map nn.GradCAM computes for the top class, painted over it.
func TestPredictExplain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "maps")
	photos := []string{"../../ui/e2e/testdata/forest-10007.jpg", "../../ui/e2e/testdata/sea-10071.jpg"}
	out, _, err := run1(t, append([]string{"predict", "-model", "../../assets/model.safetensors", "-explain", dir}, photos...)...)
	if err != nil {
		t.Fatalf("predict -explain: %v\n%s", err, out)
	}
	for _, photo := range photos {
		name := strings.TrimSuffix(filepath.Base(photo), ".jpg") + ".gradcam.png"
		if !strings.Contains(out, "Grad-CAM of ") || !strings.Contains(out, filepath.Join(dir, name)) {
			t.Errorf("the output does not name %s:\n%s", name, out)
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != 150 || b.Dy() != 150 {
			t.Errorf("%s is %v, want the photo's 150×150", name, b)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "data.zip")
	os.WriteFile(notZip, []byte("hello"), 0o644)
	text := filepath.Join(dir, "x.jpg")
	os.WriteFile(text, []byte("hello"), 0o644)
	oneClass := colorZip(t, 0, map[string][]byte{"only/a.txt": []byte("x")})
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "no command"},
		{"unknown command", []string{"fly"}, `unknown command "fly"`},
		{"missing data", []string{"train", "-data", filepath.Join(dir, "nope.zip")}, "nope.zip"},
		{"not a zip", []string{"evaluate", "-model", "../../nn/modelfile/testdata/seed-resnet14.pth", "-data", notZip}, "data.zip"},
		{"no classes", []string{"train", "-data", oneClass}, "colors.zip"},
		{"model is text", []string{"predict", "-model", text, text}, "x.jpg"},
		{"image is text", []string{"predict", "-model", "../../nn/modelfile/testdata/seed-resnet14.pth", text}, "x.jpg"},
		{"bad recipe", []string{"train", "-recipe", "magic", "-data", notZip}, "magic"},
		{"zero batch", []string{"evaluate", "-batch", "0", "-model", "m", "-data", notZip}, "-batch 0"},
	}
	for _, c := range cases {
		_, _, err := run1(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

func TestPredictPhonePhotos(t *testing.T) {
	// 12000x9000, a 108-megapixel phone's photo, and a header beyond it.
	img := image.NewYCbCr(image.Rect(0, 0, 12000, 9000), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = uint8(i % 251)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	photo := filepath.Join(dir, "phone.jpg")
	if err := os.WriteFile(photo, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := run1(t, "predict", "-model", "../../assets/model.safetensors", photo)
	if err != nil || strings.Count(out, "%") != 3 {
		t.Fatalf("predict of a 12000x9000 JPEG: %v\n%s", err, out)
	}
	huge := "../../ui/e2e/testdata/huge.png" // a header of 20000x20000, one row of pixels
	_, stderr, err := run1(t, "predict", "-model", "../../assets/model.safetensors", huge)
	if want := "huge.png: image too large: PNG of 20000x20000 pixels; the limit is 120 megapixels"; err == nil || !strings.Contains(stderr, want) || strings.Contains(stderr, "data:") {
		t.Errorf("predict of a 20000x20000 PNG: %v, printed %q; want it to say %q", err, stderr, want)
	}
}

// TestSource checks what a trained model's metadata says of its recipe:
// the preset, what the flags changed of it, and the seed.
func TestSource(t *testing.T) {
	r, _ := nn.Preset("default")
	r.Seed = 3
	if got, want := source(r), "trained natively with the default recipe, seed 3"; got != want {
		t.Errorf("the preset as it is: %q, want %q", got, want)
	}
	r.Config.InputSize, r.LabelSmoothing = 40, 0.1
	if got, want := source(r), "trained natively with the default recipe (input size 40 pixels, label smoothing 0.1), seed 3"; got != want {
		t.Errorf("with two fields changed: %q, want %q", got, want)
	}
}
