package linux

// Terminal flags and control-character indices for the kernel's struct
// termios (include/uapi/asm-generic/termbits.h, octal as there).
const (
	// c_iflag
	IGNBRK  = 0o1
	BRKINT  = 0o2
	IGNPAR  = 0o4
	PARMRK  = 0o10
	INPCK   = 0o20
	ISTRIP  = 0o40
	INLCR   = 0o100
	IGNCR   = 0o200
	ICRNL   = 0o400
	IUCLC   = 0o1000
	IXON    = 0o2000
	IXANY   = 0o4000
	IXOFF   = 0o10000
	IMAXBEL = 0o20000
	IUTF8   = 0o40000

	// c_oflag
	OPOST  = 0o1
	OLCUC  = 0o2
	ONLCR  = 0o4
	OCRNL  = 0o10
	ONOCR  = 0o20
	ONLRET = 0o40
	TABDLY = 0o14000
	XTABS  = 0o14000 // TABDLY's value that expands tabs to spaces

	// c_cflag
	B38400 = 0o17
	CS8    = 0o60
	CREAD  = 0o200
	HUPCL  = 0o2000

	// c_lflag
	ISIG    = 0o1
	ICANON  = 0o2
	ECHO    = 0o10
	ECHOE   = 0o20
	ECHOK   = 0o40
	ECHONL  = 0o100
	NOFLSH  = 0o200
	TOSTOP  = 0o400
	ECHOCTL = 0o1000
	ECHOPRT = 0o2000
	ECHOKE  = 0o4000
	FLUSHO  = 0o10000
	PENDIN  = 0o40000
	IEXTEN  = 0o100000

	// c_cc indices
	VINTR    = 0
	VQUIT    = 1
	VERASE   = 2
	VKILL    = 3
	VEOF     = 4
	VTIME    = 5
	VMIN     = 6
	VSTART   = 8
	VSTOP    = 9
	VSUSP    = 10
	VEOL     = 11
	VSWTC    = 7
	VREPRINT = 12
	VDISCARD = 13 // in c_cc, but Linux's n_tty gives it no meaning
	VWERASE  = 14
	VLNEXT   = 15
	VEOL2    = 16
)

// DefaultTermios returns a console's initial state, Linux's
// tty_std_termios (drivers/tty/tty_io.c) with INIT_C_CC.
//
//go:nosplit
func DefaultTermios() Termios {
	return Termios{
		Iflag: ICRNL | IXON,
		Oflag: OPOST | ONLCR,
		Cflag: B38400 | CS8 | CREAD | HUPCL,
		Lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
		Cc:    [NCCS]uint8{3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0},
	}
}
