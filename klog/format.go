package klog

// Level prefixes and the text formats readers get: syslog(2)'s
// "<PRI>[seconds.micros] text" lines (do_syslog's record_print_text) and
// /dev/kmsg's "PRI,SEQ,MICROS,FLAG;text" (devkmsg_read). The appenders
// never grow their destination past its capacity, so a caller holding a
// spinlock can format into a fixed buffer without allocating.

// Syslog levels (<syslog.h>, include/linux/kern_levels.h).
const (
	LevelEmerg   = 0
	LevelAlert   = 1
	LevelCrit    = 2
	LevelErr     = 3
	LevelWarning = 4
	LevelNotice  = 5
	LevelInfo    = 6
	LevelDebug   = 7
)

// FacilityUser is LOG_USER, what /dev/kmsg writes get by default.
const FacilityUser = 1

// ParsePrefix reads a kernel line's level prefix: "<N>" with N a digit
// 0-7, or KERN_SOH ("\001") and a digit 0-7, as printk_get_level. It
// returns the level and the prefix's length, or (-1, 0) without one.
//
//go:nosplit
func ParsePrefix(s []byte) (level, n int) {
	if len(s) >= 3 && s[0] == '<' && s[2] == '>' && s[1] >= '0' && s[1] <= '7' {
		return int(s[1] - '0'), 3
	}
	if len(s) >= 2 && s[0] == '\001' && s[1] >= '0' && s[1] <= '7' {
		return int(s[1] - '0'), 2
	}
	return -1, 0
}

// ParseUserPrefix reads the "<N>" prefix of a line written to /dev/kmsg,
// as devkmsg_write: N is a decimal number (simple_strtoul: digits, no
// sign, wrapping at 32 bits) whose low 3 bits are the level and the rest
// the facility; a facility of 0 keeps facility. Without a prefix ending
// in '>' the line is taken whole with level and facility as given.
func ParseUserPrefix(s []byte, facility, level int) (fac, lvl int, text []byte) {
	if len(s) == 0 || s[0] != '<' {
		return facility, level, s
	}
	var u uint32
	i := 1
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		u = u*10 + uint32(s[i]-'0')
	}
	if i == len(s) || s[i] != '>' {
		return facility, level, s
	}
	if f := int(u>>3) & 0xff; f != 0 {
		facility = f
	}
	return facility, int(u & 7), s[i+1:]
}

//go:nosplit
func appendByte(b []byte, c byte) []byte {
	if len(b) < cap(b) {
		b = append(b, c)
	}
	return b
}

// AppendDec appends v in decimal (console.PutDec's digits).
//
//go:nosplit
func AppendDec(b []byte, v uint64) []byte { return appendUint(b, v, 0, 0) }

// appendUint appends v in decimal, left-padded with pad to width.
//
//go:nosplit
func appendUint(b []byte, v uint64, width int, pad byte) []byte {
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	for n := len(d) - i; n < width; n++ {
		b = appendByte(b, pad)
	}
	for ; i < len(d); i++ {
		b = appendByte(b, d[i])
	}
	return b
}

// AppendSyslogPrefix appends "<PRI>[%5lu.%06lu] " (print_syslog, print_time).
func AppendSyslogPrefix(b []byte, r Record) []byte {
	b = appendByte(b, '<')
	b = appendUint(b, uint64(r.Facility)<<3|uint64(r.Level), 0, 0)
	b = appendByte(b, '>')
	b = appendByte(b, '[')
	b = appendUint(b, r.TimeUS/1e6, 5, ' ')
	b = appendByte(b, '.')
	b = appendUint(b, r.TimeUS%1e6, 6, '0')
	b = appendByte(b, ']')
	return appendByte(b, ' ')
}

// SyslogSize is the length of r's syslog text: each line of the text
// gets the prefix, and the last a newline (get_record_print_text_size).
func SyslogSize(r Record, text []byte) int {
	var p [48]byte
	lines := 1
	for _, c := range text {
		if c == '\n' {
			lines++
		}
	}
	return len(AppendSyslogPrefix(p[:0], r))*lines + len(text) + 1
}

// AppendSyslog appends r as syslog(2) gives it: the prefix before each
// line of the text, a newline after the last. What does not fit in b's
// capacity is cut.
func AppendSyslog(b []byte, r Record, text []byte) []byte {
	for {
		b = AppendSyslogPrefix(b, r)
		i := 0
		for i < len(text) && text[i] != '\n' {
			b = appendByte(b, text[i])
			i++
		}
		b = appendByte(b, '\n')
		if i == len(text) {
			return b
		}
		text = text[i+1:]
	}
}

// AppendKmsg appends r as a read of /dev/kmsg gives it
// (info_print_ext_header, msg_print_ext_body): "PRI,SEQ,MICROS,-;" and the
// text with bytes below ' ', from 127 up, and '\' escaped as \xNN, then a
// newline.
func AppendKmsg(b []byte, r Record, text []byte) []byte {
	const hex = "0123456789abcdef"
	b = appendUint(b, uint64(r.Facility)<<3|uint64(r.Level), 0, 0)
	b = appendByte(b, ',')
	b = appendUint(b, r.Seq, 0, 0)
	b = appendByte(b, ',')
	b = appendUint(b, r.TimeUS, 0, 0)
	b = appendByte(b, ',')
	b = appendByte(b, '-')
	b = appendByte(b, ';')
	for _, c := range text {
		if c < ' ' || c >= 127 || c == '\\' {
			b = appendByte(b, '\\')
			b = appendByte(b, 'x')
			b = appendByte(b, hex[c>>4])
			b = appendByte(b, hex[c&15])
			continue
		}
		b = appendByte(b, c)
	}
	return appendByte(b, '\n')
}
