package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Runner executes one trial and returns its result, a JSON object. It must
// be deterministic in the trial (same Trial, same numbers) and should return
// promptly once ctx is cancelled. Run calls it from Options.Workers
// goroutines at once.
type Runner func(ctx context.Context, t Trial) (json.RawMessage, error)

// Options configure [Run].
type Options struct {
	// Workers is the number of trials run at once (default 1). Each trial
	// may itself use several threads; raise it for many small trials.
	Workers int
	// Shard selects the part of the spec to run (default: all of it).
	Shard Shard
	// Log receives progress; nil discards it.
	Log io.Writer
	// Terminal selects a live progress bar (for a terminal) instead of
	// periodic plain lines (for batch logs).
	Terminal bool
	// Interval between plain progress lines (default 10s); the bar is
	// redrawn every second and on every finished trial.
	Interval time.Duration
}

// Failure is a trial whose runner returned an error.
type Failure struct {
	Trial Trial
	Err   error
}

// Report summarizes a call to [Run].
type Report struct {
	Total    int       // trials in the shard
	Skipped  int       // already in the results file at the start
	Done     int       // finished and appended by this call
	Failed   []Failure // runner errors, in completion order
	Repaired int64     // bytes of a truncated last line that were cut
	Elapsed  time.Duration
}

// ErrInterrupted is returned (wrapped) by [Run] when ctx was cancelled
// before every trial finished; rerunning the same command resumes.
var ErrInterrupted = errors.New("sweep interrupted")

// Run executes the trials of spec that fall in opt.Shard and are not yet in
// the results file at path, appending one line per finished trial (see
// [Record]). Lines are written by one goroutine, each with a single write
// followed by fsync. Trials that fail are reported in Report.Failed and not
// written, so a rerun retries them; Run then returns an error too. When ctx
// is cancelled, Run stops starting trials, waits for the running ones (whose
// runner sees the cancelled ctx), writes those that still succeeded, and
// returns an error wrapping [ErrInterrupted].
//
// The results file must have been written under the same global seed: a
// record whose seed differs from [DeriveSeed](spec.Seed, key) is an error.
func Run(ctx context.Context, spec *Spec, path string, runner Runner, opt Options) (Report, error) {
	start := time.Now()
	var rep Report
	all, err := spec.Trials()
	if err != nil {
		return rep, err
	}
	if opt.Shard.Count == 0 {
		opt.Shard = All
	}
	if opt.Workers < 1 {
		opt.Workers = 1
	}
	trials := opt.Shard.Select(all)
	rep.Total = len(trials)

	rf, err := openResults(path)
	if err != nil {
		return rep, err
	}
	defer rf.close()
	rep.Repaired = rf.repaired
	var todo []Trial
	for _, t := range trials {
		r, ok := rf.done[t.Key]
		if !ok {
			todo = append(todo, t)
			continue
		}
		if r.Seed != t.Seed {
			return rep, fmt.Errorf("%s holds trial %s with seed %d, but global seed %d gives %d: "+
				"the file comes from a sweep with another seed; use another results file",
				path, t.Key, r.Seed, spec.Seed, t.Seed)
		}
		rep.Skipped++
	}

	prog := newProgress(opt.Log, opt.Terminal, opt.Interval, rep.Total, rep.Skipped, opt.Shard)
	if rep.Repaired > 0 {
		prog.note(fmt.Sprintf("cut a truncated last line (%d bytes) from %s", rep.Repaired, path))
	}
	prog.start(len(todo))

	runCtx, cancel := context.WithCancel(ctx) // also cancelled by a write error
	defer cancel()
	type outcome struct {
		t   Trial
		res json.RawMessage
		err error
	}
	jobs := make(chan Trial)
	results := make(chan outcome)
	var wg sync.WaitGroup
	for range min(opt.Workers, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range jobs {
				res, err := runner(runCtx, t)
				results <- outcome{t, res, err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, t := range todo {
			select {
			case jobs <- t:
			case <-runCtx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	var writeErr error
	tick := time.NewTicker(prog.tickEvery())
	defer tick.Stop()
	for results != nil {
		select {
		case o, ok := <-results:
			if !ok {
				results = nil
				break
			}
			if o.err != nil {
				if runCtx.Err() == nil {
					rep.Failed = append(rep.Failed, Failure{o.t, o.err})
					prog.note(fmt.Sprintf("trial %s failed (%s): %v", o.t.Key, o.t.Params, o.err))
				}
				continue
			}
			if writeErr != nil {
				continue
			}
			line, err := encodeRecord(o.t, o.res)
			if err == nil {
				err = rf.append(line)
			} else {
				rep.Failed = append(rep.Failed, Failure{o.t, err})
				prog.note(err.Error())
				continue
			}
			if err != nil {
				writeErr = fmt.Errorf("appending to %s: %w", path, err)
				cancel()
				continue
			}
			rep.Done++
			prog.finished()
		case <-tick.C:
			prog.tick()
		}
	}
	rep.Elapsed = time.Since(start)
	prog.end()

	switch {
	case writeErr != nil:
		return rep, writeErr
	case ctx.Err() != nil && rep.Skipped+rep.Done < rep.Total:
		return rep, fmt.Errorf("%w: %d of %d trials done; rerun the same command to resume", ErrInterrupted, rep.Skipped+rep.Done, rep.Total)
	case len(rep.Failed) > 0:
		f := rep.Failed[0]
		return rep, fmt.Errorf("%d trials failed (they are not in %s; rerun to retry); first: %s: %w",
			len(rep.Failed), path, f.Trial.Params, f.Err)
	}
	return rep, nil
}
