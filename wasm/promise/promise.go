// Package promise waits for JavaScript promises from Go. It uses
// github.com/vugu/vugu/js, so that it builds natively too.
package promise

import "github.com/vugu/vugu/js"

// Await blocks the calling goroutine until the promise p settles, and
// returns what it resolved to, or why it was rejected. The goroutine
// must not be a JavaScript callback's (a js.FuncOf's): the browser
// settles p only once the callback returns.
func Await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	onValue := js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		done <- result{v: v}
		return nil
	})
	defer onValue.Release()
	onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{err: Error(args[0])}
		return nil
	})
	defer onError.Release()
	p.Call("then", onValue, onError)
	r := <-done
	return r.v, r.err
}

// Error returns what a promise was rejected with as an error, which
// reads as JavaScript's String of it ("TypeError: Failed to fetch") and
// keeps the value, for callers that look at it.
func Error(reason js.Value) error {
	return &RejectError{Value: reason, msg: js.Global().Call("String", reason).String()}
}

// RejectError is why a promise was rejected.
type RejectError struct {
	Value js.Value // what it was rejected with
	msg   string
}

func (e *RejectError) Error() string { return e.msg }
