// Package fetch downloads files over HTTP(S) and unpacks gzip-compressed
// tar archives, for data sets that must be obtained once and cached.
//
// [Download] streams a URL into a file through a ".part" file that it
// resumes with an HTTP Range request after an interruption, reports
// progress (bytes, rate, time left) while it runs, and renames the file
// into place only when its published checksum (MD5 or SHA-256) matches.
//
// [UnpackTarGz] extracts an archive that may be hostile: entry names that
// are absolute or climb out with "..", symbolic and hard links, devices and
// other special entries are refused, and the number of entries, each
// file's size and the total size are bounded, so a decompression bomb stops
// with an error. It extracts into a fresh temporary folder, lets the caller
// verify it, and only then renames it to its destination, so a reader never
// sees a half-unpacked folder.
//
// The package uses the network only when asked to download; the URLs
// "file:///path" read local files the same way (resuming included).
package fetch
