package qemu

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// Binary is the QEMU executable looked up in $PATH.
const Binary = "qemu-system-x86_64"

// DefaultMemory is the guest RAM size used when Config.Memory is empty.
const DefaultMemory = "256M"

// DebugExitDevice is the -device value for the isa-debug-exit port the
// kernel's power-off writes its exit code to. QEMU then exits with status
// code<<1 | 1 (see Result.Code).
const DebugExitDevice = "isa-debug-exit,iobase=0xf4,iosize=0x04"

// ErrNoQEMU is returned (wrapped) when Binary is not in $PATH.
var ErrNoQEMU = errors.New(Binary + " not found in $PATH: install it with `apt-get install -y qemu-system-x86` (Debian)")

// CPUsEnv names the environment variable that gives the -smp of every run
// whose Config.CPUs is 0: make test runs the boot tests once without it
// and once with SIGIL_SMP=2, a subset with SIGIL_SMP=4.
const CPUsEnv = "SIGIL_SMP"

// DefaultCPUs is $SIGIL_SMP as a CPU count, 0 (QEMU's default, one CPU)
// when unset or not a positive number.
func DefaultCPUs() int {
	n, err := strconv.Atoi(os.Getenv(CPUsEnv))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Config describes one QEMU run of the kernel.
type Config struct {
	Kernel    string        // path to build/sigil (required)
	Append    string        // kernel command line, e.g. "test=runtime irq=pic"
	Initrd    string        // optional cpio passed with -initrd
	Memory    string        // guest RAM, e.g. "256M"; "" means DefaultMemory
	CPUs      int           // -smp N; 0 leaves QEMU's default (one CPU)
	Accel     string        // "", "auto", "kvm" or "tcg"; ""/"auto" use DetectAccel
	QMP       bool          // create a QMP socket in a temp dir and connect to it (needed by SendKeys)
	DebugExit bool          // add the isa-debug-exit device (tests want this)
	Serial    string        // COM1 backend; "" means "stdio" (the interactive CLI uses "mon:stdio")
	Extra     []string      // extra QEMU arguments, appended last
	Timeout   time.Duration // hard deadline for the whole run, after which QEMU is killed; 0 means none
	Log       io.Writer     // optional: receives serial output line by line as it arrives
}

// Args returns the QEMU command line (without the program name) for cfg.
// accel is the resolved accelerator ("kvm" or "tcg"; "" leaves it to QEMU);
// qmpSocket is the unix socket path used when cfg.QMP is set.
func Args(cfg Config, accel, qmpSocket string) []string {
	args := []string{"-kernel", cfg.Kernel}
	if cfg.Append != "" {
		args = append(args, "-append", cfg.Append)
	}
	if cfg.Initrd != "" {
		args = append(args, "-initrd", cfg.Initrd)
	}
	mem := cfg.Memory
	if mem == "" {
		mem = DefaultMemory
	}
	args = append(args, "-m", mem)
	if cfg.CPUs > 0 {
		args = append(args, "-smp", strconv.Itoa(cfg.CPUs))
	}
	if accel != "" {
		args = append(args, "-accel", accel)
	}
	serial := cfg.Serial
	if serial == "" {
		serial = "stdio"
	}
	// -no-reboot turns a triple fault into a QEMU exit (status 0)
	// instead of an endless reboot loop.
	args = append(args, "-display", "none", "-serial", serial, "-monitor", "none", "-no-reboot")
	if cfg.DebugExit {
		args = append(args, "-device", DebugExitDevice)
	}
	if cfg.QMP && qmpSocket != "" {
		args = append(args, "-qmp", "unix:"+qmpSocket+",server=on,wait=off")
	}
	return append(args, cfg.Extra...)
}

// LookPath returns the path of Binary, or an error wrapping ErrNoQEMU that
// tells how to install it.
func LookPath() (string, error) {
	path, err := exec.LookPath(Binary)
	if err != nil {
		return "", fmt.Errorf("qemu: %w", ErrNoQEMU)
	}
	return path, nil
}

// ResolveAccel turns a Config.Accel value into "kvm" or "tcg": those two are
// returned as they are, and "" or "auto" call DetectAccel(kernel). An invalid
// value, or an invalid SIGIL_ACCEL when detection is needed, is an error.
func ResolveAccel(accel, kernel string) (string, error) {
	switch accel {
	case "kvm", "tcg":
		return accel, nil
	case "", "auto":
		switch env := os.Getenv(AccelEnv); env {
		case "", "auto", "kvm", "tcg":
		default:
			return "", fmt.Errorf("qemu: %s=%q: want kvm, tcg or auto", AccelEnv, env)
		}
		return DetectAccel(kernel), nil
	}
	return "", fmt.Errorf("qemu: accel %q: want kvm, tcg or auto", accel)
}

// Icount is QEMU's instruction counting as the benchmarks use it: the
// guest's clock, and so its TSC, advances a nanosecond per instruction
// and jumps over idle time. TCG only; the vCPUs run in turn on one host
// thread.
var Icount = []string{"-icount", "shift=0,sleep=off"}
