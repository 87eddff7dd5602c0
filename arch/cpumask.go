package arch

import "math/bits"

// CPUMask is a set of CPU rows (bit i is row i), as Linux's cpumask_t
// with NR_CPUS = MaxCPUs: the affinity masks of sched_getaffinity and
// sched_setaffinity, whose user-visible form is the same bitmap in
// little-endian words.
type CPUMask uint64

const _ = uint(64 - MaxCPUs) // a mask holds every row

// Has reports whether row id is in m.
//
//go:nosplit
func (m CPUMask) Has(id int) bool { return id >= 0 && id < MaxCPUs && m&(1<<uint(id)) != 0 }

// With returns m with row id added.
//
//go:nosplit
func (m CPUMask) With(id int) CPUMask { return m | 1<<(uint(id)%MaxCPUs) }

// Count is the number of rows in m (cpumask_weight).
func (m CPUMask) Count() int { return bits.OnesCount64(uint64(m)) }

// Clip keeps the rows that exist (below MaxCPUs).
//
//go:nosplit
func (m CPUMask) Clip() CPUMask { return m & (1<<MaxCPUs - 1) }

// MaskFromBytes reads a user's affinity bitmap (little-endian bytes, as
// sched_setaffinity takes it; bytes past MaxCPUs's bits are ignored, as
// Linux ignores bits past nr_cpu_ids).
//
//go:nosplit
func MaskFromBytes(b []byte) CPUMask {
	var m CPUMask
	for i := 0; i < len(b) && i < 8; i++ {
		m |= CPUMask(b[i]) << (8 * i)
	}
	return m.Clip()
}

// Affinity is the restriction a sched_setaffinity mask m gives a thread:
// its online CPUs, 0 (none) when that is every online CPU; ok is false
// when it has no online CPU (EINVAL: __set_cpus_allowed_ptr finds no
// active CPU in it). The user's and the kernel runtime's calls share it.
//
//go:nosplit
func Affinity(m CPUMask) (a CPUMask, ok bool) {
	online := OnlineMask()
	switch a = m & online; a {
	case 0:
		return 0, false
	case online:
		return 0, true
	}
	return a, true
}

// Bytes writes m as the first len(b) bytes of a little-endian bitmap.
func (m CPUMask) Bytes(b []byte) {
	for i := range b {
		if i < 8 {
			b[i] = byte(m >> (8 * i))
		} else {
			b[i] = 0
		}
	}
}

// OnlineMask is the set of online CPUs (cpu_online_mask).
//
//go:nosplit
func OnlineMask() CPUMask {
	var m CPUMask
	for i := 0; i < MaxCPUs; i++ {
		if cpus[i].Online() {
			m |= 1 << uint(i)
		}
	}
	if m == 0 {
		m = 1 // before bring-up, and in host tests: the boot CPU
	}
	return m
}
