package boottest

import (
	"strings"
	"testing"
)

// TestMemory runs memtest's cases (each checked on Linux 6.1): threads,
// anonymous and file mappings, munmap and mprotect of sub-ranges, mremap,
// copy-on-write and shared memory across fork, a futex in shared memory
// woken across processes, madvise, mincore, msync,
// brk and stacks that grow, in both interrupt modes.
func TestMemory(t *testing.T) {
	for _, m := range irqModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			res := bootInit(t, "init=/bin/memtest "+m.append)
			wantCode(t, res, 0)
			wantLines(t, res.Output, `(?m)^memtest: 11 of 11 passed$`, `(?m)^memtest: threads ok$`,
				`(?m)^memtest: file ok$`, `(?m)^memtest: mremap ok$`, `(?m)^memtest: fork ok$`)
			for _, l := range strings.Split(res.Output, "\n") {
				if strings.Contains(l, "FAILED") {
					t.Error(l)
				}
			}
		})
	}
}

// TestUserOutOfMemory: in a 128 MiB machine a program that touches memory
// without end is stopped (ENOMEM or the OOM killer's SIGKILL) three times
// in a row, and the shell, PID 1, still answers.
func TestUserOutOfMemory(t *testing.T) {
	m := shellSessionMem(t, "", "128M")
	defer m.Kill()
	for i := 0; i < 3; i++ {
		m.WriteSerial([]byte("memtest oom\n"))
		expectLine(t, m, `^memtest: oom ok$`)
	}
	m.WriteSerial([]byte("echo alive\n"))
	expectLine(t, m, `^alive$`)
	m.WriteSerial([]byte("exit 0\n"))
	res, err := m.Wait()
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, res, 0)
	if n := strings.Count(res.Output, "sigil: out of memory: killed process"); n > 3 {
		t.Errorf("%d OOM kills for three memory eaters", n)
	}
}

// TestForkBomb: in a 256 MiB machine, forking until refused ends in EAGAIN
// (threads-max) or ENOMEM, every child is reaped, and a fork after works.
func TestForkBomb(t *testing.T) {
	res := bootInit(t, "init=/bin/memtest -- forkbomb")
	wantCode(t, res, 0)
	wantLines(t, res.Output, `(?m)^memtest: forkbomb: refused after \d+ children: (Resource temporarily unavailable|Out of memory)$`,
		`(?m)^memtest: forkbomb ok$`)
	logLines(t, res.Output, "memtest:")
}
