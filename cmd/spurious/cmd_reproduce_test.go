package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/report"
	"github.com/spurious-ml/spurious/reproduce"
	"github.com/spurious-ml/spurious/sweep"
)

// reproSVGSeries checks that b is well-formed XML (strict decoder) and
// returns the data-name of every <g class="series"> and the data-title of
// every panel.
func reproSVGSeries(t *testing.T, name string, b []byte) (series, panels []string) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "g" {
			continue
		}
		attrs := map[string]string{}
		for _, a := range se.Attr {
			attrs[a.Name.Local] = a.Value
		}
		switch attrs["class"] {
		case "series":
			series = append(series, attrs["data-name"])
		case "panel":
			panels = append(panels, attrs["data-title"])
		}
	}
	return series, panels
}

func TestReproduceQuickWithFakeTrials(t *testing.T) {
	withFakeTrials(t, 0)
	dir := t.TempDir()
	args := []string{"reproduce", "--quick", "--out", dir, "--progress", "none", "--workers", "2"}
	var so, se bytes.Buffer
	if err := run(context.Background(), args, &so, &se); err != nil {
		t.Fatalf("reproduce: %v\n%s", err, se.String())
	}
	// 2 models x (2 acts x 2 alphas + 2 real datasets) x 4 N x 3 repetitions,
	// NTK ReLU x 2 alphas x 4 N x 3 repetitions, and the FC network on
	// synthetic data and MNIST x 4 N x 3 repetitions.
	if !strings.Contains(so.String(), "192 trials (192 run now)") {
		t.Errorf("first run output: %s", so.String())
	}

	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	refs := report.FigureRefs(string(md))
	svgs, _ := filepath.Glob(filepath.Join(dir, "*.svg"))
	var written []string
	for _, p := range svgs {
		written = append(written, filepath.Base(p))
	}
	slices.Sort(written)
	sortedRefs := slices.Sorted(slices.Values(refs))
	if !slices.Equal(sortedRefs, written) || len(refs) != 4 {
		t.Errorf("report references %q, directory holds %q: want the same four figures", refs, written)
	}

	wantSeries := map[string][]string{
		"rf.svg": {"φ2, α=1/2", "φ2, α=1/4", "φ4, α=1/2", "φ4, α=1/4", "φ2, α=1/2", "φ2, α=1/4", "φ4, α=1/2", "φ4, α=1/4",
			"spurious accuracy", "test accuracy", "spurious accuracy", "test accuracy"},
		"nn.svg": {"spurious accuracy", "test accuracy", "chance", "spurious accuracy", "test accuracy", "chance"},
	}
	wantPanels := map[string][]string{
		"rf.svg":     {"Synthetic - test accuracy", "Synthetic - spurious accuracy", "MNIST (1 and 7)", "CIFAR-10 (cats and ships)"},
		"ntk.svg":    {"Synthetic - test accuracy", "Synthetic - spurious accuracy", "MNIST (1 and 7)", "CIFAR-10 (cats and ships)"},
		"theory.svg": {"RF, φ2", "RF, φ4", "NTK, φ2", "NTK, φ4", "NTK, ReLU"},
		"nn.svg":     {"Synthetic - FC", "MNIST - FC"},
	}
	for _, f := range written {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		series, panels := reproSVGSeries(t, f, b)
		if !slices.Equal(panels, wantPanels[f]) {
			t.Errorf("%s panels %q, want %q", f, panels, wantPanels[f])
		}
		if w, ok := wantSeries[f]; ok && !slices.Equal(series, w) {
			t.Errorf("%s series %q, want %q", f, series, w)
		}
		// Every figure states its repetitions and interval, labels its y
		// axes, and has a PNG twin.
		if !strings.Contains(string(b), "mean of 3 repetitions; bands: 95% Student-t confidence interval") || strings.Count(string(b), `class="ylabel"`) != len(wantPanels[f]) {
			t.Errorf("%s lacks the note on repetitions and intervals, or a y label per panel", f)
		}
		if pf, err := os.Open(filepath.Join(dir, strings.TrimSuffix(f, ".svg")+".png")); err != nil {
			t.Error(err)
		} else if _, err := png.Decode(pf); err != nil {
			t.Errorf("%s: PNG twin: %v", f, err)
		} else {
			pf.Close()
		}
		if f == "theory.svg" {
			for _, name := range []string{"measured, α=1/2", "γ(ψ), α=1/4", "large-N limit, α=1/2", "small-N limit, α=1/4"} {
				if !slices.Contains(series, name) {
					t.Errorf("theory.svg lacks series %q (has %q)", name, series)
				}
			}
		}
	}
	for _, want := range []string{"## Environment", "spurious reproduce --quick --out", "Go: go1.", "| synthetic | φ4 | 1/4 | 300 | 3 |",
		"## Table: NN (FC)", "| mnist | 100 | — | 300 | 3 | 1.000 ± 0.000 |", "0.1 with all 10", "MNIST - FC, N = 300, 100 epochs: 0.5 s per trial (0.3 s training); with the paper's 1000 epochs about 3 s",
		"spurious nn --json --progress-every 0 --arch fc --dataset synthetic --alpha 0.5 --d 1000 --n 10 --nt 500 --epochs 100 --seed",
		"spurious merge", "spurious theory --model ntk --act phi4 --alpha 0.5,0.25 --d 1000 --curve n"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}

	// A second run reuses every trial.
	so.Reset()
	if err := run(context.Background(), args, &so, &se); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(so.String(), "192 trials (0 run now)") {
		t.Errorf("second run did not reuse results.jsonl: %s", so.String())
	}

	// Report only: no trial runs (the runner would fail them all).
	sweepTrialRunner = func(context.Context, sweep.Trial) (json.RawMessage, error) {
		return nil, errors.New("report only ran a trial")
	}
	so.Reset()
	if err := run(context.Background(), append(args, "--report-only"), &so, &se); err != nil {
		t.Fatal(err)
	}
	md, _ = os.ReadFile(filepath.Join(dir, "report.md"))
	if !strings.Contains(so.String(), "report of 192 of 192 trials (none run)") || !strings.Contains(string(md), "The record is **complete**") {
		t.Errorf("report only: %s", so.String())
	}
}

func TestReproduceSkipsUnavailableData(t *testing.T) {
	errCIFARMissing := errors.New("cifar10: no data in the cache directory; fetch it first")
	withFakeTrials(t, 0)
	reproduceProbe = func(_ context.Context, ds reproduce.Dataset) error {
		if ds.Name == "cifar10" {
			return errCIFARMissing
		}
		return nil
	}
	dir := t.TempDir()
	var so, se bytes.Buffer
	if err := run(context.Background(), []string{"reproduce", "--out", dir, "--progress", "none"}, &so, &se); err != nil {
		t.Fatalf("reproduce: %v\n%s", err, se.String())
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if !strings.Contains(string(md), "CIFAR-10 (cats and ships) panels were skipped") || !strings.Contains(string(md), errCIFARMissing.Error()) {
		t.Errorf("report does not explain the skipped CIFAR-10 panels:\n%s", md)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "rf.svg"))
	if _, panels := reproSVGSeries(t, "rf.svg", b); len(panels) != 3 {
		t.Errorf("rf.svg has panels %q, want 3 (no CIFAR-10)", panels)
	}
}
