package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// maxDeflateRatio bounds how many bytes one compressed byte can inflate to
// (DEFLATE's limit is about 1032:1), so a gzip file of s bytes cannot hold
// more than maxDeflateRatio*s bytes of data.
const maxDeflateRatio = 1032

// IDX is the content of an IDX file (the MNIST container): an array of
// unsigned bytes with its dimensions, row-major.
type IDX struct {
	Dims []int
	Data []byte
}

// ReadIDX reads an IDX file of unsigned bytes (type code 0x08), gzip
// compressed or raw (detected from the first two bytes). Cost: one pass
// over the file; it allocates the data array once, after checking that the
// file can hold it.
func ReadIDX(name string) (*IDX, error) {
	return decodeFile(name, DecodeIDX)
}

// DecodeIDX decodes an IDX stream of size bytes from r; name labels errors.
// See ReadIDX.
func DecodeIDX(r io.Reader, size int64, name string) (*IDX, error) {
	br := bufio.NewReader(io.LimitReader(r, size))
	magic, _ := br.Peek(2)
	bound := size // the largest payload the file can hold
	where := ""
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, formatErr(name, 0, "gzip header", "a valid gzip stream", err.Error())
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
		if size > (1<<62)/maxDeflateRatio {
			bound = 1 << 62
		} else {
			bound = size * maxDeflateRatio
		}
		where = " (decompressed)"
	}
	var hdr [4]byte
	if n, err := io.ReadFull(br, hdr[:]); err != nil {
		return nil, formatErr(name, int64(n), "magic"+where, "4 header bytes 0x00 0x00 type ndims", fmt.Sprintf("end of file after %d bytes", n))
	}
	if hdr[0] != 0 || hdr[1] != 0 {
		return nil, formatErr(name, 0, "magic"+where, "bytes 0x00 0x00 (IDX, e.g. 2051 images / 2049 labels)", fmt.Sprintf("0x%02x 0x%02x", hdr[0], hdr[1]))
	}
	if hdr[2] != 0x08 {
		return nil, formatErr(name, 2, "data type"+where, "0x08 (unsigned byte)", fmt.Sprintf("0x%02x", hdr[2]))
	}
	nd := int(hdr[3])
	if nd < 1 {
		return nil, formatErr(name, 3, "number of dimensions"+where, "at least 1", "0")
	}
	if int64(4+4*nd) > bound {
		return nil, formatErr(name, 3, "number of dimensions"+where, fmt.Sprintf("a header that fits in the %d-byte file", size), fmt.Sprint(nd))
	}
	dims := make([]int, nd)
	total := int64(1)
	for i := range dims {
		var b [4]byte
		off := int64(4 + 4*i)
		if n, err := io.ReadFull(br, b[:]); err != nil {
			return nil, formatErr(name, off+int64(n), fmt.Sprintf("dimension %d%s", i, where), "a big-endian uint32", "end of file")
		}
		v := int64(binary.BigEndian.Uint32(b[:]))
		if v > math.MaxInt {
			return nil, formatErr(name, off, fmt.Sprintf("dimension %d%s", i, where), fmt.Sprintf("at most %d on this platform", math.MaxInt), fmt.Sprint(v))
		}
		dims[i] = int(v)
		if v != 0 && total > (bound+v-1)/v {
			total = bound + 1 // saturate: more than the file can hold
		} else {
			total *= v
		}
	}
	hlen := int64(4 + 4*nd)
	if total > bound-hlen {
		return nil, formatErr(name, 4, "dimensions"+where, fmt.Sprintf("at most %d data bytes (what a %d-byte file can hold)", bound-hlen, size), fmt.Sprintf("%v = %d bytes", dims, total))
	}
	data := make([]byte, total)
	if n, err := io.ReadFull(br, data); err != nil {
		if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return nil, formatErr(name, hlen+int64(n), "data"+where, fmt.Sprintf("%d data bytes", total), err.Error())
		}
		return nil, formatErr(name, hlen+int64(n), "data"+where, fmt.Sprintf("%d data bytes for dimensions %v", total, dims), fmt.Sprintf("end of file after %d", n))
	}
	// The data must end the file: trailing bytes mean a wrong header.
	var extra [1]byte
	if n, err := br.Read(extra[:]); n > 0 {
		return nil, formatErr(name, hlen+total, "end of data"+where, "end of file", "trailing bytes")
	} else if err != nil && err != io.EOF {
		return nil, formatErr(name, hlen+total, "end of data"+where, "end of file", err.Error())
	}
	return &IDX{Dims: dims, Data: data}, nil
}

// readIDXImages reads an IDX image file (magic 2051: n x rows x cols).
func readIDXImages(name string) (*ImageSet, error) {
	x, err := ReadIDX(name)
	if err != nil {
		return nil, err
	}
	return idxImages(x, name)
}

// idxImages interprets a decoded IDX array as images (n x rows x cols).
func idxImages(x *IDX, name string) (*ImageSet, error) {
	if len(x.Dims) != 3 {
		return nil, formatErr(name, 3, "number of dimensions", "3 (magic 2051: images x rows x cols)", fmt.Sprint(len(x.Dims)))
	}
	if x.Dims[1] < 1 || x.Dims[2] < 1 {
		// Zero-sized images would let a tiny file claim any image count.
		return nil, formatErr(name, 8, "dimensions 1 and 2 (rows, cols)", "at least 1 each", fmt.Sprintf("%d x %d", x.Dims[1], x.Dims[2]))
	}
	return &ImageSet{Height: x.Dims[1], Width: x.Dims[2], Channels: 1, Pix: x.Data, Labels: make([]int, x.Dims[0])}, nil
}

// readIDXLabels reads an IDX label file (magic 2049: n) into ints.
func readIDXLabels(name string) ([]int, error) {
	x, err := ReadIDX(name)
	if err != nil {
		return nil, err
	}
	if len(x.Dims) != 1 {
		return nil, formatErr(name, 3, "number of dimensions", "1 (magic 2049: labels)", fmt.Sprint(len(x.Dims)))
	}
	lab := make([]int, len(x.Data))
	for i, b := range x.Data {
		lab[i] = int(b)
	}
	return lab, nil
}

// ReadIDXPair reads an IDX image file and its label file (as MNIST and
// Fashion-MNIST ship them) into an ImageSet, checking that the counts agree
// and that labels are below numClasses.
func ReadIDXPair(images, labels string, numClasses int) (*ImageSet, error) {
	s, err := readIDXImages(images)
	if err != nil {
		return nil, err
	}
	lab, err := readIDXLabels(labels)
	if err != nil {
		return nil, err
	}
	if len(lab) != len(s.Labels) {
		return nil, formatErr(labels, 4, "dimension 0 (label count)", fmt.Sprintf("%d labels, one per image of %s", len(s.Labels), images), fmt.Sprint(len(lab)))
	}
	for i, l := range lab {
		if l >= numClasses {
			return nil, formatErr(labels, 8+int64(i), fmt.Sprintf("label %d", i), fmt.Sprintf("a class in 0..%d", numClasses-1), fmt.Sprint(l))
		}
	}
	s.Labels = lab
	return s, nil
}
