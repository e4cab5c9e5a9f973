//go:build !linux

package linalg

import "unsafe"

func adviseHugePages(unsafe.Pointer, uintptr) {}

func thpMode() string { return "" }
