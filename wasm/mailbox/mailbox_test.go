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
