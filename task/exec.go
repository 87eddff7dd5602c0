package task

import (
	"path"

	"sigil/arch"
	"sigil/irq"
	"sigil/linux"
	"sigil/loader"
	"sigil/proc"
	"sigil/sys"
	"sigil/sysv"
	"sigil/vfs"
)

// Limits on execve's arguments (Linux's MAX_ARG_STRLEN and, loosely,
// ARG_MAX).
const (
	maxArgLen   = 128 << 10
	maxArgTotal = 256 << 10
)

// image is a loaded program, not yet running.
type image struct {
	as    *AddressSpace
	entry uint64
	sp    uint64
}

// load builds a new address space running the program in node with argv
// and envp.
func load(node *vfs.Node, file string, argv, envp []string) (*image, error) {
	if !node.IsRegular() {
		return nil, linux.EACCES
	}
	if node.Mode&0o111 == 0 {
		return nil, linux.EACCES
	}
	img, err := loader.Parse(node.Data)
	if err != nil {
		return nil, linux.ENOEXEC
	}
	as, err := newAddressSpace()
	if err != nil {
		return nil, err
	}
	fail := func(e error) (*image, error) {
		as.release()
		return nil, e
	}
	var top uintptr
	for _, s := range img.Segments {
		start := uintptr(s.Vaddr) &^ (pageSize - 1)
		end := pageUp(uintptr(s.Vaddr + s.Memsz))
		// Pages shared with an earlier segment are mapped once; the file
		// bytes below are the same in both (offsets are page-congruent).
		as.mu.Lock()
		for p := start; p < end; p += pageSize {
			if !as.overlaps(p, p+pageSize) {
				if err := as.mapLocked(p, p+pageSize, linux.PROT_READ|linux.PROT_WRITE); err != nil {
					as.mu.Unlock()
					return fail(err)
				}
			}
		}
		as.mu.Unlock()
		off := s.Offset &^ (pageSize - 1)
		if err := as.CopyOut(uint64(start), node.Data[off:s.Offset+s.Filesz]); err != nil {
			return fail(linux.ENOEXEC)
		}
		// Zero what follows the file bytes in their last page (the bss
		// start); later pages are fresh demand-zero memory.
		if z := s.Vaddr + s.Filesz; z%pageSize != 0 && z < s.Vaddr+s.Memsz {
			n := min(pageSize-z%pageSize, s.Vaddr+s.Memsz-z)
			as.CopyOut(z, make([]byte, n))
		}
		top = max(top, end)
	}
	// Final protections: the union of the segments sharing each page.
	for _, s := range img.Segments {
		start := uintptr(s.Vaddr) &^ (pageSize - 1)
		end := pageUp(uintptr(s.Vaddr + s.Memsz))
		for p := start; p < end; p += pageSize {
			prot := uint64(0)
			for _, o := range img.Segments {
				if uintptr(o.Vaddr)&^(pageSize-1) <= p && p < pageUp(uintptr(o.Vaddr+o.Memsz)) {
					prot |= segProt(o)
				}
			}
			as.Mprotect(p, pageSize, prot)
		}
	}
	as.brkStart, as.brk = top, top
	as.mu.Lock()
	err = as.mapLocked(stackTop-stackSize, stackTop, linux.PROT_READ|linux.PROT_WRITE)
	as.mu.Unlock()
	if err != nil {
		return fail(err)
	}
	sp, err := buildStack(as, img, file, argv, envp)
	if err != nil {
		return fail(err)
	}
	return &image{as: as, entry: img.Entry, sp: sp}, nil
}

func segProt(s loader.Segment) uint64 {
	var p uint64
	if s.Read {
		p |= linux.PROT_READ
	}
	if s.Write {
		p |= linux.PROT_WRITE
	}
	if s.Exec {
		p |= linux.PROT_EXEC
	}
	return p
}

