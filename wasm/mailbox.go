package main

import (
	"sync"
	"time"
)

// mailbox is an unbounded first-in, first-out queue. put never blocks, so
// a js.FuncOf callback may call it; take blocks until there is a value.
type mailbox[T any] struct {
	mu    sync.Mutex
	items []T
	ready chan struct{} // holds a token while items is not empty
}

// newMailbox returns an empty mailbox.
func newMailbox[T any]() *mailbox[T] {
	return &mailbox[T]{ready: make(chan struct{}, 1)}
}

// put adds v at the end.
func (m *mailbox[T]) put(v T) {
	m.mu.Lock()
	m.items = append(m.items, v)
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
}

// take removes and returns the first value, waiting for one if need be.
func (m *mailbox[T]) take() T {
	v, _ := m.takeBefore(nil)
	return v
}

// takeWithin is take waiting at most d (not at all when d <= 0); ok is
// false when no value came in time.
func (m *mailbox[T]) takeWithin(d time.Duration) (v T, ok bool) {
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	return m.takeBefore(t.C)
}

// takeBefore is take giving up when timeout delivers (never when nil).
func (m *mailbox[T]) takeBefore(timeout <-chan time.Time) (v T, ok bool) {
	for {
		m.mu.Lock()
		if len(m.items) > 0 {
			v := m.items[0]
			var zero T
			m.items[0] = zero
			m.items = m.items[1:]
			if len(m.items) > 0 {
				select {
				case m.ready <- struct{}{}:
				default:
				}
			}
			m.mu.Unlock()
			return v, true
		}
		m.mu.Unlock()
		select {
		case <-m.ready:
		case <-timeout:
			return v, false
		}
	}
}
