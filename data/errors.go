package data

import (
	"errors"
	"fmt"
)

// FormatError reports a file whose content does not match its format.
type FormatError struct {
	File     string // file name as given by the caller
	Offset   int64  // byte offset of the offending field, or -1 when not meaningful
	Field    string // which field or element, e.g. "magic", "shape", "line 3 column 2"
	Expected string // what the format requires
	Found    string // what the file holds
}

func (e *FormatError) Error() string {
	where := e.Field
	if e.Offset >= 0 {
		where = fmt.Sprintf("%s at offset %d", e.Field, e.Offset)
	}
	if e.Found == "" {
		return fmt.Sprintf("%s: %s: expected %s", e.File, where, e.Expected)
	}
	return fmt.Sprintf("%s: %s: expected %s, found %s", e.File, where, e.Expected, e.Found)
}

func formatErr(file string, off int64, field, expected, found string) error {
	return &FormatError{File: file, Offset: off, Field: field, Expected: expected, Found: found}
}

// ErrUnavailable is wrapped by errors that mean a data set could not be
// obtained on this machine (no network for the module proxy, package not
// installed, folder absent), as opposed to a data set that is present but
// corrupt. Tests use it to skip; the message says how to obtain the data.
var ErrUnavailable = errors.New("data set unavailable")
