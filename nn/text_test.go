package nn

import (
	"strings"
	"testing"
	"time"
)

func TestRecordWriteText(t *testing.T) {
	r := Record{
		Arch: "fc", Dataset: "synthetic", Precision: "f32", N: 40, Nt: 100, D: 20, Alpha: 0.25,
		Outputs: 1, ClassesPresent: 2, Loss: "mse", Params: 110901, Seed: 3, Epochs: 60, Steps: 60,
		BatchSize: 1024, LR: 1e-4, TrainAcc: 1, TestAcc: 0.8125, SpuriousAcc: 0.6, ChanceAcc: 0.5,
		TrainLoss: 0.01234, LoadSeconds: 0.1, TrainSeconds: 2, EvalSeconds: 0.2, Seconds: 2.3, SamplesPerSecond: 1200,
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `model              fc, 110901 parameters, mse loss, f32
data               synthetic: n=40 nt=100 d=20 alpha=0.25, 1 outputs (2 classes in the samples)
training           60 epochs, 60 Adam steps, batch 1024, lr 0.0001, seed 3
train accuracy     1.0000
test accuracy      0.8125
spurious accuracy  0.6000  (chance 0.50)
final train loss   0.01234
time               2.3 s (load 0.1, train 2.0, evaluate 0.2); 1200 training samples/s
`
	if b.String() != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestProgressString(t *testing.T) {
	p := Progress{Epoch: 20, Epochs: 60, Loss: 0.123456, TrainAcc: 0.96875, LR: 8e-5, Elapsed: 10*time.Second + 400*time.Millisecond}
	// 40 epochs left at 0.52 s each: 20.8 s, rounded to 21 s.
	want := "epoch 20/60  loss 0.1235  batch acc 0.969  lr 8e-05  10s elapsed, 21s left"
	if got := p.String(); got != want {
		t.Errorf("Progress.String() = %q, want %q", got, want)
	}
}
