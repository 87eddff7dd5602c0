package loader

import "errors"

// ScriptHeadSize is how much of a file Linux reads to recognise it
// (BINPRM_BUF_SIZE): a "#!" line is parsed from these bytes only.
const ScriptHeadSize = 256

// MaxInterpDepth is how many interpreters an execve may go through before
// ELOOP (exec_binprm's depth limit).
const MaxInterpDepth = 5

// ErrNoInterp is a "#!" line that names no usable interpreter (ENOEXEC).
var ErrNoInterp = errors.New("#! line names no interpreter")

// IsScript reports whether head starts with "#!".
func IsScript(head []byte) bool { return len(head) >= 2 && head[0] == '#' && head[1] == '!' }

// Shebang parses the "#!" line at the start of head as Linux's load_script
// does, on the same zero-filled buffer of ScriptHeadSize bytes: the
// interpreter is the first word after "#!" and any spaces or tabs; the
// optional argument is the rest of the line, one string with its inner
// spaces, trailing spaces and tabs trimmed, read as a C string. A line
// longer than the buffer is cut at its end, unless the interpreter's name
// itself may have been cut (no space, tab or NUL after it), which is
// ErrNoInterp, as is a line of nothing but spaces and tabs. An empty name
// (a NUL right after "#!") is returned as "", which no lookup finds
// (ENOENT, as on Linux).
func Shebang(head []byte) (interp, arg string, err error) {
	var buf [ScriptHeadSize]byte
	copy(buf[:], head)
	if buf[0] != '#' || buf[1] != '!' {
		return "", "", ErrNoInterp
	}
	last := len(buf) - 1 // buf_end
	iEnd := strnchr(buf[:], '\n')
	if iEnd < 0 {
		iEnd = nextNonSpaceTab(&buf, 2, last)
		if iEnd < 0 {
			return "", "", ErrNoInterp // only spaces and tabs
		}
		if nextTerminator(&buf, iEnd, last) < 0 {
			return "", "", ErrNoInterp // the interpreter's name may be cut
		}
		iEnd = last
	}
	for spaceTab(buf[iEnd-1]) {
		iEnd--
	}
	name := nextNonSpaceTab(&buf, 2, iEnd)
	if name < 0 || name == iEnd {
		return "", "", ErrNoInterp
	}
	sep := nextTerminator(&buf, name, iEnd)
	argAt := -1
	if sep >= 0 && buf[sep] != 0 {
		argAt = nextNonSpaceTab(&buf, sep, iEnd)
	}
	buf[iEnd] = 0
	if sep >= 0 {
		buf[sep] = 0
	}
	interp = cString(buf[name:])
	if argAt >= 0 {
		arg = cString(buf[argAt:])
	}
	return interp, arg, nil
}

func spaceTab(c byte) bool { return c == ' ' || c == '\t' }

// strnchr finds c before the first NUL, or -1.
func strnchr(b []byte, c byte) int {
	for i, x := range b {
		if x == 0 {
			break
		}
		if x == c {
			return i
		}
	}
	return -1
}

// nextNonSpaceTab and nextTerminator scan b[first..last], inclusive.
func nextNonSpaceTab(b *[ScriptHeadSize]byte, first, last int) int {
	for ; first <= last; first++ {
		if !spaceTab(b[first]) {
			return first
		}
	}
	return -1
}

func nextTerminator(b *[ScriptHeadSize]byte, first, last int) int {
	for ; first <= last; first++ {
		if spaceTab(b[first]) || b[first] == 0 {
			return first
		}
	}
	return -1
}

func cString(b []byte) string {
	for i, x := range b {
		if x == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// ScriptArgv is the argument list the interpreter gets (load_script):
// the interpreter, its argument if any, the script's path as execve was
// given it, then the original arguments after argv[0].
func ScriptArgv(interp, arg, file string, argv []string) []string {
	out := []string{interp}
	if arg != "" {
		out = append(out, arg)
	}
	out = append(out, file)
	if len(argv) > 1 {
		out = append(out, argv[1:]...)
	}
	return out
}
