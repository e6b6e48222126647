package main

import (
	"sync"
	"time"
)

// runControls holds what the training runs at work were asked: pause,
// resume or stop (protocol.Action*). Its methods may be called from any
// goroutine: the message handler sets, the run reads.
type runControls struct {
	mu      sync.Mutex
	actions map[uint64]string
	changed chan struct{} // a token when an action was set since the last wait
}

// set records action for run id.
func (c *runControls) set(id uint64, action string) {
	c.mu.Lock()
	if c.actions == nil {
		c.actions = map[uint64]string{}
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
func (c *runControls) get(id uint64) string {
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
