GO ?= go
# KernelBase+2MiB as a signed 64-bit number: the linker's -T takes an int64.
KERNEL_TEXT := -2145382400
KERNEL_LDFLAGS := -T $(KERNEL_TEXT) -E sigil/boot.pvhEntry
SOURCES := $(shell find . -name '*.go' -not -path './build/*') $(shell find . -name '*.s') go.mod go.sum

.PHONY: kernel
kernel: build/sigil

build/sigil.elf: $(SOURCES)
	@mkdir -p build
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -o $@ -ldflags='$(KERNEL_LDFLAGS)' ./cmd/sigil

build/sigil: build/sigil.elf tools/mkimage/main.go
	$(GO) run ./tools/mkimage -o $@ build/sigil.elf
