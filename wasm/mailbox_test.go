package main

import (
	"testing"
	"time"
)

func TestMailboxKeepsOrder(t *testing.T) {
	m := newMailbox[int]()
	for i := range 100 {
		m.put(i)
	}
	for i := range 100 {
		if got := m.take(); got != i {
			t.Fatalf("take %d: got %d, want %d", i, got, i)
		}
	}
}

func TestMailboxTakeWaits(t *testing.T) {
	m := newMailbox[string]()
	got := make(chan string)
	go func() { got <- m.take() }()
	select {
	case v := <-got:
		t.Fatalf("take on an empty mailbox returned %q", v)
	case <-time.After(20 * time.Millisecond):
	}
	m.put("a")
	m.put("b")
	if v := <-got; v != "a" {
		t.Errorf("got %q, want %q", v, "a")
	}
	if v := m.take(); v != "b" {
		t.Errorf("got %q, want %q", v, "b")
	}
}

func TestMailboxTakeWithin(t *testing.T) {
	m := newMailbox[int]()
	if v, ok := m.takeWithin(10 * time.Millisecond); ok {
		t.Fatalf("takeWithin on an empty mailbox returned %d", v)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		m.put(7)
	}()
	if v, ok := m.takeWithin(10 * time.Second); !ok || v != 7 {
		t.Errorf("got %d, %v; want 7, true", v, ok)
	}
}
