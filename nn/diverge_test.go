package nn

import (
	"context"
	"strings"
	"testing"
)

// TestDivergenceIsAnError: a learning rate that blows the loss up to NaN
// or Inf is an error naming the epoch and the fix, not a report of NaNs.
func TestDivergenceIsAnError(t *testing.T) {
	_, err := Run(context.Background(), Config{Arch: "fc", Dataset: "synthetic", N: 20, Nt: 5, D: 20,
		TrainConfig: TrainConfig{Epochs: 5, LR: 1e30, Seed: 3}})
	if err == nil || !strings.Contains(err.Error(), "diverged") || !strings.Contains(err.Error(), "lower the learning rate") {
		t.Errorf("err = %v, want the divergence reported", err)
	}
}
