package arch

// Port I/O (SDM Vol. 1 §18.2). Implemented in port_amd64.s.

func inb(port uint16) uint8
func outb(port uint16, v uint8)
func inw(port uint16) uint16
func outw(port uint16, v uint16)
func inl(port uint16) uint32
func outl(port uint16, v uint32)

// Inb reads a byte from an I/O port.
//
//go:nosplit
func Inb(port uint16) uint8 { return inb(port) }

// Outb writes a byte to an I/O port.
//
//go:nosplit
func Outb(port uint16, v uint8) { outb(port, v) }

// Inw reads a 16-bit word from an I/O port.
//
//go:nosplit
func Inw(port uint16) uint16 { return inw(port) }

// Outw writes a 16-bit word to an I/O port.
//
//go:nosplit
func Outw(port uint16, v uint16) { outw(port, v) }

// Inl reads a 32-bit word from an I/O port.
//
//go:nosplit
func Inl(port uint16) uint32 { return inl(port) }

// Outl writes a 32-bit word to an I/O port.
//
//go:nosplit
func Outl(port uint16, v uint32) { outl(port, v) }

// Ports is the machine's I/O port space: drivers that take a port bus (so
// host tests can model the device) are given &PortBus on hardware. The
// methods have pointer receivers so an interface call reaches them directly;
// the compiler's wrapper for a value receiver would carry a stack-check
// prologue, which interrupt context must not run.
type Ports struct{}

// PortBus is the one port space.
var PortBus Ports

// In8 reads a byte from port.
//
//go:nosplit
func (*Ports) In8(port uint16) uint8 { return inb(port) }

// Out8 writes a byte to port.
//
//go:nosplit
func (*Ports) Out8(port uint16, v uint8) { outb(port, v) }

// IODelay waits roughly a microsecond by writing to the POST diagnostic port
// 0x80, the traditional delay between programming steps of slow ISA devices.
//
//go:nosplit
func IODelay() { outb(0x80, 0) }
