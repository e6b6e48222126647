package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

// trainFlags binds every field of nn.RecipeFields to a flag of its
// name, plus the split seed and per-share BatchNorm. Values are applied
// on top of the chosen recipe, so only flags given on the command line
// change it, and each is checked as it is read, with the limits the page
// checks too.
func trainFlags(fs *flag.FlagSet, r *nn.Recipe) {
	for _, f := range nn.RecipeFields {
		usage := f.Usage
		if len(f.Choices) > 0 {
			usage += " (" + strings.Join(f.Choices, " or ") + ")"
		}
		fs.Var(recipeFlag{f, r}, f.Name, usage)
	}
	fs.Func("split-seed", "seed of the train/validation split alone, to compare seeds on one split (default: -seed)", func(s string) error {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return err
		}
		r.SplitSeed = &v
		return nil
	})
	fs.BoolVar(&r.BatchNormPerShare, "batchnorm-per-share", r.BatchNormPerShare, "each worker's BatchNorm normalizes its own share of a batch, as the page's workers do, instead of the whole batch")
}

// recipeFlag is a field of a recipe as a flag.
type recipeFlag struct {
	field  nn.RecipeField
	recipe *nn.Recipe
}

func (f recipeFlag) String() string {
	if f.recipe == nil { // the flag package's zero value, for its defaults
		return ""
	}
	return f.field.Get(*f.recipe)
}

func (f recipeFlag) Set(s string) error { return f.field.Set(f.recipe, s) }

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// The recipe must be known before the other flags apply on top of it.
	recipe := nn.DefaultRecipe()
	for i, a := range args {
		name, value, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == "recipe" {
			if value == "" && i+1 < len(args) {
				value = args[i+1]
			}
			r, ok := nn.Preset(value)
			if !ok {
				return fmt.Errorf("-recipe %q: want one of %s", value, strings.Join(nn.PresetNames(), ", "))
			}
			recipe = r
		}
	}
	fs := newFlags("train", "-data data.zip [-recipe "+strings.Join(nn.PresetNames(), "|")+"] [flags] -o model.safetensors", stderr)
	fs.String("recipe", recipe.Name, "starting recipe: reference (exactly the notebook), default (the reference plus crop and flip augmentation), quick (default in 8 epochs) or best (the built-in model's: default at 40×40 with label smoothing 0.1); other flags override its values")
	dataPath := fs.String("data", "", "dataset `zip` (required)")
	out := fs.String("o", "model.safetensors", "output model `file`; a checkpoint for -resume is kept beside it as FILE.ckpt")
	resume := fs.Bool("resume", false, "continue the run saved in the -o file's checkpoint from its last finished epoch")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the training to `file`, for go tool pprof")
	var teachers []string
	fs.Func("teacher", "model `files`, comma-separated, to learn from besides the labels: each training image's target gives -distill to their averaged probabilities for it (they must take the recipe's input size)", func(s string) error {
		teachers = nil
		for _, f := range strings.Split(s, ",") {
			if f = strings.TrimSpace(f); f != "" {
				teachers = append(teachers, f)
			}
		}
		return nil
	})
	distill := fs.Float64("distill", 0.5, "with -teacher, the teachers' share of each training image's target, 0 to 1")
	n := fs.Int("workers", workers(), "parallel replicas, each computing a share of every batch; BatchNorm still normalizes over the whole batch, so without augmentation (-recipe reference) the number changes only the rounding; with it, each share draws its own crops and flips (results depend on the seed and this number)")
	trainFlags(fs, &recipe)
	err := fs.Parse(args)
	if err != nil {
		return err
	}
	if *dataPath == "" || fs.NArg() != 0 {
		fs.Usage()
		return errors.New("train needs -data")
	}
	var teacherModels []*nn.Model
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "distill" && len(teachers) == 0 {
			err = errors.New("-distill is the teachers' share: it needs -teacher")
		}
	})
	if err != nil {
		return err
	}
	if len(teachers) > 0 {
		recipe.Distill, recipe.Teachers = *distill, nil
		for _, path := range teachers {
			m, err := readModel(path)
			if err != nil {
				return fmt.Errorf("-teacher: %w", err)
			}
			teacherModels = append(teacherModels, m)
			recipe.Teachers = append(recipe.Teachers, filepath.Base(path))
		}
	}
	if err := recipe.Validate(); err != nil {
		return err
	}
	a, err := readZip(*dataPath, recipe.Config.InputSize, stderr)
	if err != nil {
		return err
	}
	recipe.Config.Classes = len(a.Train.Classes)
	if err := recipe.CheckWorkers(*n); err != nil {
		return fmt.Errorf("-workers %d: %w", *n, err)
	}
	run, err := newRun(recipe, a, *n, *out, stdout, stderr)
	if err != nil {
		return err
	}
	if len(teacherModels) > 0 {
		if err := run.teach(teacherModels); err != nil {
			return err
		}
	}
	if *resume {
		if err := run.resume(*n); err != nil {
			return err
		}
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return run.run(ctx)
}

// trainRun is one training run in progress, and where it goes.
type trainRun struct {
	*nn.Run
	out         string
	workers     int
	stdout, log io.Writer
}

