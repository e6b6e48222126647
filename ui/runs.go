package main

import (
	"fmt"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// Runs that survive a reload: the data set worker keeps a run's
// checkpoint in the browser's storage at each epoch's end and on Pause,
// with what its charts show; a run that ended badly, or whose tab went
// away, is offered to resume. A run live in a tab holds a Web Lock, so
// that no other tab offers it.

// KeptRuns are the runs kept, as the page offers them, and what keeping
// the run at work takes.
type KeptRuns struct {
	Interrupted *store.Run // the newest run interrupted, offered to resume
	Others      int        // more runs interrupted
	Err         string     // why a checkpoint could not be kept, or a run not resumed
	Note        string     // why the run at work cannot resume after a reload, if it cannot
	Resuming    bool       // the interrupted run's lock is being taken
	Line        string     // what keeping the run at work took, in words
	id          string     // the run at work's, or ""
	release     func()     // lets the run at work's lock go

	page   *page
	store  *storage
	worker *link.Worker
}

// begin starts keeping the run id about to start (a new one, or one
// resumed) and takes its lock, unless held is the func that lets it go,
// the lock taken already.
func (k *KeptRuns) begin(id string, held func()) {
	k.id, k.release, k.Err, k.Note, k.Line = id, held, "", "", ""
	if k.Interrupted != nil && k.Interrupted.ID == id {
		k.Interrupted = nil
	}
	if k.store.db == nil {
		k.Note = "This browser keeps nothing here: the run cannot resume after a reload."
		return
	}
	k.store.do(k.store.askPersist)
	if held != nil {
		return
	}
	k.store.do(func() {
		release, ok := store.HoldRunLock(id)
		if !ok {
			return
		}
		k.page.change(func() {
			if k.id == id {
				k.release, release = release, nil
			}
		})
		if release != nil {
			release()
		}
	})
}

// planned takes in the plan of the run at work.
func (k *KeptRuns) planned(p *protocol.TrainPlan) {
	switch {
	case p.Resumed > 0:
		k.Line = fmt.Sprintf("Resumed from the checkpoint of step %d (%s, read in %d ms).", p.Resumed, data.ByteWords(p.ResumedBytes), int(1000*p.ResumedSeconds))
	case p.KeptBytes > 0:
		k.Line = fmt.Sprintf("The data set is kept in this browser (%s, hashed and written in %.1f s), for the run to resume after a reload.", data.ByteWords(p.KeptBytes), p.KeptSeconds)
	}
	if p.Kept != "" {
		k.Note = "This run cannot resume after a reload: the data set could not be kept in the browser (" + p.Kept + ")."
	}
}

// checkpointed takes in a checkpoint of the run at work, kept or not.
func (k *KeptRuns) checkpointed(c protocol.CheckpointKept) {
	if c.Failed != "" {
		k.Err = fmt.Sprintf("The checkpoint of step %d could not be kept: %s The run goes on, but a reload would lose it.", c.Step, c.Failed)
		return
	}
	k.Err = ""
	k.Line = fmt.Sprintf("Checkpoint kept in this browser at step %d (%s, written in %d ms): a reload resumes from there.",
		c.Step, data.ByteWords(c.Bytes), int(1000*c.Seconds))
}

// end stops keeping the run at work: one that ended by itself (done,
// stopped, diverged) the data set worker forgot, but for unforgotten,
// why it could not; one interrupted (a worker failed) stays, offered to
// resume. then runs once the runs kept are read again.
func (k *KeptRuns) end(unforgotten string, then func()) {
	if k.release != nil {
		k.release()
	}
	k.id, k.release = "", nil
	if unforgotten != "" {
		k.Err = "Could not forget the run's checkpoint: " + unforgotten
	}
	if k.store.db != nil {
		k.store.do(func() {
			k.find()
			then()
		})
	}
}

// find reads the runs kept that no tab trains; it runs in a storage
// task.
func (k *KeptRuns) find() {
	rs, err := k.store.db.Runs()
	live := store.LiveRuns()
	k.page.change(func() {
		if err != nil {
			k.Err = "Could not read the runs kept: " + err.Error()
			return
		}
		k.Interrupted, k.Others = nil, 0
		for i := range rs {
			if live[rs[i].ID] || rs[i].ID == k.id {
				continue
			}
			if k.Interrupted == nil {
				k.Interrupted = &rs[i]
			} else {
				k.Others++
			}
		}
	})
}

// lock takes the lock of the interrupted run, then calls then with it
// and the func that lets the lock go; another tab's run is a message.
func (k *KeptRuns) lock(then func(r store.Run, release func())) {
	r := k.Interrupted
	if r == nil || k.Resuming || k.store.db == nil {
		return
	}
	k.Resuming, k.Err = true, ""
	run := *r
	k.store.do(func() {
		release, ok := store.HoldRunLock(run.ID) // kept for the run's whole life
		k.page.change(func() {
			k.Resuming = false
			if !ok {
				k.Err = "This run is training in another tab of this page."
				return
			}
			then(run, release)
		})
	})
}

// discard forgets the interrupted run and its checkpoint, then calls
// then.
func (k *KeptRuns) discard(then func()) {
	r := k.Interrupted
	if r == nil || k.store.db == nil {
		return
	}
	k.Interrupted = nil
	ask(k.page, k.worker, protocol.ForgetRun, protocol.ForgetRunRequest{Run: r.ID}, js.Undefined(), 0, link.Handlers[protocol.None, protocol.None]{
		Done: func(_ protocol.None, _ js.Value, err *protocol.Error) {
			if err != nil {
				k.Err = "Could not forget the run: " + err.Message
			}
			k.store.do(func() {
				k.find()
				then()
			})
		}})
}

// InterruptedLine describes the interrupted run.
func (k *KeptRuns) InterruptedLine() string {
	r := k.Interrupted
	if r == nil {
		return ""
	}
	s := fmt.Sprintf("A run was interrupted: the %s recipe on %s, saved at step %s of %s (%d of %d epochs finished) on %s, with %d workers.",
		r.Recipe.Name, r.DatasetName, data.CountWords(r.Step), data.CountWords(r.Steps), r.Epoch, r.Recipe.Epochs, when(r.Saved), r.Workers)
	if k.Others > 0 {
		s += fmt.Sprintf(" (%d more interrupted runs are kept.)", k.Others)
	}
	return s
}
