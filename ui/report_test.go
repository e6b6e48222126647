package main

import (
	"testing"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// TestNotHeldOutLine checks that a score on all of a data set's images,
// for want of a test split, says it is no held-out score, and a test or
// validation split's does not.
func TestNotHeldOutLine(t *testing.T) {
	for split, warns := range map[string]bool{"all": true, "test": false, "validation": false} {
		r := Report{Eval: &Evaluation{Result: &protocol.Evaluation{Split: split}}}
		if got := r.NotHeldOutLine(); (got != "") != warns {
			t.Errorf("split %q: %q", split, got)
		}
	}
}
