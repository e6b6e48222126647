package store

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// TestOldRecords reads a run and a model as the page kept them before
// its figures were nn's, and as it keeps them now.
func TestOldRecords(t *testing.T) {
	old := `{"id":"r1","recipe":{"name":"default","batch_size":64,"epochs":24},"workers":2,"step":5,
		"progress":{"plan":{"steps":12,"stepsPerEpoch":3,"train":150},
			"steps":[{"epoch":1,"step":1,"inEpoch":1,"loss":1.8,"lr":0.001,"beta1":0.95,"seconds":1.5},{"epoch":1,"step":3,"inEpoch":3,"loss":1.6,"seconds":4}],
			"epochs":[{"epoch":1,"trainLoss":1.7,"trainAcc":0.3,"valLoss":1.65,"valAcc":0.35,"lr":0.004,"seconds":5}]}}`
	var r Run
	if err := json.Unmarshal([]byte(old), &r); err != nil {
		t.Fatal(err)
	}
	steps := []protocol.TrainStep{
		{StepInfo: nn.StepInfo{Epoch: 1, Step: 1, InEpoch: 1, Loss: 1.8, Images: 64, LR: 0.001, Beta1: 0.95}, Seconds: 1.5},
		{StepInfo: nn.StepInfo{Epoch: 1, Step: 3, InEpoch: 3, Loss: 1.6, Images: 22}, Seconds: 4},
	}
	epochs := []nn.Epoch{{Epoch: 1, TrainLoss: 1.7, TrainAcc: 0.3, ValLoss: 1.65, ValAcc: 0.35, LR: 0.004, Seconds: 5}}
	if !reflect.DeepEqual(r.Progress.Steps, steps) || !reflect.DeepEqual(r.Progress.Epochs, epochs) || r.Recipe.BatchSize != 64 || r.Step != 5 {
		t.Errorf("an old run: got %+v", r)
	}
	var m Model
	if err := json.Unmarshal([]byte(`{"id":"m","name":"mine","arch":"resnet14","source":"trained","history":[{"epoch":1,"trainLoss":1.7,"trainAcc":0.3,"valLoss":1.65,"valAcc":0.35,"lr":0.004,"seconds":5}]}`), &m); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.History, epochs) || m.Arch != "resnet14" || m.Source != "trained" || m.Name != "mine" {
		t.Errorf("an old model: got %+v", m)
	}

	// As kept today, the record reads back as it was.
	b, _ := json.Marshal(r)
	var again Run
	if err := json.Unmarshal(b, &again); err != nil || !reflect.DeepEqual(again, r) {
		t.Errorf("a run of today: got %+v (%v), want %+v", again, err, r)
	}
	b, _ = json.Marshal(m)
	var back Model
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, m) {
		t.Errorf("a model of today: got %+v (%v), want %+v", back, err, m)
	}
}