func newRun(r nn.Recipe, a *data.Archive, workers int, out string, stdout, stderr io.Writer) (*trainRun, error) {
	run, err := nn.NewRun(r, a, func(m *nn.Model, r nn.Recipe, steps int) (*nn.Trainer, error) {
		return nn.NewTrainer(m, r, steps, workers)
	})
	if err != nil {
		return nil, err
	}
	run.Model.Meta.Source = source(r)
	nval := 0
	if run.Val != nil {
		nval = run.Val.Len()
	}
	fmt.Fprintf(stderr, "%s, %d parameters; %d train, %d validation images; %d epochs of %d steps on %d workers (%s kernel)\n",
		run.Model.Meta.Arch, run.Model.NumParams(), run.Train.Len(), nval, r.Epochs, run.StepsPerEpoch(), workers, nn.KernelInstructions())
	return &trainRun{Run: run, out: out, workers: workers, stdout: stdout, log: stderr}, nil
}

// teach has the teachers classify the training images, for the
// trainer to learn from.
func (t *trainRun) teach(teachers []*nn.Model) error {
	start := time.Now()
	probs, err := nn.TeacherProbabilities(teachers, t.Train)
	if err != nil {
		return fmt.Errorf("-teacher: %v", nn.Message(err))
	}
	if err := t.Trainer.Teach(t.Train, probs); err != nil {
		return err
	}
	fmt.Fprintf(t.log, "%s classified the %d training images and their mirror images in %.1fs\n", teacherCount(len(teachers)), t.Train.Len(), time.Since(start).Seconds())
	return nil
}

// teacherCount writes n teachers, as "1 teacher" or "3 teachers".
func teacherCount(n int) string {
	if n == 1 {
		return "1 teacher"
	}
	return fmt.Sprintf("%d teachers", n)
}

// run runs the remaining epochs, saving after each; on ctx's end it
// stops after the current batch and saves the weights it has to t.out
// (mid-epoch weights; -resume starts again from the last checkpoint).
func (t *trainRun) run(ctx context.Context) error {
	r := t.Recipe
	fmt.Fprintln(t.stdout, "epoch  train_loss  train_acc  val_loss  val_acc        lr   seconds")
	for !t.Done() {
		bar := progressbar.NewOptions(t.Train.Len(),
			progressbar.OptionSetWriter(t.log), progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", t.Epochs()+1, r.Epochs)),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("img"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish())
		seen := 0
		for {
			if ctx.Err() != nil {
				bar.Exit()
				fmt.Fprintf(t.log, "\ninterrupted in epoch %d after %d images; saving\n", t.Epochs()+1, seen)
				return t.save(false)
			}
			step, err := t.Next()
			if err != nil {
				bar.Exit()
				if t.Epochs() == 0 {
					fmt.Fprintf(t.log, "\n%v in the first epoch; no model was written\n", nn.Message(err))
				} else {
					fmt.Fprintf(t.log, "\n%v; the model of epoch %d is in %s\n", nn.Message(err), t.Epochs(), t.out)
				}
				return err
			}
			seen += step.Images
			bar.Add(step.Images)
			if step.EndEpoch {
				break
			}
		}
		bar.Finish()
		e := t.EndEpoch(nil)
		val := fmt.Sprintf("%8.4f  %6.2f%%", e.ValLoss, 100*e.ValAcc)
		if t.Val == nil || t.Val.Len() == 0 {
			val = fmt.Sprintf("%8s  %7s", "-", "-")
		}
		fmt.Fprintf(t.stdout, "%5d  %10.4f  %8.2f%%  %s  %8.2e  %8.1f\n",
			e.Epoch, e.TrainLoss, 100*e.TrainAcc, val, e.LR, e.Seconds)
		if err := t.save(true); err != nil {
			return err
		}
	}
	for _, s := range []struct {
		name string
		set  *data.Set
	}{{"validation", t.Val}, {"test", t.Test}} {
		if s.set == nil || s.set.Len() == 0 {
			continue
		}
		loss, cm := t.Trainer.Evaluate(s.set, 256)
		fmt.Fprintf(t.stdout, "\n%s (%d images):\n", s.name, s.set.Len())
		printEvaluation(t.stdout, cm, t.Model.Meta.Classes, loss)
	}
	fmt.Fprintf(t.log, "model written to %s\n", t.out)
	return nil
}

// source says how a model was trained, for its metadata: the recipe, what
// the flags changed of it, and the seed, as in "trained natively with the
// default recipe (input size 40 pixels, label smoothing 0.1), seed 1".
func source(r nn.Recipe) string {
	s := "trained natively with the " + r.Name + " recipe"
	if base, ok := nn.Preset(r.Name); ok {
		if ch := r.Changes(base); len(ch) > 0 {
			s += " (" + strings.Join(ch, ", ") + ")"
		}
	}
	if r.Distill > 0 {
		s += fmt.Sprintf(", learning from %s (a share of %g of each target)", teacherCount(len(r.Teachers)), r.Distill)
	}
	return fmt.Sprintf("%s, seed %d", s, r.Seed)
}
