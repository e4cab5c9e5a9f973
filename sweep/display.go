package sweep

import (
	"fmt"
	"io"
	"os"
)

// ProgressModes are the progress displays SetProgress takes.
var ProgressModes = []string{"auto", "bar", "lines", "none"}

// SetProgress sets the progress display of o on w: a live bar ("bar", or
// "auto" when w is a terminal), plain periodic lines ("lines", or "auto"
// otherwise) or nothing ("none").
func (o *Options) SetProgress(mode string, w io.Writer) error {
	o.Log, o.Terminal = w, false
	switch mode {
	case "auto":
		o.Terminal = isTerminal(w)
	case "bar":
		o.Terminal = true
	case "lines":
	case "none":
		o.Log = nil
	default:
		return fmt.Errorf("progress display %q: want auto, bar, lines or none", mode)
	}
	return nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
