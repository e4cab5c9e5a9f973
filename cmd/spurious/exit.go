package main

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
)

// Exit codes of spurious, listed in `spurious --help`.
const (
	exitOK       = 0
	exitError    = 1  // the data, a file or the run failed: the message says what to change
	exitInternal = 2  // a bug: a panic (Go's runtime exits 2 on a panic too)
	exitUsage    = 64 // bad command line (BSD sysexits EX_USAGE): unknown command or flag, invalid flag value
)

const exitCodesHelp = `exit codes:
  0   success
  1   error in the data, a file or the run (the message says what to change)
  2   internal error: a bug in spurious (please report it with the message)
  64  usage error: unknown command or flag, or an invalid flag value`

// usageError marks an error in the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usageErrorf is fmt.Errorf for a command-line error (exit code 64).
func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// asUsage marks err, if not nil, as a command-line error.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// exitCode maps the error of a command to the process exit code.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, new(internalError)):
		return exitInternal
	}
	return exitError
}

// internalError is a panic recovered in the command's goroutine.
type internalError struct {
	value any
	stack []byte
}

func (e internalError) Error() string {
	return fmt.Sprintf("internal error (a bug in spurious; please report it with this message): %v\n%s", e.value, e.stack)
}

// recoverInternal turns a panic of the calling goroutine into an
// internalError stored in *err; use as `defer recoverInternal(&err)`.
func recoverInternal(err *error) {
	if v := recover(); v != nil {
		*err = internalError{v, debug.Stack()}
	}
}

// errorLine formats the error of command cmd as `spurious CMD: message`,
// keeping the `CMD: ` or `CMD SUB: ` prefix the message may already carry.
func errorLine(cmd string, err error) string {
	msg := err.Error()
	switch {
	case cmd == "":
		return "spurious: " + msg
	case strings.HasPrefix(msg, cmd+": "), strings.HasPrefix(msg, cmd+" ") && strings.Contains(msg, ": "):
		return "spurious " + msg
	}
	return "spurious " + cmd + ": " + msg
}
