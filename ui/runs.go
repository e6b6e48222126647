package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// Runs that survive a reload: the data set worker sends a checkpoint at
// each epoch's end and on Pause, which the page keeps in the browser's
// storage with what its charts show; a run that ended badly, or whose
// tab went away, is offered to resume. A run live in a tab holds a Web
// Lock, so that no other tab offers it.

// RunsState is what the page knows of the runs kept.
type RunsState struct {
	Interrupted *store.Run // the newest run interrupted, offered to resume
	Others      int        // more runs interrupted
	Err         string     // why a checkpoint could not be kept, or a run not resumed
	Note        string     // why the run at work cannot resume after a reload, if it cannot
	Resuming    bool       // the interrupted run's checkpoint and data set are being read
	Line        string     // what keeping the run at work took, in words
	id          string     // the run at work's, or ""
	release     func()     // lets the run at work's lock go
	record      store.Run  // the run at work, as kept with its last checkpoint
}

// runProgress is what the page keeps of a run's charts.
type runProgress struct {
	Plan   *protocol.TrainPlan   `json:"plan"`
	Steps  []protocol.TrainStep  `json:"steps"`
	Epochs []protocol.TrainEpoch `json:"epochs"`
}

// beginRun starts keeping the run about to start (a new one, or run r
// resumed) and takes its lock, unless held is the func that lets it go,
// the lock taken already.
func (c *Root) beginRun(r store.Run, held func()) {
	c.runs.id, c.runs.record, c.runs.Err, c.runs.Note, c.runs.Line = r.ID, r, "", "", ""
	c.runs.release = held
	if c.runs.Interrupted != nil && c.runs.Interrupted.ID == r.ID {
		c.runs.Interrupted = nil
	}
	if c.db == nil {
		c.runs.Note = "This browser keeps nothing here: the run cannot resume after a reload."
		return
	}
	if held != nil {
		return
	}
	c.keepTask(func() {
		release, ok := store.HoldRunLock(r.ID)
		if ok {
			c.env.Lock()
			if c.runs.id == r.ID {
				c.runs.release = release
				release = nil
			}
			c.env.UnlockOnly()
		}
		if release != nil {
			release()
		}
	})
}

// runPlanned takes in the plan of the run at work.
func (c *Root) runPlanned(p *protocol.TrainPlan) {
	c.runs.record.Dataset, c.runs.record.Kernel, c.runs.record.Workers, c.runs.record.Steps = p.Dataset, p.Kernel, p.Workers, p.Steps
	c.dataset.digest = p.Dataset
	if p.KeptBytes > 0 {
		c.runs.Line = fmt.Sprintf("The data set is kept in this browser (%s, hashed and written in %.1f s), for the run to resume after a reload.", data.ByteWords(p.KeptBytes), p.KeptSeconds)
	}
	if p.Kept != "" {
		c.runs.Note = "This run cannot resume after a reload: the data set could not be kept in the browser (" + p.Kept + ")."
	}
}

// keepCheckpoint keeps the checkpoint in body, an ArrayBuffer, of the
// run at work.
func (c *Root) keepCheckpoint(ck *protocol.TrainCheckpoint, body js.Value) {
	if c.db == nil || c.runs.id == "" || c.runs.record.Dataset == "" {
		return
	}
	st := &c.trainState
	prog, _ := json.Marshal(runProgress{Plan: st.Plan, Steps: st.Steps, Epochs: st.Epochs})
	r := c.runs.record
	r.Step, r.Epoch, r.Saved, r.Progress = ck.Step, ck.Epoch, time.Now(), prog
	file := goBytesOf(body)
	c.keepTask(func() {
		c.askPersist()
		start := time.Now()
		err := c.db.PutCheckpoint(r, file)
		took := time.Since(start)
		c.env.Lock()
		defer c.env.UnlockRender()
		if err != nil {
			c.runs.Err = fmt.Sprintf("The checkpoint of step %d could not be kept: %s The run goes on, but a reload would lose it.", r.Step, c.storageProblem(err))
		} else if c.runs.id == r.ID {
			c.runs.Err = ""
			c.runs.Line = fmt.Sprintf("Checkpoint kept in this browser at step %d (%s, written in %d ms): a reload resumes from there.",
				r.Step, data.ByteWords(int64(len(file))), took.Milliseconds())
		}
	})
}

// endRun stops keeping the run at work: a run that ended (done, stopped,
// diverged) is forgotten, its model kept; one interrupted (its worker
// failed) stays, offered to resume.
func (c *Root) endRun(interrupted bool) {
	id := c.runs.id
	if c.runs.release != nil {
		c.runs.release()
	}
	c.runs.id, c.runs.release = "", nil
	if c.db == nil || id == "" {
		return
	}
	c.keepTask(func() {
		if !interrupted {
			if err := c.db.DeleteRun(id); err != nil {
				c.env.Lock()
				c.runs.Err = "Could not forget the run's checkpoint: " + err.Error()
				c.env.UnlockRender()
			}
		}
		c.findInterruptedRuns()
		c.refreshModels()
	})
}

