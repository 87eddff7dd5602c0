package arch

import (
	"testing"

	"sigil/linux"
)

func TestFormatMask(t *testing.T) {
	for _, c := range []struct {
		m     CPUMask
		nbits int
		want  string
	}{
		{3, 2, "3"},    // two CPUs: one digit (Linux 6.1 at -smp 2 prints "3")
		{1, 1, "1"},    // one CPU
		{2, 2, "2"},    // CPU 1 alone
		{0, 2, "0"},    // the empty mask (affinity_hint)
		{0xf, 8, "0f"}, // eight CPUs: two digits, zero-padded
		{1, 16, "0001"},
		{0xff, 4, "f"}, // bits past nbits are not printed
		{1<<40 | 1, 41, "100,00000001"},
		{1 << 32, 64, "00000001,00000000"},
	} {
		if got := FormatMask(c.m, c.nbits); got != c.want {
			t.Errorf("FormatMask(%#x, %d) = %q, want %q", uint64(c.m), c.nbits, got, c.want)
		}
	}
}

func TestFormatList(t *testing.T) {
	for _, c := range []struct {
		m     CPUMask
		nbits int
		want  string
	}{
		{3, 2, "0-1"}, {2, 2, "1"}, {0, 2, ""}, {0b1011_0101, 8, "0,2,4-5,7"},
		{0xffff, 16, "0-15"}, {0xffff, 3, "0-2"}, {1<<15 | 1<<14, 16, "14-15"},
	} {
		if got := FormatList(c.m, c.nbits); got != c.want {
			t.Errorf("FormatList(%#x, %d) = %q, want %q", uint64(c.m), c.nbits, got, c.want)
		}
	}
}

// The cases of /proc/irq/1/smp_affinity that Linux 6.1 answered at -smp 2
// (nr_cpu_ids 2) in the same QEMU (user/c/irqaff.c), and bitmap_parse's
// rules at other widths.
func TestParseMask(t *testing.T) {
	for _, c := range []struct {
		s     string
		nbits int
		want  CPUMask
		err   error
	}{
		{"2", 2, 2, nil}, {"3\n", 2, 3, nil}, {"  3  \n", 2, 3, nil}, {"", 2, 0, nil}, {"\n", 2, 0, nil},
		{"0", 2, 0, nil}, {",1", 2, 1, nil}, {"1,", 2, 1, nil}, {"00000003", 2, 3, nil}, {"A", 4, 0xa, nil},
		{"4", 2, 0, linux.EOVERFLOW},         // a CPU past nr_cpu_ids
		{"1,0", 2, 0, linux.EOVERFLOW},       // two groups where one holds every CPU
		{"3 1", 2, 0, linux.EOVERFLOW},       // white space separates groups too
		{"000000003", 2, 0, linux.EOVERFLOW}, // nine digits
		{"zz", 2, 0, linux.EINVAL}, {"x1", 2, 0, linux.EINVAL}, {"-1", 2, 0, linux.EINVAL},
		{"x00000001", 2, 1, nil}, // bitmap_get_x32_reverse steps over a ninth non-digit
		{"3\nzz", 2, 3, nil},     // the text ends at the newline
		{"1\x00zz", 2, 1, nil},   // and at a NUL
		{"1,00000000", 40, 1 << 32 & (1<<MaxCPUs - 1), nil},
	} {
		got, err := ParseMask(c.s, c.nbits)
		if got != c.want || err != c.err {
			t.Errorf("ParseMask(%q, %d) = %#x, %v; want %#x, %v", c.s, c.nbits, uint64(got), err, uint64(c.want), c.err)
		}
	}
}

func TestParseList(t *testing.T) {
	for _, c := range []struct {
		s     string
		nbits int
		want  CPUMask
		err   error
	}{
		{"0-1", 2, 3, nil}, {"1", 2, 2, nil}, {"1\n", 2, 2, nil}, {"N", 2, 2, nil}, {"all", 2, 3, nil},
		{"ALL", 4, 0xf, nil}, {"0-1:1/2", 2, 1, nil}, {"", 2, 0, nil}, {" ,0 , 1 ", 2, 3, nil},
		{"0-15:2/4", 16, 0x3333, nil}, {"0-N", 4, 0xf, nil}, {"1\n0", 2, 2, nil}, {"\n1", 2, 2, nil},
		{"5", 2, 0, linux.ERANGE}, {"0-2", 2, 0, linux.ERANGE},
		{"a", 2, 0, linux.EINVAL}, {"1-0", 2, 0, linux.EINVAL}, {"0-1:2/1", 2, 0, linux.EINVAL},
		{"0-1:1/0", 2, 0, linux.EINVAL}, {"0-1:1", 2, 0, linux.EINVAL}, {"0x", 2, 0, linux.EINVAL},
		{"-1", 2, 0, linux.EINVAL}, {"1-", 2, 0, linux.EINVAL}, {"all-1", 2, 0, linux.EINVAL},
		{"99999999999", 2, 0, linux.EOVERFLOW}, {"99999999999999999999999", 2, 0, linux.EOVERFLOW},
	} {
		got, err := ParseList(c.s, c.nbits)
		if got != c.want || err != c.err {
			t.Errorf("ParseList(%q, %d) = %#x, %v; want %#x, %v", c.s, c.nbits, uint64(got), err, uint64(c.want), c.err)
		}
	}
}

// Every mask survives its own text forms.
func TestMaskTextRoundTrip(t *testing.T) {
	for nbits := 1; nbits <= MaxCPUs; nbits++ {
		for m := CPUMask(0); m < 1<<nbits; m += 1 + m/7 {
			if got, err := ParseMask(FormatMask(m, nbits), nbits); got != m || err != nil {
				t.Fatalf("ParseMask(FormatMask(%#x, %d)) = %#x, %v", uint64(m), nbits, uint64(got), err)
			}
			if got, err := ParseList(FormatList(m, nbits), nbits); got != m || err != nil {
				t.Fatalf("ParseList(FormatList(%#x, %d)) = %#x, %v", uint64(m), nbits, uint64(got), err)
			}
		}
	}
}
