package data

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// CIFAR-10's Python version (cifar-10-python.tar.gz, folder
// cifar-10-batches-py) stores each batch as a pickled dict: "data", a
// 10000x3072 numpy uint8 array (rows: the R, G, B planes of a 32x32 image),
// and "labels", a list of 10000 integers 0..9. The batches were pickled by
// Python 2's cPickle (protocol 2); files re-pickled by Python 3 (protocols
// 2-4) read too. The reader below is a small pickle machine that knows
// only the data types such a file holds (dicts, lists, tuples, strings,
// bytes, integers, floats, booleans, None, numpy arrays and dtypes); any
// other callable is refused, so a hostile pickle cannot run code.

// cifarPyTrainBatches and cifarPyTestBatch are the Python version's names.
var (
	cifarPyTrainBatches = []string{"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"}
	cifarPyTestBatch    = "test_batch"
)

// ReadCIFARPickle reads one batch of CIFAR-10's Python version (see
// above) into HWC images. Cost: one pass over the file; allocation is
// bounded by a small multiple of the file size.
func ReadCIFARPickle(name string) (*ImageSet, error) {
	return decodeFile(name, DecodeCIFARPickle)
}

// DecodeCIFARPickle decodes a pickled CIFAR-10 batch of size bytes from r;
// name labels errors. See ReadCIFARPickle.
func DecodeCIFARPickle(r io.Reader, size int64, name string) (*ImageSet, error) {
	v, err := unpickle(r, size, name)
	if err != nil {
		return nil, err
	}
	d, ok := v.(pyDict)
	if !ok {
		return nil, formatErr(name, -1, "pickled object", "a dict with 'data' and 'labels'", pyTypeName(v))
	}
	arr, ok := d["data"].(*pyArray)
	if !ok || arr.dtype == nil || arr.dtype.kind != 'u' || arr.dtype.size != 1 || len(arr.shape) != 2 || arr.shape[1] != 3*cifarPlane || arr.fortran {
		desc := "absent"
		if ok && arr.dtype == nil {
			desc = "an array never given its state"
		} else if ok {
			desc = fmt.Sprintf("array of %c%d, shape %v, fortran %v", arr.dtype.kind, arr.dtype.size, arr.shape, arr.fortran)
		} else if x, has := d["data"]; has {
			desc = pyTypeName(x)
		}
		return nil, formatErr(name, -1, "'data'", "a C-ordered N x 3072 uint8 numpy array", desc)
	}
	n := arr.shape[0]
	labels, err := pyInts(d["labels"])
	if err != nil || len(labels) != n {
		found := fmt.Sprintf("%d labels", len(labels))
		if err != nil {
			found = err.Error()
		}
		return nil, formatErr(name, -1, "'labels'", fmt.Sprintf("a list of %d integers (one per row of 'data')", n), found)
	}
	s := &ImageSet{Height: cifarSide, Width: cifarSide, Channels: 3, Pix: make([]byte, n*3*cifarPlane), Labels: make([]int, n)}
	for i := range n {
		if labels[i] < 0 || labels[i] > 9 {
			return nil, formatErr(name, -1, fmt.Sprintf("label %d", i), "a class 0..9", fmt.Sprint(labels[i]))
		}
		s.Labels[i] = int(labels[i])
		rec := arr.data[i*3*cifarPlane : (i+1)*3*cifarPlane]
		dst := s.Pix[i*3*cifarPlane : (i+1)*3*cifarPlane]
		for p := range cifarPlane {
			dst[3*p] = rec[p]
			dst[3*p+1] = rec[cifarPlane+p]
			dst[3*p+2] = rec[2*cifarPlane+p]
		}
	}
	return s, nil
}

// readCIFARPickleDir reads data_batch_1..5 and test_batch of dir.
func readCIFARPickleDir(dir string) (train, test *ImageSet, err error) {
	var parts []*ImageSet
	for _, b := range cifarPyTrainBatches {
		s, err := ReadCIFARPickle(filepath.Join(dir, b))
		if err != nil {
			return nil, nil, err
		}
		parts = append(parts, s)
	}
	if test, err = ReadCIFARPickle(filepath.Join(dir, cifarPyTestBatch)); err != nil {
		return nil, nil, err
	}
	return concatImageSets(parts), test, nil
}

