package main

import (
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// TestRecipePresets checks that the form filled with each preset holds
// exactly that preset, on the workers it says.
func TestRecipePresets(t *testing.T) {
	for _, tc := range []struct {
		preset  string
		workers int
	}{{"reference", 1}, {"default", 2}, {"quick", 2}, {"best", 2}, {"unknown", 2}} {
		r := newRecipe(tc.preset, 2)
		rec, workers, err := r.recipe()
		want, ok := nn.Preset(tc.preset)
		if !ok {
			want = nn.DefaultRecipe()
		}
		want.BatchNormPerShare, want.Config.Classes = workers > 1, 2
		if err != nil || workers != tc.workers || rec.Name != want.Name || speedKey(rec, 1) != speedKey(want, 1) || rec.Epochs != want.Epochs || rec.Augment != want.Augment {
			t.Errorf("%s: got %+v on %d workers (%v), want %+v on %d", tc.preset, rec, workers, err, want, tc.workers)
		}
		if r.Problem() != "" {
			t.Errorf("%s: problem %q", tc.preset, r.Problem())
		}
	}
}

// TestRecipeFieldsAsTyped checks the form's fields as a person types
// them: each is checked by nn's own field, so the form takes what resnet
// train takes, and a change makes the recipe "custom".
func TestRecipeFieldsAsTyped(t *testing.T) {
	r := newRecipe("default", 2)
	for _, tc := range []struct {
		field, value, err string
	}{
		{"epochs", "abc", `"abc" is not a whole number`},
		{"epochs", "0", "0 is out of range: 1 to 10000"},
		{"epochs", "3", ""},
		{"size", "48", ""}, // any size the engine takes, not only 32 or 64
		{"width", "300", ""},
		{"stages", "2,2,2,2,2,2", ""},
		{"stages", "2,,2", `want whole numbers`},
		{"lr", "10", "10 is out of range: (0, 10)"},
		{"clip-value", "-1", "-1 is out of range: [0, ∞)"},
		{"val", "0.95", ""},
		{"shortcut", "conv1x1", ""},
	} {
		r.set(tc.field, tc.value)
		if got := r.Errs[tc.field]; !strings.Contains(got, tc.err) || (tc.err == "") != (got == "") {
			t.Errorf("%s = %q: error %q, want %q", tc.field, tc.value, got, tc.err)
		}
		f, _ := nn.RecipeFieldNamed(tc.field)
		rec := nn.DefaultRecipe()
		if nnErr := f.Set(&rec, tc.value); (nnErr == nil) != (r.Errs[tc.field] == "") {
			t.Errorf("%s = %q: the form says %q, nn says %v", tc.field, tc.value, r.Errs[tc.field], nnErr)
		}
		if tc.err != "" {
			r.set(tc.field, f.Get(r.Defaults)) // back to the default
		}
	}
	r.set("epochs", "3")
	r.set("stages", "2,2,2")
	r.set("size", "32")
	rec, workers, err := r.recipe()
	if err != nil || rec.Name != "custom" || rec.Epochs != 3 || rec.Config.Width != 300 || rec.Config.Shortcut != "conv1x1" || workers != 2 || !rec.BatchNormPerShare {
		t.Errorf("got %+v on %d workers (%v), want the custom recipe typed", rec, workers, err)
	}
	r.set("stages", "2,,2")
	if p := r.Problem(); !strings.HasPrefix(p, "Blocks per stage: ") {
		t.Errorf("a field in error: problem %q, want it named", p)
	}
	r.set("lr", "abc")
	r.setWorkers("0")
	if p := r.Problem(); !strings.HasPrefix(p, "3 fields to put right: Blocks per stage: ") ||
		!strings.Contains(p, `; Peak learning rate: "abc" is not a number; Workers: 0 is out of range`) {
		t.Errorf("three fields in error: problem %q, want each named", p)
	}
}

// TestRecipeWorkers checks the workers field, and what nn says of the
// recipe on them.
func TestRecipeWorkers(t *testing.T) {
	r := newRecipe("reference", 4)
	if r.Workers != "1" || r.Note() != "" {
		t.Errorf("the reference: %s workers, note %q; want 1 and none", r.Workers, r.Note())
	}
	r.setWorkers("2")
	if !strings.Contains(r.Note(), "no longer the notebook's arithmetic") {
		t.Errorf("the reference on 2 workers: note %q", r.Note())
	}
	for _, tc := range []struct{ value, problem string }{
		{"two", `Workers: "two" is not a whole number`},
		{"17", "Workers: 17 is out of range: 1 to 16"},
		{"5", "shares of 12 images; BatchNorm per share needs at least 16"},
		{"4", ""},
	} {
		r.setWorkers(tc.value)
		if got := r.Problem(); !strings.Contains(got, tc.problem) || (tc.problem == "") != (got == "") {
			t.Errorf("%s workers: problem %q, want %q", tc.value, got, tc.problem)
		}
	}
	keep := newRecipe("quick", 2)
	keep.KeepBest = true
	keep.setPreset("reference")
	if !keep.KeepBest || keep.Workers != "1" || keep.Preset != "reference" {
		t.Errorf("another preset: keep best %v, workers %s, preset %s", keep.KeepBest, keep.Workers, keep.Preset)
	}
}

// scenes is a data set of the scenes' shape, as the data set worker
// describes it.
var scenes = &protocol.DatasetInfo{Name: "scenes.zip", Classes: nn.SceneClasses, Size: 32, Memory: 43 << 20,
	Splits: []protocol.SplitInfo{{Name: "training", Counts: []int{1753, 1817, 1923, 2010, 1819, 1905}}, {Name: "validation", Counts: []int{438, 454, 481, 502, 455, 477}}}}

// TestRecipeCost checks the cost line: steps, memory, a size other than
// the data set's, and the time once a speed is measured.
func TestRecipeCost(t *testing.T) {
	r := newRecipe("quick", 2)
	cost := r.Cost(scenes, 14034)
	for _, want := range []string{"1,408 steps of 64 images (8 epochs of 11,227 images)", "a worker for training, beside the data set's 43 MB"} {
		if !strings.Contains(cost, want) {
			t.Errorf("cost %q, want it to say %q", cost, want)
		}
	}
	q, key, ok := r.toTime("scenes.zip")
	if !ok || q.Batch != 64 || q.Workers != 2 || q.Recipe == nil || q.Recipe.Epochs != 8 {
		t.Fatalf("the benchmark that times it: %+v, %v", q, ok)
	}
	r.measuring = true
	if !strings.HasSuffix(r.Cost(scenes, 14034), "; measuring the speed….") {
		t.Errorf("while measuring: %q", r.Cost(scenes, 14034))
	}
	if _, _, ok := r.toTime("scenes.zip"); ok {
		t.Error("timed twice at once")
	}
	r.measuring = false
	r.measured(key, 200)
	if got := r.Cost(scenes, 14034); !strings.Contains(got, "; about 7:29 of training at the 200 images/s measured here, plus validation.") {
		t.Errorf("with a speed: %q", got)
	}
	if _, _, ok := r.toTime("scenes.zip"); ok {
		t.Error("a speed known is timed again")
	}
	r.set("size", "64")
	if got := r.Cost(scenes, 14034); !strings.Contains(got, "The data set was read at 32×32: its images are decoded again from the zip at 64×64 when the run starts, another 172 MB") {
		t.Errorf("another size: %q", got)
	}
	if q, _, ok := r.toTime("scenes.zip"); !ok || q.Recipe.Config.InputSize != 64 {
		t.Errorf("a recipe of another size than the data set's is not timed: %+v, %v", q, ok)
	}
	kept := *scenes
	kept.Kept = true
	if got := r.Cost(&kept, 14034); !strings.Contains(got, "This data set was kept in the browser at 32×32 without its files: load its zip again to use it at 64×64, or choose input size 32") {
		t.Errorf("another size of a kept data set: %q", got)
	}
	r.set("epochs", "x")
	if got := r.Cost(scenes, 14034); got != "" {
		t.Errorf("a recipe in error has a cost: %q", got)
	}
}

// TestRecipeAdvanced checks which fields are up front, and when the
// others show: as the person leaves them, always when one is wrong, and
// by themselves when one differs from the preset.
func TestRecipeAdvanced(t *testing.T) {
	r := newRecipe("quick", 2)
	if f := r.Front(); len(f) != 1 || f[0].Name != "epochs" || len(r.Advanced())+1 != len(nn.RecipeFields) {
		t.Fatalf("up front %v, %d behind Advanced", f, len(r.Advanced()))
	}
	if r.AdvancedOpen() || !strings.HasPrefix(r.AdvancedSummary(), "15 more fields, all as the preset") {
		t.Errorf("a fresh form: open %v, %q", r.AdvancedOpen(), r.AdvancedSummary())
	}
	r.set("epochs", "3") // up front: Advanced stays shut
	if r.AdvancedOpen() {
		t.Error("a change up front opened Advanced")
	}
	r.set("batch", "32")
	if !r.AdvancedOpen() || !strings.HasSuffix(r.AdvancedSummary(), "changed from the preset: Batch size") {
		t.Errorf("a changed field: open %v, %q", r.AdvancedOpen(), r.AdvancedSummary())
	}
	r.toggleAdvanced()
	if r.AdvancedOpen() {
		t.Error("closed by the person, Advanced stayed open")
	}
	r.set("batch", "abc")
	if !r.AdvancedOpen() {
		t.Error("a wrong field behind Advanced, and it stays shut")
	}
	r.set("batch", "64")
	r.toggleAdvanced()
	if !r.AdvancedOpen() {
		t.Error("opened by the person, Advanced stayed shut")
	}
}
