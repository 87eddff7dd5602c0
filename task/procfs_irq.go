package task

import (
	"errors"
	"fmt"

	"sigil/arch"
	"sigil/cred"
	"sigil/intr"
	"sigil/linux"
	"sigil/vfs"
)

// /proc/irq (kernel/irq/proc.c): default_smp_affinity, and a directory
// per ISA line, routed or not (the sixteen legacy descriptors Linux
// allocates at boot), named by its number, holding the files Linux's
// register_irq_proc makes, with its modes, and a directory named after
// the line's device (register_handler_proc). Masks print nr_cpu_ids
// bits (arch.NrCPUIDs) and parse nr_cpumask_bits, the same number.
// Writing an affinity is root's (0644, root-owned) and follows
// write_irq_affinity: EIO for a line whose CPU cannot be chosen (every
// line under irq=pic, whose 8259 reaches the boot CPU alone), then the
// parser's EINVAL, ERANGE or EOVERFLOW, then EINVAL for a mask with no
// online CPU.

// addIRQDir adds /proc/irq to fs.
func addIRQDir(fs *vfs.FS) {
	nbits := arch.NrCPUIDs()
	fs.Add("/proc/irq", vfs.S_IFDIR|0o555, nil)
	addCtl(fs, "/proc/irq/default_smp_affinity", arch.FormatMask(intr.DefaultAffinity(), nbits)+"\n", 0,
		func(_ *Thread, b []byte, _ int64, _ *cred.Cred) error {
			m, err := arch.ParseMask(string(b), nbits)
			if err != nil {
				return err
			}
			return irqError(intr.SetDefaultAffinity(m))
		})
	for _, l := range intr.AllLines() {
		dir := fmt.Sprintf("/proc/irq/%d", l.IRQ)
		n := l.IRQ
		fs.Add(dir, vfs.S_IFDIR|0o555, nil)
		addCtl(fs, dir+"/smp_affinity", arch.FormatMask(l.Affinity, nbits)+"\n", 0, affinityWriter(n, nbits, arch.ParseMask))
		fs.Add(dir+"/affinity_hint", vfs.S_IFREG|0o444, []byte(arch.FormatMask(0, nbits)+"\n")) // no driver gives hints
		addCtl(fs, dir+"/smp_affinity_list", arch.FormatList(l.Affinity, nbits)+"\n", 0, affinityWriter(n, nbits, arch.ParseList))
		fs.Add(dir+"/node", vfs.S_IFREG|0o444, []byte("0\n")) // one NUMA node
		fs.Add(dir+"/effective_affinity", vfs.S_IFREG|0o444, []byte(arch.FormatMask(l.Effective, nbits)+"\n"))
		fs.Add(dir+"/effective_affinity_list", vfs.S_IFREG|0o444, []byte(arch.FormatList(l.Effective, nbits)+"\n"))
		sp := l.Spurious
		fs.Add(dir+"/spurious", vfs.S_IFREG|0o444, []byte(fmt.Sprintf("count %d\nunhandled %d\nlast_unhandled %d ms\n",
			sp.Count, sp.Unhandled, sp.LastUnhandled/1e6)))
		if l.Name != "" {
			fs.Add(dir+"/"+l.Name, vfs.S_IFDIR|0o555, nil)
		}
	}
}

// affinityWriter is write_irq_affinity for line n, parse being the
// hex-mask or the list parser.
func affinityWriter(n uint8, nbits int, parse func(string, int) (arch.CPUMask, error)) func(*Thread, []byte, int64, *cred.Cred) error {
	return func(_ *Thread, b []byte, _ int64, _ *cred.Cred) error {
		if !intr.CanSetAffinity(n) {
			return linux.EIO
		}
		m, err := parse(string(b), nbits)
		if err != nil {
			return err
		}
		return irqError(intr.SetAffinity(n, m))
	}
}

// irqError is the errno of intr's affinity errors.
func irqError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, intr.ErrFixed):
		return linux.EIO
	case errors.Is(err, intr.ErrNoCPU):
		return linux.EINVAL
	}
	return err
}
