package boot

import (
	"unsafe"

	"sigil/klog"
	"sigil/sysv"
)

// The kernel command line is split into words as Linux's next_arg
// (lib/cmdline.c) splits it: words are separated by white space except
// inside double quotes; a word's leading quote, its value's leading quote
// (after the first '=') and its trailing quote are dropped, so
// `init=/bin/sh -- -c "echo hi"` gives init the arguments -c and "echo hi".
// Splitting runs in boot0, before the runtime: it copies into a buffer
// the caller owns and allocates nothing.

// splitCmdline appends the words of line to argv (up to its capacity),
// each a string over buf, which must be at least len(line) long.
func splitCmdline(line string, buf []byte, argv []string) []string {
	out := 0
	for i := 0; len(argv) < cap(argv); {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			break
		}
		quoted := line[i] == '"'
		if quoted {
			i++
		}
		inQuote, equals, start := quoted, -1, i
		for ; i < len(line) && (inQuote || !isSpace(line[i])); i++ {
			if equals < 0 && line[i] == '=' {
				equals = i
			}
			if line[i] == '"' {
				inQuote = !inQuote
			}
		}
		word := line[start:i]
		valueQuoted := equals >= 0 && equals+1 < i && line[equals+1] == '"'
		if (quoted || valueQuoted) && len(word) > 0 && word[len(word)-1] == '"' {
			word = word[:len(word)-1]
		}
		w := out
		for k := 0; k < len(word); k++ {
			if valueQuoted && start+k == equals+1 {
				continue // the value's opening quote
			}
			buf[out] = word[k]
			out++
		}
		argv = append(argv, unsafe.String(unsafe.SliceData(buf[w:]), out-w))
	}
	return argv
}

// isSpace is the kernel's isspace for the command line's separators.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// setConsoleLevel applies the console verbosity words of the command line
// in order, as Linux's early parameters: "quiet" (console_loglevel 4),
// "debug" (10) and "loglevel=N"; a later word overrides an earlier one.
func setConsoleLevel() {
	var words [sysv.MaxWords / 2]string
	for _, w := range splitCmdline(unsafe.String(&info.Cmdline[0], info.CmdlineLen), scratchBuf[:], words[:0]) {
		if w == "--" {
			break
		}
		if l, ok := ConsoleLevelWord(w); ok {
			klog.SetConsoleLevel(l)
		}
	}
}

// ConsoleLevelWord is the console level a command-line word sets, if it
// sets one: quiet, debug, or loglevel=N with N a decimal number (an
// invalid number is ignored, as loglevel_setup's get_option failing).
func ConsoleLevelWord(w string) (int, bool) {
	switch w {
	case "quiet":
		return klog.QuietConsoleLevel, true
	case "debug":
		return klog.DebugConsoleLevel, true
	}
	const key = "loglevel="
	if len(w) <= len(key) || w[:len(key)] != key {
		return 0, false
	}
	n := 0
	for i := len(key); i < len(w); i++ {
		c := w[i]
		if c < '0' || c > '9' || n > 1<<20 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
