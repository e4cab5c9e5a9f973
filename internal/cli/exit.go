// Package cli holds what the spurious command shares across its
// subcommands but is not about models or data: the exit codes and the
// errors that choose them, the one-line error message, and the shell
// completion scripts.
//
// A command returns [Usagef] or [AsUsage] for a bad command line (exit
// code [ExitUsage]), a plain error when the data, a file or the run failed
// ([ExitError]), and main turns a panic into an [InternalError] with
// [Recover] ([ExitInternal]); [ExitCode] maps any of them to the process
// exit status.
package cli

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
)

// Exit codes of spurious, listed in `spurious --help` by [ExitCodesHelp].
const (
	ExitOK       = 0
	ExitError    = 1  // the data, a file or the run failed: the message says what to change
	ExitInternal = 2  // a bug: a panic (Go's runtime exits 2 on a panic too)
	ExitUsage    = 64 // bad command line (BSD sysexits EX_USAGE): unknown command or flag, invalid flag value
)

// ExitCodesHelp documents the exit codes for `spurious --help`.
const ExitCodesHelp = `exit codes:
  0   success
  1   error in the data, a file or the run (the message says what to change)
  2   internal error: a bug in spurious (please report it with the message)
  64  usage error: unknown command or flag, or an invalid flag value`

// usageError marks an error in the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// Usagef is fmt.Errorf for a command-line error (exit code [ExitUsage]).
func Usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// AsUsage marks err, if not nil, as a command-line error (exit code
// [ExitUsage]); it returns nil for nil.
func AsUsage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// ExitCode maps the error of a command to the process exit code: [ExitOK]
// for nil, [ExitUsage] for a command-line error anywhere in err's chain,
// [ExitInternal] for an [InternalError], [ExitError] for anything else.
func ExitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, new(InternalError)):
		return ExitInternal
	}
	return ExitError
}

// InternalError is a panic recovered in the command's goroutine: the
// panic value and the stack where it happened.
type InternalError struct {
	Value any
	Stack []byte
}

func (e InternalError) Error() string {
	return fmt.Sprintf("internal error (a bug in spurious; please report it with this message): %v\n%s", e.Value, e.Stack)
}

// Recover turns a panic of the calling goroutine into an [InternalError]
// stored in *err; use as `defer cli.Recover(&err)`.
func Recover(err *error) {
	if v := recover(); v != nil {
		*err = InternalError{v, debug.Stack()}
	}
}

// ErrorLine formats the error of command cmd as `spurious CMD: message`,
// keeping the `CMD: ` or `CMD SUB: ` prefix the message may already carry;
// with cmd "" (no known command) it is `spurious: message`.
func ErrorLine(cmd string, err error) string {
	msg := err.Error()
	switch {
	case cmd == "":
		return "spurious: " + msg
	case strings.HasPrefix(msg, cmd+": "), strings.HasPrefix(msg, cmd+" ") && strings.Contains(msg, ": "):
		return "spurious " + msg
	}
	return "spurious " + cmd + ": " + msg
}
