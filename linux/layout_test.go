package linux

import (
	"reflect"
	"testing"
	"unsafe"
)

// Expected sizes and offsets are the x86-64 Linux values (checked against
// the kernel UAPI headers with a C compiler).

type layoutCase struct {
	name      string
	got, want uintptr
}

func checkLayout(t *testing.T, cases []layoutCase) {
	t.Helper()
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestSignalLayouts(t *testing.T) {
	var sa SigAction
	var ss SigAltStack
	var si SignalInfo
	var ss0 SigSet
	checkLayout(t, []layoutCase{
		{"Sizeof(SigAction)", unsafe.Sizeof(sa), 32},
		{"Offsetof(SigAction.Handler)", unsafe.Offsetof(sa.Handler), 0},
		{"Offsetof(SigAction.Flags)", unsafe.Offsetof(sa.Flags), 8},
		{"Offsetof(SigAction.Restorer)", unsafe.Offsetof(sa.Restorer), 16},
		{"Offsetof(SigAction.Mask)", unsafe.Offsetof(sa.Mask), 24},
		{"Sizeof(SigAltStack)", unsafe.Sizeof(ss), 24},
		{"Offsetof(SigAltStack.Flags)", unsafe.Offsetof(ss.Flags), 8},
		{"Offsetof(SigAltStack.Size)", unsafe.Offsetof(ss.Size), 16},
		{"Sizeof(SigSet)", unsafe.Sizeof(ss0), 8},
		{"Sizeof(SignalInfo)", unsafe.Sizeof(si), 128},
		{"Offsetof(SignalInfo.Code)", unsafe.Offsetof(si.Code), 8},
		{"Offsetof(SignalInfo.Fields)", unsafe.Offsetof(si.Fields), 16},
	})
}

func TestSigframeLayouts(t *testing.T) {
	var sc SigContext
	var uc UContext
	var fp FPState
	var sw FPXSWBytes
	checkLayout(t, []layoutCase{
		{"Sizeof(SigContext)", unsafe.Sizeof(sc), 256},
		{"Offsetof(SigContext.Rip)", unsafe.Offsetof(sc.Rip), 128},
		{"Offsetof(SigContext.Cs)", unsafe.Offsetof(sc.Cs), 144},
		{"Offsetof(SigContext.Ss)", unsafe.Offsetof(sc.Ss), 150},
		{"Offsetof(SigContext.Err)", unsafe.Offsetof(sc.Err), 152},
		{"Offsetof(SigContext.Cr2)", unsafe.Offsetof(sc.Cr2), 176},
		{"Offsetof(SigContext.FPState)", unsafe.Offsetof(sc.FPState), 184},
		{"Sizeof(UContext)", unsafe.Sizeof(uc), 304},
		{"Offsetof(UContext.Stack)", unsafe.Offsetof(uc.Stack), 16},
		{"Offsetof(UContext.MContext)", unsafe.Offsetof(uc.MContext), 40},
		{"Offsetof(UContext.Sigmask)", unsafe.Offsetof(uc.Sigmask), 296},
		{"Sizeof(FPState)", unsafe.Sizeof(fp), 512},
		{"Offsetof(FPState.Mxcsr)", unsafe.Offsetof(fp.Mxcsr), 24},
		{"Offsetof(FPState.StSpace)", unsafe.Offsetof(fp.StSpace), 32},
		{"Offsetof(FPState.XmmSpace)", unsafe.Offsetof(fp.XmmSpace), 160},
		{"Offsetof(FPState.SWReserved)", unsafe.Offsetof(fp.SWReserved), 464},
		{"Sizeof(FPXSWBytes)", unsafe.Sizeof(sw), 48},
		{"Offsetof(FPXSWBytes.Xfeatures)", unsafe.Offsetof(sw.Xfeatures), 8},
		{"Offsetof(FPXSWBytes.XstateSize)", unsafe.Offsetof(sw.XstateSize), 16},
	})
}

func TestTypeLayouts(t *testing.T) {
	var ts Timespec
	var tv Timeval
	var itv Itimerval
	var its Itimerspec
	var rl Rlimit
	var ru Rusage
	var tms Tms
	var u Utsname
	var iov Iovec
	var aux AuxEntry
	checkLayout(t, []layoutCase{
		{"Sizeof(Timespec)", unsafe.Sizeof(ts), 16},
		{"Offsetof(Timespec.Nsec)", unsafe.Offsetof(ts.Nsec), 8},
		{"Sizeof(Timeval)", unsafe.Sizeof(tv), 16},
		{"Offsetof(Timeval.Usec)", unsafe.Offsetof(tv.Usec), 8},
		{"Sizeof(Itimerval)", unsafe.Sizeof(itv), 32},
		{"Offsetof(Itimerval.Value)", unsafe.Offsetof(itv.Value), 16},
		{"Sizeof(Itimerspec)", unsafe.Sizeof(its), 32},
		{"Offsetof(Itimerspec.Value)", unsafe.Offsetof(its.Value), 16},
		{"Sizeof(Rlimit)", unsafe.Sizeof(rl), 16},
		{"Offsetof(Rlimit.Max)", unsafe.Offsetof(rl.Max), 8},
		{"Sizeof(Rusage)", unsafe.Sizeof(ru), 144},
		{"Offsetof(Rusage.Maxrss)", unsafe.Offsetof(ru.Maxrss), 32},
		{"Offsetof(Rusage.Nivcsw)", unsafe.Offsetof(ru.Nivcsw), 136},
		{"Sizeof(Tms)", unsafe.Sizeof(tms), 32},
		{"Sizeof(Utsname)", unsafe.Sizeof(u), 390},
		{"Offsetof(Utsname.Machine)", unsafe.Offsetof(u.Machine), 260},
		{"Offsetof(Utsname.Domainname)", unsafe.Offsetof(u.Domainname), 325},
		{"Sizeof(Iovec)", unsafe.Sizeof(iov), 16},
		{"Sizeof(AuxEntry)", unsafe.Sizeof(aux), 16},
	})
}

func TestFileLayouts(t *testing.T) {
	var st Stat
	var sx Statx
	var sxt StatxTimestamp
	var fl Flock
	var sf Statfs
	checkLayout(t, []layoutCase{
		{"Sizeof(Statfs)", unsafe.Sizeof(sf), 120},
		{"Offsetof(Statfs.Fsid)", unsafe.Offsetof(sf.Fsid), 56},
		{"Offsetof(Statfs.Namelen)", unsafe.Offsetof(sf.Namelen), 64},
		{"Offsetof(Statfs.Flags)", unsafe.Offsetof(sf.Flags), 80},
		{"Sizeof(Stat)", unsafe.Sizeof(st), 144},
		{"Offsetof(Stat.Ino)", unsafe.Offsetof(st.Ino), 8},
		{"Offsetof(Stat.Nlink)", unsafe.Offsetof(st.Nlink), 16},
		{"Offsetof(Stat.Mode)", unsafe.Offsetof(st.Mode), 24},
		{"Offsetof(Stat.Uid)", unsafe.Offsetof(st.Uid), 28},
		{"Offsetof(Stat.Gid)", unsafe.Offsetof(st.Gid), 32},
		{"Offsetof(Stat.Rdev)", unsafe.Offsetof(st.Rdev), 40},
		{"Offsetof(Stat.Size)", unsafe.Offsetof(st.Size), 48},
		{"Offsetof(Stat.Blksize)", unsafe.Offsetof(st.Blksize), 56},
		{"Offsetof(Stat.Blocks)", unsafe.Offsetof(st.Blocks), 64},
		{"Offsetof(Stat.Atime)", unsafe.Offsetof(st.Atime), 72},
		{"Offsetof(Stat.Mtime)", unsafe.Offsetof(st.Mtime), 88},
		{"Offsetof(Stat.Ctime)", unsafe.Offsetof(st.Ctime), 104},
		{"Sizeof(StatxTimestamp)", unsafe.Sizeof(sxt), 16},
		{"Sizeof(Statx)", unsafe.Sizeof(sx), 256},
		{"Offsetof(Statx.Mode)", unsafe.Offsetof(sx.Mode), 28},
		{"Offsetof(Statx.Ino)", unsafe.Offsetof(sx.Ino), 32},
		{"Offsetof(Statx.Atime)", unsafe.Offsetof(sx.Atime), 64},
		{"Offsetof(Statx.Mtime)", unsafe.Offsetof(sx.Mtime), 112},
		{"Offsetof(Statx.RdevMajor)", unsafe.Offsetof(sx.RdevMajor), 128},
		{"Offsetof(Statx.MntID)", unsafe.Offsetof(sx.MntID), 144},
		{"Offsetof(Statx.DioMemAlign)", unsafe.Offsetof(sx.DioMemAlign), 152},
		{"Sizeof(Flock)", unsafe.Sizeof(fl), 32},
		{"Offsetof(Flock.Start)", unsafe.Offsetof(fl.Start), 8},
		{"Offsetof(Flock.Len)", unsafe.Offsetof(fl.Len), 16},
		{"Offsetof(Flock.Pid)", unsafe.Offsetof(fl.Pid), 24},
	})
}

func TestMiscLayouts(t *testing.T) {
	var ev EpollEvent
	var evs [2]EpollEvent
	var pfd PollFd
	var ca CloneArgs
	var fw FutexWaitv
	var rlh RobustListHead
	var ws Winsize
	var tio Termios
	checkLayout(t, []layoutCase{
		{"Sizeof(EpollEvent)", unsafe.Sizeof(ev), 12},
		{"Offsetof(EpollEvent.Data)", unsafe.Offsetof(ev.Data), 4},
		{"Sizeof([2]EpollEvent)", unsafe.Sizeof(evs), 24},
		{"Sizeof(PollFd)", unsafe.Sizeof(pfd), 8},
		{"Offsetof(PollFd.Revents)", unsafe.Offsetof(pfd.Revents), 6},
		{"Sizeof(CloneArgs)", unsafe.Sizeof(ca), CLONE_ARGS_SIZE_VER2},
		{"Offsetof(CloneArgs.SetTID)", unsafe.Offsetof(ca.SetTID), CLONE_ARGS_SIZE_VER0},
		{"Offsetof(CloneArgs.Cgroup)", unsafe.Offsetof(ca.Cgroup), CLONE_ARGS_SIZE_VER1},
		{"Sizeof(FutexWaitv)", unsafe.Sizeof(fw), 24},
		{"Sizeof(RobustListHead)", unsafe.Sizeof(rlh), 24},
		{"Sizeof(Winsize)", unsafe.Sizeof(ws), 8},
		{"Sizeof(Termios)", unsafe.Sizeof(tio), 36},
		{"Offsetof(Termios.Cc)", unsafe.Offsetof(tio.Cc), 17},
	})
}

// TestPlainStructs checks that every struct is plain data: usable without
// the Go runtime (no pointers, strings, slices, maps, interfaces, ...).
func TestPlainStructs(t *testing.T) {
	types := []any{
		SigAction{}, SigAltStack{}, SignalInfo{}, SigContext{}, UContext{},
		FPState{}, FPXSWBytes{}, Timespec{}, Timeval{}, Itimerval{},
		Itimerspec{}, Rlimit{}, Rusage{}, Tms{}, Utsname{}, Iovec{},
		AuxEntry{}, Stat{}, StatxTimestamp{}, Statx{}, Flock{}, EpollEvent{},
		PollFd{}, CloneArgs{}, FutexWaitv{}, RobustListHead{}, Winsize{},
		Termios{},
	}
	for _, v := range types {
		typ := reflect.TypeOf(v)
		if bad := impure(typ); bad != "" {
			t.Errorf("%s contains %s", typ, bad)
		}
	}
}

func impure(typ reflect.Type) string {
	switch typ.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32,
		reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16,
		reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return ""
	case reflect.Array:
		return impure(typ.Elem())
	case reflect.Struct:
		for i := 0; i < typ.NumField(); i++ {
			if bad := impure(typ.Field(i).Type); bad != "" {
				return bad
			}
		}
		return ""
	}
	return typ.Kind().String()
}