// buildStack writes argv, envp and the auxiliary vector to the top of the
// stack with the builder the kernel's own boot uses.
func buildStack(as *AddressSpace, img *loader.Image, file string, argv, envp []string) (uint64, error) {
	size := 4096 + len(file)
	for _, s := range argv {
		size += len(s) + 9
	}
	for _, s := range envp {
		size += len(s) + 9
	}
	if size > maxArgTotal || len(argv)+len(envp)+48 > sysv.MaxWords {
		return 0, linux.E2BIG
	}
	size = (size + 15) &^ 15
	buf := make([]byte, size)
	addr := uint64(stackTop - size)
	_, _, _, hwcap := arch.CPUID(1, 0)
	auxv := []sysv.Aux{
		{Type: linux.AT_PHDR, Val: img.Phdr},
		{Type: linux.AT_PHENT, Val: img.Phent},
		{Type: linux.AT_PHNUM, Val: img.Phnum},
		{Type: linux.AT_PAGESZ, Val: pageSize},
		{Type: linux.AT_BASE, Val: 0},
		{Type: linux.AT_FLAGS, Val: 0},
		{Type: linux.AT_ENTRY, Val: img.Entry},
		{Type: linux.AT_UID}, {Type: linux.AT_EUID}, {Type: linux.AT_GID}, {Type: linux.AT_EGID},
		{Type: linux.AT_SECURE},
		{Type: linux.AT_HWCAP, Val: uint64(hwcap)},
		{Type: linux.AT_CLKTCK, Val: 100},
		{Type: linux.AT_PLATFORM, Str: "x86_64"},
		{Type: linux.AT_EXECFN, Str: file},
	}
	var random [16]byte
	sys.Fill(random[:])
	sp := sysv.BuildStack(buf, addr, argv, envp, auxv, random)
	if sp == 0 {
		return 0, linux.E2BIG
	}
	if err := as.CopyOut(sp, buf[sp-addr:]); err != nil {
		return 0, err
	}
	return sp, nil
}

// resolveExec finds the program file for execve.
func (p *Process) resolve(file string, follow bool) (*vfs.Node, error) {
	p.mu.Lock()
	cwd := p.cwd
	p.mu.Unlock()
	n, err := Root.Lookup(cwd, file, follow)
	return n, vfsErrno(err)
}

func vfsErrno(err error) error {
	switch err {
	case nil:
		return nil
	case vfs.ErrNotExist:
		return linux.ENOENT
	case vfs.ErrNotDir:
		return linux.ENOTDIR
	case vfs.ErrLoop:
		return linux.ELOOP
	case vfs.ErrNameLong:
		return linux.ENAMETOOLONG
	case vfs.ErrIsDir:
		return linux.EISDIR
	case vfs.ErrExist:
		return linux.EEXIST
	}
	return linux.EIO
}

// exec replaces the calling thread's program (the point of no return is
// after the new image is built: a failure before it leaves the caller
// intact).
func (t *Thread) exec(file string, argv, envp []string) error {
	p := t.p
	node, err := p.resolve(file, true)
	if err != nil {
		return err
	}
	img, err := load(node, file, argv, envp)
	if err != nil {
		return err
	}
	// Other threads go away (de_thread); this one becomes the only one.
	p.mu.Lock()
	var others []*Thread
	for _, o := range p.threads {
		if o != t {
			others = append(others, o)
		}
	}
	old := p.as
	p.as = img.as
	p.comm = path.Base(file)
	for i := range p.actions {
		if p.actions[i].Handler != linux.SIG_IGN {
			p.actions[i] = linux.SigAction{}
		}
	}
	vf := p.vforked
	p.vforked = nil
	files := p.files
	p.mu.Unlock()
	p.mu.Lock()
	for _, o := range others {
		o.stopped.Store(true)
		o.wakeLocked()
	}
	p.mu.Unlock()
	files.closeOnExec()
	old.release()
	if vf != nil {
		close(vf)
	}
	t.clearTID = 0
	ut := t.ut
	ut.Ctx.TF = irqFrame(img.entry, img.sp)
	ut.Ctx.ResetFP()
	ut.FSBase = 0
	ut.Root = img.as.root
	t.altstack = linux.SigAltStack{Flags: linux.SS_DISABLE}
	return errNoResult
}

// newProgram makes the first process: PID 1 running file.
func StartInit(file string, argv, envp []string, console *vfs.Node) (*Process, error) {
	p := newProcess(nil)
	p.pgid, p.sid, p.cwd = p.PID, p.PID, Root.Root()
	p.files = newFDTable()
	p.as, _ = newAddressSpace()
	for fd := 0; fd < 3; fd++ {
		f, err := openNode(console, linux.O_RDWR)
		if err != nil {
			return nil, err
		}
		p.files.install(f, fd, false)
	}
	t := &Thread{TID: p.PID, p: p, ut: &proc.UserThread{}}
	t.altstack.Flags = linux.SS_DISABLE
	p.threads[t.TID] = t
	if err := t.exec(file, argv, envp); err != errNoResult {
		p.threads = map[int32]*Thread{}
		p.exit(exitedStatus(127))
		return nil, err
	}
	// The console is init's controlling terminal, its group in front.
	if d, ok := console.Dev.(consoleDev); ok {
		d.t.SetForeground(p.PID, p.PID)
	}
	t.start()
	return p, nil
}

func irqFrame(rip, rsp uint64) irq.TrapFrame {
	return irq.TrapFrame{RIP: rip, RSP: rsp, RFLAGS: arch.RFLAGS_IF | 2}
}
