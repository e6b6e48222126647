package main

import (
	"fmt"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/mailbox"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// storage is the page's side of the browser's storage (wasm/store): the
// page writes models and settings there and reads runs; the data set
// worker writes the rest. Every call waits for IndexedDB, so the page
// makes them in tasks, run one at a time in the order given, in a
// goroutine of their own: the writes happen in the order the page asked
// for them.
type storage struct {
	db    *store.DB // nil until open, or where there is none; set with the page locked
	tasks mailbox.Serial

	// Asked and granted persistent storage: read and written in tasks.
	askedPersist, persisted bool
}

// do has f run as a task, after those given before.
func (s *storage) do(f func()) { s.tasks.Do(f) }

// askPersist asks the browser, once, to keep the page's storage when
// space runs low; it runs in a task.
func (s *storage) askPersist() {
	if s.askedPersist {
		return
	}
	s.persisted, _ = store.Persist()
	s.askedPersist = true
}

// line says what the page uses of the browser's storage, and whether the
// browser keeps it, with models kept; "" where the browser does not say.
// It runs in a task.
func (s *storage) line(models int) string {
	used, quota, err := store.Estimate()
	if err != nil {
		return ""
	}
	if !s.askedPersist {
		s.persisted = store.Persisted()
	}
	return storageLine(used, quota, s.persisted, s.askedPersist || models > 0)
}

// storageLine says what the page uses of the browser's storage: used
// bytes of quota, kept for good when persisted; asked says to tell when
// it is not.
func storageLine(used, quota float64, persisted, asked bool) string {
	line := fmt.Sprintf("This page uses %s of the browser's storage, which allows it %s.", data.ByteWords(int64(used)), data.ByteWords(int64(quota)))
	switch {
	case persisted:
		line += " The browser keeps it for good."
	case asked:
		line += " The browser may clear it when space runs low: it did not grant persistent storage."
	}
	return line
}
