package tty

import "sigil/linux"

// nttyCase is one line-discipline scenario: termios changed from Linux's
// default, keystrokes, and what Linux's n_tty does with them. The echo
// and reads were checked against a Linux pty (go test -tags hostpty).
type nttyCase struct {
	name  string
	set   func(*linux.Termios) // changes from DefaultTermios (nil: none)
	write string               // program output before the typing
	in    string               // typed
	echo  string               // written back to the terminal
	reads []string             // successive non-blocking reads until none
	sigs  string               // signals raised, in order, as "INT QUIT"
}

func lflagOff(f uint32) func(*linux.Termios) {
	return func(t *linux.Termios) { t.Lflag &^= f }
}

func lflagOn(f uint32) func(*linux.Termios) {
	return func(t *linux.Termios) { t.Lflag |= f }
}

func iflagOn(f uint32) func(*linux.Termios) {
	return func(t *linux.Termios) { t.Iflag |= f }
}

func iflagOff(f uint32) func(*linux.Termios) {
	return func(t *linux.Termios) { t.Iflag &^= f }
}

func oflag(on, off uint32) func(*linux.Termios) {
	return func(t *linux.Termios) { t.Oflag = t.Oflag&^off | on }
}

func cc(i int, c byte) func(*linux.Termios) {
	return func(t *linux.Termios) { t.Cc[i] = c }
}

func all(fs ...func(*linux.Termios)) func(*linux.Termios) {
	return func(t *linux.Termios) {
		for _, f := range fs {
			f(t)
		}
	}
}

