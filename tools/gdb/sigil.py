# Sigil's GDB commands: the kernel's own objects (processes, signals,
# interrupts, trap frames, the kernel log, address spaces) read from a
# stopped machine, as Linux's scripts/gdb (lx-ps, lx-dmesg, ...).
#
# Everything is read through GDB from the kernel's memory, with the
# layouts GDB knows from the kernel's DWARF (Go types, globals such as
# 'sigil/task.procs', and constants such as 'sigil/mm/vm.Shared'); no
# kernel code is ever called, so the commands work wherever the machine
# stopped, an interrupt handler included. A structure that cannot be read
# (not yet set up, or memory the current page tables do not map) is a
# gdb.GdbError that says which.
#
# Loaded by tools/gdb/sigil.gdb (make gdb); Go's runtime-gdb.py gives
# the pretty printers for values printed with GDB's own `print`.

import struct

import gdb

# ---------------------------------------------------------------------------
# Reading Go values


def _err(what, e):
    return gdb.GdbError("sigil: cannot read %s: %s" % (what, e))


def glob(name):
    """The Go global 'sigil/pkg.name' as a gdb.Value."""
    try:
        return gdb.parse_and_eval("'%s'" % name)
    except gdb.error as e:
        raise _err(name, e)


def const(name, default=None):
    """A Go constant from DWARF ('sigil/pkg.Name'), or default."""
    try:
        return int(gdb.parse_and_eval("'%s'" % name))
    except gdb.error:
        if default is None:
            raise gdb.GdbError("sigil: constant %s is not in the kernel's DWARF" % name)
        return default


def gotype(name):
    try:
        return gdb.lookup_type(name)
    except gdb.error as e:
        raise _err("type " + name, e)


def mem(addr, n):
    """n bytes at addr, as bytes."""
    try:
        return bytes(gdb.selected_inferior().read_memory(int(addr), int(n)))
    except gdb.MemoryError as e:
        raise gdb.GdbError("sigil: cannot read %d bytes at %#x: %s" % (n, int(addr) & (2**64 - 1), e))


def gostring(v):
    """A Go string value's text."""
    n = int(v["len"])
    if n == 0:
        return ""
    if n < 0 or n > 1 << 20:
        raise gdb.GdbError("sigil: implausible string length %d" % n)
    return mem(v["str"], n).decode("utf-8", "replace")


def goslice(v):
    """A Go slice's elements as gdb.Values."""
    n = int(v["len"])
    if n == 0:
        return []
    if n < 0 or n > 1 << 20:
        raise gdb.GdbError("sigil: implausible slice length %d" % n)
    arr = v["array"]
    return [(arr + i).dereference() for i in range(n)]


def gomap(m):
    """(key, value) pairs of a Go map (internal/runtime/maps: Swiss
    tables), decoded from its DWARF types as runtime-gdb.py does, with
    each table of the directory visited once (several directory slots
    can share a table)."""
    if int(m) == 0:
        return []
    try:
        h = m.dereference()
        dirlen = int(h["dirLen"])
        dirptr = h["dirPtr"]
    except gdb.error as e:
        raise _err("map header at %#x" % int(m), e)
    if int(dirptr) == 0:
        return []
    table_t = dirptr.type.target().target()
    slots = const("internal/abi.MapGroupSlots", 8)
    out = []

    def group(g):
        ctrl = int(g["ctrl"])
        for i in range(slots):
            if (ctrl >> (8 * i)) & 0x80 == 0:  # full (empty and deleted have the top bit)
                s = g["slots"][i]
                out.append((s["key"], s["elem"]))

    try:
        if dirlen <= 0:
            gptr_t = None
            for f in table_t.fields():
                if f.name == "groups":
                    for gf in f.type.fields():
                        if gf.name == "data":
                            gptr_t = gf.type
            if gptr_t is None:
                raise gdb.GdbError("sigil: map type lacks table.groups.data")
            group(dirptr.cast(gptr_t).dereference())
            return out
        tables = dirptr.cast(table_t.pointer().array(dirlen - 1).pointer()).dereference()
        seen = set()
        for i in range(dirlen):
            tp = tables[i]
            if int(tp) in seen:
                continue
            seen.add(int(tp))
            t = tp.dereference()
            data = t["groups"]["data"]
            n = int(t["groups"]["lengthMask"]) + 1
            groups = data.cast(data.type.target().array(n - 1).pointer()).dereference()
            for j in range(n):
                group(groups[j])
    except gdb.MemoryError as e:
        raise _err("map at %#x" % int(m), e)
    return out


def field_offset(t, name):
    for f in t.strip_typedefs().fields():
        if f.name == name:
            return f.bitpos // 8
    raise gdb.GdbError("sigil: type %s has no field %s" % (t, name))


