package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// Recipe is everything that decides a training run besides the data.
type Recipe struct {
	// Name is a preset's (see Presets) or "custom".
	Name string `json:"name"`
	// Config is the architecture.
	Config Config `json:"config"`
	// Epochs is the number of passes over the training split.
	Epochs int `json:"epochs"`
	// BatchSize is the number of images per optimizer step.
	BatchSize int `json:"batch_size"`
	// MaxLR is the one-cycle schedule's peak learning rate.
	MaxLR float64 `json:"max_lr"`
	// PctStart is the fraction of steps spent warming up.
	PctStart float64 `json:"pct_start"`
	// WeightDecay is Adam's coupled L2 coefficient.
	WeightDecay float64 `json:"weight_decay"`
	// ClipValue clamps each gradient element to ±ClipValue; 0 is off.
	ClipValue float64 `json:"clip_value"`
	// ClipNorm scales the gradients to a global L2 norm of at most
	// ClipNorm; 0 is off. Applied after ClipValue.
	ClipNorm float64 `json:"clip_norm"`
	// ValFraction is the share of the training folder held out for
	// validation.
	ValFraction float64 `json:"val_fraction"`
	// LabelSmoothing is the training loss's label smoothing (see
	// CrossEntropy.Smoothing); 0 is off. Validation always scores the
	// plain loss.
	LabelSmoothing float64 `json:"label_smoothing,omitempty"`
	// Distill, above 0, is the share of each training image's target
	// given to what teacher models say of it (see Trainer.Teach), the rest going
	// to its label; 0 is off. Teachers names the teachers' files. Only
	// resnet train has them: the page trains without teachers.
	Distill  float64  `json:"distill,omitempty"`
	Teachers []string `json:"teachers,omitempty"`
	// Augment is the training-time augmentation.
	Augment data.Augment `json:"augment"`
	// Seed decides the initialization, split, shuffling and augmentation.
	Seed uint64 `json:"seed"`
	// SplitSeed, when set, decides the split instead of Seed, so that runs
	// of several seeds can be compared on one validation split.
	SplitSeed *uint64 `json:"split_seed,omitempty"`
	// BatchNormPerShare, on several workers, has each worker's BatchNorm
	// normalize its own share of every batch, as PyTorch's DataParallel
	// without SyncBatchNorm does; false normalizes over the whole batch,
	// the workers summing their statistics. The page's workers, which
	// would need 45 exchanges a step to sum them, train per share.
	BatchNormPerShare bool `json:"batchnorm_per_share,omitempty"`
}

// MinShare is the fewest images a worker's share of a batch may have
// with BatchNormPerShare: fewer make the statistics of a share too
// noisy.
const MinShare = 16

// SplitRand returns the source of randomness of the train/validation
// split: from SplitSeed when set, else from Seed.
func (r Recipe) SplitRand() *rand.Rand {
	seed := r.Seed
	if r.SplitSeed != nil {
		seed = *r.SplitSeed
	}
	return rand.New(rand.NewPCG(seed, 1))
}

// InitRand returns the source of randomness of the initial weights.
func (r Recipe) InitRand() *rand.Rand { return rand.New(rand.NewPCG(r.Seed, 0)) }

// EpochOrder returns the order in which epoch e (from 0) visits the n
// training images: a permutation drawn from Seed, the same for every
// number of workers.
func (r Recipe) EpochOrder(e, n int) []int {
	return rand.New(rand.NewPCG(r.Seed, uint64(2+e))).Perm(n)
}

// ReferenceRecipe is exactly the reference notebook's recipe: ResNet-14 on
// 32×32 images, an 80/20 split, batch 64, 24 epochs, Adam with coupled
// weight decay 1e-4, one-cycle to 0.01 with momentum cycling, gradients
// clipped to ±0.1, no augmentation.
func ReferenceRecipe() Recipe {
	return Recipe{
		Name: "reference", Config: Reference(), Epochs: 24, BatchSize: 64,
		MaxLR: 0.01, PctStart: 0.3, WeightDecay: 1e-4, ClipValue: 0.1,
		ValFraction: 0.2, Seed: 1,
	}
}

// DefaultRecipe is this project's recipe: the reference's network,
// budget and optimizer, plus random crops (4 pixels of zero padding) and
// horizontal flips, which scenes tolerate and small data sets need.
func DefaultRecipe() Recipe {
	r := ReferenceRecipe()
	r.Name = "default"
	r.Augment = data.Augment{Pad: 4, FlipProb: 0.5}
	return r
}

// QuickRecipe is this project's recipe for a run of minutes: the default
// recipe's network and optimizer over 8 epochs, its one-cycle schedule
// compressed to them, with flips but no crops (in so few epochs the
// crops cost more than they teach; docs/recipes.md has the study).
func QuickRecipe() Recipe {
	r := DefaultRecipe()
	r.Name, r.Epochs = "quick", 8
	r.Augment.Pad = 0
	return r
}

// BestRecipe is the recipe of the built-in model: the default recipe at
// 40×40 input, where scenes keep more of their detail, with label
// smoothing 0.1 (docs/builtin-model.md has the study). Its images have
// 40²/32² times the default's pixels.
func BestRecipe() Recipe {
	r := DefaultRecipe()
	r.Name = "best"
	r.Config.InputSize = 40
	r.LabelSmoothing = 0.1
	return r
}

// Presets are the recipes a person starts from, by name: reference,
// default, quick and best.
var Presets = []func() Recipe{ReferenceRecipe, DefaultRecipe, QuickRecipe, BestRecipe}

// PresetNames returns the presets' names, in the order of Presets.
func PresetNames() []string {
	names := make([]string, len(Presets))
	for i, p := range Presets {
		names[i] = p().Name
	}
	return names
}

// Preset returns the preset recipe named name.
func Preset(name string) (Recipe, bool) {
	for _, p := range Presets {
		if r := p(); r.Name == name {
			return r, true
		}
	}
	return Recipe{}, false
}

// Validate reports whether the recipe can run: every field within the
// limits of RecipeFields, and a network of at least two classes.
func (r Recipe) Validate() error {
	if err := r.checkFields(); err != nil {
		return err
	}
	return r.Config.Validate()
}

// CheckWorkers reports whether the recipe can run on n workers: with
// BatchNormPerShare, each share of a batch needs MinShare images.
func (r Recipe) CheckWorkers(n int) error {
	switch {
	case n < 1 || n > r.BatchSize:
		return fmt.Errorf("nn: %d workers for batches of %d, want 1 to %d", n, r.BatchSize, r.BatchSize)
	case n > 1 && r.BatchNormPerShare && r.BatchSize/n < MinShare:
		return fmt.Errorf("nn: batches of %d on %d workers give shares of %d images; BatchNorm per share needs at least %d: use at most %d workers or larger batches",
			r.BatchSize, n, r.BatchSize/n, MinShare, max(1, r.BatchSize/MinShare))
	}
	return nil
}

// Schedule returns the one-cycle schedule for a run of the given steps.
func (r Recipe) Schedule(steps int) OneCycle {
	s := NewOneCycle(r.MaxLR, steps)
	s.PctStart = r.PctStart
	return s
}
