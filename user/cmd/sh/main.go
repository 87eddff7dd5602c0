// Command sh is Sigil's shell. It runs each program in its own process
// group in the foreground of the terminal, waits for it, and reports how it
// ended; builtins: cd, echo, exit, poweroff, ps [-s], kill, help. As PID 1 it
// also reaps orphans, and its exit powers the machine off.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

var last int // $?

// job is a process group the shell started.
type job struct {
	id   int
	pid  int
	name string
}

var jobs []*job

func main() {
	in := bufio.NewReader(os.Stdin)
	setForeground(syscall.Getpgrp())
	if len(os.Args) > 2 && os.Args[1] == "-c" {
		os.Exit(run(os.Args[2]))
	}
	if len(os.Args) > 1 {
		os.Exit(script(os.Args[1]))
	}
	fmt.Println("Sigil shell. Type help for commands.")
	for {
		reap()
		fmt.Print("# ")
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			fmt.Println()
			os.Exit(last)
		}
		last = run(strings.TrimSpace(line))
	}
}

// script runs the commands of file, one a line ("#" lines and blank ones
// skipped), as "sh FILE" does, and returns the last status: how a "#!/bin/sh"
// script runs.
func script(file string) int {
	b, err := os.ReadFile(file)
	if err != nil {
		fmt.Println("sh:", err)
		return 127
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			last = run(line)
		}
	}
	return last
}

// run executes one command line and returns its status.
func run(line string) int {
	words, err := split(line)
	if err != nil {
		fmt.Println("sh:", err)
		return 2
	}
	if len(words) == 0 {
		return last
	}
	for i, w := range words {
		words[i] = strings.ReplaceAll(w, "$?", strconv.Itoa(last))
	}
	switch words[0] {
	case "cd":
		dir := "/"
		if len(words) > 1 {
			dir = words[1]
		}
		if err := os.Chdir(dir); err != nil {
			fmt.Println("sh: cd:", err)
			return 1
		}
		return 0
	case "echo":
		fmt.Println(strings.Join(words[1:], " "))
		return 0
	case "exit":
		code := last
		if len(words) > 1 {
			code, _ = strconv.Atoi(words[1])
		}
		os.Exit(code)
	case "poweroff":
		os.Exit(0)
	case "ps":
		return ps(len(words) > 1 && words[1] == "-s")
	case "kill":
		return kill(words[1:])
	case "jobs":
		for _, j := range jobs {
			fmt.Printf("[%d] %d %s\n", j.id, j.pid, j.name)
		}
		return 0
	case "fg", "bg":
		j := pickJob(words[1:])
		if j == nil {
			fmt.Printf("sh: %s: no such job\n", words[0])
			return 1
		}
		if words[0] == "bg" {
			syscall.Kill(-j.pid, syscall.SIGCONT)
			fmt.Printf("[%d] %s &\n", j.id, j.name)
			return 0
		}
		dropJob(j)
		setForeground(j.pid)
		syscall.Kill(-j.pid, syscall.SIGCONT)
		fmt.Println(j.name) // as bash says which job it resumed
		return waitJob(j)
	case "help":
		fmt.Println("builtins: cd DIR, echo ARGS, exit [N], poweroff, ps [-s], kill [-SIG] PID..., jobs, fg [%N], bg [%N], help; programs are in /bin")
		return 0
	}
	return spawn(words)
}

func pickJob(args []string) *job {
	if len(jobs) == 0 {
		return nil
	}
	if len(args) == 0 {
		return jobs[len(jobs)-1]
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(args[0], "%"))
	for _, j := range jobs {
		if j.id == n {
			return j
		}
	}
	return nil
}

func dropJob(j *job) {
	for i, x := range jobs {
		if x == j {
			jobs = append(jobs[:i], jobs[i+1:]...)
			return
		}
	}
}

// spawn runs a program in a new foreground process group and reports how
// it ended when that is not a plain success.
func spawn(words []string) int {
	path := words[0]
	if !strings.Contains(path, "/") {
		path = "/bin/" + path
	}
	cmd := exec.Command(path, words[1:]...)
	cmd.Args[0] = words[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Foreground: true, Ctty: 0}
	err := cmd.Start()
	if err != nil {
		fmt.Printf("sh: %s: %v\n", words[0], errors.Unwrap(err))
		return 127
	}
	return waitJob(&job{pid: cmd.Process.Pid, name: strings.Join(words, " ")})
}

