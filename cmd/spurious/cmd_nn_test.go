package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/linalg"
)

func nnOut(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runNN(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestNNJSON(t *testing.T) {
	out, progress, err := nnOut(t, "--n", "40", "--nt", "100", "--d", "20", "--alpha", "0.25",
		"--epochs", "60", "--seed", "3", "--progress-every", "20", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for key, want := range map[string]any{
		"arch": "fc", "dataset": "synthetic", "loss": "mse", "precision": "f32",
		"n": 40.0, "nt": 100.0, "d": 20.0, "alpha": 0.25, "outputs": 1.0, "epochs": 60.0,
		"steps": 60.0, "seed": 3.0, "batch_size": 1024.0, "chance_acc": 0.5, "train_acc": 1.0,
	} {
		if o[key] != want {
			t.Errorf("%s = %v, want %v", key, o[key], want)
		}
	}
	for _, key := range []string{"test_acc", "spurious_acc", "train_loss", "samples_per_second", "isa", "kc", "mc", "nc", "blocking", "threads", "params"} {
		if _, ok := o[key]; !ok {
			t.Errorf("key %s missing:\n%s", key, out)
		}
	}
	if bl := linalg.GemmBlocking[float32](); o["kc"] != float64(bl.KC) || o["blocking"] != bl.Origin {
		t.Errorf("kc %v blocking %v, want the f32 blocking %+v", o["kc"], o["blocking"], bl)
	}
	if strings.Count(progress, "nn: epoch ") != 3 || !strings.Contains(progress, "epoch 60/60") {
		t.Errorf("want progress at epochs 20, 40, 60 on stderr, got:\n%s", progress)
	}
}

func TestNNTable(t *testing.T) {
	out, progress, err := nnOut(t, "--n", "20", "--nt", "20", "--d", "10", "--quick", "--progress-every", "0")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"isa=", "train accuracy", "spurious accuracy", "100 epochs", "chance 0.50"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if progress != "" {
		t.Errorf("--progress-every 0 printed %q", progress)
	}
}

func TestNNErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--arch", "fc"}, "--n"},
		{[]string{"--n", "10", "--arch", "mlp"}, "architecture"},
		{[]string{"--n", "10", "--arch", "cnn"}, "needs images"},
		{[]string{"--n", "10", "--dataset", "svhn"}, "data set"},
		{[]string{"--n", "-5"}, "n=-5"},
		{[]string{"--n", "10", "--epochs", "-1"}, "epochs"},
		{[]string{"--n", "10", "--batch", "0"}, "batch"},
		{[]string{"--n", "10", "--alpha", "1"}, "alpha"},
		{[]string{"--n", "10", "--precision", "f16"}, "precision"},
		{[]string{"--n", "10", "--isa", "sse9"}, "--isa"},
		{[]string{"--n", "10", "--threads", "-1"}, "threads"},
		{[]string{"--n", "10", "extra"}, "unexpected argument"},
		{[]string{"--n", "ten"}, "invalid value"},
		{[]string{"--n", "10", "--dataset", "cifar10", "--data", "/nonexistent/cifar"}, "does not exist"},
	} {
		_, _, err := nnOut(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
	if _, _, err := nnOut(t, "-h"); err != nil {
		t.Errorf("-h: %v", err)
	}
}
