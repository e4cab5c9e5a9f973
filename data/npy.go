package data

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Array is an n-dimensional array of float64 values in C (row-major)
// order, as read from an NPY or CSV file.
type Array struct {
	Shape []int
	Data  []float64
}

// npyMagic starts every NPY file.
const npyMagic = "\x93NUMPY"

// npyDtypes are the element types the reader accepts, by descr.
var npyDtypes = map[string]int{"<f8": 8, "<f4": 4, "|u1": 1, "<u1": 1, "<i8": 8, "<i4": 4}

// ReadNPY reads a NumPy .npy file (format versions 1, 2 and 3) holding a
// C-ordered little-endian array of float64, float32, uint8, int32 or int64
// values, converted to float64. The payload size implied by the header
// must equal the rest of the file, so allocation never exceeds 8 times the
// file size. Cost: one pass over the file.
func ReadNPY(name string) (*Array, error) {
	return decodeFile(name, DecodeNPY)
}

// DecodeNPY decodes an NPY stream of size bytes from r; name labels errors.
// See ReadNPY.
func DecodeNPY(r io.Reader, size int64, name string) (*Array, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, size), 1<<16)
	var pre [10]byte
	if n, err := io.ReadFull(br, pre[:8]); err != nil || string(pre[:6]) != npyMagic {
		return nil, formatErr(name, 0, "magic", `"\x93NUMPY" followed by a version (an .npy file)`, fmt.Sprintf("%q", pre[:n]))
	}
	major := pre[6]
	var hlen, start int64
	switch major {
	case 1:
		if _, err := io.ReadFull(br, pre[8:10]); err != nil {
			return nil, formatErr(name, 8, "header length", "a 2-byte little-endian length", "end of file")
		}
		hlen, start = int64(binary.LittleEndian.Uint16(pre[8:10])), 10
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, formatErr(name, 8, "header length", "a 4-byte little-endian length", "end of file")
		}
		hlen, start = int64(binary.LittleEndian.Uint32(b[:])), 12
	default:
		return nil, formatErr(name, 6, "version", "format version 1, 2 or 3", fmt.Sprintf("%d.%d", pre[6], pre[7]))
	}
	if hlen > size-start {
		return nil, formatErr(name, 8, "header length", fmt.Sprintf("at most the %d bytes left in the file", size-start), fmt.Sprint(hlen))
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return nil, formatErr(name, start, "header", fmt.Sprintf("%d header bytes", hlen), "end of file")
	}
	descr, fortran, shape, err := parseNPYHeader(string(hdr))
	if err != nil {
		return nil, formatErr(name, start, "header", "a dict {'descr': ..., 'fortran_order': ..., 'shape': (...)}", err.Error())
	}
	if len(descr) > 1 && descr[0] == '=' && littleEndian() {
		descr = "<" + descr[1:] // native order, which is little-endian here
	}
	item, ok := npyDtypes[descr]
	if !ok {
		return nil, formatErr(name, start, "header 'descr'", "one of '<f8' (float64), '<f4' (float32), '|u1' (uint8), '<i8' (int64), '<i4' (int32), little-endian; convert with a.astype('<f8')", fmt.Sprintf("%q", descr))
	}
	if fortran {
		return nil, formatErr(name, start, "header 'fortran_order'", "False (C order); save np.ascontiguousarray(a)", "True")
	}
	payload := size - start - hlen
	// count = prod(shape), saturated above what the payload can hold.
	maxCount := payload / int64(item)
	count := int64(1)
	for _, v := range shape {
		if v == 0 {
			count = 0
			break
		}
	}
	for _, v := range shape {
		if count == 0 {
			break
		}
		if count > maxCount/int64(v) {
			count = maxCount + 1
			break
		}
		count *= int64(v)
	}
	if count*int64(item) != payload {
		return nil, formatErr(name, start+hlen, "data", fmt.Sprintf("%s bytes for shape %v of %s", shapeBytes(shape, item), shape, descr), fmt.Sprintf("%d bytes after the header", payload))
	}
	a := &Array{Shape: shape, Data: make([]float64, count)}
	buf := make([]byte, min(payload, 1<<16)/int64(item)*int64(item))
	for done := int64(0); done < count; {
		k := min(int64(len(buf)/item), count-done)
		if n, err := io.ReadFull(br, buf[:k*int64(item)]); err != nil {
			return nil, formatErr(name, start+hlen+done*int64(item)+int64(n), "data", fmt.Sprintf("%d bytes", payload), "end of file")
		}
		out := a.Data[done : done+k]
		switch descr {
		case "<f8":
			for i := range out {
				out[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:]))
			}
		case "<f4":
			for i := range out {
				out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])))
			}
		case "|u1", "<u1":
			for i := range out {
				out[i] = float64(buf[i])
			}
		case "<i8":
			for i := range out {
				out[i] = float64(int64(binary.LittleEndian.Uint64(buf[8*i:])))
			}
		case "<i4":
			for i := range out {
				out[i] = float64(int32(binary.LittleEndian.Uint32(buf[4*i:])))
			}
		}
		done += k
	}
	return a, nil
}

