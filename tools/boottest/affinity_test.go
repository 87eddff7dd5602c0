package boottest

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
)

// TestSMPIRQAffinity: /proc/irq on two CPUs. irqaff (user/c/irqaff.c)
// checks the files, their modes and every write's errno as Linux 6.1
// answers them in the same QEMU. Then, in BusyBox ash on the console,
// "echo 2 > /proc/irq/1/smp_affinity" sends the keyboard's line to CPU 1:
// keys typed through QMP count in /proc/interrupts' CPU1 column and not
// in CPU0's, and back again after "echo 1"; a bad mask is ash's "write
// error: Invalid argument". Under irq=pic, where the 8259 reaches the
// boot CPU alone, every write is EIO and the keys count on CPU 0.
func TestSMPIRQAffinity(t *testing.T) {
	for _, mode := range irqModes[:2] {
		t.Run(mode.name, func(t *testing.T) {
			pic := mode.name == "pic"
			m := shellSessionOn(t, mode.append, "256M", 2)
			defer m.Kill()
			expect := func(re string) []string {
				t.Helper()
				l := expectLine(t, m, re)
				return regexp.MustCompile(re).FindStringSubmatch(l)
			}
			serial := func(s string) {
				t.Helper()
				if err := m.WriteSerial([]byte(s)); err != nil {
					t.Fatal(err)
				}
			}
			arg := "apic"
			if pic {
				arg = "pic"
			}
			serial("irqaff " + arg + "\n")
			expect(`^irqaff: ok$`)
			serial("ash -i\n")
			serial("echo ash $((6*7))\n")
			expect(`ash 42$`)

			// counts returns IRQ 1's CPU0 and CPU1 counts.
			counts := func() (int, int) {
				t.Helper()
				serial("echo irq1 $(grep '^ *1:' /proc/interrupts)\n")
				g := expect(`irq1 1: (\d+) (\d+) (IO-APIC|XT-PIC)`)
				c0, _ := strconv.Atoi(g[1])
				c1, _ := strconv.Atoi(g[2])
				return c0, c1
			}
			// typeOn types a command on the keyboard and checks which
			// column its key interrupts (a make and a break code per key
			// at least) landed in.
			typeOn := func(cpu int, word string) {
				t.Helper()
				before0, before1 := counts()
				if err := m.TypeText("echo " + word + "-$((40+2))\n"); err != nil {
					t.Fatalf("%v\n%s", err, m.Output())
				}
				expect(word + `-42$`)
				after0, after1 := counts()
				grew, still := after1-before1, after0-before0
				if cpu == 0 {
					grew, still = still, grew
				}
				keys := len("echo " + word + "-$((40+2))\n")
				t.Logf("%s: CPU0 %d -> %d, CPU1 %d -> %d", word, before0, after0, before1, after1)
				if grew < keys || still != 0 {
					t.Errorf("%d keys typed with IRQ 1 on CPU %d: CPU0 %d -> %d, CPU1 %d -> %d",
						keys, cpu, before0, after0, before1, after1)
				}
			}

			if pic {
				serial("echo 2 > /proc/irq/1/smp_affinity; echo status $?\n")
				expect(`write error: Input/output error$`)
				expect(`^status 1$`)
				serial("cat /proc/irq/1/effective_affinity /proc/irq/1/smp_affinity_list\n")
				expect(`^0$`)
				expect(`^0-1$`)
				typeOn(0, "pic")
				return
			}
			serial("echo zz > /proc/irq/1/smp_affinity; echo status $?\n")
			expect(`write error: Invalid argument$`)
			expect(`^status 1$`)
			for _, cpu := range []int{1, 0, 1} {
				serial(fmt.Sprintf("echo %d > /proc/irq/1/smp_affinity; echo mask $(cat /proc/irq/1/effective_affinity_list)\n", 1<<cpu))
				expect(fmt.Sprintf(`^mask %d$`, cpu))
				typeOn(cpu, fmt.Sprintf("cpu%d", cpu))
			}
		})
	}
}
