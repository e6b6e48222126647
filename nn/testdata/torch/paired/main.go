// Command paired trains the reference recipe in Go from a known start,
// so that PyTorch can train from the very same start and the two runs
// can be compared step by step (see ../train_reference.py --init).
//
// It reads a split written by ../export, builds the network that
// "resnet train -recipe reference -seed S" starts from (nn.NewModel with
// Recipe.InitRand) and the batch order that run uses (Recipe.EpochOrder),
// writes both, then trains with nn.Trainer and logs every step:
//
//	go run ./nn/testdata/torch/export -data ../shared/data/intel-scenes-train.zip -seed 1 -o /tmp/refsplit1
//	go run ./nn/testdata/torch/paired -data /tmp/refsplit1 -seed 1 -o /tmp/paired1
//	/usr/bin/python3 nn/testdata/torch/train_reference.py --data /tmp/refsplit1 \
//	    --init /tmp/paired1/init.safetensors --order /tmp/paired1/order.u32 \
//	    --step-log /tmp/paired1/torch_steps.tsv --save /tmp/paired1/torch_final.safetensors
//
// Files written to the -o directory:
//
//	init.safetensors   the initial model (PyTorch state-dict names)
//	order.u32          uint32 little-endian, one permutation of the
//	                   training images per epoch, back to back
//	go_steps.tsv       step, epoch, loss, learning rate, beta1 of every
//	                   step; a line "eval epoch val_loss val_acc" after
//	                   every epoch
//	go_final.safetensors  the model after the last step
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

func main() {
	ref := nn.ReferenceRecipe()
	dir := flag.String("data", "", "`directory` written by ../export (required)")
	seed := flag.Uint64("seed", ref.Seed, "recipe seed: initial weights and batch order, as resnet train -seed")
	epochs := flag.Int("epochs", ref.Epochs, "epochs to train (0: only write the start); the schedule is always the recipe's full one")
	workers := flag.Int("workers", runtime.NumCPU(), "replicas, as resnet train -workers (they sum their BatchNorm statistics, so any count is the reference's arithmetic)")
	maxSteps := flag.Int("steps", 0, "stop after this many steps (0: after -epochs)")
	out := flag.String("o", "", "output `directory` (created if needed)")
	flag.Parse()
	if *dir == "" || *out == "" || flag.NArg() != 0 || *epochs < 0 || *epochs > ref.Epochs {
		flag.Usage()
		os.Exit(2)
	}
	train, val := readPart(*dir, "train"), readPart(*dir, "val")
	r := ref
	r.Seed = *seed
	m, err := nn.NewModel(r.Config, train.Classes, r.InitRand())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	save(m, filepath.Join(*out, "init.safetensors"))
	steps := (train.Len() + r.BatchSize - 1) / r.BatchSize
	tr, err := nn.NewTrainer(m, r, r.Epochs*steps, *workers)
	if err != nil {
		log.Fatal(err)
	}
	// The whole recipe's batch order, written before training so that
	// PyTorch can start at once (-epochs 0 trains nothing).
	perms := make([][]int, r.Epochs)
	var order []byte
	for e := range perms {
		perms[e] = r.EpochOrder(e, train.Len())
		for _, i := range perms[e] {
			order = binary.LittleEndian.AppendUint32(order, uint32(i))
		}
	}
	if err := os.WriteFile(filepath.Join(*out, "order.u32"), order, 0o644); err != nil {
		log.Fatal(err)
	}
	if *epochs == 0 {
		return
	}
	logf, err := os.Create(filepath.Join(*out, "go_steps.tsv"))
	if err != nil {
		log.Fatal(err)
	}
	defer logf.Close()
	for e, perm := range perms[:*epochs] {
		for lo := 0; lo < len(perm) && (*maxSteps == 0 || tr.Steps() < *maxSteps); lo += r.BatchSize {
			step, lr := tr.Steps(), tr.LR()
			loss, _, err := tr.Step(train, perm[lo:min(lo+r.BatchSize, len(perm))])
			if err != nil {
				log.Fatalf("step %d: %v", step, err)
			}
			fmt.Fprintf(logf, "%d\t%d\t%.9g\t%.9g\t%.9g\n", step, e+1, loss, lr, tr.Optimizer().Beta1)
		}
		vloss, cm := tr.Evaluate(val, 256)
		fmt.Fprintf(logf, "eval\t%d\t%.9g\t%.9g\n", e+1, vloss, cm.Accuracy())
		fmt.Printf("epoch %d: val loss %.4f, accuracy %.2f%%\n", e+1, vloss, 100*cm.Accuracy())
	}
	save(m, filepath.Join(*out, "go_final.safetensors"))
}

// readPart reads part (train or val) of an export directory back into a
// data.Set.
func readPart(dir, part string) *data.Set {
	var meta struct {
		Size    int      `json:"size"`
		Classes []string `json:"classes"`
	}
	j, err := os.ReadFile(filepath.Join(dir, "split.json"))
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(j, &meta); err != nil {
		log.Fatalf("split.json: %v", err)
	}
	pix, err := os.ReadFile(filepath.Join(dir, part+"_pix.u8"))
	if err != nil {
		log.Fatal(err)
	}
	lab, err := os.ReadFile(filepath.Join(dir, part+"_labels.u8"))
	if err != nil {
		log.Fatal(err)
	}
	if len(pix) != len(lab)*meta.Size*meta.Size*3 {
		log.Fatalf("%s: %d bytes of pixels for %d labels of %dx%d images", part, len(pix), len(lab), meta.Size, meta.Size)
	}
	s := &data.Set{Size: meta.Size, Classes: meta.Classes, Pix: pix, Labels: make([]int, len(lab))}
	for i, l := range lab {
		s.Labels[i] = int(l)
	}
	return s
}

func save(m *nn.Model, path string) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.WriteTo(f); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
