package main

import (
	"reflect"
	"testing"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

func TestItemFinish(t *testing.T) {
	top := []protocol.Prediction{{Class: "sea", Probability: 0.9}, {Class: "glacier", Probability: 0.1}}
	for _, tc := range []struct {
		resp protocol.Response
		want Item
	}{
		{protocol.Response{ID: 1, Kind: protocol.KindClassify, Predictions: top}, Item{Name: "a.jpg", Status: Done, Top: top}},
		{protocol.Response{ID: 1, Kind: protocol.KindClassify, Error: "a.jpg: not an image"}, Item{Name: "a.jpg", Status: Failed, Err: "not an image"}},
		{protocol.Response{ID: 1, Kind: protocol.KindClassify, Error: "the worker stopped"}, Item{Name: "a.jpg", Status: Failed, Err: "the worker stopped"}},
	} {
		it := Item{Name: "a.jpg", Status: Pending}
		it.finish(tc.resp)
		if !reflect.DeepEqual(it, tc.want) {
			t.Errorf("finish(%+v): got %+v, want %+v", tc.resp, it, tc.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		p    float32
		want string
	}{
		{0, "0.0%"}, {1, "100.0%"}, {0.5, "50.0%"}, {0.12345, "12.3%"}, {0.99999, "100.0%"},
	} {
		if got := percent(tc.p); got != tc.want {
			t.Errorf("percent(%v): got %q, want %q", tc.p, got, tc.want)
		}
	}
}
