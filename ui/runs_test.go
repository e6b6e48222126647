package main

import (
	"strings"
	"testing"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// TestKeptRunsLines checks what the page says of keeping the run at
// work: its data set kept or not, its checkpoints kept or not, a run
// resumed.
func TestKeptRunsLines(t *testing.T) {
	var k KeptRuns
	k.planned(&protocol.TrainPlan{KeptBytes: 43 << 20, KeptSeconds: 1.25})
	if want := "The data set is kept in this browser (43 MB, hashed and written in 1.2 s), for the run to resume after a reload."; k.Line != want {
		t.Errorf("got %q, want %q", k.Line, want)
	}
	k.checkpointed(protocol.CheckpointKept{Step: 176, Bytes: 2 << 20, Seconds: 0.04})
	if want := "Checkpoint kept in this browser at step 176 (2.0 MB, written in 40 ms): a reload resumes from there."; k.Line != want || k.Err != "" {
		t.Errorf("got %q (%q), want %q", k.Line, k.Err, want)
	}
	k.checkpointed(protocol.CheckpointKept{Step: 352, Failed: store.Problem(store.ErrFull)})
	if !strings.HasPrefix(k.Err, "The checkpoint of step 352 could not be kept: the browser's storage for this page is full.") || !strings.HasSuffix(k.Err, "a reload would lose it.") {
		t.Errorf("a checkpoint not kept: %q", k.Err)
	}
	k.planned(&protocol.TrainPlan{Resumed: 100, ResumedBytes: 2 << 20, ResumedSeconds: 0.012, Kept: "this browser keeps nothing here"})
	if k.Line != "Resumed from the checkpoint of step 100 (2.0 MB, read in 12 ms)." || !strings.Contains(k.Note, "cannot resume after a reload: the data set could not be kept in the browser (this browser keeps nothing here)") {
		t.Errorf("resumed: line %q, note %q", k.Line, k.Note)
	}
	r := store.Run{Recipe: nn.DefaultRecipe(), DatasetName: "scenes.zip", Step: 1234, Steps: 4224, Epoch: 7, Workers: 2, Saved: time.Date(2026, 12, 2, 15, 4, 0, 0, time.Local)}
	k.Interrupted, k.Others = &r, 2
	if want := "A run was interrupted: the default recipe on scenes.zip, saved at step 1,234 of 4,224 (7 of 24 epochs finished) on 2 Dec 2026 15:04, with 2 workers. (2 more interrupted runs are kept.)"; k.InterruptedLine() != want {
		t.Errorf("got %q, want %q", k.InterruptedLine(), want)
	}
}
