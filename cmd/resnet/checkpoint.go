package main

import (
	"fmt"
	"os"

	"github.com/intelscenes/resnet-browser/nn"
)

// save writes the model to t.out and, at an epoch's end, the run's
// checkpoint to t.out+".ckpt" for -resume.
func (t *trainRun) save(epochDone bool) error {
	if err := writeModel(t.Model, t.out); err != nil {
		return err
	}
	if !epochDone {
		return nil
	}
	path := t.out + ".ckpt"
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	defer os.Remove(path + ".tmp") // after a failure; gone by then otherwise
	if err := t.WriteCheckpoint(f, nn.Checkpoint{Workers: t.workers, Kernel: nn.KernelName()}); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

// resume loads the checkpoint beside t.out, which must come from the same
// recipe and number of workers (results depend on both), and positions the
// run after its last finished epoch.
func (t *trainRun) resume(workers int) error {
	path := t.out + ".ckpt"
	f, size, err := open(path)
	if err != nil {
		return fmt.Errorf("-resume: %w", err)
	}
	defer f.Close()
	if _, err := t.ReadCheckpoint(f, size, workers); err != nil {
		return fmt.Errorf("-resume: %s: %v", path, nn.Message(err))
	}
	fmt.Fprintf(t.log, "resuming after epoch %d (step %d)\n", t.Epochs(), t.Trainer.Steps())
	return nil
}
