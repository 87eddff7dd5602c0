//go:build tools

// Package tools pins dependencies the kernel uses before code imports them.
package tools

import (
	_ "github.com/usbarmory/tamago/soc/intel/rtc"
	_ "golang.org/x/arch/x86/x86asm"
)
