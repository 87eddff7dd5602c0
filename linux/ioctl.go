package linux

// Terminal and generic file ioctl(2) requests.
// Source: include/uapi/asm-generic/ioctls.h (x86 uses the generic values).
const (
	TCGETS     = 0x5401
	TCSETS     = 0x5402
	TCSETSW    = 0x5403
	TCSETSF    = 0x5404
	TIOCSCTTY  = 0x540E
	TIOCGPGRP  = 0x540F
	TIOCSPGRP  = 0x5410
	TIOCOUTQ   = 0x5411
	TIOCSTI    = 0x5412
	TIOCGWINSZ = 0x5413
	TIOCSWINSZ = 0x5414
	FIONREAD   = 0x541B
	TIOCINQ    = FIONREAD
	FIONBIO    = 0x5421
	TIOCNOTTY  = 0x5422
	TIOCGSID   = 0x5429
	FIONCLEX   = 0x5450
	FIOCLEX    = 0x5451
	FIOQSIZE   = 0x5460
	FIOASYNC   = 0x5452
)

// Winsize is struct winsize for TIOCGWINSZ / TIOCSWINSZ (8 bytes).
// Source: include/uapi/asm-generic/termios.h.
type Winsize struct {
	Row    uint16
	Col    uint16
	Xpixel uint16
	Ypixel uint16
}

// NCCS is the number of control characters in the kernel's Termios.
// Source: include/uapi/asm-generic/termbits.h.
const NCCS = 19

// Termios is the kernel's struct termios for TCGETS / TCSETS* (36 bytes).
// It differs from the C library's (which has NCCS 32 and speed fields).
// Source: include/uapi/asm-generic/termbits.h.
type Termios struct {
	Iflag uint32
	Oflag uint32
	Cflag uint32
	Lflag uint32
	Line  uint8
	Cc    [NCCS]uint8
}
