package main

import (
	"sync"
	"time"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// What the asker said of the requests at work, as the messages arrive:
// which to stop (Cancel), and what a run is to do (Control). The methods
// may be called from any goroutine: the message handler sets, the
// request at work reads.

// cancels is the set of requests asked to stop.
type cancels struct {
	mu  sync.Mutex
	ids map[uint64]bool
}

// add marks request id as asked to stop.
func (c *cancels) add(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[uint64]bool{}
	}
	c.ids[id] = true
}

// has reports whether request id was asked to stop.
func (c *cancels) has(id uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ids[id]
}

// runControls holds what the training runs at work were asked last:
// pause, resume or stop.
type runControls struct {
	mu      sync.Mutex
	actions map[uint64]protocol.Action
	changed chan struct{} // a token when an action was set since the last wait
}

// set records action for run id.
func (c *runControls) set(id uint64, action protocol.Action) {
	c.mu.Lock()
	if c.actions == nil {
		c.actions = map[uint64]protocol.Action{}
	}
	c.actions[id] = action
	ch := c.chanLocked()
	c.mu.Unlock()
	select {
	case ch <- struct{}{}:
	default:
	}
}

// get returns the last action asked of run id, or "".
func (c *runControls) get(id uint64) protocol.Action {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.actions[id]
}

// wait blocks until an action is set, or d has passed; in the browser,
// waiting lets the messages in.
func (c *runControls) wait(d time.Duration) {
	c.mu.Lock()
	ch := c.chanLocked()
	c.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	}
}

// chanLocked returns the channel of changes, made at first use. c.mu is
// held.
func (c *runControls) chanLocked() chan struct{} {
	if c.changed == nil {
		c.changed = make(chan struct{}, 1)
	}
	return c.changed
}
