package nn

import (
	"errors"
	"fmt"
	"testing"

	"github.com/intelscenes/resnet-browser/nn/data"
)

func TestMessage(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("plain words"), "plain words"},
		{fmt.Errorf("x.jpg: %w: PNG of 9x9 pixels", data.ErrTooLarge), "x.jpg: image too large: PNG of 9x9 pixels"},
		{fmt.Errorf("%w: 3 class names for 6 outputs", ErrModel), "unusable model: 3 class names for 6 outputs"},
		{fmt.Errorf("m.pth: %w (%w)", ErrModel, errors.New("modelfile: bad")), "m.pth: unusable model (bad)"},
	} {
		if got := Message(tt.err); got != tt.want {
			t.Errorf("Message(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
