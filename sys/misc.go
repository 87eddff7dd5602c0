package sys

import (
	"sigil/arch"
	"sigil/irq"
	"sigil/linux"
	"sigil/rlimit"
	"sigil/sched"
)

//go:nosplit
func sysUname(c *irq.Context) {
	buf, _, _, _, _, _ := args(c)
	linux.FillUname((*linux.Utsname)(at(buf)))
	ret(c, 0)
}

// limits are the kernel process's resource limits: Linux's defaults,
// with RLIMIT_NPROC at the thread table's size. The runtime calls
// prlimit before package initialisation, so they are filled on first use.
// schedLock held (every runtime system call holds it).
var (
	limits       rlimit.Table
	limitsFilled bool
)

//go:nosplit
func kernelLimits() *rlimit.Table {
	if !limitsFilled {
		limits.Reset(sched.MaxThreads)
		limitsFilled = true
	}
	return &limits
}

//go:nosplit
func sysPrlimit64(c *irq.Context) {
	pid, res, newp, oldp, _, _ := args(c)
	if pid != 0 && pid != kernelPID {
		fail(c, linux.ESRCH)
		return
	}
	prlimit(c, res, newp, oldp)
}

//go:nosplit
func sysGetrlimit(c *irq.Context) {
	res, rlim, _, _, _, _ := args(c)
	prlimit(c, res, 0, rlim)
}

//go:nosplit
func prlimit(c *irq.Context, res, newp, oldp uint64) {
	var newl, old *linux.Rlimit
	if newp != 0 {
		n := *(*linux.Rlimit)(at(newp))
		newl = &n
	}
	if oldp != 0 {
		old = (*linux.Rlimit)(at(oldp))
	}
	if err := kernelLimits().Prlimit(res, newl, old, true); err != 0 {
		fail(c, err)
		return
	}
	ret(c, 0)
}

//go:nosplit
func sysPrctl(c *irq.Context) {
	option, arg2, _, _, _, _ := args(c)
	t := sched.Current()
	switch option {
	case linux.PR_SET_NAME:
		src := bytesAt(arg2, linux.TASK_COMM_LEN)
		for i := range t.Comm {
			t.Comm[i] = src[i]
			if src[i] == 0 {
				break
			}
		}
		t.Comm[len(t.Comm)-1] = 0
	case linux.PR_GET_NAME:
		copy(bytesAt(arg2, linux.TASK_COMM_LEN), t.Comm[:])
	default:
		fail(c, linux.EINVAL)
		return
	}
	ret(c, 0)
}

// Random numbers come from RDRAND when the CPU has it (CPUID.01H:ECX bit 30,
// SDM Vol. 1 §7.3.17), else from a SplitMix64 generator seeded with the TSC,
// which is unpredictable enough for hash seeds but not for keys: the boot log
// says which one is in use.
var (
	HaveRDRAND bool
	prng       uint64
)

// Random returns 64 random bits.
//
//go:nosplit
func Random() uint64 {
	if HaveRDRAND {
		for i := 0; i < 10; i++ { // the DRNG can run dry briefly
			if v, ok := arch.RDRAND(); ok {
				return v
			}
		}
	}
	if prng == 0 {
		prng = arch.RDTSC()
	}
	prng += 0x9e3779b97f4a7c15
	z := prng
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Fill fills b with random bytes.
//
//go:nosplit
func Fill(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := Random()
		for j := i; j < len(b) && j < i+8; j++ {
			b[j] = byte(v)
			v >>= 8
		}
	}
}

//go:nosplit
func sysGetrandom(c *irq.Context) {
	buf, n, flags, _, _, _ := args(c)
	if flags&^(linux.GRND_NONBLOCK|linux.GRND_RANDOM|linux.GRND_INSECURE) != 0 {
		fail(c, linux.EINVAL)
		return
	}
	const maxChunk = 1<<25 - 1 // Linux caps one call at 32 MiB - 1
	if n > maxChunk {
		n = maxChunk
	}
	Fill(bytesAt(buf, n))
	ret(c, n)
}