// Python values as the pickle machine builds them.
type (
	pyDict   map[string]any        // keys: str or bytes, as Go strings
	pyList   struct{ items []any } // used as *pyList: appends after memoizing must show
	pyTuple  []any
	pyBytes  []byte
	pyGlobal struct{ module, name string }
	pyMark   struct{}
	pyArray  struct {
		shape   []int
		dtype   *pyDtype
		fortran bool
		data    []byte
	}
	// pyDtype is a numpy dtype: kind 'u', 'i', 'f' or 'b', item size, order.
	pyDtype struct {
		kind      byte
		size      int
		bigEndian bool
	}
)

func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case pyDict:
		return "dict"
	case *pyList:
		return "list"
	case pyTuple:
		return "tuple"
	case pyBytes:
		return "bytes"
	case string:
		return "str"
	case int64:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case *pyArray:
		return "numpy array"
	case *pyDtype:
		return "numpy dtype"
	case pyGlobal:
		return "global " + v.(pyGlobal).module + "." + v.(pyGlobal).name
	}
	return fmt.Sprintf("%T", v)
}

// pyInts converts a list (or tuple, or 1-D integer array) to int64 values.
func pyInts(v any) ([]int64, error) {
	var items []any
	switch x := v.(type) {
	case *pyList:
		items = x.items
	case pyTuple:
		items = x
	case *pyArray:
		if len(x.shape) != 1 || (x.dtype.kind != 'i' && x.dtype.kind != 'u') {
			return nil, fmt.Errorf("an array of shape %v and kind %c", x.shape, x.dtype.kind)
		}
		out := make([]int64, x.shape[0])
		for i := range out {
			out[i] = x.dtype.int(x.data[i*x.dtype.size:])
		}
		return out, nil
	default:
		return nil, fmt.Errorf("a %s", pyTypeName(v))
	}
	out := make([]int64, len(items))
	for i, it := range items {
		n, ok := it.(int64)
		if !ok {
			return nil, fmt.Errorf("item %d is a %s", i, pyTypeName(it))
		}
		out[i] = n
	}
	return out, nil
}

// int reads one integer element of d's size from b.
func (d *pyDtype) int(b []byte) int64 {
	var u uint64
	for i := range d.size {
		j := i
		if d.bigEndian {
			j = d.size - 1 - i
		}
		u |= uint64(b[j]) << (8 * i)
	}
	if d.kind == 'i' && d.size < 8 {
		shift := 64 - 8*d.size
		return int64(u<<shift) >> shift
	}
	return int64(u)
}

// Limits of the pickle machine, far above what a CIFAR-10 batch needs.
const (
	pickleMaxStack = 1 << 20 // stack entries (including marks)
	pickleMaxMemo  = 1 << 20 // memo entries
)

// unpickle runs the pickle in r (size bytes) and returns the object it
// builds. Strings and byte strings are read only after their length is
// checked against the bytes left, so allocation stays within a small
// multiple of size.
func unpickle(r io.Reader, size int64, name string) (any, error) {
	m := &pickler{r: bufio.NewReaderSize(io.LimitReader(r, size), 1<<16), size: size, name: name, memo: map[int64]any{}}
	return m.run()
}

type pickler struct {
	r     *bufio.Reader
	size  int64 // bytes in the pickle
	pos   int64 // bytes read
	off   int64 // offset of the current opcode
	name  string
	stack []any
	memo  map[int64]any
}

func (m *pickler) fail(what, found string) error {
	return formatErr(m.name, m.off, "pickle opcode", what, found)
}

