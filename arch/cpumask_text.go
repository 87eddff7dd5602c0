package arch

import (
	"strconv"
	"strings"
	"sync/atomic"

	"sigil/linux"
)

// The text forms of a CPU mask that /proc shows and takes (/proc/irq/N/
// smp_affinity and smp_affinity_list): Linux's "%*pb" and "%*pbl" of
// cpumask_pr_args, which print nr_cpu_ids bits, and cpumask_parse_user
// and cpumask_parselist_user, which read nr_cpumask_bits of them (equal
// to nr_cpu_ids under CONFIG_CPUMASK_OFFSTACK, as Debian's 6.1 builds it).

// nrCPUIDs is Linux's nr_cpu_ids: one more than the highest possible CPU
// row. Set once at boot (SetPossible), before any process runs.
var nrCPUIDs atomic.Int32

// SetPossible records how many CPU rows the machine has, started or not:
// the CPUs the MADT lists, as x86's prefill_possible_map counts its
// processors (a CPU that maxcpus= or nosmp leaves down, or an online
// capable one, is still possible). Boot, before the runtime.
//
//go:nosplit
func SetPossible(n int) { nrCPUIDs.Store(int32(min(max(n, 1), MaxCPUs))) }

// NrCPUIDs is nr_cpu_ids: the width of the masks /proc prints and parses.
// It is 1 before SetPossible (and in host tests).
func NrCPUIDs() int { return int(max(nrCPUIDs.Load(), 1)) }

// chunkBits is the width of one comma-separated group of hex digits in a
// mask's text (bitmap_string's and bitmap_parse's CHUNKSZ).
const chunkBits = 32

// FormatMask is m as "%*pb" prints nbits of it (lib/vsprintf.c,
// bitmap_string): 32-bit groups in hex, most significant first, joined by
// commas; the first group has as many digits as its bits need, each other
// eight. Two CPUs print as one digit ("3"), eight as two ("03").
func FormatMask(m CPUMask, nbits int) string {
	var b strings.Builder
	bits := nbits % chunkBits
	if bits == 0 {
		bits = chunkBits
	}
	for i := (nbits+chunkBits-1)/chunkBits*chunkBits - chunkBits; i >= 0; i -= chunkBits {
		v := uint64(m) >> uint(i) & (1<<uint(bits) - 1)
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		digits := strconv.FormatUint(v, 16)
		b.WriteString(strings.Repeat("0", max((bits+3)/4-len(digits), 0)))
		b.WriteString(digits)
		bits = chunkBits
	}
	return b.String()
}

// FormatList is m as "%*pbl" prints nbits of it (bitmap_list_string):
// runs of set bits as "a-b", single ones as "a", joined by commas; the
// empty mask is the empty string.
func FormatList(m CPUMask, nbits int) string {
	var b strings.Builder
	for i := 0; i < nbits && i < 64; i++ {
		if m>>uint(i)&1 == 0 {
			continue
		}
		j := i
		for j+1 < nbits && j+1 < 64 && m>>uint(j+1)&1 != 0 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(i))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(j))
		}
		i = j
	}
	return b.String()
}

// isSep is bitmap_parse's and bitmap_parselist's __end_of_region: C's
// isspace, or a comma.
func isSep(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == ','
}

// textEnd cuts s where the kernel's copy of a user's buffer ends: at the
// first NUL (memdup_user_nul's string) and then, for bitmap_parse, at the
// first newline.
func textEnd(s string, atNewline bool) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if atNewline {
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[:i]
		}
	}
	return s
}

func hexDigit(c byte) (uint32, bool) {
	switch {
	case '0' <= c && c <= '9':
		return uint32(c - '0'), true
	case 'a' <= c && c <= 'f':
		return uint32(c-'a') + 10, true
	case 'A' <= c && c <= 'F':
		return uint32(c-'A') + 10, true
	}
	return 0, false
}

