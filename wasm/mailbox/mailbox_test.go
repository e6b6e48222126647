package mailbox

import (
	"testing"
	"time"
)

func TestMailboxKeepsOrder(t *testing.T) {
	m := New[int]()
	for i := range 100 {
		m.Put(i)
	}
	for i := range 100 {
		if got := m.Take(); got != i {
			t.Fatalf("take %d: got %d, want %d", i, got, i)
		}
	}
}

func TestMailboxTakeWaits(t *testing.T) {
	m := New[string]()
	got := make(chan string)
	go func() { got <- m.Take() }()
	select {
	case v := <-got:
		t.Fatalf("take on an empty mailbox returned %q", v)
	case <-time.After(20 * time.Millisecond):
	}
	m.Put("a")
	m.Put("b")
	if v := <-got; v != "a" {
		t.Errorf("got %q, want %q", v, "a")
	}
	if v := m.Take(); v != "b" {
		t.Errorf("got %q, want %q", v, "b")
	}
}

// TestSerialKeepsOrder checks that Serial runs its funcs one at a time
// in the order given, those given by a running func included.
func TestSerialKeepsOrder(t *testing.T) {
	var s Serial
	var got []int
	done := make(chan struct{})
	running := 0
	for i := range 100 {
		s.Do(func() {
			running++
			if running != 1 {
				t.Errorf("%d funcs at once", running)
			}
			got = append(got, i)
			if i == 99 {
				s.Do(func() { got = append(got, 100); close(done) })
			}
			running--
		})
	}
	<-done
	for i, v := range got {
		if v != i {
			t.Fatalf("got %v, want 0 to 100 in order", got)
		}
	}
	if len(got) != 101 {
		t.Fatalf("got %d funcs run, want 101", len(got))
	}
}

func TestMailboxTakeWhile(t *testing.T) {
	m := New[int]()
	for _, v := range []int{2, 4, 6, 7, 8} {
		m.Put(v)
	}
	even := func(v int) bool { return v%2 == 0 }
	if got := m.Len(); got != 5 {
		t.Errorf("Len of 5 put: got %d", got)
	}
	if got := m.TakeWhile(2, even); len(got) != 2 || got[0] != 2 || got[1] != 4 {
		t.Errorf("at most 2 even: got %v, want [2 4]", got)
	}
	if got := m.Len(); got != 3 {
		t.Errorf("Len after taking 2 of 5: got %d", got)
	}
	if got := m.TakeWhile(10, even); len(got) != 1 || got[0] != 6 {
		t.Errorf("the even ones up to the first odd: got %v, want [6]", got)
	}
	if got := m.TakeWhile(10, even); len(got) != 0 {
		t.Errorf("with an odd one at the front: got %v, want none", got)
	}
	if got := m.Take(); got != 7 {
		t.Errorf("then Take: got %d, want 7", got)
	}
	if got := m.TakeWhile(10, even); len(got) != 1 || got[0] != 8 {
		t.Errorf("the last: got %v, want [8]", got)
	}
	done := make(chan int)
	go func() { done <- m.Take() }()
	m.Put(9)
	if got := <-done; got != 9 {
		t.Errorf("Take after TakeWhile emptied the box: got %d, want 9", got)
	}
}
