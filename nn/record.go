package nn

import (
	"runtime"
)

// Record is the JSON record of one network trial: what `spurious nn
// --json` prints and a sweep stores (snake_case keys).
type Record struct {
	Arch             string  `json:"arch"`
	Dataset          string  `json:"dataset"`
	Precision        string  `json:"precision"`
	N                int     `json:"n"`
	Nt               int     `json:"nt"`
	D                int     `json:"d"`
	Alpha            float64 `json:"alpha"`
	Outputs          int     `json:"outputs"`
	ClassesPresent   int     `json:"classes_present"`
	Loss             string  `json:"loss"`
	Params           int     `json:"params"`
	Seed             uint64  `json:"seed"`
	Epochs           int     `json:"epochs"`
	Steps            int     `json:"steps"`
	BatchSize        int     `json:"batch_size"`
	LR               float64 `json:"lr"`
	TrainAcc         float64 `json:"train_acc"`
	TestAcc          float64 `json:"test_acc"`
	SpuriousAcc      float64 `json:"spurious_acc"`
	ChanceAcc        float64 `json:"chance_acc"` // 1/classes present in the samples; 0.5 for MSE
	TrainLoss        float64 `json:"train_loss"`
	LoadSeconds      float64 `json:"load_seconds"`
	TrainSeconds     float64 `json:"train_seconds"`
	EvalSeconds      float64 `json:"eval_seconds"`
	Seconds          float64 `json:"seconds"`
	SamplesPerSecond float64 `json:"samples_per_second"`
	ISA              string  `json:"isa"`
	KC               int     `json:"kc"` // GEMM block sizes of the precision (they change the last bits)
	MC               int     `json:"mc"`
	NC               int     `json:"nc"`
	Blocking         string  `json:"blocking"` // "tuned" (spurious tune) or "derived"
	Threads          int     `json:"threads"`
	GoVersion        string  `json:"go_version"`
}

// NewRecord returns the record of rep, the Report of Run(cfg).
func NewRecord(cfg Config, rep *Report) Record {
	tc, _ := cfg.TrainConfig.withDefaults() // Run has accepted cfg
	r := Record{
		Arch: rep.Arch, Dataset: rep.Dataset, Precision: rep.Precision, N: rep.N, Nt: rep.Nt, D: rep.D,
		Alpha: rep.Alpha, Outputs: rep.Outputs, ClassesPresent: rep.ClassesPresent, Params: rep.Params,
		Seed: rep.Seed, Epochs: rep.Epochs, Steps: rep.Steps, BatchSize: tc.BatchSize, LR: tc.LR,
		TrainAcc: rep.TrainAcc, TestAcc: rep.TestAcc, SpuriousAcc: rep.SpuriousAcc, TrainLoss: rep.TrainLoss,
		LoadSeconds: rep.LoadSeconds, TrainSeconds: rep.TrainSeconds, EvalSeconds: rep.EvalSeconds,
		Seconds:          rep.LoadSeconds + rep.TrainSeconds + rep.EvalSeconds,
		SamplesPerSecond: rep.SamplesPerSecond, ISA: rep.Engine.ISA, Threads: rep.Engine.Threads, GoVersion: runtime.Version(),
	}
	bl := rep.Blocking
	r.KC, r.MC, r.NC, r.Blocking = bl.KC, bl.MC, bl.NC, bl.Origin
	// Chance: guessing among the classes the samples have (the JPEG copy
	// of CIFAR-10 holds only cats and ships: 0.5, not 0.1).
	r.Loss, r.ChanceAcc = "cross-entropy", 1/float64(max(rep.ClassesPresent, 1))
	if rep.Outputs == 1 {
		r.Loss, r.ChanceAcc = "mse", 0.5
	}
	return r
}
