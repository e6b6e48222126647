// Package store keeps the page's work in the browser's IndexedDB: the
// models trained or loaded, the checkpoints of runs, and the decoded data
// sets those runs need to resume. Each kind of record has one writer:
// the page writes models and settings; the data set worker writes runs,
// their checkpoints and data sets; either reads what it needs. Nothing
// else in either touches IndexedDB.
//
// It calls the IndexedDB API through Vugu's copy of syscall/js (which
// builds natively too, for go vet and the UI's tests) rather than through a
// wrapper such as github.com/hack-pad/go-indexeddb: every operation here
// is one transaction whose requests are all made at once, from bytes
// prepared before it opens (a transaction commits by itself once its code
// waits on anything else), and waits only for its end; the large values
// go to and from JavaScript typed arrays with one copy. That is a few
// dozen lines over the raw API, and one module fewer to pin.
//
// Every call blocks its goroutine until IndexedDB answers: call it from
// a goroutine of its own, never from a js.FuncOf callback.
package store

import (
	"errors"
	"fmt"

	"github.com/vugu/vugu/js"
)

// The database and its object stores. Metadata and bytes are apart, so
// that listing reads no model or checkpoint.
const (
	dbName    = "resnet-browser"
	dbVersion = 1

	models      = "models"      // {id, meta}: a model's Model as JSON
	modelFiles  = "modelFiles"  // {id, file}: its safetensors bytes
	runs        = "runs"        // {id, meta}: a run's Run as JSON
	checkpoints = "checkpoints" // {id, file}: its last checkpoint
	datasets    = "datasets"    // {id: digest, header, train, test}
	settings    = "settings"    // {id, value}
)

// ErrFull means the browser's storage quota for the page is used up.
var ErrFull = errors.New("the browser's storage for this page is full")

// Problem says what went wrong with the storage in a person's words,
// ending with a full stop. (Not with the browser's figures for a full
// storage: Chromium reports a quota that is not the one it enforces.)
func Problem(err error) string {
	if errors.Is(err, ErrFull) {
		return "the browser's storage for this page is full. Delete models or runs you no longer need, or free space on the disk."
	}
	return err.Error() + "."
}

// DB is the page's database, open.
type DB struct{ db js.Value }

// Open opens the database, creating its stores the first time.
func Open() (*DB, error) {
	idb := js.Global().Get("indexedDB")
	if !idb.Truthy() {
		return nil, errors.New("this browser keeps nothing: it has no IndexedDB here (a private window may turn it off)")
	}
	req := idb.Call("open", dbName, dbVersion)
	upgrade := js.FuncOf(func(js.Value, []js.Value) any {
		db := req.Get("result")
		have := db.Get("objectStoreNames")
		for _, name := range []string{models, modelFiles, runs, checkpoints, datasets, settings} {
			if !have.Call("contains", name).Bool() {
				db.Call("createObjectStore", name, map[string]any{"keyPath": "id"})
			}
		}
		return nil
	})
	defer upgrade.Release()
	req.Set("onupgradeneeded", upgrade.Value)
	db, err := await(req)
	if err != nil {
		return nil, fmt.Errorf("opening the browser's storage: %w", err)
	}
	// Another tab of a newer version asks to upgrade: let it.
	db.Set("onversionchange", js.FuncOf(func(js.Value, []js.Value) any {
		db.Call("close")
		return nil
	}).Value)
	return &DB{db: db}, nil
}

// await waits for an IDBRequest and returns its result.
func await(req js.Value) (js.Value, error) {
	done := make(chan error, 1)
	ok := js.FuncOf(func(js.Value, []js.Value) any { done <- nil; return nil })
	fail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		args[0].Call("preventDefault") // the transaction reports it too
		done <- domError(req.Get("error"))
		return nil
	})
	defer ok.Release()
	defer fail.Release()
	req.Set("onsuccess", ok.Value)
	req.Set("onerror", fail.Value)
	if err := <-done; err != nil {
		return js.Undefined(), err
	}
	return req.Get("result"), nil
}

// tx is a transaction at work, with the requests made in it.
type tx struct {
	t    js.Value
	done chan error
	fns  []js.Func
}

