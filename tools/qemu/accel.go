package qemu

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

// AccelEnv is the environment variable that forces the accelerator
// ("kvm" or "tcg") for DetectAccel.
const AccelEnv = "SIGIL_ACCEL"

// probeTimeout bounds how long a KVM probe boot may take to print its
// first "sigil: " line.
const probeTimeout = 10 * time.Second

var (
	bannerRE   = regexp.MustCompile(`^sigil: `)
	accelCache sync.Map // absolute kernel path -> *accelProbe
)

type accelProbe struct {
	once  sync.Once
	accel string
}

// DetectAccel returns "kvm" or "tcg" for booting kernel.
//
// SIGIL_ACCEL wins when it is "kvm" or "tcg". Otherwise, if /dev/kvm can be
// opened read-write, the kernel is booted once with -accel kvm and
// "test=probe", and KVM is chosen only if a line starting with "sigil: "
// appears within ten seconds (on some hosts a KVM guest never runs). Else
// TCG. The probe result is cached per kernel path for the life of the
// process.
func DetectAccel(kernel string) string {
	switch env := os.Getenv(AccelEnv); env {
	case "kvm", "tcg":
		return env
	}
	key, err := filepath.Abs(kernel)
	if err != nil {
		key = kernel
	}
	v, _ := accelCache.LoadOrStore(key, new(accelProbe))
	p := v.(*accelProbe)
	p.once.Do(func() { p.accel = probeAccel(kernel) })
	return p.accel
}

func probeAccel(kernel string) string {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return "tcg"
	}
	f.Close()
	m, err := Start(context.Background(), Config{
		Kernel:    kernel,
		Append:    "test=probe",
		Accel:     "kvm",
		DebugExit: true,
		Timeout:   probeTimeout + 5*time.Second,
	})
	if err != nil {
		return "tcg"
	}
	defer m.Kill()
	if _, err := m.WaitFor(bannerRE, probeTimeout); err != nil {
		return "tcg"
	}
	return "kvm"
}
