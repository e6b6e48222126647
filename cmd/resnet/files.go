package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

// open opens a file for reading and returns its size.
func open(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// readModel reads a safetensors or PyTorch model file.
func readModel(path string) (*nn.Model, error) {
	f, size, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return nn.ReadModel(f, size, filepath.Base(path))
}

// writeModel writes m to path through a temporary file, so that an
// interrupted write never leaves a truncated model behind.
func writeModel(m *nn.Model, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := m.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// readZip reads a dataset zip at the given image size, reporting progress
// on w.
func readZip(path string, size int, w io.Writer) (*data.Archive, error) {
	f, fileSize, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	start := time.Now()
	last := start
	a, err := data.ReadZip(f, fileSize, data.Options{
		Size: size, MaxPixels: data.DefaultMaxPixels,
		Progress: func(done, total int) {
			if now := time.Now(); now.Sub(last) > 500*time.Millisecond || done == total {
				last = now
				fmt.Fprintf(w, "\rreading %s: %d/%d images", filepath.Base(path), done, total)
			}
		},
	})
	fmt.Fprintln(w)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(w, "read %s in %.1fs: %d train images", filepath.Base(path), time.Since(start).Seconds(), a.Train.Len())
	if a.Test != nil {
		fmt.Fprintf(w, ", %d test images", a.Test.Len())
	}
	fmt.Fprintf(w, ", %d classes, %d files skipped\n", len(a.Train.Classes), len(a.Skipped))
	for i, s := range a.Skipped { // reasons in a person's words already
		if i == 10 {
			fmt.Fprintf(w, "  ... and %d more\n", len(a.Skipped)-10)
			break
		}
		fmt.Fprintf(w, "  skipped %s: %s\n", s.Name, s.Reason)
	}
	return a, nil
}

// relabel makes the labels of set index classes, matching class names, so
// that a data set whose folders are a subset of (or ordered unlike) the
// model's classes is scored correctly.
func relabel(set *data.Set, classes []string) error {
	index := map[string]int{}
	for i, c := range classes {
		index[c] = i
	}
	to := make([]int, len(set.Classes))
	for i, c := range set.Classes {
		j, ok := index[c]
		if !ok {
			return fmt.Errorf("class %q of the data is not one of the model's classes %v", c, classes)
		}
		to[i] = j
	}
	for i, y := range set.Labels {
		set.Labels[i] = to[y]
	}
	set.Classes = classes
	return nil
}

// workers is the default number of replicas: one per core.
func workers() int { return runtime.NumCPU() }
