package boot

// PVH start-of-day structures (Xen's arch/x86/hvm/start_info.h). Addresses
// are physical; a zero address means "not present".

const startInfoMagic = 0x336ec578

type startInfo struct {
	Magic         uint32
	Version       uint32
	Flags         uint32
	NrModules     uint32
	ModlistPaddr  uint64
	CmdlinePaddr  uint64
	RsdpPaddr     uint64
	MemmapPaddr   uint64 // version >= 1
	MemmapEntries uint32 // version >= 1
	_             uint32
}

type modlistEntry struct {
	Paddr, Size, CmdlinePaddr, _ uint64
}

// MemoryRegion is one entry of the boot memory map (E820 types).
type MemoryRegion struct {
	Addr, Size uint64
	Type       uint32
	_          uint32
}

// Memory map entry types (ACPI 6.5 §15, Table 15.4).
const (
	MemoryRAM      = 1
	MemoryReserved = 2
	MemoryACPI     = 3
	MemoryNVS      = 4
	MemoryUnusable = 5
)

const (
	maxMemmap  = 64
	maxCmdline = 2048
)

// Info is what the boot loader told us, copied out of loader memory before
// that memory is reused.
type Info struct {
	Cmdline    [maxCmdline]byte
	CmdlineLen int
	Memmap     [maxMemmap]MemoryRegion
	NMemmap    int
	InitrdAddr uint64 // physical
	InitrdSize uint64
	RSDP       uint64
}

// CmdlineString returns the command line.
func (i *Info) CmdlineString() string { return string(i.Cmdline[:i.CmdlineLen]) }