// shapeBytes returns item * prod(shape) in decimal, exactly (it may exceed
// any integer type).
func shapeBytes(shape []int, item int) string {
	b := big.NewInt(int64(item))
	for _, v := range shape {
		b.Mul(b, big.NewInt(int64(v)))
	}
	return b.String()
}

// littleEndian reports whether this machine stores integers little-endian,
// the byte order an NPY descr '=' (native) then means.
func littleEndian() bool {
	var b [2]byte
	binary.NativeEndian.PutUint16(b[:], 1)
	return b[0] == 1
}

// parseNPYHeader parses the Python dict literal of an NPY header:
// {'descr': STR, 'fortran_order': BOOL, 'shape': (INT, ...)}, in any key
// order, with optional trailing commas and surrounding whitespace.
func parseNPYHeader(h string) (descr string, fortran bool, shape []int, err error) {
	p := &pyLit{s: h}
	p.space()
	if !p.eat('{') {
		return "", false, nil, p.fail("'{'")
	}
	seen := map[string]bool{}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, ok := p.str()
		if !ok {
			return "", false, nil, p.fail("a quoted key or '}'")
		}
		if seen[key] {
			return "", false, nil, fmt.Errorf("key %q twice", key)
		}
		seen[key] = true
		p.space()
		if !p.eat(':') {
			return "", false, nil, p.fail("':'")
		}
		p.space()
		switch key {
		case "descr":
			if descr, ok = p.str(); !ok {
				return "", false, nil, p.fail("a quoted dtype such as '<f8' for 'descr'")
			}
		case "fortran_order":
			switch {
			case p.word("True"):
				fortran = true
			case p.word("False"):
				fortran = false
			default:
				return "", false, nil, p.fail("True or False for 'fortran_order'")
			}
		case "shape":
			if shape, ok = p.tuple(); !ok {
				return "", false, nil, p.fail("a tuple of non-negative integers for 'shape'")
			}
		default:
			return "", false, nil, fmt.Errorf("unexpected key %q", key)
		}
		p.space()
		if !p.eat(',') {
			p.space()
			if !p.eat('}') {
				return "", false, nil, p.fail("',' or '}'")
			}
			break
		}
	}
	if rest := strings.TrimRight(p.s[p.i:], " \t\r\n\x00"); rest != "" {
		return "", false, nil, fmt.Errorf("text after the dict: %.20q", rest)
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return "", false, nil, fmt.Errorf("key %q missing", k)
		}
	}
	return descr, fortran, shape, nil
}

// pyLit is a cursor over a Python literal.
type pyLit struct {
	s string
	i int
}

func (p *pyLit) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyLit) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyLit) word(w string) bool {
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *pyLit) fail(want string) error {
	got := "end of header"
	if p.i < len(p.s) {
		got = fmt.Sprintf("%.12q", p.s[p.i:])
	}
	return fmt.Errorf("at header byte %d: want %s, found %s", p.i, want, got)
}

