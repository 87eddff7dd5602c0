package apic

// The CPUs the MADT describes, and which of them the kernel may start.
// Hardware-free: host tests feed it tables.

// CPU is a processor found in the MADT.
type CPU struct {
	APICID uint32
	UID    uint32 // ACPI processor UID
	X2     bool   // listed by a type 9 (x2APIC) entry
	// OnlineCapable: listed Online Capable and not Enabled. The platform
	// can enable it at run time (ACPI hot-add); until it does, it is not
	// started (Linux counts such CPUs as possible, not present).
	OnlineCapable bool
}

// Skip says why a processor entry gives no CPU.
type Skip uint8

const (
	SkipUnusable  Skip = iota // neither Enabled nor Online Capable: ACPI says ignore it
	SkipInvalidID             // APIC ID 0xff in a type 0 entry, 0xffffffff in a type 9 one (Linux ignores both)
	SkipDuplicate             // its APIC ID is already listed (a type 0 and a type 9 entry for one CPU)
	SkipBound                 // a usable CPU past the table's bound (arch.MaxCPUs)
)

func (s Skip) String() string {
	switch s {
	case SkipUnusable:
		return "neither enabled nor online capable"
	case SkipInvalidID:
		return "invalid APIC ID"
	case SkipDuplicate:
		return "duplicate APIC ID"
	case SkipBound:
		return "past the CPU bound"
	}
	return "?"
}

// EnumerateCPUs lists the usable CPUs of m into out: out[0] is the boot
// CPU (the one whose own local APIC reports bspID, listed or not), then
// the Enabled CPUs in table order, then the Online Capable ones in table
// order. Each APIC ID is listed once: an Enabled entry wins over an
// Online Capable one for the same ID, else the first entry. report, if
// not nil, is told of every entry that gives no CPU. It returns how many
// entries of out it filled and whether the MADT listed the boot CPU.
// It does not allocate (it runs before the Go runtime).
func EnumerateCPUs(m *MADT, bspID uint32, out []CPU, report func(p Processor, why Skip)) (n int, bspListed bool) {
	if len(out) == 0 {
		return 0, false
	}
	out[0] = CPU{APICID: bspID}
	n = 1
	listed := func(id uint32) bool {
		for i := 0; i < n; i++ {
			if out[i].APICID == id {
				return true
			}
		}
		return false
	}
	for pass := 0; pass < 2; pass++ {
		for i := 0; i < m.NProcessors; i++ {
			p := m.Processors[i]
			usable := p.Flags&(ProcEnabled|ProcOnlineCapable) != 0
			if !usable || invalidID(p) {
				if pass == 0 && report != nil {
					why := SkipUnusable
					if usable {
						why = SkipInvalidID
					}
					report(p, why)
				}
				continue
			}
			// Enabled in the first pass; Online Capable (and not
			// Enabled) in the second.
			if enabled := p.Flags&ProcEnabled != 0; enabled != (pass == 0) {
				continue
			}
			if p.APICID == bspID && pass == 0 && !bspListed {
				bspListed = true
				out[0].UID, out[0].X2 = p.UID, p.X2
				continue
			}
			if listed(p.APICID) {
				if report != nil {
					report(p, SkipDuplicate)
				}
				continue
			}
			if n == len(out) {
				if report != nil {
					report(p, SkipBound)
				}
				continue
			}
			out[n] = CPU{APICID: p.APICID, UID: p.UID, X2: p.X2, OnlineCapable: pass == 1}
			n++
		}
	}
	return n, bspListed
}

// invalidID reports the all-ones APIC ID of p's entry type.
func invalidID(p Processor) bool {
	if p.X2 {
		return p.APICID == 0xffffffff
	}
	return p.APICID == 0xff
}
