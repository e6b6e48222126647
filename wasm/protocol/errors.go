package protocol

import "fmt"

// Code says what kind of failure an Error is, for the program that gets
// it; Error.Message says it to a person.
type Code string

// The codes of errors.
const (
	// BadMessage: the message breaks the protocol, a bug of its sender.
	BadMessage Code = "bad-message"
	// Cancelled: the request was stopped by a Cancel.
	Cancelled Code = "cancelled"
	// BadInput: what the person gave cannot be used: a file that is no
	// image or zip or model, a recipe out of its limits. File names the
	// file when it is one.
	BadInput Code = "bad-input"
	// NotLoaded: the request needs a model or a data set the worker does
	// not hold.
	NotLoaded Code = "not-loaded"
	// Failed: the work could not be done for another reason: the file
	// can no longer be read, the browser's storage is full, a helper
	// worker died.
	Failed Code = "failed"
	// Internal: the worker broke (a panic), a bug of the worker.
	Internal Code = "internal"
	// WorkerLost: the worker stopped or stopped answering while it held
	// the request; the asker's end of the connection says so.
	WorkerLost Code = "worker-lost"
)

// Error is why a request failed, as image/jpeg's FormatError says what is
// wrong with a file: a code for the program, and the words for a person
// apart from the file they are about.
type Error struct {
	Code Code `json:"code"`
	// File is the file the error is about, as the person knows it, when
	// it is about one.
	File string `json:"file,omitempty"`
	// Message says what went wrong in a person's words, without the
	// file's name.
	Message string `json:"message"`
}

// Errorf returns an Error of code whose message is formatted.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error returns "file: message", or the message when it is about no
// file.
func (e *Error) Error() string {
	if e.File == "" {
		return e.Message
	}
	return e.File + ": " + e.Message
}

// About returns the message for a page that names the file name itself:
// the message alone when the error is about name (or no file), else
// prefixed by the file it is about.
func (e *Error) About(name string) string {
	if e.File == "" || e.File == name {
		return e.Message
	}
	return e.Error()
}

// IsCancelled reports whether err is an Error of a cancelled request.
func IsCancelled(err *Error) bool { return err != nil && err.Code == Cancelled }