func TestSocketLayouts(t *testing.T) {
	var sa SockaddrUn
	var mh Msghdr
	var cm Cmsghdr
	var uc Ucred
	checkLayout(t, []layoutCase{
		{"Sizeof(SockaddrUn)", unsafe.Sizeof(sa), 110},
		{"Offsetof(SockaddrUn.Path)", unsafe.Offsetof(sa.Path), 2},
		{"Sizeof(Msghdr)", unsafe.Sizeof(mh), 56},
		{"Offsetof(Msghdr.Namelen)", unsafe.Offsetof(mh.Namelen), 8},
		{"Offsetof(Msghdr.Iov)", unsafe.Offsetof(mh.Iov), 16},
		{"Offsetof(Msghdr.Iovlen)", unsafe.Offsetof(mh.Iovlen), 24},
		{"Offsetof(Msghdr.Control)", unsafe.Offsetof(mh.Control), 32},
		{"Offsetof(Msghdr.Controllen)", unsafe.Offsetof(mh.Controllen), 40},
		{"Offsetof(Msghdr.Flags)", unsafe.Offsetof(mh.Flags), 48},
		{"Sizeof(Cmsghdr)", unsafe.Sizeof(cm), 16},
		{"Offsetof(Cmsghdr.Level)", unsafe.Offsetof(cm.Level), 8},
		{"Offsetof(Cmsghdr.Type)", unsafe.Offsetof(cm.Type), 12},
		{"Sizeof(Ucred)", unsafe.Sizeof(uc), 12},
		{"Offsetof(Ucred.Uid)", unsafe.Offsetof(uc.Uid), 4},
		{"CmsgLen(12)", uintptr(CmsgLen(12)), 28},
		{"CmsgSpace(12)", uintptr(CmsgSpace(12)), 32},
		{"CmsgSpace(4)", uintptr(CmsgSpace(4)), 24},
		{"Sizeof(SockaddrIn)", unsafe.Sizeof(SockaddrIn{}), 16},
		{"Offsetof(SockaddrIn.Addr)", unsafe.Offsetof(SockaddrIn{}.Addr), 4},
		{"Sizeof(Ifreq)", unsafe.Sizeof(Ifreq{}), 40},
		{"Sizeof(Ifconf)", unsafe.Sizeof(Ifconf{}), 16},
		{"Offsetof(Ifconf.Buf)", unsafe.Offsetof(Ifconf{}.Buf), 8},
		{"Sizeof(Linger)", unsafe.Sizeof(Linger{}), 8},
	})
}
