package modelfile

import (
	"encoding/binary"
	"fmt"
)

// Limits on a pickle, checked by scanPickle before it is unpickled.
const (
	maxPickleLen    = 64 << 20  // bytes of data.pkl
	maxPickleString = 1 << 20   // bytes of one string or bytes argument
	maxPickleLine   = 256       // bytes of a text argument other than a string
	maxPickleLong   = 255       // bytes of a LONG1 or LONG4 argument
	maxPickleAlloc  = 128 << 20 // estimated bytes the unpickler allocates
)

// scanPickle walks the opcodes of a pickle up to its STOP without running
// them, and checks what gopickle's unpickler trusts: every argument lies
// within data, strings and integers are of sane length, every opcode is
// known, and the memory the unpickler would allocate (estimated per opcode
// from its implementation) stays under maxPickleAlloc. After it, unpickling
// data allocates in proportion to its length and runs in linear time.
// It returns the pickle's length, through its STOP; bytes after it are
// not looked at. An error saying that data ends before the pickle does
// wraps a shortPickle.
func scanPickle(data []byte) (int, error) {
	var alloc int64
	for pos := 0; pos < len(data); {
		op := data[pos]
		pos++
		n, cost, err := pickleArg(op, data[pos:])
		if err != nil {
			return 0, fmt.Errorf("%w: pickle: opcode 0x%02x at offset %d: %w", ErrFormat, op, pos-1, err)
		}
		pos += n
		alloc += cost
		if alloc > maxPickleAlloc {
			return 0, fmt.Errorf("%w: pickle would allocate more than %d bytes", ErrTooLarge, maxPickleAlloc)
		}
		if op == '.' {
			return pos, nil
		}
	}
	return 0, fmt.Errorf("%w: %w", ErrFormat, shortPickle("pickle ends without STOP"))
}

// shortPickle is a scan error saying that the data ends before the
// pickle does: a longer prefix of the same input may scan.
type shortPickle string

func (e shortPickle) Error() string { return string(e) }

// pickleArg returns the length of the argument of opcode op at the start
// of rest and the bytes the unpickler allocates to run it (an upper
// bound, counting the stack slot and the value pushed).
func pickleArg(op byte, rest []byte) (n int, cost int64, err error) {
	const (
		slot      = 32  // a stack slot, amortized over the stack's growth
		container = 320 // a mark's fresh stack, a dict, an object...
	)
	switch op {
	case '(', 'R', 'b', 'd', '}', 'e', 'l', ']', 'o', 's', 't', 'u',
		0x81, 0x8f, 0x90, 0x91, 0x92, 0x93: // MARK, REDUCE, BUILD, containers, NEWOBJ...
		return 0, container, nil
	case '.', '0', '1', '2', 'N', 'Q', 'a', ')', 0x85, 0x86, 0x87, 0x88, 0x89, 0x97, 0x98:
		return 0, slot + 64, nil
	case 0x94: // MEMOIZE
		return 0, 128, nil
	case 'K', 'h', 0x80, 0x82: // BININT1, BINGET, PROTO, EXT1
		return fixedArg(rest, 1, slot)
	case 'M', 0x83: // BININT2, EXT2
		return fixedArg(rest, 2, slot)
	case 'J', 'j', 0x84: // BININT, LONG_BINGET, EXT4
		return fixedArg(rest, 4, slot)
	case 'q', 'r': // BINPUT, LONG_BINPUT: a memo entry
		n := 1
		if op == 'r' {
			n = 4
		}
		return fixedArg(rest, n, 128)
	case 'G': // BINFLOAT
		return fixedArg(rest, 8, slot)
	case 'F', 'I', 'L', 'P', 'g', 'p': // text numbers and memo indices
		return lineArgs(rest, 1, maxPickleLine)
	case 'S', 'V': // text strings
		return lineArgs(rest, 1, maxPickleString)
	case 'c', 'i': // GLOBAL, INST: module and name lines
		return lineArgs(rest, 2, maxPickleLine)
	case 'U', 'C', 0x8c: // SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE
		return countedArg(rest, 1, maxPickleString)
	case 0x8a: // LONG1
		n, cost, err := countedArg(rest, 1, maxPickleLong)
		if err == nil && n == 1 {
			err = fmt.Errorf("LONG1 of no bytes")
		}
		return n, cost, err
	case 'T': // BINSTRING
		return signedArg(rest, maxPickleString)
	case 'B', 'X': // BINBYTES, BINUNICODE
		return countedArg(rest, 4, maxPickleString)
	case 0x8b: // LONG4
		n, cost, err := signedArg(rest, maxPickleLong)
		if err == nil && n == 4 {
			err = fmt.Errorf("LONG4 of no bytes")
		}
		return n, cost, err
	case 0x8d, 0x8e, 0x96: // BINUNICODE8, BINBYTES8, BYTEARRAY8
		return countedArg(rest, 8, maxPickleString)
	case 0x95: // FRAME: the frame's opcodes follow and are scanned in turn
		if len(rest) < 8 {
			return 0, 0, shortPickle("truncated")
		}
		size := binary.LittleEndian.Uint64(rest)
		if size > uint64(len(rest)-8) {
			return 0, 0, shortPickle(fmt.Sprintf("frame of %d bytes is larger than the file", size))
		}
		return 8, 2 * int64(size), nil
	}
	return 0, 0, fmt.Errorf("unknown opcode")
}

// fixedArg checks a fixed-size argument of n bytes.
func fixedArg(rest []byte, n int, cost int64) (int, int64, error) {
	if len(rest) < n {
		return 0, 0, shortPickle("truncated")
	}
	return n, cost + int64(n), nil
}

// countedArg checks an argument made of a little-endian length of
// lenSize bytes followed by that many bytes, at most limit. The length is
// unsigned, as in every such opcode but BINSTRING and LONG4 (signedArg).
func countedArg(rest []byte, lenSize int, limit uint64) (int, int64, error) {
	if len(rest) < lenSize {
		return 0, 0, shortPickle("truncated")
	}
	var n uint64
	for i := lenSize - 1; i >= 0; i-- {
		n = n<<8 | uint64(rest[i])
	}
	if n > uint64(len(rest)-lenSize) {
		return 0, 0, shortPickle(fmt.Sprintf("length %d is larger than the file", n))
	}
	if n > limit {
		return 0, 0, fmt.Errorf("argument of %d bytes, more than %d", n, limit)
	}
	return lenSize + int(n), 64 + 4*int64(n), nil
}

// signedArg checks the argument of BINSTRING or LONG4: a 4-byte
// little-endian signed length, then that many bytes, at most limit.
func signedArg(rest []byte, limit uint64) (int, int64, error) {
	if len(rest) >= 4 {
		if n := int32(binary.LittleEndian.Uint32(rest)); n < 0 {
			return 0, 0, fmt.Errorf("length %d is negative", n)
		}
	}
	return countedArg(rest, 4, limit)
}

// lineArgs checks count newline-terminated arguments of at most limit
// bytes each.
func lineArgs(rest []byte, count, limit int) (int, int64, error) {
	n := 0
	for range count {
		i := 0
		for i < len(rest[n:]) && i <= limit && rest[n+i] != '\n' {
			i++
		}
		switch {
		case i > limit:
			return 0, 0, fmt.Errorf("line longer than %d bytes", limit)
		case i == len(rest[n:]):
			return 0, 0, shortPickle("line without newline")
		}
		n += i + 1
	}
	return n, 64 + 4*int64(n), nil
}
