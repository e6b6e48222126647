package main

import (
	"reflect"
	"testing"
)

func TestMostConfused(t *testing.T) {
	m := [][]int{
		{5, 2, 0},
		{0, 4, 7},
		{2, 0, 9},
	}
	want := []confusion{{1, 2, 7}, {0, 1, 2}, {2, 0, 2}}
	if got := mostConfused(m, 5); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := mostConfused(m, 1); !reflect.DeepEqual(got, want[:1]) {
		t.Errorf("the first: got %v", got)
	}
	if got := mostConfused([][]int{{3, 0}, {0, 3}}, 5); len(got) != 0 {
		t.Errorf("no mistakes: got %v", got)
	}
	c := MostConfused{Classes: []string{"glacier", "mountain", "sea"}}
	if got := c.Label(want[0]); got != "mountain taken for sea: 7 images" {
		t.Errorf("label %q", got)
	}
}
