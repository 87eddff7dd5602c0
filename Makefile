# Sigil's build. `make run` boots the kernel in QEMU; `make test` runs every
# test. Both install QEMU when it is missing (as root, with apt-get) or say
# exactly what to install.

GO ?= go
QEMU ?= qemu-system-x86_64
# KernelBase+2MiB as a signed 64-bit number: the linker's -T takes an int64.
KERNEL_TEXT := -2145382400
KERNEL_LDFLAGS := -T $(KERNEL_TEXT) -E sigil/boot.pvhEntry
SOURCES := $(shell find . -name '*.go' -not -path './build/*') $(shell find . -name '*.s') go.mod go.sum
APPEND ?=
MEM ?= 256M
export CGO_ENABLED := 0

.PHONY: all kernel run debug gdb test test-host test-boot bench conformance vet deps-qemu deps-musl deps-busybox deps-gdb clean

all: kernel

kernel: build/sigil build/initrd.cpio

build/sigil.elf: $(SOURCES)
	@mkdir -p build
	GOOS=linux GOARCH=amd64 $(GO) build -o $@ -ldflags='$(KERNEL_LDFLAGS)' ./cmd/sigil

# The bootable image: physical load addresses and the PVH entry note.
build/sigil: build/sigil.elf tools/mkimage/main.go
	$(GO) run ./tools/mkimage -o $@ build/sigil.elf

# The initrd: the user programs of user/ and the files of user/rootfs.
build/initrd.cpio: $(SOURCES) $(shell find user -type f) | deps-musl deps-busybox
	@mkdir -p build
	$(GO) run ./tools/mkinitrd -o $@

run: deps-qemu kernel
	$(GO) run ./tools/qemu/cmd/sigil-qemu -kernel build/sigil -initrd build/initrd.cpio -m $(MEM) -append '$(APPEND)'

# QEMU halted with its gdbstub on :1234; attach with `make gdb`.
debug: deps-qemu kernel
	$(GO) run ./tools/qemu/cmd/sigil-qemu -kernel build/sigil -initrd build/initrd.cpio -m $(MEM) -append '$(APPEND)' -debug

gdb: deps-gdb kernel
	gdb -q -iex 'add-auto-load-safe-path $(shell $(GO) env GOROOT)/src/runtime/runtime-gdb.py' -x tools/gdb/sigil.gdb build/sigil

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo 'gofmt: files above need formatting'; exit 1; }

# Host tests need no hardware; boot tests (tools/boottest) boot build/sigil.
# The concurrency tests run again under the race detector, which is what
# catches a structure some path changes without its lock.
RACE_TESTS = TestSpinlock|TestFramesConcurrent|TestTablesConcurrent|TestSIGCONTRacingSIGSTOP|TestIDsWhileThreadsComeAndGo|TestProcLockExcludesInterruptContext

# The boot tests run at -smp 1 (QEMU's default), then all again at -smp 2
# and a subset (signals, Ctrl+C, processes) at -smp 4 (SIGIL_SMP sets the
# CPUs of every boot that names none; TestSMP* name theirs).
SMP4_TESTS = TestSignalPrograms|TestCtrlC|TestManyTasks|TestIDChurn|TestExecWithThreads|TestForkBomb|TestUserPreemption

test: deps-qemu deps-musl kernel vet
	$(GO) test -timeout 25m ./...
	SIGIL_SMP=2 $(GO) test -timeout 25m -skip 'TestSMP|TestNosplitAudit' ./tools/boottest
	SIGIL_SMP=4 $(GO) test -timeout 10m -run '$(SMP4_TESTS)' ./tools/boottest
	CGO_ENABLED=1 $(GO) test -race -run '$(RACE_TESTS)' ./arch ./mm ./task

test-host: deps-musl
	$(GO) test $$($(GO) list ./... | grep -v tools/boottest)

test-boot: deps-qemu kernel
	$(GO) test -timeout 25m -v ./tools/boottest
	SIGIL_SMP=2 $(GO) test -timeout 25m -v -skip 'TestSMP|TestNosplitAudit' ./tools/boottest
	SIGIL_SMP=4 $(GO) test -timeout 10m -v -run '$(SMP4_TESTS)' ./tools/boottest

# Sigil beside Debian's Linux in the same QEMU (tools/bench); installs
# linux-image-amd64 when run as root and no /boot/vmlinuz-* exists.
bench: deps-qemu kernel
	$(GO) run ./tools/bench $(BENCHFLAGS)

# Go's os/signal, syscall and os/exec tests on Sigil and on Debian's Linux
# in the same QEMU (tools/conformance); prints where the results differ.
# CONFFLAGS='-pkg os/signal -run TestStop' iterates on one test.
conformance: deps-qemu kernel
	$(GO) run ./tools/conformance $(CONFFLAGS)

# $(call need,TEST,PACKAGE): runs the shell test TEST; when it fails,
# installs Debian's PACKAGE with apt-get as root, or says how to.
need = @$(1) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing $(2) (apt-get install -y $(2))"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "$(2) is missing: install it with: sudo apt-get install -y $(2)"; exit 1; \
	  fi; }

deps-qemu:
	$(call need,command -v $(QEMU) >/dev/null 2>&1,qemu-system-x86)

deps-musl:
	$(call need,command -v musl-gcc >/dev/null 2>&1,musl-tools)

# Debian's busybox package installs a dynamic /bin/busybox: the static one
# is busybox-static.
deps-busybox:
	$(call need,test -x /bin/busybox && ! LC_ALL=C ldd /bin/busybox >/dev/null 2>&1,busybox-static)

deps-gdb:
	$(call need,command -v gdb >/dev/null 2>&1,gdb)

clean:
	rm -rf build
