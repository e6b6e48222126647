package data

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// realZip is where the real dataset lies, relative to the repository's
// root: in the shared folder beside it.
var realZip = filepath.Join("..", "shared", "data", "intel-scenes-train.zip")

// moduleRoot returns the nearest directory at or above dir that holds a
// go.mod file.
func moduleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in it or any directory above it")
		}
		dir = parent
	}
}

func TestModuleRoot(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "repo", "nn", "data")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "repo", "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ dir, want string }{
		{deep, filepath.Join(root, "repo")},
		{filepath.Join(root, "repo"), filepath.Join(root, "repo")},
		{root, ""}, // nothing above a temporary directory holds a go.mod
	}
	for _, tt := range tests {
		got, err := moduleRoot(tt.dir)
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("moduleRoot(%s): got %q, %v; want %q", tt.dir, got, err, tt.want)
		}
	}
}

func TestReadZipReal(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 14,034 images")
	}
	if runtime.GOOS == "js" {
		t.Skip("takes minutes under WebAssembly; the same code is checked natively")
	}
	root, err := moduleRoot(".")
	if err != nil {
		t.Fatalf("finding the repository's root: %v", err)
	}
	path := filepath.Join(root, realZip)
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("no real dataset at %s (the shared folder beside the repository): %v", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	calls, last := 0, 0
	start := time.Now()
	a, err := ReadZip(f, st.Size(), Options{Size: 32, MaxPixels: DefaultMaxPixels, Progress: func(done, total int) {
		calls++
		if done < last || total != 14034 {
			t.Errorf("Progress(%d, %d) after %d", done, total, last)
		}
		last = done
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read %d images in %v", a.Train.Len(), time.Since(start))
	if got, want := a.Train.Len(), 14034; got != want {
		t.Errorf("Train.Len() = %d, want %d", got, want)
	}
	wantClasses := []string{"buildings", "forest", "glacier", "mountain", "sea", "street"}
	if !slices.Equal(a.Train.Classes, wantClasses) {
		t.Errorf("Classes = %v, want %v", a.Train.Classes, wantClasses)
	}
	if got, want := a.Train.Counts(), []int{2191, 2271, 2404, 2512, 2274, 2382}; !slices.Equal(got, want) {
		t.Errorf("Counts() = %v, want %v", got, want)
	}
	if a.Test != nil {
		t.Errorf("Test has %d images, want nil", a.Test.Len())
	}
	if got, want := a.TrainDir, "seg_train/seg_train/"; got != want {
		t.Errorf("TrainDir = %q, want %q", got, want)
	}
	if last != 14034 || calls == 0 {
		t.Errorf("last Progress done = %d after %d calls, want 14034", last, calls)
	}
	for _, s := range a.Skipped {
		t.Logf("skipped %s: %s", s.Name, s.Reason)
	}
	if len(a.Skipped) != 0 {
		t.Errorf("%d files skipped, want 0", len(a.Skipped))
	}
	// The first image is seg_train/seg_train/buildings/0.jpg, in testdata.
	if got, want := a.Train.Names[0], "seg_train/seg_train/buildings/0.jpg"; got != want {
		t.Fatalf("Names[0] = %q, want %q", got, want)
	}
	want, err := DecodeImage(readTestdata(t, "photo/buildings_0.jpg"), "buildings_0.jpg", 32, DefaultMaxPixels)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Train.Image(0), want) {
		t.Errorf("image 0 differs from DecodeImage of the same file")
	}
}
