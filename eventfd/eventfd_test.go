package eventfd

import (
	"testing"

	"sigil/linux"
)

func TestNew(t *testing.T) {
	if _, err := New(0, 0x2); err != linux.EINVAL {
		t.Errorf("unknown flag: errno %d, want EINVAL", err)
	}
	c, err := New(1<<32+5, linux.EFD_SEMAPHORE|linux.EFD_CLOEXEC)
	if err != 0 || c.Count != 5 || !c.Semaphore {
		t.Errorf("New = %+v, %d; want count 5 (an unsigned int), semaphore", c, err)
	}
}

func TestChecks(t *testing.T) {
	if CheckRead(7) != linux.EINVAL || CheckRead(8) != 0 || CheckRead(16) != 0 {
		t.Error("read size check")
	}
	if CheckWrite(7, 1) != linux.EINVAL || CheckWrite(8, ^uint64(0)) != linux.EINVAL || CheckWrite(8, Max) != 0 {
		t.Error("write check")
	}
}

// FuzzCounter drives a counter with a sequence of operations and
// compares it against arithmetic on a big model.
func FuzzCounter(f *testing.F) {
	f.Add(uint64(3), false, []byte{0, 1, 1, 0})
	f.Add(uint64(Max), true, []byte{1, 0, 1, 1})
	f.Fuzz(func(t *testing.T, v uint64, sem bool, ops []byte) {
		if v == ^uint64(0) {
			v--
		}
		c := Counter{Semaphore: sem}
		model := uint64(0)
		for _, op := range ops {
			if op&1 == 0 {
				ok := c.Add(v)
				if want := v <= Max-model; ok != want {
					t.Fatalf("Add(%d) at %d = %v, want %v", v, model, ok, want)
				}
				if ok {
					model += v
				}
			} else {
				got, ok := c.Take()
				want := model
				if sem && want > 0 {
					want = 1
				}
				if ok != (model > 0) || got != want {
					t.Fatalf("Take at %d = %d, %v", model, got, ok)
				}
				model -= got
			}
			if c.Count != model {
				t.Fatalf("count %d, model %d", c.Count, model)
			}
			r := c.Readiness()
			if (r&linux.EPOLLIN != 0) != (model > 0) || (r&linux.EPOLLOUT != 0) != (model < Max) {
				t.Fatalf("readiness %#x at %d", r, model)
			}
		}
	})
}