def atomic(v):
    """The value inside a sync/atomic type (its field v)."""
    return v["v"]


# ---------------------------------------------------------------------------
# Processes and threads (package task)


def processes():
    """Live and zombie processes, by PID: the map task.procs."""
    procs = glob("sigil/task.procs")
    out = []
    for k, v in gomap(procs):
        if int(v) != 0:
            out.append((int(k), v.dereference()))
    out.sort(key=lambda kv: kv[0])
    return [p for _, p in out]


def process(pid):
    for p in processes():
        if int(p["PID"]) == pid:
            return p
    raise gdb.GdbError("sigil: no process %d" % pid)


def threads(p):
    out = [(int(k), v.dereference()) for k, v in gomap(p["threads"]) if int(v) != 0]
    out.sort(key=lambda kv: kv[0])
    return [t for _, t in out]


def proc_state(p):
    if bool(p["zombie"]):
        return "Z"
    if bool(p["stopped"]):
        return "T"
    if bool(p["exiting"]):
        return "X"
    return "R"


def parse_pid(arg, cmd):
    a = gdb.string_to_argv(arg)
    if len(a) != 1:
        raise gdb.GdbError("usage: %s PID" % cmd)
    try:
        return int(gdb.parse_and_eval(a[0]))
    except gdb.error as e:
        raise gdb.GdbError("%s: bad PID %r: %s" % (cmd, a[0], e))


