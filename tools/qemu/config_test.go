package qemu

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestArgs(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		accel, sock string
		want        []string
	}{
		{
			name:  "minimal",
			cfg:   Config{Kernel: "build/sigil"},
			accel: "tcg",
			want: []string{"-kernel", "build/sigil", "-m", "256M", "-accel", "tcg",
				"-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot"},
		},
		{
			name: "everything",
			cfg: Config{
				Kernel: "k", Append: "test=runtime irq=pic", Initrd: "root.cpio", Memory: "1G",
				QMP: true, DebugExit: true, Serial: "mon:stdio", Extra: []string{"-smp", "2"},
			},
			accel: "kvm",
			sock:  "/tmp/x/qmp.sock",
			want: []string{"-kernel", "k", "-append", "test=runtime irq=pic", "-initrd", "root.cpio",
				"-m", "1G", "-accel", "kvm", "-display", "none", "-serial", "mon:stdio",
				"-monitor", "none", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
				"-qmp", "unix:/tmp/x/qmp.sock,server=on,wait=off", "-smp", "2"},
		},
		{
			name:  "cpus",
			cfg:   Config{Kernel: "k", CPUs: 4},
			accel: "tcg",
			want: []string{"-kernel", "k", "-m", "256M", "-smp", "4", "-accel", "tcg",
				"-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot"},
		},
		{
			name: "no accel, QMP without socket",
			cfg:  Config{Kernel: "k", QMP: true},
			want: []string{"-kernel", "k", "-m", "256M",
				"-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Args(tt.cfg, tt.accel, tt.sock); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Args =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestResolveAccel(t *testing.T) {
	tests := []struct {
		env, accel, want string
		wantErr          bool
	}{
		{env: "tcg", accel: "", want: "tcg"},
		{env: "kvm", accel: "auto", want: "kvm"},
		{env: "kvm", accel: "tcg", want: "tcg"}, // Config.Accel wins
		{env: "tcg", accel: "kvm", want: "kvm"},
		{env: "tcg", accel: "hvf", wantErr: true},
		{env: "bogus", accel: "", wantErr: true},
		{env: "bogus", accel: "tcg", want: "tcg"},
	}
	for _, tt := range tests {
		t.Setenv(AccelEnv, tt.env)
		got, err := ResolveAccel(tt.accel, "no/such/kernel")
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s=%s ResolveAccel(%q) = %q, %v; want %q (error %v)",
				AccelEnv, tt.env, tt.accel, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDetectAccelEnv(t *testing.T) {
	for _, want := range []string{"kvm", "tcg"} {
		t.Setenv(AccelEnv, want)
		if got := DetectAccel("no/such/kernel"); got != want {
			t.Errorf("with %s=%s DetectAccel = %q", AccelEnv, want, got)
		}
	}
}

func TestNoQEMU(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := LookPath()
	if !errors.Is(err, ErrNoQEMU) || !strings.Contains(err.Error(), "apt-get install -y qemu-system-x86") {
		t.Fatalf("LookPath error = %v; want ErrNoQEMU with install hint", err)
	}

	kernel := filepath.Join(t.TempDir(), "sigil")
	if err := os.WriteFile(kernel, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Start(t.Context(), Config{Kernel: kernel, Accel: "tcg"})
	if !errors.Is(err, ErrNoQEMU) {
		t.Fatalf("Start error = %v; want ErrNoQEMU", err)
	}
}
