package task

import (
	"fmt"
	"path"
	"sync"

	"sigil/cred"
	"sigil/file"

	"sigil/arch"
	"sigil/irq"
	"sigil/linux"
	"sigil/loader"
	"sigil/mm/vm"
	"sigil/sched"
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
// and envp (Linux's load_elf_binary): each segment is a private mapping of
// the file's pages, its bss anonymous memory after them, the break starts
// after the last, and the stack holds the arguments.
func load(node *vfs.Node, execfn string, argv, envp []string, lim vm.Limits, cr *cred.Cred) (*image, error) {
	b, err := node.Bytes()
	if err != nil {
		return nil, file.Errno(err)
	}
	img, err := loader.Parse(b)
	if err != nil {
		return nil, linux.ENOEXEC
	}
	as, err := newAddressSpace(lim)
	if err != nil {
		return nil, err
	}
	fail := func(e error) (*image, error) {
		as.release()
		return nil, e
	}
	f := &vm.File{Obj: node.Pages(), Readable: true}
	var top, code uint64
	for _, s := range img.Segments {
		start := s.Vaddr &^ (pageSize - 1)
		fileEnd, memEnd := s.Vaddr+s.Filesz, pageUp(s.Vaddr+s.Memsz)
		prot := segProt(s)
		mapEnd := start
		if s.Filesz > 0 {
			mapEnd = pageUp(fileEnd)
			_, err := as.Mmap(vm.MapRequest{Addr: uintptr(start), Len: uintptr(mapEnd - start), Prot: prot,
				Flags: linux.MAP_PRIVATE | linux.MAP_FIXED, Off: s.Offset &^ (pageSize - 1), File: f})
			if err != nil {
				return fail(err)
			}
		}
		if memEnd > mapEnd {
			_, err := as.Mmap(vm.MapRequest{Addr: uintptr(mapEnd), Len: uintptr(memEnd - mapEnd), Prot: prot,
				Flags: linux.MAP_PRIVATE | linux.MAP_FIXED | linux.MAP_ANONYMOUS})
			if err != nil {
				return fail(err)
			}
		}
		// The bss begins inside the file's last page: zero the rest of
		// that page (padzero), which makes it the process's own copy.
		if s.Memsz > s.Filesz && fileEnd%pageSize != 0 {
			n := min(pageSize-fileEnd%pageSize, s.Vaddr+s.Memsz-fileEnd)
			if err := as.CopyOut(fileEnd, make([]byte, n)); err != nil {
				return fail(err)
			}
		}
		if s.Exec {
			code = max(code, pageUp(fileEnd)-start)
		}
		top = max(top, memEnd)
	}
	as.SetBreak(uintptr(top))
	as.SetCode(uintptr(code))
	sp, err := buildStack(as, img, execfn, argv, envp, cr)
	if err != nil {
		return fail(err)
	}
	return &image{as: as, entry: img.Entry, sp: sp}, nil
}

func pageUp(x uint64) uint64 { return (x + pageSize - 1) &^ (pageSize - 1) }

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
// stack with the builder the kernel's own boot uses, and records where the
// strings went (/proc/PID/cmdline and environ read them there, as Linux).
func buildStack(as *AddressSpace, img *loader.Image, file string, argv, envp []string, cr *cred.Cred) (uint64, error) {
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
	if err := as.MapStack(uintptr(size), img.ExecStack); err != nil {
		return 0, err
	}
	buf := make([]byte, size)
	addr := uint64(vm.StackTop - size)
	_, _, _, hwcap := arch.CPUID(1, 0)
	auxv := []sysv.Aux{
		{Type: linux.AT_PHDR, Val: img.Phdr},
		{Type: linux.AT_PHENT, Val: img.Phent},
		{Type: linux.AT_PHNUM, Val: img.Phnum},
		{Type: linux.AT_PAGESZ, Val: pageSize},
		{Type: linux.AT_BASE, Val: 0},
		{Type: linux.AT_FLAGS, Val: 0},
		{Type: linux.AT_ENTRY, Val: img.Entry},
		{Type: linux.AT_UID, Val: uint64(cr.UID)}, {Type: linux.AT_EUID, Val: uint64(cr.EUID)},
		{Type: linux.AT_GID, Val: uint64(cr.GID)}, {Type: linux.AT_EGID, Val: uint64(cr.EGID)},
		{Type: linux.AT_SECURE, Val: boolWord(cr.UID != cr.EUID || cr.GID != cr.EGID)},
		{Type: linux.AT_HWCAP, Val: uint64(hwcap)},
		{Type: linux.AT_CLKTCK, Val: 100},
		{Type: linux.AT_PLATFORM, Str: "x86_64"},
		{Type: linux.AT_EXECFN, Str: file},
	}
	var random [16]byte
	sys.Fill(random[:])
	sp, areas := sysv.BuildStack(buf, addr, argv, envp, auxv, random)
	as.strings = areas
	if sp == 0 {
		return 0, linux.E2BIG
	}
	if err := as.CopyOut(sp, buf[sp-addr:]); err != nil {
		return 0, err
	}
	return sp, nil
}

// findProgram finds the ELF program execve of file runs, going through
// "#!" interpreters as Linux's binfmt_script does (each must be an
// executable file; more than loader.MaxInterpDepth of them is ELOOP), and
// returns it with the argument list it gets.
// The first file is node, named name (execve's path, or execveat's
// /dev/fd/N form).
func (p *Process) findProgram(c vfs.Ctx, node *vfs.Node, name string, argv []string) (*vfs.Node, []string, error) {
	for depth := 0; ; depth++ {
		if depth > loader.MaxInterpDepth {
			return nil, nil, linux.ELOOP
		}
		if depth > 0 {
			var err error
			if node, err = p.resolve(name); err != nil {
				return nil, nil, err
			}
		}
		if err := executable(c, node); err != nil {
			return nil, nil, err
		}
		head := make([]byte, loader.ScriptHeadSize) // BINPRM_BUF_SIZE
		k, _ := node.ReadAt(head, 0)
		if !loader.IsScript(head[:k]) {
			return node, argv, nil
		}
		interp, arg, err := loader.Shebang(head[:k])
		if err != nil {
			return nil, nil, linux.ENOEXEC
		}
		argv = loader.ScriptArgv(interp, arg, name, argv)
		name = interp
	}
}

// boolWord is an auxv flag's value.
func boolWord(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// executable is execve's permission check on a program or interpreter:
// a regular file (EACCES otherwise) the caller may execute.
func executable(c vfs.Ctx, node *vfs.Node) error {
	if !node.IsRegular() || node.Noexec() {
		return linux.EACCES // do_open_execat: path_noexec
	}
	return c.Permission(node, vfs.MayExec)
}

// resolve finds a program file from the process's working directory,
// through /proc's links as an open would (/proc/self/exe).
func (p *Process) resolve(file string) (*vfs.Node, error) {
	return lookupFrom(p, p.PID, fdcwd, file, true)
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

// exec replaces the calling thread's program with file, found from the
// working directory.
func (t *Thread) exec(file string, argv, envp []string) error {
	node, err := t.p.resolve(file)
	if err != nil {
		return err
	}
	return t.execNode(node, file, argv, envp)
}

// nullArgv is reported once, as Linux's pr_warn_once does.
var nullArgv sync.Once

// execNode replaces the calling thread's program with the one in node,
// called file (AT_EXECFN, the name in /proc), as do_execveat_common: an
// empty argv gets one empty string (Linux 6.1), and the point of no
// return is after the new image is built, so a failure before it leaves
// the caller intact.
func (t *Thread) execNode(node *vfs.Node, file string, argv, envp []string) error {
	p := t.p
	if len(argv) == 0 {
		nullArgv.Do(func() {
			fmt.Printf("sigil: process '%s' launched '%s' with NULL argv: empty string added\n", p.comm, file)
		})
		argv = []string{""}
	}
	node, argv, err := p.findProgram(t.FSContext(), node, file, argv)
	if err != nil {
		return err
	}
	a := node.Attr()
	newCred := t.cred.Load().Exec(a.Mode, a.UID, a.GID, t.noNewPrivs.Load() || node.Nosuid())
	img, err := load(node, file, argv, envp, p.spaceLimits(), newCred)
	if err != nil {
		return err
	}
	if err := t.deThread(); err != nil {
		img.as.release()
		return err
	}
	p.mu.Lock()
	old := p.as
	p.as = img.as
	p.exe = node
	p.comm = path.Base(file)
	p.deleteTimersLocked() // exec ends POSIX timers (exit_itimers)
	t.commitCred(newCred)
	// begin_new_exec: a program that gains privilege is not dumpable,
	// and loses its parent-death signal.
	if newCred.EUID != newCred.UID || newCred.EGID != newCred.GID {
		p.dumpable = 0
		t.pdeathsig.Store(0)
	} else {
		p.dumpable = 1
	}
	clearHandlers(&p.actions)
	vf := p.vforked
	p.vforked = nil
	files := p.files
	p.mu.Unlock()
	files.closeOnExec()
	if old != nil {
		old.release()
	}
	if vf != nil {
		close(vf)
	}
	t.clearTID = 0
	uc := &t.uc
	uc.Ctx.TF = irqFrame(img.entry, img.sp)
	uc.Ctx.ResetFP()
	uc.FSBase = 0
	uc.Root = img.as.Root()
	t.altstack = linux.SigAltStack{Flags: linux.SS_DISABLE}
	return errNoResult
}

// deThread makes t its process's only thread, as Linux's de_thread at
// exec's point of no return: the other threads are told to stop, t waits
// until they are gone, and takes the leader's ID, so that after exec
// gettid() is getpid(). It returns errStop when t must go instead:
// another thread's exec came first, or the process is being killed.
func (t *Thread) deThread() error {
	p := t.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.execing || p.exiting {
		return errStop
	}
	p.execing = true
	defer func() { p.execing = false }()
	for _, o := range p.threads {
		if o != t {
			o.stopped.Store(true)
			o.wakeLocked()
		}
	}
	p.stopEv.Notify() // threads parked by a group stop leave too
	for len(p.threads) > 1 {
		ev := p.threadEv.Wait()
		p.mu.Unlock()
		select {
		case <-ev:
		case <-p.dying:
		}
		p.mu.Lock()
		if p.exiting {
			return errStop
		}
	}
	if old := t.TID; old != p.PID {
		delete(p.threads, old)
		t.TID = p.PID
		t.uc.TID = t.TID // owner thread only: t is in the kernel
		p.threads[t.TID] = t
		freeID(old)
	}
	return nil
}

// newProgram makes the first process: PID 1 running file.
func StartInit(file string, argv, envp []string, console *vfs.Node) (*Process, error) {
	if err := startTask(); err != nil {
		return nil, err
	}
	p := newProcess(nil)
	p.pgid, p.sid, p.cwd, p.umask = p.PID, p.PID, Root.Root(), 0o022 // init_fs's umask
	p.dumpable = 1
	p.files = newFDTable()
	for fd := 0; fd < 3; fd++ {
		f, err := openNode(nil, console, linux.O_RDWR)
		if err != nil {
			return nil, err
		}
		p.files.install(f, fd, false, int(p.limits[linux.RLIMIT_NOFILE].Cur))
	}
	t := newThread(sched.UserContext{})
	t.commitCred(cred.Root())
	t.TID, t.p = p.PID, p
	p.threads[t.TID] = t
	p.publish()
	if err := t.exec(file, argv, envp); err != errNoResult {
		endTask()
		p.mu.Lock()
		p.threads = map[int32]*Thread{}
		p.mu.Unlock()
		p.exit(exitedStatus(127))
		return nil, err
	}
	// The console is init's controlling terminal, its group in front.
	if theConsole != nil {
		cttyMu.Lock()
		setControllingLocked(theConsole, p.PID, p.PID)
		cttyMu.Unlock()
	}
	t.start()
	return p, nil
}

func irqFrame(rip, rsp uint64) irq.TrapFrame {
	return irq.TrapFrame{RIP: rip, RSP: rsp, RFLAGS: arch.RFLAGS_IF | 2}
}
