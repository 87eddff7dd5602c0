// Package rlimit holds Linux's resource-limit rules — the defaults
// (include/asm-generic/resource.h INIT_RLIMITS, with fork_init's
// RLIMIT_NPROC and RLIMIT_SIGPENDING) and do_prlimit's checks — written
// once for the kernel's own runtime (package sys) and for user programs
// (package task). Each caller guards its table with its own lock.
package rlimit

import "sigil/linux"

// Table is a process's limits, indexed by RLIMIT_*.
type Table [linux.RLIM_NLIMITS]linux.Rlimit

// NrOpen is fs.nr_open's default (fs/file.c sysctl_nr_open): no
// RLIMIT_NOFILE hard limit may exceed it.
const NrOpen = 1 << 20

const inf = linux.RLIM_INFINITY

// Reset sets l to init's limits. nproc is fork_init's RLIMIT_NPROC (half
// of threads-max), which also bounds RLIMIT_SIGPENDING.
//
//go:nosplit
func (l *Table) Reset(nproc uint64) {
	for i := range l {
		l[i] = linux.Rlimit{Cur: inf, Max: inf}
	}
	l[linux.RLIMIT_STACK].Cur = 8 << 20 // _STK_LIM
	l[linux.RLIMIT_CORE].Cur = 0
	l[linux.RLIMIT_NPROC] = linux.Rlimit{Cur: nproc, Max: nproc}
	l[linux.RLIMIT_NOFILE] = linux.Rlimit{Cur: 1024, Max: 4096}        // INR_OPEN_CUR, INR_OPEN_MAX
	l[linux.RLIMIT_MEMLOCK] = linux.Rlimit{Cur: 8 << 20, Max: 8 << 20} // MLOCK_LIMIT
	l[linux.RLIMIT_SIGPENDING] = l[linux.RLIMIT_NPROC]
	l[linux.RLIMIT_MSGQUEUE] = linux.Rlimit{Cur: 819200, Max: 819200} // MQ_BYTES_MAX
	l[linux.RLIMIT_NICE] = linux.Rlimit{}
	l[linux.RLIMIT_RTPRIO] = linux.Rlimit{}
}

// Prlimit is do_prlimit on table l: it checks res and, when newl is not
// nil, the new limit (EINVAL for a soft limit above the hard one, EPERM
// for RLIMIT_NOFILE above NrOpen or a raised hard limit without
// CAP_SYS_RESOURCE), then stores the old limit in *old (when not nil)
// and the new one in l. On an error l and *old are unchanged.
//
//go:nosplit
func (l *Table) Prlimit(res uint64, newl, old *linux.Rlimit, capSysResource bool) linux.Errno {
	if res >= linux.RLIM_NLIMITS {
		return linux.EINVAL
	}
	if newl != nil {
		if newl.Cur > newl.Max {
			return linux.EINVAL
		}
		if res == linux.RLIMIT_NOFILE && newl.Max > NrOpen {
			return linux.EPERM
		}
		if newl.Max > l[res].Max && !capSysResource {
			return linux.EPERM
		}
	}
	if old != nil {
		*old = l[res]
	}
	if newl != nil {
		l[res] = *newl
	}
	return 0
}