// str reads a quoted string without escapes.
func (p *pyLit) str() (string, bool) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", false
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", false
	}
	v := p.s[p.i+1 : p.i+1+end]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", false
	}
	p.i += end + 2
	return v, true
}

// tuple reads (INT, INT, ...) with an optional trailing comma; Python 2
// long suffixes (3L) are accepted.
func (p *pyLit) tuple() ([]int, bool) {
	if !p.eat('(') {
		return nil, false
	}
	shape := []int{}
	for {
		p.space()
		if p.eat(')') {
			return shape, true
		}
		j := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		v, err := strconv.ParseInt(p.s[j:p.i], 10, 64)
		if err != nil || v > math.MaxInt {
			return nil, false
		}
		p.eat('L')
		shape = append(shape, int(v))
		p.space()
		if !p.eat(',') {
			p.space()
			return shape, p.eat(')')
		}
	}
}

// npyDescr returns the NPY descr and item size of a supported slice type.
func npyDescr(data any) (descr string, n int) {
	switch v := data.(type) {
	case []float64:
		return "<f8", len(v)
	case []float32:
		return "<f4", len(v)
	case []uint8:
		return "|u1", len(v)
	case []int64:
		return "<i8", len(v)
	}
	panic("data: NPY data must be []float64, []float32, []uint8 or []int64")
}

// EncodeNPY writes data ([]float64, []float32, []uint8 or []int64) with the
// given shape as an NPY file: version 1.0 (2.0 when the header exceeds
// 65535 bytes), C order, little-endian, the header padded with spaces to a
// multiple of 64 bytes and ending in '\n', byte for byte as numpy.save
// writes it. It panics when len(data) differs from the product of shape.
func EncodeNPY(w io.Writer, shape []int, data any) error {
	descr, n := npyDescr(data)
	count := 1
	for _, v := range shape {
		if v < 0 {
			panic("data: negative NPY dimension")
		}
		count *= v
	}
	if count != n {
		panic("data: NPY data length does not match shape")
	}
	dims := make([]string, len(shape))
	for i, v := range shape {
		dims[i] = strconv.Itoa(v)
	}
	tup := "(" + strings.Join(dims, ", ") + ")"
	if len(shape) == 1 {
		tup = "(" + dims[0] + ",)"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, tup)
	pre := []byte(npyMagic + "\x01\x00")
	lenBytes := 2
	pad := (64 - (10+len(dict)+1)%64) % 64
	if len(dict)+1+pad > math.MaxUint16 {
		pre[6], lenBytes = 2, 4
		pad = (64 - (12+len(dict)+1)%64) % 64
	}
	hlen := len(dict) + pad + 1
	var hb [4]byte
	binary.LittleEndian.PutUint32(hb[:], uint32(hlen))
	head := append(pre, hb[:lenBytes]...)
	head = append(head, dict...)
	head = append(head, strings.Repeat(" ", pad)+"\n"...)
	if _, err := w.Write(head); err != nil {
		return err
	}
	// Encode in chunks so a large array is not duplicated in memory.
	const chunk = 8192
	buf := make([]byte, 0, 8*chunk)
	for i := 0; i < n; i += chunk {
		j := min(i+chunk, n)
		buf = buf[:0]
		switch v := data.(type) {
		case []float64:
			for _, x := range v[i:j] {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
			}
		case []float32:
			for _, x := range v[i:j] {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
			}
		case []uint8:
			buf = append(buf, v[i:j]...)
		case []int64:
			for _, x := range v[i:j] {
				buf = binary.LittleEndian.AppendUint64(buf, uint64(x))
			}
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// WriteNPY writes an NPY file atomically (see EncodeNPY and
// WriteFileAtomic): a reader never sees a half-written file.
func WriteNPY(name string, shape []int, data any) error {
	npyDescr(data) // panic on an unsupported type before creating files
	return WriteFileAtomic(name, func(w io.Writer) error { return EncodeNPY(w, shape, data) })
}