func (m *pickler) read(n int64) ([]byte, error) {
	if left := m.size - m.pos; n < 0 || n > left {
		return nil, m.fail(fmt.Sprintf("a length of at most the %d bytes left", left), fmt.Sprint(n))
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(m.r, b); err != nil {
		return nil, m.fail("more bytes", "end of file")
	}
	m.pos += n
	return b, nil
}

func (m *pickler) line() (string, error) {
	var sb strings.Builder
	for {
		b, err := m.read(1)
		if err != nil {
			return "", err
		}
		if b[0] == '\n' {
			return sb.String(), nil
		}
		if sb.Len() > 256 {
			return "", m.fail("a short text line", "a line over 256 bytes")
		}
		sb.WriteByte(b[0])
	}
}

func (m *pickler) uint(n int) (uint64, error) {
	b, err := m.read(int64(n))
	if err != nil {
		return 0, err
	}
	var u uint64
	for i := n - 1; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	return u, nil
}

func (m *pickler) push(v any) error {
	if len(m.stack) >= pickleMaxStack {
		return m.fail(fmt.Sprintf("a stack under %d entries", pickleMaxStack), "more")
	}
	m.stack = append(m.stack, v)
	return nil
}

func (m *pickler) pop() (any, error) {
	if len(m.stack) == 0 {
		return nil, m.fail("a value on the stack", "an empty stack")
	}
	v := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	if _, ok := v.(pyMark); ok {
		return nil, m.fail("a value on the stack", "a mark")
	}
	return v, nil
}

func (m *pickler) top() (any, error) {
	if len(m.stack) == 0 {
		return nil, m.fail("a value on the stack", "an empty stack")
	}
	return m.stack[len(m.stack)-1], nil
}

// popMark pops the values above the topmost mark, and the mark.
func (m *pickler) popMark() ([]any, error) {
	for i := len(m.stack) - 1; i >= 0; i-- {
		if _, ok := m.stack[i].(pyMark); ok {
			items := append([]any(nil), m.stack[i+1:]...)
			m.stack = m.stack[:i]
			return items, nil
		}
	}
	return nil, m.fail("a mark on the stack", "none")
}

func (m *pickler) memoize(key int64) error {
	v, err := m.top()
	if err != nil {
		return err
	}
	if len(m.memo) >= pickleMaxMemo {
		return m.fail(fmt.Sprintf("a memo under %d entries", pickleMaxMemo), "more")
	}
	m.memo[key] = v
	return nil
}

func (m *pickler) get(key int64) error {
	v, ok := m.memo[key]
	if !ok {
		return m.fail("a stored memo key", fmt.Sprint(key))
	}
	return m.push(v)
}

func dictKey(k any) (string, bool) {
	switch x := k.(type) {
	case string:
		return x, true
	case pyBytes:
		return string(x), true
	}
	return "", false
}

func (m *pickler) setItems(d any, kv []any) error {
	dict, ok := d.(pyDict)
	if !ok || len(kv)%2 != 0 {
		return m.fail("key-value pairs set on a dict", pyTypeName(d))
	}
	for i := 0; i < len(kv); i += 2 {
		k, ok := dictKey(kv[i])
		if !ok {
			return m.fail("a str or bytes dict key", pyTypeName(kv[i]))
		}
		dict[k] = kv[i+1]
	}
	return nil
}

// run executes opcodes until STOP.
func (m *pickler) run() (any, error) {
	for {
		m.off = m.pos
		ob, err := m.read(1)
		if err != nil {
			return nil, m.fail("an opcode (or STOP)", "end of file")
		}
		op := ob[0]
		switch op {
		case 0x80: // PROTO
			if _, err := m.read(1); err != nil {
				return nil, err
			}
		case 0x95: // FRAME
			if _, err := m.uint(8); err != nil {
				return nil, err
			}
		case '.': // STOP
			v, err := m.pop()
			if err != nil {
				return nil, err
			}
			return v, nil
		case '(':
			err = m.push(pyMark{})
		case '}':
			err = m.push(pyDict{})
		case ']':
			err = m.push(&pyList{})
		case ')':
			err = m.push(pyTuple{})
		case 'N':
			err = m.push(nil)
		case 0x88:
			err = m.push(true)
		case 0x89:
			err = m.push(false)
		case 'K':
			var u uint64
			if u, err = m.uint(1); err == nil {
				err = m.push(int64(u))
			}
		case 'M':
			var u uint64
			if u, err = m.uint(2); err == nil {
				err = m.push(int64(u))
			}
		case 'J':
			var u uint64
			if u, err = m.uint(4); err == nil {
				err = m.push(int64(int32(uint32(u))))
			}
		case 0x8a: // LONG1
			var n uint64
			if n, err = m.uint(1); err != nil {
				return nil, err
			}
			if n > 8 {
				return nil, m.fail("an integer of at most 8 bytes", fmt.Sprintf("%d bytes", n))
			}
			var u uint64
			if u, err = m.uint(int(n)); err == nil {
				v := int64(u)
				if n > 0 && n < 8 && u>>(8*n-1)&1 == 1 {
					v -= 1 << (8 * n)
				}
				err = m.push(v)
			}
		case 'I', 'L': // INT, LONG (text)
			var s string
			if s, err = m.line(); err != nil {
				return nil, err
			}
			switch s = strings.TrimSuffix(s, "L"); s {
			case "00":
				err = m.push(false)
			case "01":
				err = m.push(true)
			default:
				v, perr := strconv.ParseInt(s, 10, 64)
				if perr != nil {
					return nil, m.fail("a decimal integer", strconv.Quote(s))
				}
				err = m.push(v)
			}
		case 'G': // BINFLOAT
			var u uint64
			if u, err = m.uint(8); err == nil {
				err = m.push(math.Float64frombits(binary.BigEndian.Uint64(binary.LittleEndian.AppendUint64(nil, u))))
			}
		case 'T', 'U', 'B', 'C', 0x8e, 'X', 0x8c, 0x8d: // byte and text strings
			width := map[byte]int{'T': 4, 'U': 1, 'B': 4, 'C': 1, 0x8e: 8, 'X': 4, 0x8c: 1, 0x8d: 8}[op]
			var n uint64
			if n, err = m.uint(width); err != nil {
				return nil, err
			}
			if n > math.MaxInt64 {
				return nil, m.fail("a string length", fmt.Sprint(n))
			}
			var b []byte
			if b, err = m.read(int64(n)); err != nil {
				return nil, err
			}
			switch op {
			case 'X', 0x8c, 0x8d:
				err = m.push(string(b))
			default:
				err = m.push(pyBytes(b))
			}
		case 'c': // GLOBAL
			var mod, nm string
			if mod, err = m.line(); err == nil {
				if nm, err = m.line(); err == nil {
					err = m.push(pyGlobal{mod, nm})
				}
			}
		case 0x93: // STACK_GLOBAL
			var nm, mod any
			if nm, err = m.pop(); err == nil {
				if mod, err = m.pop(); err == nil {
					ms, ok1 := mod.(string)
					ns, ok2 := nm.(string)
					if !ok1 || !ok2 {
						return nil, m.fail("a module and a name", pyTypeName(mod)+", "+pyTypeName(nm))
					}
					err = m.push(pyGlobal{ms, ns})
				}
			}
		case 't', 'l', 'd': // TUPLE, LIST, DICT from the mark
			var items []any
			if items, err = m.popMark(); err != nil {
				return nil, err
			}
			switch op {
			case 't':
				err = m.push(pyTuple(items))
			case 'l':
				err = m.push(&pyList{items})
			default:
				d := pyDict{}
				if err = m.setItems(d, items); err == nil {
					err = m.push(d)
				}
			}
		case 0x85, 0x86, 0x87: // TUPLE1..3
			n := int(op - 0x84)
			if len(m.stack) < n {
				return nil, m.fail(fmt.Sprintf("%d values on the stack", n), fmt.Sprint(len(m.stack)))
			}
			items := make(pyTuple, n)
			for i := n - 1; i >= 0; i-- {
				if items[i], err = m.pop(); err != nil {
					return nil, err
				}
			}
			err = m.push(items)
		case 'a', 'e': // APPEND, APPENDS
			var items []any
			if op == 'a' {
				var v any
				if v, err = m.pop(); err != nil {
					return nil, err
				}
				items = []any{v}
			} else if items, err = m.popMark(); err != nil {
				return nil, err
			}
			var l any
			if l, err = m.pop(); err != nil {
				return nil, err
			}
			list, ok := l.(*pyList)
			if !ok {
				return nil, m.fail("a list to append to", pyTypeName(l))
			}
			list.items = append(list.items, items...)
			err = m.push(list)
		case 's', 'u': // SETITEM, SETITEMS
			var kv []any
			if op == 's' {
				var k, v any
				if v, err = m.pop(); err != nil {
					return nil, err
				}
				if k, err = m.pop(); err != nil {
					return nil, err
				}
				kv = []any{k, v}
			} else if kv, err = m.popMark(); err != nil {
				return nil, err
			}
			var d any
			if d, err = m.top(); err != nil {
				return nil, err
			}
			err = m.setItems(d, kv)
		case 'q', 'r', 0x94: // BINPUT, LONG_BINPUT, MEMOIZE
			var key uint64
			switch op {
			case 'q':
				key, err = m.uint(1)
			case 'r':
				key, err = m.uint(4)
			default:
				key = uint64(len(m.memo))
			}
			if err == nil {
				err = m.memoize(int64(key))
			}
		case 'h', 'j': // BINGET, LONG_BINGET
			var key uint64
			if key, err = m.uint(map[byte]int{'h': 1, 'j': 4}[op]); err == nil {
				err = m.get(int64(key))
			}
		case 'p', 'g': // PUT, GET (text)
			var s string
			if s, err = m.line(); err != nil {
				return nil, err
			}
			key, perr := strconv.ParseInt(s, 10, 64)
			if perr != nil {
				return nil, m.fail("a decimal memo key", strconv.Quote(s))
			}
			if op == 'p' {
				err = m.memoize(key)
			} else {
				err = m.get(key)
			}
		case '0': // POP
			_, err = m.pop()
		case '1': // POP_MARK
			_, err = m.popMark()
		case '2': // DUP
			var v any
			if v, err = m.top(); err == nil {
				err = m.push(v)
			}
		case 'R': // REDUCE
			var args, fn any
			if args, err = m.pop(); err != nil {
				return nil, err
			}
			if fn, err = m.pop(); err != nil {
				return nil, err
			}
			var v any
			if v, err = m.reduce(fn, args); err == nil {
				err = m.push(v)
			}
		case 'b': // BUILD
			var state, obj any
			if state, err = m.pop(); err != nil {
				return nil, err
			}
			if obj, err = m.top(); err != nil {
				return nil, err
			}
			err = m.build(obj, state)
		default:
			return nil, m.fail("an opcode of the supported subset (protocols 0-4 without classes)", fmt.Sprintf("0x%02x", op))
		}
		if err != nil {
			return nil, err
		}
	}
}

// reduce applies the callable fn to args, for the few callables a pickled
// numpy array needs; any other is refused.
func (m *pickler) reduce(fn, args any) (any, error) {
	g, ok := fn.(pyGlobal)
	a, ok2 := args.(pyTuple)
	if !ok || !ok2 {
		return nil, m.fail("a global callable and a tuple of arguments", pyTypeName(fn)+", "+pyTypeName(args))
	}
	mod := strings.TrimPrefix(strings.TrimPrefix(g.module, "numpy._core."), "numpy.core.")
	switch {
	case mod == "multiarray" && g.name == "_reconstruct":
		return &pyArray{}, nil // filled by BUILD
	case g.module == "numpy" && g.name == "dtype" && len(a) >= 1:
		s, ok := a[0].(string)
		if b, isBytes := a[0].(pyBytes); isBytes {
			s, ok = string(b), true
		}
		if !ok {
			return nil, m.fail("a dtype string", pyTypeName(a[0]))
		}
		return m.dtype(s)
	case g.module == "_codecs" && g.name == "encode" && len(a) == 2:
		// Python 3's protocol-2 spelling of bytes: encode(str, "latin1").
		s, ok := a[0].(string)
		enc, _ := a[1].(string)
		if !ok || (enc != "latin1" && enc != "latin-1") {
			return nil, m.fail("_codecs.encode(str, 'latin1')", pyTypeName(a[0])+" in "+strconv.Quote(enc))
		}
		b := make(pyBytes, 0, len(s))
		for _, r := range s {
			if r > 0xff {
				return nil, m.fail("latin-1 text", fmt.Sprintf("rune %U", r))
			}
			b = append(b, byte(r))
		}
		return b, nil
	case mod == "numeric" && g.name == "_frombuffer" && len(a) == 4:
		arr := &pyArray{}
		order, _ := a[3].(string)
		if err := m.fillArray(arr, a[2], a[1], order == "F", a[0]); err != nil {
			return nil, err
		}
		return arr, nil
	}
	return nil, m.fail("a numpy array or dtype (no other callable is run)", fmt.Sprintf("a call of %s.%s", g.module, g.name))
}

// dtype parses a numpy type string such as "u1", "<i8" or "f8".
func (m *pickler) dtype(s string) (*pyDtype, error) {
	d := &pyDtype{}
	if s != "" && strings.ContainsRune("<>|=", rune(s[0])) {
		d.bigEndian = s[0] == '>'
		s = s[1:]
	}
	if len(s) >= 2 && strings.ContainsRune("uifb", rune(s[0])) {
		if n, err := strconv.Atoi(s[1:]); err == nil && (n == 1 || n == 2 || n == 4 || n == 8) {
			d.kind, d.size = s[0], n
			return d, nil
		}
	}
	return nil, m.fail("a numeric dtype such as u1 or i8", strconv.Quote(s))
}

// build sets the state of an object made by reduce.
func (m *pickler) build(obj, state any) error {
	st, ok := state.(pyTuple)
	if !ok {
		return m.fail("a tuple state", pyTypeName(state))
	}
	switch o := obj.(type) {
	case *pyDtype:
		if len(st) >= 2 {
			if e, ok := st[1].(string); ok {
				o.bigEndian = e == ">"
			} else if e, ok := st[1].(pyBytes); ok {
				o.bigEndian = string(e) == ">"
			}
		}
		return nil
	case *pyArray:
		if len(st) == 5 {
			st = st[1:] // (version, shape, dtype, fortran, data)
		}
		if len(st) != 4 {
			return m.fail("an array state (shape, dtype, fortran, data)", fmt.Sprintf("a tuple of %d", len(st)))
		}
		fortran, ok := st[2].(bool)
		if !ok {
			if n, isInt := st[2].(int64); isInt {
				fortran, ok = n != 0, true
			}
		}
		if !ok {
			return m.fail("a fortran-order flag", pyTypeName(st[2]))
		}
		return m.fillArray(o, st[0], st[1], fortran, st[3])
	}
	return m.fail("a numpy array or dtype to build", pyTypeName(obj))
}

// fillArray checks and stores an array's shape, dtype and raw bytes.
func (m *pickler) fillArray(a *pyArray, shape, dtype any, fortran bool, raw any) error {
	dims, err := pyInts(shape)
	if err != nil {
		return m.fail("an array shape (a tuple of integers)", err.Error())
	}
	dt, ok := dtype.(*pyDtype)
	if !ok {
		return m.fail("a numpy dtype", pyTypeName(dtype))
	}
	data, ok := raw.(pyBytes)
	if !ok {
		if s, isStr := raw.(string); isStr {
			data = pyBytes(s) // Python 2 str read as unicode by a re-pickler
		} else {
			return m.fail("the array's raw bytes", pyTypeName(raw))
		}
	}
	count := int64(1)
	a.shape = make([]int, len(dims))
	for i, d := range dims {
		if d < 0 || d > int64(len(data)) {
			return m.fail("array dimensions within the data", fmt.Sprint(dims))
		}
		a.shape[i] = int(d)
		if count *= d; count > int64(len(data)) {
			count = int64(len(data)) + 1 // saturate: an error below
		}
	}
	if count*int64(dt.size) != int64(len(data)) {
		return m.fail(fmt.Sprintf("%d data bytes for shape %v of %c%d", count*int64(dt.size), dims, dt.kind, dt.size), fmt.Sprint(len(data)))
	}
	a.dtype, a.fortran, a.data = dt, fortran, data
	return nil
}