var nttyCases = []nttyCase{
	{name: "erase", in: "helo\x7flo\r", echo: "helo\b \blo\r\n", reads: []string{"hello\n"}},
	{name: "erase at line start", in: "\x7f\x7fa\n", echo: "a\r\n", reads: []string{"a\n"}},
	{name: "erase control char", in: "a\x01\x7f\n", echo: "a^A\b \b\b \b\r\n", reads: []string{"a\n"}},
	{name: "erase tab", in: "a\tb\x7f\x7f\x7fc\n", echo: "a\tb\b \b\b\b\b\b\b\b\b\b \bc\r\n", reads: []string{"c\n"}},
	{name: "erase no ECHOE", set: lflagOff(linux.ECHOE), in: "ab\x7f\n", echo: "ab^?\r\n", reads: []string{"a\n"}},
	{name: "erase ECHOPRT", set: lflagOn(linux.ECHOPRT), in: "abc\x7f\x7fd\n", echo: "abc\\cb/d\r\n", reads: []string{"ad\n"}},
	{name: "kill ECHOKE", in: "junk\x15ok\n", echo: "junk\b \b\b \b\b \b\b \bok\r\n", reads: []string{"ok\n"}},
	{name: "kill ECHOK", set: lflagOff(linux.ECHOKE), in: "junk\x15ok\n", echo: "junk^U\r\nok\r\n", reads: []string{"ok\n"}},
	{name: "kill no ECHOK", set: lflagOff(linux.ECHOKE | linux.ECHOK), in: "junk\x15ok\n", echo: "junk^Uok\r\n", reads: []string{"ok\n"}},
	{name: "werase", in: "foo bar\x17x\n", echo: "foo bar\b \b\b \b\b \bx\r\n", reads: []string{"foo x\n"}},
	{name: "werase punctuation", in: "a.b  \x17\x17\n", echo: "a.b  \b \b\b \b\b \b\b \b\b \b\r\n", reads: []string{"\n"}},
	{name: "werase no IEXTEN", set: lflagOff(linux.IEXTEN), in: "ab\x17\n", echo: "ab^W\r\n", reads: []string{"ab\x17\n"}},
	{name: "lnext", in: "a\x16\x03b\n", echo: "a^\b^Cb\r\n", reads: []string{"a\x03b\n"}},
	{name: "lnext erase", in: "\x16\x7f\n", echo: "^\b^?\r\n", reads: []string{"\x7f\n"}},
	{name: "reprint", in: "ab\x12c\n", echo: "ab^R\r\nabc\r\n", reads: []string{"abc\n"}},
	{name: "discard is ordinary", in: "a\x0fb\n", echo: "a^Ob\r\n", reads: []string{"a\x0fb\n"}},
	{name: "eof", in: "ab\x04\x04", echo: "ab", reads: []string{"ab", ""}},
	{name: "eol", set: cc(linux.VEOL, ';'), in: "ab;cd\n", echo: "ab;cd\r\n", reads: []string{"ab;", "cd\n"}},
	{name: "eol2", set: cc(linux.VEOL2, ';'), in: "ab;cd\n", echo: "ab;cd\r\n", reads: []string{"ab;", "cd\n"}},
	{name: "two lines", in: "a\nb\n", echo: "a\r\nb\r\n", reads: []string{"a\n", "b\n"}},
	{name: "intr", in: "abc\x03", echo: "abc^C", sigs: "INT"},
	{name: "intr then line", in: "abc\x03d\n", echo: "abc^Cd\r\n", reads: []string{"d\n"}, sigs: "INT"},
	{name: "quit and susp", in: "\x1c\x1a", echo: "^\\^Z", sigs: "QUIT TSTP"},
	{name: "noflsh", set: lflagOn(linux.NOFLSH), in: "abc\x03d\n", echo: "abc^Cd\r\n", reads: []string{"abcd\n"}, sigs: "INT"},
	{name: "intr remapped", set: cc(linux.VINTR, 1), in: "a\x03\x01b\n", echo: "a^C^Ab\r\n", reads: []string{"b\n"}, sigs: "INT"},
	{name: "intr disabled", set: cc(linux.VINTR, 0), in: "a\x03\n", echo: "a^C\r\n", reads: []string{"a\x03\n"}},
	{name: "isig off", set: lflagOff(linux.ISIG), in: "a\x03\x1c\x1a\n", echo: "a^C^\\^Z\r\n", reads: []string{"a\x03\x1c\x1a\n"}},
	{name: "intr no echo", set: lflagOff(linux.ECHO), in: "ab\x03c\n", echo: "", reads: []string{"c\n"}, sigs: "INT"},
	{name: "echonl", set: all(lflagOff(linux.ECHO), lflagOn(linux.ECHONL)), in: "ab\n", echo: "\r\n", reads: []string{"ab\n"}},
	{name: "no echoctl", set: lflagOff(linux.ECHOCTL), in: "a\x01\x03\n", echo: "a\x01\x03\r\n", reads: []string{"\n"}, sigs: "INT"},
	{name: "raw", set: lflagOff(linux.ICANON | linux.ECHO | linux.ISIG), in: "x\x03\x7f\r", echo: "", reads: []string{"x\x03\x7f\n"}},
	{name: "raw echo", set: lflagOff(linux.ICANON), in: "x\x7f\ty", echo: "x^?\ty", reads: []string{"x\x7f\ty"}},
	{name: "raw intr", set: lflagOff(linux.ICANON), in: "ab\x03c", echo: "ab^Cc", reads: []string{"c"}, sigs: "INT"},
	{name: "no icrnl", set: iflagOff(linux.ICRNL), in: "a\rb\n", echo: "a^Mb\r\n", reads: []string{"a\rb\n"}},
	{name: "igncr", set: iflagOn(linux.IGNCR), in: "a\rb\n", echo: "ab\r\n", reads: []string{"ab\n"}},
	{name: "inlcr", set: all(iflagOn(linux.INLCR), iflagOff(linux.ICRNL)), in: "a\nb\r", echo: "a^Mb^M", reads: nil},
	{name: "istrip", set: iflagOn(linux.ISTRIP), in: "\xe1\xe2\n", echo: "ab\r\n", reads: []string{"ab\n"}},
	{name: "no opost", set: func(t *linux.Termios) { t.Oflag &^= linux.OPOST }, in: "a\n", echo: "a\n", reads: []string{"a\n"}},
	{name: "stop start are not input", in: "a\x13b\x11c\n", echo: "abc\r\n", reads: []string{"abc\n"}},
	{name: "erase tab after prompt", write: "$ ", in: "a\tb\x7f\x7f\n", echo: "$ a\tb\b \b\b\b\b\b\b\r\n", reads: []string{"a\n"}},
	{name: "erase tab after tab", in: "\tab\t\x7f\x7f\n", echo: "\tab\t\b\b\b\b\b\b\b \b\r\n", reads: []string{"\ta\n"}},
	{name: "erase tab after ^A", in: "\x01\t\x7f\n", echo: "^A\t\b\b\b\b\b\b\r\n", reads: []string{"\x01\n"}},
	{name: "erase utf8", set: iflagOn(linux.IUTF8), in: "a\xc3\xa9\x7f\n", echo: "a\xc3\xa9\b \b\r\n", reads: []string{"a\n"}},
	{name: "erase utf8 no iutf8", set: iflagOff(linux.IUTF8), in: "a\xc3\xa9\x7f\n", echo: "a\xc3\xa9\b \b\r\n", reads: []string{"a\xc3\n"}},
	{name: "erase utf8 ECHOPRT", set: all(iflagOn(linux.IUTF8), lflagOn(linux.ECHOPRT)), in: "a\xc3\xa9\x7f\n", echo: "a\xc3\xa9\\\xc3\xa9\r\n", reads: []string{"a\n"}},
	{name: "werase latin1", in: "x \xe9t\xe9\x17\n", echo: "x \xe9t\xe9\b \b\b \b\b \b\r\n", reads: []string{"x \n"}},
	{name: "erase is kill", set: cc(linux.VKILL, 0x7f), in: "ab\x7f\n", echo: "ab\b \b\r\n", reads: []string{"a\n"}},
	{name: "raw newline", set: lflagOff(linux.ICANON), in: "a\nb", echo: "a^Jb", reads: []string{"a\nb"}},
	{name: "raw return", set: lflagOff(linux.ICANON), in: "a\r", echo: "a\r\n", reads: []string{"a\n"}},
	{name: "parmrk", set: all(iflagOn(linux.PARMRK), lflagOff(linux.ICANON|linux.ECHO)), in: "\xffa", reads: []string{"\xff\xffa"}},
	{name: "iuclc", set: iflagOn(linux.IUCLC), in: "AbC\n", echo: "abc\r\n", reads: []string{"abc\n"}},
	{name: "olcuc", set: oflag(linux.OLCUC, 0), write: "hi\n", in: "ab\n", echo: "HI\r\nAB\r\n", reads: []string{"ab\n"}},
	{name: "xtabs", set: oflag(linux.XTABS, 0), write: "ab\tc\n", echo: "ab      c\r\n"},
	{name: "onlret onocr", set: oflag(linux.ONLRET|linux.ONOCR, linux.ONLCR), write: "\ra\r\n\r", echo: "a\r\n"},
	{name: "ocrnl", set: oflag(linux.OCRNL, 0), write: "a\rb", echo: "a\nb"},
	{name: "no ixon", set: iflagOff(linux.IXON), in: "a\x13\n", echo: "a^S\r\n", reads: []string{"a\x13\n"}},
}