// waitJob waits for a foreground job to exit or stop (Ctrl+Z), takes the
// terminal back, and reports how it ended.
func waitJob(j *job) int {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(j.pid, &ws, syscall.WUNTRACED, nil)
		if err != syscall.EINTR {
			break
		}
	}
	setForeground(syscall.Getpgrp())
	if ws.Stopped() || ws.Signaled() && (ws.Signal() == syscall.SIGINT || ws.Signal() == syscall.SIGQUIT) {
		// As bash: the terminal echoed the key (^C) without a newline.
		fmt.Println()
	}
	switch {
	case ws.Stopped():
		if j.id == 0 {
			j.id = len(jobs) + 1
		}
		jobs = append(jobs, j)
		fmt.Printf("[%d]+ Stopped (%v) %s\n", j.id, ws.StopSignal(), j.name)
		return 128 + int(ws.StopSignal())
	case ws.Signaled():
		fmt.Printf("sh: %s (pid %d): killed by signal %d (%v)\n", j.name, j.pid, ws.Signal(), ws.Signal())
		return 128 + int(ws.Signal())
	case ws.Exited() && ws.ExitStatus() != 0:
		fmt.Printf("sh: %s (pid %d): exit %d\n", j.name, j.pid, ws.ExitStatus())
	}
	return ws.ExitStatus()
}

// setForeground puts pgrp in front of the terminal. The shell may be in
// the background then (its job was in front): SIGTTOU is blocked on this
// thread for the call, as bash ignores it, or tcsetpgrp would stop the
// shell (tty_check_change).
func setForeground(pgrp int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ttou := uint64(1) << (syscall.SIGTTOU - 1)
	var old uint64
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 0 /* SIG_BLOCK */, uintptr(unsafe.Pointer(&ttou)), uintptr(unsafe.Pointer(&old)), 8, 0, 0)
	p := int32(pgrp)
	syscall.Syscall(syscall.SYS_IOCTL, 0, syscall.TIOCSPGRP, uintptr(unsafe.Pointer(&p)))
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 2 /* SIG_SETMASK */, uintptr(unsafe.Pointer(&old)), 0, 8, 0, 0)
}

// reap collects orphans left to PID 1.
func reap() {
	if os.Getpid() != 1 {
		return
	}
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
		for _, j := range jobs {
			if j.pid == pid {
				fmt.Printf("[%d] Done %s\n", j.id, j.name)
				dropJob(j)
				break
			}
		}
	}
}

func ps(signals bool) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		fmt.Println("ps:", err)
		return 1
	}
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	if signals {
		fmt.Printf("%5s %-12s %-8s %-16s %-16s %-16s %-16s %-16s\n", "PID", "COMMAND", "SigQ", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
	} else {
		fmt.Printf("%5s %5s %5s %4s %s\n", "PID", "PPID", "PGID", "STAT", "COMMAND")
	}
	for _, pid := range pids {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue
		}
		f := fields(string(status))
		if signals {
			fmt.Printf("%5d %-12s %-8s %-16s %-16s %-16s %-16s %-16s\n", pid, f["Name"], f["SigQ"], f["SigPnd"], f["ShdPnd"], f["SigBlk"], f["SigIgn"], f["SigCgt"])
			continue
		}
		stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		s := strings.Fields(string(stat))
		pgid := ""
		if len(s) >= 6 {
			pgid = s[4]
		}
		fmt.Printf("%5d %5s %5s %4s %s\n", pid, f["PPid"], pgid, strings.Fields(f["State"] + " ?")[0], f["Name"])
	}
	return 0
}

func fields(status string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(status, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

var signalNames = map[string]syscall.Signal{
	"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "QUIT": syscall.SIGQUIT, "KILL": syscall.SIGKILL,
	"TERM": syscall.SIGTERM, "USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2, "STOP": syscall.SIGSTOP,
	"CONT": syscall.SIGCONT, "TSTP": syscall.SIGTSTP, "ALRM": syscall.SIGALRM, "SEGV": syscall.SIGSEGV,
}

func kill(args []string) int {
	sig := syscall.SIGTERM
	if len(args) > 0 && strings.HasPrefix(args[0], "-") {
		s := strings.TrimPrefix(strings.TrimPrefix(args[0], "-"), "SIG")
		if n, err := strconv.Atoi(s); err == nil {
			sig = syscall.Signal(n)
		} else if named, ok := signalNames[s]; ok {
			sig = named
		} else {
			fmt.Println("kill: unknown signal", args[0])
			return 1
		}
		args = args[1:]
	}
	status := 0
	for _, a := range args {
		pid, err := strconv.Atoi(a)
		if err == nil {
			err = syscall.Kill(pid, sig)
		}
		if err != nil {
			fmt.Printf("kill: %s: %v\n", a, err)
			status = 1
		}
	}
	return status
}

// split breaks a line into words, with single and double quotes.
func split(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unterminated quote")
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}
