package store

import (
	"errors"
	"strings"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/promise"
)

// Estimate returns the bytes the page's origin uses and the most the
// browser allows it (navigator.storage.estimate()).
func Estimate() (usage, quota float64, err error) {
	st := js.Global().Get("navigator").Get("storage")
	if !st.Truthy() {
		return 0, 0, errors.New("this browser does not say how much storage it allows")
	}
	v, err := promise.Await(st.Call("estimate"))
	if err != nil {
		return 0, 0, err
	}
	return v.Get("usage").Float(), v.Get("quota").Float(), nil
}

// Persist asks the browser to keep the page's storage when space runs
// low (navigator.storage.persist()) and reports whether it will.
func Persist() (bool, error) {
	st := js.Global().Get("navigator").Get("storage")
	if !st.Truthy() || !st.Get("persist").Truthy() {
		return false, errors.New("this browser cannot be asked to keep the page's storage")
	}
	v, err := promise.Await(st.Call("persist"))
	if err != nil {
		return false, err
	}
	return v.Bool(), nil
}

// Persisted reports whether the browser keeps the page's storage when
// space runs low (navigator.storage.persisted()), asking nothing.
func Persisted() bool {
	st := js.Global().Get("navigator").Get("storage")
	if !st.Truthy() || !st.Get("persisted").Truthy() {
		return false
	}
	v, err := promise.Await(st.Call("persisted"))
	return err == nil && v.Bool()
}

// The Web Locks a tab holds while a run lives in it, so that another tab
// never offers that run as interrupted. The browser lets a lock go when
// its tab closes, reloads or crashes.
const lockPrefix = "resnet-browser run "

// HoldRunLock takes the lock of run id unless another tab holds it, and
// returns the func that lets it go; ok is false when another tab holds
// it. A browser without Web Locks gives a lock that guards nothing.
func HoldRunLock(id string) (release func(), ok bool) {
	locks := js.Global().Get("navigator").Get("locks")
	if !locks.Truthy() {
		return func() {}, true
	}
	got := make(chan bool, 1)
	var resolve js.Value
	var cb js.Func
	cb = js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 0 || args[0].IsNull() {
			got <- false
			return nil
		}
		// Held until the promise returned here resolves.
		var exec js.Func
		exec = js.FuncOf(func(_ js.Value, a []js.Value) any {
			resolve = a[0]
			exec.Release()
			return nil
		})
		p := js.Global().Get("Promise").New(exec.Value)
		got <- true
		return p
	})
	opts := js.Global().Get("Object").New()
	opts.Set("ifAvailable", true)
	locks.Call("request", lockPrefix+id, opts, cb.Value)
	if !<-got {
		cb.Release()
		return nil, false
	}
	return func() {
		if resolve.Truthy() {
			resolve.Invoke()
		}
		cb.Release()
	}, true
}

// LiveRuns returns the ids of the runs whose locks a tab holds.
func LiveRuns() map[string]bool {
	out := map[string]bool{}
	locks := js.Global().Get("navigator").Get("locks")
	if !locks.Truthy() {
		return out
	}
	v, err := promise.Await(locks.Call("query"))
	if err != nil {
		return out
	}
	held := v.Get("held")
	for i := 0; i < held.Length(); i++ {
		if id, ok := strings.CutPrefix(held.Index(i).Get("name").String(), lockPrefix); ok {
			out[id] = true
		}
	}
	return out
}
