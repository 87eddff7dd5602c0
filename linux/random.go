package linux

// getrandom(2) flags. Source: include/uapi/linux/random.h.
const (
	GRND_NONBLOCK = 0x0001
	GRND_RANDOM   = 0x0002
	GRND_INSECURE = 0x0004
)
