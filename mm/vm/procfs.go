package vm

import (
	"fmt"
	"io"

	"sigil/mm"
)

// What /proc shows of an address space, in Linux's formats
// (fs/proc/task_mmu.c).

// WriteMaps writes /proc/PID/maps: one line per area, "start-end perms
// offset dev inode", the name padded to column 73.
func (s *Space) WriteMaps(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for a := s.areas.first(); a != nil; a = s.areas.next(a) {
		if a.Flags&reserved != 0 {
			continue
		}
		perm := []byte("---p")
		if a.Prot&Read != 0 {
			perm[0] = 'r'
		}
		if a.Prot&Write != 0 {
			perm[1] = 'w'
		}
		if a.Prot&Exec != 0 {
			perm[2] = 'x'
		}
		if a.Flags&(Shared|sharedReadOnly) != 0 {
			perm[3] = 's'
		}
		var off, dev, ino uint64
		name := ""
		if o := a.Obj; o != nil {
			off, dev, ino, name = a.Off, o.Dev, o.Ino, o.Name
		} else if a.Start <= s.brk && a.End >= s.brkStart {
			name = "[heap]"
		} else if a.Start <= s.stack && a.End >= s.stack {
			name = "[stack]"
		}
		line := fmt.Sprintf("%08x-%08x %s %08x %02x:%02x %d ", a.Start, a.End, perm, off, dev>>8, dev&0xff, ino)
		if name != "" {
			line = fmt.Sprintf("%-72s %s", line, name)
		}
		io.WriteString(w, line+"\n")
	}
}

// Status is what /proc/PID/status says of memory, in KiB.
type Status struct {
	Peak, Size, Locked, HWM, RSS, RSSAnon, RSSFile, RSSShmem uint64
	Data, Stack, Exe, Lib, PTE                               uint64
}

// Status counts the space's memory for /proc/PID/status (Linux's
// task_mem).
func (s *Space) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.resident()
	const kb = pageSize / 1024
	st := Status{
		Peak: s.peak * kb, Size: s.total * kb, Locked: s.locked * kb,
		RSSAnon: res[mm.KindAnon] * kb, RSSFile: res[mm.KindCache] * kb, RSSShmem: res[mm.KindShmem] * kb,
		Data: s.data * kb, Stack: s.stackPages * kb,
	}
	st.RSS = st.RSSAnon + st.RSSFile + st.RSSShmem
	st.HWM = max(s.hwm, st.RSS)
	s.hwm = st.HWM
	st.Exe = uint64(pageUp(s.codeSize)) / 1024
	st.Lib = s.exec*kb - min(s.exec*kb, st.Exe)
	if s.root != 0 { // not released: /proc may read a space as it goes
		withIRQsOff(func() { st.PTE = mm.TablePages(s.root) * kb })
	}
	return st
}

// resident counts the present pages of every area, by kind of frame.
func (s *Space) resident() (n [mm.NumKinds]uint64) {
	for a := s.areas.first(); a != nil; a = s.areas.next(a) {
		if a.Flags&reserved != 0 {
			continue
		}
		withIRQsOff(func() {
			r := mm.Resident(s.root, a.Start, a.End)
			for k := range n {
				n[k] += r[k]
			}
		})
	}
	return n
}

// RSS returns the space's resident pages (the OOM killer's measure).
func (s *Space) RSS() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.resident()
	return r[mm.KindAnon] + r[mm.KindCache] + r[mm.KindShmem]
}

// Size returns the space's mapped size in bytes (total_vm).
func (s *Space) Size() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total * pageSize
}
