// Samplezip makes the page's sample data set, assets/sample-scenes.zip:
// a few real images of each class of the Intel scenes training zip,
// copied unchanged, taken from the images that the built-in model
// (trained with seed 1, whose split it keeps) held out for validation, so
// that evaluating the built-in model on the sample is honest.
//
//	go run ./cmd/samplezip -data ../shared/data/intel-scenes-train.zip -o assets/sample-scenes.zip
package main

import (
	"archive/zip"
	"flag"
	"fmt"
	"io"
	"os"
	"path"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

func main() {
	src := flag.String("data", "../shared/data/intel-scenes-train.zip", "the training `zip` to take images from")
	out := flag.String("o", "assets/sample-scenes.zip", "the sample `zip` to write")
	train := flag.Int("train", 40, "training images of each class")
	test := flag.Int("test", 10, "test images of each class")
	flag.Parse()
	if err := run(*src, *out, *train, *test); err != nil {
		fmt.Fprintln(os.Stderr, "samplezip:", err)
		os.Exit(1)
	}
}

func run(src, out string, train, test int) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	z, err := data.OpenZip(f, st.Size())
	if err != nil {
		return err
	}
	// The validation split of the default recipe, in its order: the
	// labels are all a split needs, so no image is decoded.
	set := &data.Set{Classes: z.Classes, Labels: make([]int, len(z.Images))}
	for i, im := range z.Images {
		set.Labels[i] = im.Label
	}
	r := nn.DefaultRecipe()
	_, val := set.SplitIndices(r.ValFraction, r.SplitRand())
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return err
	}
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	w := zip.NewWriter(o)
	taken := make([]int, len(z.Classes))
	for _, i := range val {
		im := z.Images[i]
		c := im.Label
		if taken[c] == train+test {
			continue
		}
		split := "train"
		if taken[c] >= train {
			split = "test"
		}
		taken[c]++
		name := path.Join("intel-scenes-sample", split, z.Classes[c], path.Base(im.Name))
		if err := copyEntry(w, zr.File[im.Entry], name); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return o.Close()
}

// copyEntry copies the zip entry f, still compressed, into w as name.
func copyEntry(w *zip.Writer, f *zip.File, name string) error {
	fh := f.FileHeader
	fh.Name = name
	dst, err := w.CreateRaw(&fh)
	if err != nil {
		return err
	}
	rc, err := f.OpenRaw()
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, rc)
	return err
}