class SigilPs(gdb.Command):
    """List every process: sigil-ps

Prints, for each process in task's process table (live and zombie), its
PID, parent's PID, process group, session, state (R running or
runnable, T stopped, Z zombie, X exiting), thread count and command
(comm). Read from memory only: works wherever the machine stopped."""

    def __init__(self):
        super().__init__("sigil-ps", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        print("%6s %6s %6s %6s %-2s %4s %s" % ("PID", "PPID", "PGID", "SID", "S", "THR", "COMMAND"))
        for p in processes():
            parent = p["parent"]
            ppid = int(parent.dereference()["PID"]) if int(parent) != 0 else 0
            print("%6d %6d %6d %6d %-2s %4d %s" % (
                int(p["PID"]), ppid, int(p["pgid"]), int(p["sid"]), proc_state(p),
                len(threads(p)), gostring(p["comm"])))


def frame_of(t):
    """The saved user registers of thread t: its UserContext's TrapFrame."""
    return t["uc"]["Ctx"]["TF"]


def kthreads():
    """Package sched's thread table: (index, Thread) of those not Free,
    and {index: [CPU...]} for the threads running now (arch.CPU.Current)."""
    table = glob("sigil/sched.threads")
    n = table.type.strip_typedefs().range()[1] + 1
    free = const("sigil/sched.Free", 0)
    out = []
    for i in range(n):
        th = table[i]
        if int(th["State"]) != free:
            out.append((i, th))
    running = {}
    cpus = glob("sigil/arch.cpus")
    for c in online_cpus():
        running.setdefault(int(cpus[c]["Current"]), []).append(c)  # slot 0 is every idle CPU's
    return out, running


KSTATES = {"sigil/sched.Runnable": "runnable", "sigil/sched.Running": "running", "sigil/sched.Blocked": "blocked"}
KWAITS = ["WaitNone", "WaitFutex", "WaitSleep", "WaitPoll", "WaitFault"]


class SigilThreads(gdb.Command):
    """List kernel and user threads with their saved registers: sigil-threads

Kernel threads: package sched's thread table (the threads the kernel's Go
runtime runs on, and that carry user threads while in user mode): TID,
state (runnable, running, blocked), the CPU it runs on, ticks, the
saved RIP and RSP of one not running (its irq.Context) with the
function, and the user thread it carries in user mode.

User threads: every process's threads: TID, PID, the kernel thread that
carries it now (if in user mode), the saved user RIP, RSP and RAX (the
frame the thread last entered the kernel with, task.Thread.uc), the
vector of that entry and that TrapFrame's address, for sigil-frame
($sigil_tf(TID) gives it)."""

    def __init__(self):
        super().__init__("sigil-threads", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        states = {const(k, i + 1): v for i, (k, v) in enumerate(KSTATES.items())}
        kts, running = kthreads()
        carried = {}
        print("kernel threads (sched):")
        print("%4s %8s %-8s %4s %8s %-18s %-18s %s" % ("IDX", "TID", "STATE", "CPU", "TICKS", "RIP", "RSP", "FUNCTION / USER"))
        for i, th in kts:
            st = states.get(int(th["State"]), str(int(th["State"])))
            cpu = running.get(i)
            if cpu is not None:
                st = "running"
            tf = th["Ctx"]["TF"]
            rip, rsp = int(tf["RIP"]), int(tf["RSP"])
            what = ""
            if cpu is None:
                b = gdb.block_for_pc(rip) if rip else None
                if b is not None and b.function is not None:
                    what = b.function.name
            else:
                rip = rsp = 0  # live in the CPU's registers (info registers on that CPU)
            u = int(th["User"])
            if u:
                carried[u] = (int(th["TID"]), cpu[0] if cpu else None)
                what += " [user]"
            if st == "blocked":
                w = int(th["Wait"])
                waits = {const("sigil/sched." + n, -1): n[4:].lower() for n in KWAITS}
                what += " (wait %s)" % waits.get(w, w)
            comm = mem(th["Comm"].address, 16).split(b"\0")[0].decode("utf-8", "replace")
            if i == const("sigil/sched.idleSlot", 0):
                comm = comm or "(idle)"
            print("%4d %8d %-8s %4s %8d %#018x %#018x %s%s" % (
                i, int(th["TID"]), st, "-" if cpu is None else ",".join(map(str, cpu)), int(th["Ticks"]), rip, rsp,
                comm + " " if comm else "", what.strip()))
        print("user threads (task):")
        print("%6s %6s %-12s %-18s %-18s %-18s %-4s %-18s %s" % ("TID", "PID", "ON", "RIP", "RSP", "RAX", "VEC", "FRAME", "COMMAND"))
        for p in processes():
            for t in threads(p):
                tf = frame_of(t)
                on = "-"
                c = carried.get(int(t["uc"].address))
                if c is not None:
                    on = "k%d" % c[0] + ("/cpu%d" % c[1] if c[1] is not None else "")
                print("%6d %6d %-12s %#018x %#018x %#018x %-4d %#018x %s" % (
                    int(t["TID"]), int(p["PID"]), on, int(tf["RIP"]), int(tf["RSP"]), int(tf["RAX"]),
                    int(tf["Vector"]), int(tf.address), gostring(p["comm"])))


class SigilTF(gdb.Function):
    """$sigil_tf(TID): the address of user thread TID's saved TrapFrame."""

    def __init__(self):
        super().__init__("sigil_tf")

    def invoke(self, tid):
        tid = int(tid)
        for p in processes():
            for t in threads(p):
                if int(t["TID"]) == tid:
                    return frame_of(t).address
        raise gdb.GdbError("sigil: no thread %d" % tid)


# ---------------------------------------------------------------------------
# Backtraces of threads that are not running


def user_read(root, va, n):
    """n bytes at user address va in the address space whose PML4 is at
    physical root, through the page tables and the kernel's direct map
    (mm.directBase), or None where a page is not present."""
    base = int(glob("sigil/mm.directBase"))
    addr_mask = 0x000ffffffffff000
    out = b""
    while n > 0:
        table, phys = root, None
        for shift in (39, 30, 21, 12):
            e, = struct.unpack("<Q", mem(base + (table & addr_mask) + ((va >> shift) & 511) * 8, 8))
            if not e & 1:
                return None
            if shift in (30, 21) and e & 0x80:  # a 1 GiB or 2 MiB page
                phys = (e & addr_mask & ~((1 << shift) - 1)) | (va & ((1 << shift) - 1))
                break
            table = e
        if phys is None:
            phys = (table & addr_mask) | (va & 0xfff)
        k = min(n, 4096 - (va & 0xfff))
        out += mem(base + phys, k)
        va, n = va + k, n - k
    return out


def where(pc, ret):
    """pc's function and source line, for a frame; ret: pc is a return
    address (the call is the instruction before it)."""
    b = gdb.block_for_pc(pc)
    fn = b.function.name if b is not None and b.function is not None else None
    if fn is None:
        return None
    sal = gdb.find_pc_line(pc - 1 if ret else pc)
    if sal.symtab is not None:
        return "%s (%s:%d)" % (fn, sal.symtab.filename, sal.line)
    return fn


def walk(rip, rsp, rbp, read, kernel, limit=32):
    """Frames from a saved RIP, RSP and RBP: RIP, then the return
    address at [RSP] when it is code and the RBP chain would skip it (a
    frameless assembly function, such as the runtime's system-call
    stubs), then the RBP chain ([RBP] the caller's RBP, [RBP+8] the
    return address: Go keeps frame pointers on amd64). read(addr, n)
    gives memory or None."""
    frames = [(rip, False, "")]
    chain = []
    while rbp and rbp >= rsp and len(chain) < limit:  # a frame pointer lies above the stack pointer
        b = read(rbp, 16)
        if b is None:
            break
        nbp, ret = struct.unpack("<QQ", b)
        if ret == 0:
            break
        chain.append(ret)
        if nbp <= rbp:
            break
        rbp = nbp
    top = read(rsp, 8) if rsp else None
    if top is not None and kernel:
        ret, = struct.unpack("<Q", top)
        if where(ret, True) is not None and (not chain or chain[0] != ret) and \
                where(ret, True) != where(rip, False):
            frames.append((ret, True, " [from rsp]"))
    frames += [(r, True, "") for r in chain]
    return frames


def symbol(pc):
    """pc as 'symbol + offset' from the ELF symbols, for code DWARF has
    no function for; None for none."""
    try:
        s = gdb.execute("info symbol %#x" % pc, to_string=True).strip()
    except gdb.error:
        return None
    return None if s.startswith("No symbol") else s.split(" in section")[0]


def print_frames(frames, kernel):
    for i, (pc, ret, note) in enumerate(frames):
        w = (where(pc, ret) or symbol(pc)) if kernel else None
        print("#%-2d %#018x %s%s" % (i, pc, ("in " + w) if w else ("(user)" if not kernel else "??"), note))


class SigilBt(gdb.Command):
    """Backtrace of a thread that is not running: sigil-bt TID

A kernel thread (package sched's table, TIDs from 4194304; sigil-threads
lists them): from the registers its slot saved when it last left the
CPU, its functions by symbol with their source lines, following Go's
frame pointers (a frameless assembly function's caller is found at
[RSP], marked [from rsp]). A user thread (a process's, TID as getpid
and gettid give it): the user RIP, RSP and RBP it last entered the
kernel with, then the RBP chain read through the process's page tables,
by address (a user program built without frame pointers shows only its
first frames); and where the thread is now (in user mode on a kernel
thread, or in the kernel, served by its goroutine). A running kernel
thread's frames are its CPU's: use bt there."""

    def __init__(self):
        super().__init__("sigil-bt", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        tid = parse_pid(arg, "sigil-bt")
        kts, running = kthreads()
        for i, th in kts:
            if int(th["TID"]) != tid or i == const("sigil/sched.idleSlot", 0):
                continue
            if i in running:
                raise gdb.GdbError("sigil: kernel thread %d is running on CPU %s: its frames are that CPU's (bt)" %
                                   (tid, ",".join(map(str, running[i]))))
            tf = th["Ctx"]["TF"]
            print("kernel thread %d (slot %d), saved frame at %#x:" % (tid, i, int(tf.address)))

            def kread(a, n):
                try:
                    return mem(a, n)
                except gdb.GdbError:
                    return None
            print_frames(walk(int(tf["RIP"]), int(tf["RSP"]), int(tf["RBP"]), kread, True), True)
            return
        carried = {int(th["User"]): int(th["TID"]) for i, th in kts if int(th["User"])}
        for p in processes():
            for t in threads(p):
                if int(t["TID"]) != tid:
                    continue
                tf = frame_of(t)
                root = int(t["uc"]["Root"])
                k = carried.get(int(t["uc"].address))
                now = ("in user mode, on kernel thread %d" % k) if k is not None else \
                    "in the kernel: its goroutine serves it (info goroutines)"
                print("user thread %d (pid %d, %s), %s; saved user frame at %#x (vector %d):" % (
                    tid, int(p["PID"]), gostring(p["comm"]), now, int(tf.address), int(tf["Vector"])))
                print_frames(walk(int(tf["RIP"]), int(tf["RSP"]), int(tf["RBP"]),
                                  lambda a, n: user_read(root, a, n), False), False)
                return
        raise gdb.GdbError("sigil: no thread %d" % tid)


# ---------------------------------------------------------------------------
# Signals (package signal's Queue, task's sigState and actions)

SIGNAMES = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
            8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
            14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP",
            20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
            26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS"}

SA_FLAGS = [(0x1, "SA_NOCLDSTOP"), (0x2, "SA_NOCLDWAIT"), (0x4, "SA_SIGINFO"), (0x04000000, "SA_RESTORER"),
            (0x08000000, "SA_ONSTACK"), (0x10000000, "SA_RESTART"), (0x40000000, "SA_NODEFER"),
            (0x80000000, "SA_RESETHAND")]


def signame(sig):
    rtmin = const("sigil/linux.SIGRTMIN", 32)
    if sig in SIGNAMES:
        return SIGNAMES[sig]
    if sig >= rtmin:
        return "SIGRTMIN+%d" % (sig - rtmin)
    return "SIG%d" % sig


def sigset(s):
    s = int(s) & (2**64 - 1)
    names = [signame(i + 1) for i in range(64) if s >> i & 1]
    return "%016x %s" % (s, " ".join(names))


def flagstr(f):
    names = [n for b, n in SA_FLAGS if f & b]
    rest = f & ~sum(b for b, _ in SA_FLAGS)
    if rest:
        names.append("%#x" % rest)
    return "|".join(names) or "0"


def siginfo(info):
    """signo, code, pid, value of a linux.SignalInfo (siginfo_t: si_pid
    and si_value at the ABI's offsets, linux.SiginfoPidOffset...)."""
    raw = mem(info.address, info.type.sizeof)
    pid_off = const("sigil/linux.SiginfoPidOffset", 16)
    uid_off = const("sigil/linux.SiginfoUidOffset", 20)
    val_off = const("sigil/linux.SiginfoValueOffset", 24)
    pid, = struct.unpack_from("<i", raw, pid_off)
    uid, = struct.unpack_from("<I", raw, uid_off)
    val, = struct.unpack_from("<q", raw, val_off)
    return "signo %d (%s) code %d pid %d uid %d value %d (%#x)" % (
        int(info["Signo"]), signame(int(info["Signo"])), int(info["Code"]), pid, uid, val, val & (2**64 - 1))


def queued_rt(q):
    """The real-time entries of a signal.Queue, oldest first: refs
    (index + 1) into the kernel-wide pool's chunks (signal/pool.go),
    linked through each chunk's link array."""
    pool = gdb.parse_and_eval("'sigil/signal.pool'")
    out, r = [], int(q["head"])
    while r != 0 and len(out) < 100000:
        i = r - 1
        first = pool["chunks"][0].dereference()
        per = first["info"].type.range()[1] + 1  # chunkLen, from the type
        chunk = pool["chunks"][i // per].dereference()
        out.append(chunk["info"][i % per])
        r = int(chunk["link"][i % per])
    return out


def print_queue(title, q):
    std = int(q["std"]) & (2**64 - 1)
    rt = queued_rt(q)
    pend = std
    for i in rt:
        pend |= 1 << (int(i["Signo"]) - 1)
    print("  %s pending: %s" % (title, sigset(pend)))
    for sig in range(1, 65):
        if std >> (sig - 1) & 1:
            if sig <= 32:
                print("    std   %s" % siginfo(q["stdInfo"][sig]))  # indexed by signal number (Queue.Add)
            else:
                print("    std   signo %d (%s)" % (sig, signame(sig)))
    for n, i in enumerate(rt):
        print("    rt[%d] %s" % (n, siginfo(i)))


class SigilSignals(gdb.Command):
    """Show a process's signal state: sigil-signals PID

Per thread: the pending signals (bitmap, then the siginfo of each:
signo, code, sender's PID, value; real-time signals each queued entry),
the blocked mask and the alternate stack. Shared (process-directed):
pending and queued the same way. From the actions: the ignored and
caught masks and each handler's address, flags, restorer and mask."""

    def __init__(self):
        super().__init__("sigil-signals", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        p = process(parse_pid(arg, "sigil-signals"))
        print("process %d (%s)" % (int(p["PID"]), gostring(p["comm"])))
        for t in threads(p):
            s = t["sig"]
            print("thread %d" % int(t["TID"]))
            print_queue("thread", s["pending"])
            print("  blocked: %s" % sigset(s["mask"]))
            a = t["altstack"]
            print("  altstack: sp %#x size %d flags %#x" % (int(a["SP"]), int(a["Size"]), int(a["Flags"])))
        print("shared")
        print_queue("shared", p["shared"])
        acts = p["actions"]
        n = acts.type.strip_typedefs().range()[1] + 1
        dfl, ign = const("sigil/linux.SIG_DFL", 0), const("sigil/linux.SIG_IGN", 1)
        ignored = caught = 0
        lines = []
        for sig in range(1, n):
            a = acts[sig]
            h = int(a["Handler"])
            if h == dfl:
                continue
            if h == ign:
                ignored |= 1 << (sig - 1)
                continue
            caught |= 1 << (sig - 1)
            lines.append("  %-12s handler %#x flags %s restorer %#x mask %#x" % (
                signame(sig), h, flagstr(int(a["Flags"])), int(a["Restorer"]), int(a["Mask"])))
        print("ignored: %s" % sigset(ignored))
        print("caught:  %s" % sigset(caught))
        print("handlers:")
        for l in lines:
            print(l)


# ---------------------------------------------------------------------------
# Interrupts (package irq's statistics, package intr's lines)


def vector_name(v):
    if v < 32:
        return gostring(glob("sigil/irq.exceptionNames")[v])
    if v == const("sigil/irq.SyscallVector", 256):
        return "syscall"
    n = gostring(glob("sigil/irq.names")[v])
    return n or "interrupt"


def online_cpus():
    cpus = glob("sigil/arch.cpus")
    n = cpus.type.strip_typedefs().range()[1] + 1
    out = []
    for i in range(n):
        try:
            if int(cpus[i]["online"]) != 0:
                out.append(i)
        except gdb.error:
            pass
    return out or [0]


class SigilIrqs(gdb.Command):
    """Show interrupt statistics: sigil-irqs

Per vector that fired: its name, the count on each online CPU, the
total, and min/mean/max cycles in its handler (package irq's per-CPU
Stat table). Then the spurious counters (8259 IRQ 7 and 15, local APIC)
per CPU, and the controller in use with each routed ISA line (package
intr: IRQ, vector, chip, handler, count, interrupts no handler claimed,
device, and DISABLED (storm) for a line masked as a storm, as Linux's
note_interrupt disables one), then how many lines were disabled."""

    def __init__(self):
        super().__init__("sigil-irqs", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        stats = glob("sigil/irq.stats")
        stat_t = gotype("sigil/irq.Stat")
        nvec = const("sigil/irq.NumVectors")
        fo = {f: field_offset(stat_t, f) for f in ("Count", "Cycles", "Min", "Max")}
        cpus = online_cpus()
        rows = {}
        for c in cpus:  # one read per CPU: the row is NumVectors Stats
            row = stats[c]
            raw = mem(row.address, stat_t.sizeof * nvec)
            rows[c] = [{f: struct.unpack_from("<Q", raw, v * stat_t.sizeof + o)[0] for f, o in fo.items()}
                       for v in range(nvec)]
        hdr = "%6s %-20s" % ("vector", "name") + "".join("%11s" % ("CPU%d" % c) for c in cpus)
        print(hdr + "%11s %10s %10s %10s" % ("total", "min-cyc", "mean-cyc", "max-cyc"))
        for v in range(nvec):
            per = [rows[c][v] for c in cpus]
            total = sum(s["Count"] for s in per)
            if total == 0:
                continue
            cyc = sum(s["Cycles"] for s in per)
            mn = min(s["Min"] for s in per if s["Count"])
            mx = max(s["Max"] for s in per)
            print("%#6x %-20s" % (v, vector_name(v)[:20]) + "".join("%11d" % s["Count"] for s in per) +
                  "%11d %10d %10d %10d" % (total, mn, cyc // total, mx))
        sp = glob("sigil/irq.spurious")
        kinds = [("pic-irq7", const("sigil/irq.SpuriousPIC7", 0)), ("pic-irq15", const("sigil/irq.SpuriousPIC15", 1)),
                 ("lapic", const("sigil/irq.SpuriousLAPIC", 2))]
        print("spurious:" + "".join(" %s %s" % (n, "/".join(str(int(sp[c][k])) for c in cpus)) for n, k in kinds) +
              " (per CPU)")
        mode = int(glob("sigil/intr.mode"))
        apic = mode == const("sigil/intr.APIC", 1)
        timer = ["periodic", "one-shot", "tsc-deadline"]
        tm = int(glob("sigil/tick.mode"))
        print("controller: %s, timer %s at %d Hz" % ("apic" if apic else "pic",
              timer[tm] if tm < len(timer) else tm, int(glob("sigil/intr.tickHz"))))
        handlers = glob("sigil/intr.handlers")
        names = glob("sigil/trace.irqNames")
        base = const("sigil/intr.VecISA", 0x30) if apic else const("sigil/intr.VecPIC", 0x20)
        chip = "IO-APIC" if apic else "XT-PIC"
        lines = glob("sigil/intr.lines")
        print("%4s %6s %-8s %-24s %11s %9s %s" % ("IRQ", "vector", "chip", "handler", "count", "unhandled", "device"))
        for n in range(16):
            # GDB types a Go func as a C function (size 1): a func value is
            # a pointer (to its closure, whose first word is the code).
            fv, = struct.unpack("<Q", mem(int(handlers.address) + 8 * n, 8))
            if fv == 0:
                continue
            vec = base + n
            cnt = sum(rows[c][vec]["Count"] for c in cpus)
            fn, = struct.unpack("<Q", mem(fv, 8))
            sym = gdb.block_for_pc(fn)
            fname = sym.function.name if sym is not None and sym.function is not None else "%#x" % fn
            ln = lines[n]
            state = "  DISABLED (storm)" if int(ln["disabled"]) else ""
            print("%4d %#6x %-8s %-24s %11d %9d %s%s" % (n, vec, chip, fname.split("/")[-1][:24], cnt,
                  int(ln["spurious"]["Total"]), gostring(names[n]), state))
        print("storms: %d line(s) disabled%s" % (int(glob("sigil/intr.storms")),
              " (storm detection off: noirqdebug)" if int(glob("sigil/intr.noDebug")) else ""))


# ---------------------------------------------------------------------------
# Trap frames


PF_BITS = [("sigil/irq.PFPresent", "P", 1), ("sigil/irq.PFWrite", "W", 2), ("sigil/irq.PFUser", "U", 4),
           ("sigil/irq.PFReserved", "R", 8), ("sigil/irq.PFFetch", "I", 16), ("sigil/irq.PFPK", "PK", 32),
           ("sigil/irq.PFSS", "SS", 64)]


def decode_error(vec, err):
    if vec == 14:
        on = []
        for c, n, d in PF_BITS:
            if err & const(c, d):
                on.append(n)
        why = "protection violation" if err & 1 else "not present"
        how = "write" if err & 2 else ("fetch" if err & 16 else "read")
        who = "user" if err & 4 else "supervisor"
        return "%#x [%s] (%s %s, %s)" % (err, " ".join(on) or "-", who, how, why)
    if vec in (10, 11, 12, 13, 17) and err:
        tbl = ["GDT", "IDT", "LDT", "IDT"][(err >> 1) & 3]
        return "%#x (%sselector %#x in %s)" % (err, "external, " if err & 1 else "", err >> 3, tbl)
    return "%#x" % err


class SigilFrame(gdb.Command):
    """Decode a saved trap frame: sigil-frame [-c] ADDR

ADDR (any GDB expression) is the address of an irq.TrapFrame, or with
-c of an irq.Context (FP state, then the TrapFrame). Prints the vector
and its name, the error code decoded (for #PF the P/W/U/R/I bits), the
registers, and the CPL from CS. $sigil_tf(TID) is a user thread's frame."""

    def __init__(self):
        super().__init__("sigil-frame", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        a = gdb.string_to_argv(arg)
        ctx = False
        if a and a[0] == "-c":
            ctx, a = True, a[1:]
        if not a:
            raise gdb.GdbError("usage: sigil-frame [-c] ADDR")
        addr = int(gdb.parse_and_eval(" ".join(a))) & (2**64 - 1)
        if ctx:
            addr += field_offset(gotype("sigil/irq.Context"), "TF")
        tf_t = gotype("sigil/irq.TrapFrame")
        mem(addr, tf_t.sizeof)  # readable, or a clear error
        tf = gdb.Value(addr).cast(tf_t.pointer()).dereference()
        r = {f.name: int(tf[f.name]) & (2**64 - 1) for f in tf_t.fields()}
        vec, err = r["Vector"], r["ErrorCode"]
        print("TrapFrame at %#x" % addr)
        name = vector_name(vec) if vec < const("sigil/irq.NumVectors", 257) else "?"
        print("vector %d (%#x) %s  error %s" % (vec, vec, name, decode_error(vec, err)))
        cpl = r["CS"] & 3
        print("CPL %d (%s)  cs %#x ss %#x rflags %#x" % (cpl, "user" if cpl == 3 else "kernel", r["CS"], r["SS"], r["RFLAGS"]))
        rip = r["RIP"]
        where = ""
        if cpl == 0:
            b = gdb.block_for_pc(rip) if rip else None
            if b is not None and b.function is not None:
                where = " <%s>" % b.function.name
        print("rip %#018x%s  rsp %#018x" % (rip, where, r["RSP"]))
        regs = ["RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"]
        for i in range(0, len(regs), 3):
            print("  ".join("%-3s %#018x" % (n.lower(), r[n]) for n in regs[i:i + 3]))
        if vec == 14 and cpl == 0:
            print("(cr2 is not saved in the frame; `p $cr2` if this is the live fault)")


# ---------------------------------------------------------------------------
# The kernel log (package klog's ring)


class SigilDmesg(gdb.Command):
    """Print the kernel log: sigil-dmesg [-r]

The records in package klog's ring (klog.log over klog.logBuf), oldest
first, as dmesg prints them: "[seconds.micros] text"; with -r the raw
"<PRI>" prefix too, as dmesg -r."""

    def __init__(self):
        super().__init__("sigil-dmesg", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        raw = "-r" in gdb.string_to_argv(arg)
        r = glob("sigil/klog.log")
        base, size = int(r["base"]), int(r["size"])
        first, fseq, nseq = int(r["first"]), int(r["firstSeq"]), int(r["nextSeq"])
        if base == 0 or size == 0:
            raise gdb.GdbError("sigil: the kernel log is not set up yet (klog.log has no buffer)")
        try:
            h_t = gdb.lookup_type("sigil/klog.header")
            hsz = h_t.sizeof
            o = {f: field_offset(h_t, f) for f in ("seq", "ts", "textLen", "facility", "level")}
        except gdb.error:
            # The linker keeps no DWARF type for klog.header (only inlined
            # code uses it): its layout as ring.go declares it, checked
            # against the constant hdrSize, which the DWARF does keep.
            hsz = 24
            o = {"seq": 0, "ts": 8, "textLen": 16, "facility": 18, "level": 19}
            if const("sigil/klog.hdrSize", hsz) != hsz:
                raise gdb.GdbError("sigil: klog.header changed (hdrSize %d): update sigil-dmesg" % const("sigil/klog.hdrSize"))
        wrap = const("sigil/klog.textWrap", 0xFFFF)
        align = const("sigil/klog.align", 8)
        buf = mem(base, size)
        off = first
        for seq in range(fseq, nseq):
            if size - off < hsz or struct.unpack_from("<H", buf, off + o["textLen"])[0] == wrap:
                off = 0
            s, = struct.unpack_from("<Q", buf, off + o["seq"])
            ts, = struct.unpack_from("<Q", buf, off + o["ts"])
            n, = struct.unpack_from("<H", buf, off + o["textLen"])
            fac, lvl = buf[off + o["facility"]], buf[off + o["level"]]
            if s != seq or off + hsz + n > size:
                raise gdb.GdbError("sigil: klog ring: record %d at offset %d reads as %d (ring changing?)" % (seq, off, s))
            text = buf[off + hsz:off + hsz + n].decode("utf-8", "replace")
            pre = "<%d>" % (fac << 3 | lvl) if raw else ""
            print("%s[%5d.%06d] %s" % (pre, ts // 1000000, ts % 1000000, text))
            off += (hsz + n + align - 1) & ~(align - 1)


# ---------------------------------------------------------------------------
# Address spaces (mm/vm's area tree)


def areas(root):
    out, stack, a = [], [], root
    while stack or int(a) != 0:  # in order: by address
        while int(a) != 0:
            stack.append(a)
            a = a.dereference()["left"]
        a = stack.pop()
        out.append(a.dereference())
        if len(out) > 1 << 16:
            raise gdb.GdbError("sigil: area tree too large (corrupt?)")
        a = a.dereference()["right"]
    return out


class SigilMaps(gdb.Command):
    """Show a process's memory areas: sigil-maps PID

The areas of the process's address space (mm/vm's area tree, in address
order) as /proc/PID/maps prints them: start-end, permissions (s for
shared), offset, device, inode, name ([heap], [stack] or the file), then
the area's other flags (growsdown, locked, account, ...)."""

    def __init__(self):
        super().__init__("sigil-maps", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        p = process(parse_pid(arg, "sigil-maps"))
        asp = p["as"]
        if int(asp) == 0:
            raise gdb.GdbError("sigil: process %d has no address space" % int(p["PID"]))
        sp = asp.dereference()["Space"]
        if int(sp) == 0:
            raise gdb.GdbError("sigil: process %d's address space is released" % int(p["PID"]))
        s = sp.dereference()
        V = "sigil/mm/vm."
        rd, wr, ex = const(V + "Read", 1), const(V + "Write", 2), const(V + "Exec", 4)
        shared, sro, reserved = const(V + "Shared"), const(V + "sharedReadOnly"), const(V + "reserved")
        extra = [(const(V + n), n.lower()) for n in ("GrowsDown", "Locked", "Account", "NoReserve", "DontFork", "WipeOnFork")]
        brk, brk0, stack = int(s["brk"]), int(s["brkStart"]), int(s["stack"])
        for a in areas(s["areas"]["root"]):
            st, en, prot, fl = int(a["Start"]), int(a["End"]), int(a["Prot"]), int(a["Flags"])
            if fl & reserved:
                continue
            perm = ("r" if prot & rd else "-") + ("w" if prot & wr else "-") + ("x" if prot & ex else "-") + \
                   ("s" if fl & (shared | sro) else "p")
            off = dev = ino = 0
            name = ""
            obj = a["Obj"]
            if int(obj) != 0:
                o = obj.dereference()
                off, dev, ino, name = int(a["Off"]), int(o["Dev"]), int(o["Ino"]), gostring(o["Name"])
            elif st <= brk and en >= brk0:
                name = "[heap]"
            elif st <= stack <= en:
                name = "[stack]"
            line = "%08x-%08x %s %08x %02x:%02x %d " % (st, en, perm, off, dev >> 8, dev & 0xff, ino)
            if name:
                line = "%-72s %s" % (line, name)
            fls = [n for b, n in extra if fl & b]
            if fls:
                line += "  (%s)" % ",".join(fls)
            print(line)


SigilPs()
SigilThreads()
SigilTF()
SigilBt()
SigilSignals()
SigilIrqs()
SigilFrame()
SigilDmesg()
SigilMaps()
