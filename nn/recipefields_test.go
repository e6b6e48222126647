package nn

import (
	"slices"
	"strings"
	"testing"
)

// TestRecipeFieldsRoundTrip checks that every field of every preset
// reads back what it writes.
func TestRecipeFieldsRoundTrip(t *testing.T) {
	for _, preset := range Presets {
		r := preset()
		for _, f := range RecipeFields {
			got := r
			if err := f.Set(&got, f.Get(r)); err != nil {
				t.Errorf("%s: %s: setting %q: %v", r.Name, f.Name, f.Get(r), err)
			}
			if f.Get(got) != f.Get(r) {
				t.Errorf("%s: %s: got %q back, want %q", r.Name, f.Name, f.Get(got), f.Get(r))
			}
		}
	}
}

// TestRecipeFieldsLimits checks values at and beyond each field's
// limits: Set and Validate agree on every one, and Set leaves the
// recipe as it was when it refuses.
func TestRecipeFieldsLimits(t *testing.T) {
	for _, tc := range []struct {
		field string
		ok    []string
		bad   []string
	}{
		{"width", []string{"1", "16", "1024"}, []string{"0", "1025", "abc", "1.5", ""}},
		{"stages", []string{"1", "2,2,2", " 3 , 4 ", "64,1,1,1,1,1,1,1"}, []string{"", "0", "65", "1,,2", "1,1,1,1,1,1,1,1,1", "two"}},
		{"shortcut", []string{"conv3x3", "conv1x1"}, []string{"conv5x5", ""}},
		{"size", []string{"4", "32", "48", "1024"}, []string{"0", "1025", "-32"}}, // the default pads by 4
		{"epochs", []string{"1", "24", "10000"}, []string{"0", "10001", "-1"}},
		{"batch", []string{"1", "64", "4096"}, []string{"0", "4097"}},
		{"lr", []string{"1e-9", "0.01", "9.99"}, []string{"0", "10", "-1", "NaN", "Inf", "x"}},
		{"warmup", []string{"0.01", "0.3", "0.99"}, []string{"0", "1"}},
		{"wd", []string{"0", "1e-4", "0.5"}, []string{"1", "-0.1"}},
		{"clip-value", []string{"0", "0.1", "1e300"}, []string{"-0.1", "+Inf", "NaN"}},
		{"clip-norm", []string{"0", "5"}, []string{"-1", "Inf"}},
		{"pad", []string{"0", "4", "32"}, []string{"-1", "1025"}},
		{"flip", []string{"0", "0.5", "1"}, []string{"1.01", "-0.5"}},
		{"val", []string{"0", "0.2", "0.95"}, []string{"1", "-0.1"}},
		{"seed", []string{"0", "1", "18446744073709551615"}, []string{"-1", "1.5", "abc"}},
	} {
		f, ok := RecipeFieldNamed(tc.field)
		if !ok {
			t.Fatalf("no field %q", tc.field)
		}
		for _, s := range tc.ok {
			r := DefaultRecipe()
			if err := f.Set(&r, s); err != nil {
				t.Errorf("%s = %q: got %v, want it taken", tc.field, s, err)
				continue
			}
			if err := r.Validate(); err != nil {
				t.Errorf("%s = %q: Set takes it, Validate refuses it: %v", tc.field, s, err)
			}
		}
		for _, s := range tc.bad {
			r := DefaultRecipe()
			before := f.Get(r)
			if err := f.Set(&r, s); err == nil {
				t.Errorf("%s = %q: got no error, want one", tc.field, s)
			}
			if got := f.Get(r); got != before {
				t.Errorf("%s = %q refused: the recipe's value changed to %q", tc.field, s, got)
			}
		}
	}
}

// TestValidateNamesTheField checks that Validate refuses a recipe with
// any field out of its limits, naming the field.
func TestValidateNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		change func(*Recipe)
		want   string
	}{
		{func(r *Recipe) { r.Epochs = 0 }, "epochs: 0 is out of range: 1 to 10000"},
		{func(r *Recipe) { r.BatchSize = 5000 }, "batch size: 5000 is out of range"},
		{func(r *Recipe) { r.MaxLR = 10 }, "peak learning rate: 10 is out of range: (0, 10)"},
		{func(r *Recipe) { r.Augment.Pad = 40 }, "crop padding 40 is more than the input size, 32"},
		{func(r *Recipe) { r.Config.Stages = nil }, "blocks per stage: 0 stages"},
		{func(r *Recipe) { r.Config.Classes = 1 }, "1 classes"},
	} {
		r := DefaultRecipe()
		tc.change(&r)
		err := r.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error with %q", err, tc.want)
		}
	}
	if err := DefaultRecipe().Validate(); err != nil {
		t.Errorf("the default recipe: %v", err)
	}
}

// TestRecipeChanges checks that Changes names the fields that differ from
// the base, the seed left out, and nothing for the base itself.
func TestRecipeChanges(t *testing.T) {
	r := DefaultRecipe()
	if got := r.Changes(DefaultRecipe()); len(got) != 0 {
		t.Errorf("a preset against itself: %q", got)
	}
	r.Config.InputSize, r.LabelSmoothing, r.Seed = 40, 0.1, 7
	if got, want := r.Changes(DefaultRecipe()), []string{"input size 40 pixels", "label smoothing 0.1"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
