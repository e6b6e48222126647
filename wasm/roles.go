package main

import (
	"github.com/vugu/vugu/js"
)

// The roles a worker plays, named by its script's query (?role=): the
// page starts a classifier and a data set worker; the data set worker
// starts decoding workers and helpers; the classifier starts photo
// workers, classifiers that decode any photo themselves: its peers on
// the other cores (photopeers.go), and one for a huge photo (photo.go).
const (
	roleClassifier = "classifier"
	rolePhoto      = "photo"
	roleDatasets   = "datasets"
	roleHelper     = "helper"
	roleDecoder    = "decoder"
)

// workerURL returns the URL of this worker's own script for a worker of
// role: the role is in its query, where the browser's developer tools
// (and the browser tests) see it too.
func workerURL(role string) string {
	u := js.Global().Get("URL").New(js.Global().Get("location").Get("href"))
	u.Get("searchParams").Call("set", "role", role)
	return u.Call("toString").String()
}

// roleOf returns the role of this worker, from its script's query: a
// classifier when it names none.
func roleOf() string {
	q := js.Global().Get("URL").New(js.Global().Get("location").Get("href")).Get("searchParams")
	if r := q.Call("get", "role"); r.Type() == js.TypeString && r.String() != "" {
		return r.String()
	}
	return roleClassifier
}

// cores is how many cores the browser says the machine has: 1 where it
// does not say.
func cores() int {
	n := js.Global().Get("navigator").Get("hardwareConcurrency")
	if n.Type() != js.TypeNumber {
		return 1
	}
	return max(1, n.Int())
}
