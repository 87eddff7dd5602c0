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

// smpLimit reads nosmp and maxcpus=N from the kernel's words (those before
// "--") as Linux 6.1 does (kernel/smp.c; Documentation/admin-guide/
// kernel-parameters.txt): both are early parameters setting one limit,
// applied in command-line order, on the number of CPUs brought up at
// boot, the boot CPU included. nosmp is maxcpus=0, and 0 and 1 both start
// no application processor. N is read as get_option reads it (a signed
// number, 0x for hex and a leading 0 for octal, up to the first character
// that is no digit); a negative N, stored in Linux's unsigned
// setup_max_cpus, is no limit, and a value with no number leaves the limit
// as it was. It returns the limit (-1 for none) and the word that set it.
func smpLimit(words []string) (limit int, from string) {
	limit = -1
	for _, w := range words {
		if w == "--" {
			break
		}
		if w == "nosmp" {
			limit, from = 0, w
			continue
		}
		const key = "maxcpus="
		if len(w) < len(key) || w[:len(key)] != key {
			continue
		}
		if n, ok := parseOption(w[len(key):]); ok {
			limit, from = n, w
			if n < 0 {
				limit = -1
			}
		}
	}
	return limit, from
}

// parseOption is get_option's number (lib/cmdline.c, simple_strtol with
// base 0): an optional '-', then 0x/0X for hex, 0 for octal, else decimal;
// it stops at the first character that is no digit of the base, and
// reports false if there was none. Values saturate instead of wrapping.
func parseOption(s string) (int, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	base := 10
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hexDigit(s[2]) >= 0:
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base = 8
	}
	n, digits := 0, 0
	for ; digits < len(s); digits++ {
		d := hexDigit(s[digits])
		if d < 0 || d >= base {
			break
		}
		if n < 1<<40 {
			n = n*base + d
		}
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
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
// sets one: quiet, debug, or loglevel=N with N read as loglevel's
// get_option reads it (parseOption; a word with no number is ignored).
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
	return parseOption(w[len(key):])
}