// ParseMask reads a hex mask of nbits bits as bitmap_parse (lib/bitmap.c)
// does for cpumask_parse_user: from the end, groups of at most eight hex
// digits separated by commas or white space, each the next 32 bits up;
// leading, embedded and trailing separators are allowed and empty groups
// count for nothing. EINVAL for a character that is not a hex digit,
// EOVERFLOW for a group of more than eight digits, more groups than
// nbits needs, or a bit set at or past nbits. The text ends at a NUL or
// the first newline. Like Linux, a ninth character before eight digits
// that is neither a digit nor a separator is skipped, not rejected.
func ParseMask(s string, nbits int) (CPUMask, error) {
	s = textEnd(s, true)
	var m uint64
	chunks := (nbits + chunkBits - 1) / chunkBits
	end := len(s) - 1
	for chunk := 0; ; chunk++ {
		for end >= 0 && isSep(s[end]) {
			end--
		}
		if end < 0 {
			break
		}
		if chunk >= chunks {
			return 0, linux.EOVERFLOW
		}
		var v uint32
		for i := 0; ; i += 4 {
			if i == chunkBits {
				if _, ok := hexDigit(s[end]); ok {
					return 0, linux.EOVERFLOW
				}
				end-- // bitmap_get_x32_reverse steps over it either way
				break
			}
			d, ok := hexDigit(s[end])
			if !ok {
				return 0, linux.EINVAL
			}
			v |= d << uint(i)
			end--
			if end < 0 || isSep(s[end]) {
				break
			}
		}
		if chunk*chunkBits < 64 {
			m |= uint64(v) << uint(chunk*chunkBits)
		} else if v != 0 {
			return 0, linux.EOVERFLOW // past any CPU row
		}
	}
	if nbits < 64 && m>>uint(nbits) != 0 {
		return 0, linux.EOVERFLOW
	}
	return CPUMask(m).Clip(), nil
}

// ParseList reads a CPU list of nbits bits as bitmap_parselist does for
// cpumask_parselist_user: regions separated by commas or white space,
// each "a", "a-b", or "a-b:used/group" (every group of group bits from a
// to b has its first used set), "all" for 0-(nbits-1) and "N" for
// nbits-1 as a number. EINVAL for bad syntax, a range that runs
// backwards, a group of 0 or one smaller than its used part; ERANGE for
// a CPU at or past nbits; EOVERFLOW for a number past 32 bits. A plain
// region (no used/group part) followed by a newline ends the list, and a
// NUL ends it anywhere.
func ParseList(s string, nbits int) (CPUMask, error) {
	s = textEnd(s, false)
	last := uint64(nbits - 1)
	var m CPUMask
	i := 0
	num := func() (uint64, error) {
		if i < len(s) && s[i] == 'N' {
			i++
			return last, nil
		}
		j := i
		var n uint64
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			d := uint64(s[j] - '0')
			if n > (1<<64-1-d)/10 {
				return 0, linux.EOVERFLOW // _parse_integer's KSTRTOX_OVERFLOW
			}
			n = n*10 + d
			j++
		}
		if j == i {
			return 0, linux.EINVAL
		}
		if n > 1<<32-1 {
			return 0, linux.EOVERFLOW
		}
		i = j
		return n, nil
	}
	endOfRegion := func() bool { return i >= len(s) || isSep(s[i]) }
	for {
		for i < len(s) && isSep(s[i]) {
			i++
		}
		if i >= len(s) {
			return m, nil
		}
		var start, end, used, group uint64
		var err error
		if len(s)-i >= 3 && strings.EqualFold(s[i:i+3], "all") {
			start, end = 0, last
			i += 3
		} else {
			if start, err = num(); err != nil {
				return 0, err
			}
			end = start
			if !endOfRegion() {
				if s[i] != '-' {
					return 0, linux.EINVAL
				}
				i++
				if end, err = num(); err != nil {
					return 0, err
				}
			}
		}
		used, group = end+1, end+1
		pattern := !endOfRegion()
		if pattern {
			if s[i] != ':' {
				return 0, linux.EINVAL
			}
			i++
			if used, err = num(); err != nil {
				return 0, err
			}
			if i >= len(s) || s[i] != '/' {
				return 0, linux.EINVAL
			}
			i++
			if group, err = num(); err != nil {
				return 0, err
			}
		}
		// bitmap_check_region
		if start > end || group == 0 || used > group {
			return 0, linux.EINVAL
		}
		if end >= uint64(nbits) {
			return 0, linux.ERANGE
		}
		for g := start; g <= end; g += group {
			for b := g; b < g+used && b <= end; b++ {
				m = m.With(int(b))
			}
		}
		if !pattern && i < len(s) && s[i] == '\n' {
			return m, nil // end_of_str after a plain region ends the list
		}
	}
}
