// Command export writes the training and validation split that
// "resnet train" would use to raw files, so that PyTorch can train on
// exactly the same preprocessed pixels (see ../train_reference.py).
//
// It reads the dataset zip with nn/data as cmd/resnet's readZip does
// (data.Options{Size, MaxPixels: data.DefaultMaxPixels}) and splits the
// training folder as cmd/resnet's newRun does, with Recipe.SplitRand.
//
//	go run ./nn/testdata/torch/export -data ../shared/data/intel-scenes-train.zip -seed 1 -o /tmp/refsplit1
//
// Files written to the -o directory, for each part P of train and val:
//
//	P_pix.u8     uint8, [N, Size, Size, 3]: data.Set.Pix as it is (image,
//	             row, column, RGB channel)
//	P_labels.u8  uint8, [N]: class indices into "classes"
//	P_names.txt  the image's path inside the zip, one a line
//	split.json   sizes, classes, per-class counts, the seed and fraction
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

func main() {
	ref := nn.ReferenceRecipe()
	zipPath := flag.String("data", "", "dataset `zip` (required)")
	seed := flag.Uint64("seed", ref.Seed, "recipe seed: the split resnet train -seed makes (Recipe.SplitRand)")
	val := flag.Float64("val", ref.ValFraction, "fraction held out for validation")
	size := flag.Int("size", ref.Config.InputSize, "side of the square images")
	out := flag.String("o", "", "output `directory` (created if needed)")
	flag.Parse()
	if *zipPath == "" || *out == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Open(*zipPath)
	if err != nil {
		log.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		log.Fatal(err)
	}
	a, err := data.ReadZip(f, st.Size(), data.Options{Size: *size, MaxPixels: data.DefaultMaxPixels})
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	if len(a.Train.Classes) > 256 {
		log.Fatalf("%d classes do not fit uint8 labels", len(a.Train.Classes))
	}
	train, vset := a.Train.Split(*val, nn.Recipe{Seed: *seed}.SplitRand())
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	type part struct {
		N      int   `json:"n"`
		Counts []int `json:"counts"`
	}
	meta := struct {
		Zip         string          `json:"zip"`
		Seed        uint64          `json:"seed"`
		ValFraction float64         `json:"val_fraction"`
		Size        int             `json:"size"`
		Layout      string          `json:"layout"`
		Classes     []string        `json:"classes"`
		Skipped     int             `json:"skipped"`
		Parts       map[string]part `json:"parts"`
	}{*zipPath, *seed, *val, *size, "pix uint8 [N,Size,Size,3] (HWC, RGB); labels uint8 [N]",
		a.Train.Classes, len(a.Skipped), map[string]part{}}
	for name, s := range map[string]*data.Set{"train": train, "val": vset} {
		labels := make([]byte, s.Len())
		for i, l := range s.Labels {
			labels[i] = byte(l)
		}
		write(*out, name+"_pix.u8", s.Pix)
		write(*out, name+"_labels.u8", labels)
		write(*out, name+"_names.txt", []byte(strings.Join(s.Names, "\n")+"\n"))
		meta.Parts[name] = part{s.Len(), s.Counts()}
	}
	j, _ := json.MarshalIndent(meta, "", "  ")
	write(*out, "split.json", append(j, '\n'))
	fmt.Printf("%s: %d train, %d val images (seed %d, val %.2f, %d skipped) -> %s\n",
		filepath.Base(*zipPath), train.Len(), vset.Len(), *seed, *val, len(a.Skipped), *out)
}

func write(dir, name string, b []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		log.Fatal(err)
	}
}
