// Command guestinit is PID 1 of a conformance boot (tools/conformance): it
// prepares what Go's tests expect of a machine, runs each test binary of
// the plan in its package's source folder with its output going straight
// to the console between begin and end markers, and powers off.
//
// It is the same program on Linux (rdinit=) and on Sigil (init=), so every
// difference in the report comes from the kernel. Whatever fails while
// preparing (no /proc, no mkdir) is printed as a note and not fatal: that
// is the kind of difference the report is for.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"sigil/tools/conformance/plan"
)

func main() {
	// Linux's rdinit has no /proc; Sigil has its own. Go's tests read
	// /proc/self/... in places.
	if _, err := os.Stat("/proc/self"); err != nil {
		if st, err := os.Stat("/proc"); err == nil && st.IsDir() {
			note("mount proc on /proc", syscall.Mount("proc", "/proc", "proc", 0, ""))
		}
	}
	// Linux's built-in initramfs has /dev/console and nothing else, and
	// os/exec opens /dev/null for every child without stdin.
	if _, err := os.Stat("/dev/null"); err != nil {
		note("mkdir /dev", mkdir("/dev", 0o755))
		note("mount devtmpfs on /dev", syscall.Mount("devtmpfs", "/dev", "devtmpfs", 0, ""))
	}
	note("mkdir /tmp", mkdir("/tmp", 0o1777))
	// Signals the tests send to their process group reach PID 1 too: a
	// handler (unlike SIG_IGN, which exec would pass on) keeps init
	// alive and leaves the children's dispositions at their defaults.
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGPIPE, syscall.SIGALRM, syscall.SIGTSTP,
		syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGWINCH)
	go func() {
		for s := range sigs {
			fmt.Printf("%sinit received %v\n", plan.Note, s)
		}
	}()

	p, err := plan.Read(plan.Path)
	if err != nil {
		note("read plan", err)
	}
	for _, r := range p.Runs {
		run(r, p.Env)
	}
	fmt.Println(plan.Done)
	syscall.Sync()
	err = syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
	// Still here: exiting PID 1 ends the machine too (Linux panics,
	// and panic=-1 with QEMU's -no-reboot stops QEMU).
	note("reboot(POWER_OFF)", err)
	os.Exit(1)
}

// run runs one test binary and prints its end marker, whatever happens.
func run(r plan.Run, env []string) {
	fmt.Printf("%s%s\n", plan.Begin, r.Pkg)
	start := time.Now()
	cmd := exec.Command(r.Binary, r.Args...)
	cmd.Dir, cmd.Env = r.Dir, env
	// The binary writes to the console itself: its output is streamed
	// even if it, or init, never gets to the end.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, os.Stdout, os.Stderr
	status := "?"
	if err := cmd.Start(); err != nil {
		status = "start failed: " + err.Error()
	} else {
		var killed atomic.Bool
		if r.Deadline > 0 {
			t := time.AfterFunc(time.Duration(r.Deadline)*time.Second, func() {
				killed.Store(true)
				cmd.Process.Kill()
			})
			defer t.Stop()
		}
		err := cmd.Wait()
		status = exitStatus(cmd.ProcessState, err)
		if killed.Load() {
			status = "killed"
		}
	}
	// A newline first: the binary's last line may be unterminated.
	fmt.Printf("\n%s%s status=%s time=%v\n", plan.End, r.Pkg, status, time.Since(start).Round(time.Millisecond))
}

func exitStatus(st *os.ProcessState, err error) string {
	if st == nil {
		return "wait failed: " + err.Error()
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return fmt.Sprintf("signal %d", int(ws.Signal()))
	}
	return fmt.Sprint(st.ExitCode())
}

// mkdir makes dir with exactly perm (the umask would clear the write
// bits for others); an existing directory is fine.
func mkdir(dir string, perm os.FileMode) error {
	err := os.Mkdir(dir, perm)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.Chmod(dir, perm)
}

// note prints a failed preparation step; success is silent.
func note(what string, err error) {
	if err != nil {
		fmt.Printf("%s%s: %v\n", plan.Note, what, err)
	}
}