// begin starts a transaction over stores, read-only or not, and has it
// report its end. Make every request of it before calling wait.
func (d *DB) begin(write bool, stores ...string) (*tx, error) {
	mode := "readonly"
	if write {
		mode = "readwrite"
	}
	var t js.Value
	if err := catch(func() { t = d.db.Call("transaction", toArray(stores), mode) }); err != nil {
		return nil, err
	}
	x := &tx{t: t, done: make(chan error, 1)}
	end := func(err func() error) js.Value {
		f := js.FuncOf(func(js.Value, []js.Value) any {
			select {
			case x.done <- err():
			default:
			}
			return nil
		})
		x.fns = append(x.fns, f)
		return f.Value
	}
	t.Set("oncomplete", end(func() error { return nil }))
	t.Set("onerror", end(func() error { return domError(t.Get("error")) }))
	t.Set("onabort", end(func() error {
		if err := domError(t.Get("error")); err != nil {
			return err
		}
		return errors.New("the browser's storage gave up the write")
	}))
	return x, nil
}

// store returns the transaction's object store name.
func (x *tx) store(name string) js.Value { return x.t.Call("objectStore", name) }

// wait waits for the transaction's end.
func (x *tx) wait() error {
	err := <-x.done
	for _, f := range x.fns {
		f.Release()
	}
	return err
}

// run makes a transaction's requests with do, which gets its stores, and
// waits for its end; on a panic of the JavaScript calls it aborts it.
func (d *DB) run(write bool, stores []string, do func(x *tx) error) error {
	x, err := d.begin(write, stores...)
	if err != nil {
		return err
	}
	var doErr error
	if err := catch(func() { doErr = do(x) }); err != nil || doErr != nil {
		catch(func() { x.t.Call("abort") })
		x.wait()
		return errors.Join(err, doErr)
	}
	return x.wait()
}

// get reads the record of key from store name, in its own transaction;
// undefined if there is none.
func (d *DB) get(name, key string) (js.Value, error) {
	var req js.Value
	if err := d.run(false, []string{name}, func(x *tx) error {
		req = x.store(name).Call("get", key)
		return nil
	}); err != nil {
		return js.Undefined(), err
	}
	return req.Get("result"), nil
}

// all returns every record of store name.
func (d *DB) all(name string) ([]js.Value, error) {
	var req js.Value
	if err := d.run(false, []string{name}, func(x *tx) error {
		req = x.store(name).Call("getAll")
		return nil
	}); err != nil {
		return nil, err
	}
	r := req.Get("result")
	out := make([]js.Value, r.Length())
	for i := range out {
		out[i] = r.Index(i)
	}
	return out, nil
}

// keys returns the keys of store name.
func (d *DB) keys(name string) (map[string]bool, error) {
	var req js.Value
	if err := d.run(false, []string{name}, func(x *tx) error {
		req = x.store(name).Call("getAllKeys")
		return nil
	}); err != nil {
		return nil, err
	}
	r := req.Get("result")
	out := make(map[string]bool, r.Length())
	for i := 0; i < r.Length(); i++ {
		out[r.Index(i).String()] = true
	}
	return out, nil
}

// catch runs f, turning a panic of a JavaScript call into an error.
func catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(js.Error); ok {
				err = domError(js.Value(e.Value))
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}

// domError turns a DOMException into an error, ErrFull for a full quota.
func domError(e js.Value) error {
	if !e.Truthy() {
		return nil
	}
	if e.Type() == js.TypeString {
		return errors.New(e.String())
	}
	if e.Get("name").String() == "QuotaExceededError" {
		return ErrFull
	}
	return fmt.Errorf("the browser's storage failed: %s", e.Get("message").String())
}

// bytesOf returns a Uint8Array holding a copy of b.
func bytesOf(b []byte) js.Value {
	a := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

// goBytes returns a copy of a, a Uint8Array.
func goBytes(a js.Value) []byte {
	b := make([]byte, a.Get("length").Int())
	js.CopyBytesToGo(b, a)
	return b
}

func toArray(ss []string) js.Value {
	a := js.Global().Get("Array").New(len(ss))
	for i, s := range ss {
		a.SetIndex(i, s)
	}
	return a
}
