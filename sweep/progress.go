package sweep

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress reports a sweep's advance: a bar redrawn in place on a terminal,
// or a plain line every interval for batch logs (Slurm, Kubernetes).
type progress struct {
	w        io.Writer
	terminal bool
	interval time.Duration
	total    int // trials in the shard
	skipped  int // already done at the start
	done     int // done by this run
	shard    Shard
	begin    time.Time
	last     time.Time // last plain line
	now      func() time.Time
	drawn    bool // a bar is on the current terminal line
}

func newProgress(w io.Writer, terminal bool, interval time.Duration, total, skipped int, shard Shard) *progress {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	return &progress{w: w, terminal: terminal, interval: interval, total: total, skipped: skipped, shard: shard, now: time.Now}
}

func (p *progress) tickEvery() time.Duration {
	if p.terminal {
		return time.Second
	}
	return p.interval
}

// start prints the plan and starts the clock.
func (p *progress) start(todo int) {
	p.begin = p.now()
	p.last = p.begin
	if p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "sweep: shard %s: %d trials, %d already done, %d to run\n", p.shard, p.total, p.skipped, todo)
	if p.terminal {
		p.draw()
	}
}

// note prints a message on its own line without breaking the bar.
func (p *progress) note(msg string) {
	if p.w == nil {
		return
	}
	p.clear()
	fmt.Fprintf(p.w, "sweep: %s\n", msg)
	if p.terminal && !p.begin.IsZero() {
		p.draw()
	}
}

func (p *progress) finished() {
	p.done++
	if p.terminal {
		p.draw()
	} else if p.now().Sub(p.last) >= p.interval {
		p.line()
	}
}

func (p *progress) tick() {
	if p.terminal {
		p.draw()
	} else if p.now().Sub(p.last) >= p.interval {
		p.line()
	}
}

// end prints the final state.
func (p *progress) end() {
	if p.w == nil {
		return
	}
	if p.terminal {
		p.draw()
		fmt.Fprintln(p.w)
		p.drawn = false
		return
	}
	p.line()
}

// status returns "done/total (pct%), rate, elapsed, ETA". The rate counts
// only trials run by this process.
func (p *progress) status() string {
	el := p.now().Sub(p.begin)
	cur := p.skipped + p.done
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(cur) / float64(p.total)
	}
	s := fmt.Sprintf("%d/%d (%.0f%%) elapsed %s", cur, p.total, pct, fmtDuration(el))
	if p.done > 0 && el > 0 {
		rate := float64(p.done) / el.Seconds()
		eta := time.Duration(float64(p.total-cur) / rate * float64(time.Second))
		s += fmt.Sprintf(", %s, ETA %s", fmtRate(rate), fmtDuration(eta))
	}
	return s
}

func (p *progress) line() {
	p.last = p.now()
	if p.w != nil {
		fmt.Fprintf(p.w, "sweep: %s\n", p.status())
	}
}

const barWidth = 30

func (p *progress) draw() {
	if p.w == nil {
		return
	}
	filled := barWidth
	if p.total > 0 {
		filled = barWidth * (p.skipped + p.done) / p.total
	}
	fmt.Fprintf(p.w, "\r\x1b[K[%s%s] %s", strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), p.status())
	p.drawn = true
}

func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

func fmtRate(r float64) string {
	switch {
	case r >= 1:
		return fmt.Sprintf("%.2f trials/s", r)
	case r*60 >= 1:
		return fmt.Sprintf("%.2f trials/min", r*60)
	default:
		return fmt.Sprintf("%.2f trials/h", r*3600)
	}
}

// fmtDuration rounds d for humans: 42s, 3m05s, 2h10m.
func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.0fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}
