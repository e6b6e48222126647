// Package mailbox hands work between goroutines without ever blocking
// the giver, so that a JavaScript callback (a js.FuncOf, which must
// never block) may give it: a Box is an unbounded first-in, first-out
// queue whose taker waits for values (a worker's message loop), and
// Serial runs funcs one at a time in order (a connection's deliveries,
// the page's storage tasks).
package mailbox

import "sync"

// Box is an unbounded first-in, first-out queue; its zero value is not
// usable: make one with New. Its methods may be called from any
// goroutine.
type Box[T any] struct {
	mu    sync.Mutex
	items []T
	ready chan struct{} // holds a token while items is not empty
}

// New returns an empty Box.
func New[T any]() *Box[T] {
	return &Box[T]{ready: make(chan struct{}, 1)}
}

// Put adds v at the end. It never blocks.
func (m *Box[T]) Put(v T) {
	m.mu.Lock()
	m.items = append(m.items, v)
	m.mu.Unlock()
	m.signal()
}

// Take removes and returns the first value, waiting for one if need be.
func (m *Box[T]) Take() T {
	for {
		m.mu.Lock()
		if len(m.items) > 0 {
			v := m.items[0]
			var zero T
			m.items[0] = zero
			m.items = m.items[1:]
			more := len(m.items) > 0
			m.mu.Unlock()
			if more {
				m.signal()
			}
			return v
		}
		m.mu.Unlock()
		<-m.ready
	}
}

// Len returns how many values the box holds.
func (m *Box[T]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// TakeWhile takes, without waiting, the items at the front of the box
// for which ok holds, up to max, in order, and leaves the rest.
func (m *Box[T]) TakeWhile(max int, ok func(T) bool) []T {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for n < len(m.items) && n < max && ok(m.items[n]) {
		n++
	}
	taken := append([]T(nil), m.items[:n]...)
	clear(m.items[:n])
	m.items = m.items[n:]
	return taken
}

// signal leaves a token for a taker, unless one waits there already.
func (m *Box[T]) signal() {
	select {
	case m.ready <- struct{}{}:
	default:
	}
}

// Serial runs funcs one at a time, in the order given, in a goroutine
// it starts when work comes and that ends when none is left. Its zero
// value is ready to use; its methods may be called from any goroutine,
// and Do never blocks, so a func it runs may give it more.
type Serial struct {
	mu      sync.Mutex
	queue   []func()
	running bool
}

// Do has f run after every func given before it.
func (s *Serial) Do(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, f)
	if !s.running {
		s.running = true
		go s.drain()
	}
}

// drain runs the queue's funcs until none is left.
func (s *Serial) drain() {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		f := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		f()
	}
}