// findInterruptedRuns finds the runs kept that no tab trains; it runs in
// the keeper goroutine.
func (c *Root) findInterruptedRuns() {
	rs, err := c.db.Runs()
	live := store.LiveRuns()
	c.env.Lock()
	defer c.env.UnlockRender()
	if err != nil {
		c.runs.Err = "Could not read the runs kept: " + err.Error()
		return
	}
	c.runs.Interrupted, c.runs.Others = nil, 0
	for i := range rs {
		if live[rs[i].ID] || rs[i].ID == c.runs.id {
			continue
		}
		if c.runs.Interrupted == nil {
			c.runs.Interrupted = &rs[i]
		} else {
			c.runs.Others++
		}
	}
}

// resumeRun goes on with the interrupted run from its last checkpoint,
// on the data set kept with it, with the workers it was saved with.
func (c *Root) resumeRun() {
	r := c.runs.Interrupted
	if r == nil || c.trainState.Running || c.runs.Resuming || c.db == nil {
		return
	}
	c.runs.Resuming, c.runs.Err = true, ""
	run := *r
	c.keepTask(func() {
		release, ok := store.HoldRunLock(run.ID) // kept for the run's whole life
		var ckpt []byte
		var err error
		start := time.Now()
		if ok {
			ckpt, err = c.db.Checkpoint(run.ID)
		}
		took := time.Since(start)
		c.env.Lock()
		defer c.env.UnlockRender()
		c.runs.Resuming = false
		switch {
		case !ok:
			c.runs.Err = "This run is training in another tab of this page."
			return
		case err != nil:
			release()
			c.runs.Err = "Could not read the run's checkpoint: " + err.Error()
			return
		}
		resume := func() {
			c.startResumed(run, ckpt, release)
			c.runs.Line = fmt.Sprintf("Resumed from the checkpoint of step %d (%s, read in %d ms).", run.Step, data.ByteWords(int64(len(ckpt))), took.Milliseconds())
		}
		if c.dataset.Info != nil && c.dataset.digest == run.Dataset {
			resume()
			return
		}
		c.loadKept(run.DatasetName, run.Dataset, resume, release)
	})
}

// startResumed sends the run r's checkpoint to the data set worker to go
// on with, and shows the run as it was; release lets its lock go.
func (c *Root) startResumed(r store.Run, ckpt []byte, release func()) {
	var p runProgress
	json.Unmarshal(r.Progress, &p)
	var rec nn.Recipe
	json.Unmarshal(r.Recipe, &rec)
	c.beginRun(r, release)
	c.sendTrain(protocol.Request{Kind: protocol.KindTrain, Name: r.DatasetName, Resume: true, KeepBest: r.KeepBest, NaNStep: c.nanStep},
		arrayBufferOf(ckpt), TrainState{Running: true, Stage: "resuming", Recipe: rec, Plan: p.Plan, Steps: p.Steps, Epochs: p.Epochs})
}

// loadKept has the data set worker load the data set kept under digest,
// then calls then, or failed if it could not.
func (c *Root) loadKept(name, digest string, then, failed func()) {
	c.dataset.Loading, c.dataset.Err, c.dataset.Progress = name+" (kept in this browser)", "", protocol.Progress{Stage: "reading the data set kept"}
	var id uint64
	id = c.data.Send(protocol.Request{Kind: protocol.KindLoadKept, Name: name, Digest: digest}, js.Undefined(), func(resp protocol.Response, body js.Value) {
		c.env.Lock()
		defer c.env.UnlockRender()
		if c.dataset.loadID != id { // another load replaced it
			failed()
			return
		}
		c.dataset.Loading = ""
		if resp.Error != "" {
			c.runs.Err = "Could not resume the run: " + resp.Error
			failed()
			return
		}
		c.setDataset(resp.Dataset, body)
		c.dataset.digest = digest
		then()
	})
	c.dataset.loadID = id
}

// discardRun forgets the interrupted run and its checkpoint.
func (c *Root) discardRun() {
	r := c.runs.Interrupted
	if r == nil || c.db == nil {
		return
	}
	c.runs.Interrupted = nil
	id := r.ID
	c.keepTask(func() {
		c.db.DeleteRun(id)
		c.findInterruptedRuns()
		c.refreshModels()
	})
}

// HandleResumeRun and HandleDiscardRun answer the interrupted run's
// buttons.
func (c *Root) HandleResumeRun(vugu.DOMEvent)  { c.resumeRun() }
func (c *Root) HandleDiscardRun(vugu.DOMEvent) { c.discardRun() }

// InterruptedLine describes the interrupted run.
func (c *Root) InterruptedLine() string {
	r := c.runs.Interrupted
	if r == nil {
		return ""
	}
	var rec nn.Recipe
	json.Unmarshal(r.Recipe, &rec)
	s := fmt.Sprintf("A run was interrupted: the %s recipe on %s, saved at step %s of %s (%d of %d epochs finished) on %s, with %d workers.",
		rec.Name, r.DatasetName, groupThousands(r.Step), groupThousands(r.Steps), r.Epoch, rec.Epochs, when(r.Saved), r.Workers)
	if c.runs.Others > 0 {
		s += fmt.Sprintf(" (%d more interrupted runs are kept.)", c.runs.Others)
	}
	return s
}
