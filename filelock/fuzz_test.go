package filelock

import (
	"math/big"
	"testing"

	"sigil/linux"
)

// FuzzRange checks Range's arithmetic against arbitrary precision.
func FuzzRange(f *testing.F) {
	f.Add(int64(0), int64(10), int64(-5))
	f.Add(int64(1), int64(OffsetMax), int64(1))
	f.Add(int64(5), int64(-5), int64(OffsetMax))
	f.Fuzz(func(t *testing.T, base, lstart, llen int64) {
		if base < 0 {
			base = -(base + 1)
		}
		s, e, err := Range(base, lstart, llen)
		bmax := big.NewInt(OffsetMax)
		start := new(big.Int).Add(big.NewInt(base), big.NewInt(lstart))
		var want error
		var ws, we *big.Int
		switch {
		case start.Cmp(bmax) > 0:
			want = linux.EOVERFLOW
		case start.Sign() < 0:
			want = linux.EINVAL
		case llen > 0:
			ws, we = start, new(big.Int).Add(start, big.NewInt(llen-1))
			if we.Cmp(bmax) > 0 {
				want = linux.EOVERFLOW
			}
		case llen < 0:
			ws, we = new(big.Int).Add(start, big.NewInt(llen)), new(big.Int).Sub(start, big.NewInt(1))
			if ws.Sign() < 0 {
				want = linux.EINVAL
			}
		default:
			ws, we = start, bmax
		}
		if err != want {
			t.Fatalf("Range(%d, %d, %d) error %v, want %v", base, lstart, llen, err, want)
		}
		if err == nil && (ws.Int64() != s || we.Int64() != e || s > e) {
			t.Fatalf("Range(%d, %d, %d) = [%d, %d], want [%v, %v]", base, lstart, llen, s, e, ws, we)
		}
	})
}

// cells is the reference model: for each owner, the lock type at each
// offset below cellEOF, and at cellEOF the type of every offset from
// there to OffsetMax (requests end below cellEOF or at OffsetMax).
const cellEOF = 24

type model map[string]*[cellEOF + 1]Type

func (m model) at(owner string) *[cellEOF + 1]Type {
	if m[owner] == nil {
		c := new([cellEOF + 1]Type)
		for i := range c {
			c[i] = Unlock
		}
		m[owner] = c
	}
	return m[owner]
}

func cellRange(l Lock) (int, int) {
	if l.End == OffsetMax {
		return int(l.Start), cellEOF
	}
	return int(l.Start), int(l.End)
}

// FuzzPosix runs request sequences through posixSet and checks each
// owner's list against the model: the same bytes locked, as sorted
// maximal runs of one type, the owner's locks together, and conflicts
// (EAGAIN, Test) exactly where the model has them.
func FuzzPosix(f *testing.F) {
	f.Add([]byte{0, 1, 0, 5, 1, 1, 2, 3, 2, 2, 0, 4})
	f.Add([]byte{0, 1, 0, 255, 0, 2, 4, 8, 1, 0, 9, 3})
	f.Fuzz(func(t *testing.T, ops []byte) {
		owners := []string{"A", "B", "C"}
		var tb Table
		m := model{}
		for len(ops) >= 4 {
			op := ops[:4]
			ops = ops[4:]
			owner := owners[int(op[0])%len(owners)]
			req := Lock{Class: Posix, Type: Type(op[1] % 3), Owner: owner}
			if op[0]&0x80 != 0 {
				req.Class = OFD
			}
			req.Start = int64(op[2] % cellEOF)
			if op[3] >= 200 {
				req.End = OffsetMax
			} else {
				req.End = req.Start + int64(op[3])%(cellEOF-req.Start)
			}
			s, e := cellRange(req)
			conflict := false
			for o, c := range m {
				for i := s; i <= e && o != owner; i++ {
					if c[i] != Unlock && req.Type != Unlock && (c[i] == Write || req.Type == Write) {
						conflict = true
					}
				}
			}
			if req.Type != Unlock {
				_, found := tb.Test("f", req)
				if found != conflict {
					t.Fatalf("Test(%+v) = %v, model says %v", req, found, conflict)
				}
			}
			_, err := tb.Set("f", Inode{}, req, false)
			if conflict != (err == linux.EAGAIN) || err != nil && err != linux.EAGAIN {
				t.Fatalf("Set(%+v) = %v, model conflict %v", req, err, conflict)
			}
			if err == nil {
				c := m.at(owner)
				for i := s; i <= e; i++ {
					c[i] = req.Type
				}
			}
			check(t, &tb, m)
		}
	})
}

// check compares the table's list with the model.
func check(t *testing.T, tb *Table, m model) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	got := map[string][]Lock{}
	var order []string
	if fl := tb.files["f"]; fl != nil {
		for e := fl.posix.Front(); e != nil; e = e.Next() {
			h := e.Value.(*held)
			o := h.Owner.(string)
			if len(order) == 0 || order[len(order)-1] != o {
				for _, seen := range order {
					if seen == o {
						t.Fatalf("owner %s's locks are not together: %s", o, dumpLocked(fl))
					}
				}
				order = append(order, o)
			}
			got[o] = append(got[o], h.Lock)
		}
	}
	for o, c := range m {
		var want []Lock
		for i := 0; i <= cellEOF; i++ {
			if c[i] == Unlock {
				continue
			}
			j := i
			for j < cellEOF && c[j+1] == c[i] {
				j++
			}
			end := int64(j)
			if j == cellEOF {
				end = OffsetMax
			}
			want = append(want, Lock{Type: c[i], Start: int64(i), End: end})
			i = j
		}
		g := got[o]
		if len(g) != len(want) {
			t.Fatalf("owner %s: %d locks, model %d: %s", o, len(g), len(want), dumpLocked(tb.files["f"]))
		}
		for i := range g {
			if g[i].Type != want[i].Type || g[i].Start != want[i].Start || g[i].End != want[i].End {
				t.Fatalf("owner %s lock %d: %+v, model %+v: %s", o, i, g[i], want[i], dumpLocked(tb.files["f"]))
			}
		}
	}
}

func dumpLocked(fl *fileLocks) string {
	if fl == nil {
		return "(none)"
	}
	s := ""
	for e := fl.posix.Front(); e != nil; e = e.Next() {
		h := e.Value.(*held)
		s += " " + h.Owner.(string) + ":" + string("RWU"[h.Type]) + "[" + itoa(h.Start) + "," + itoa(h.End) + "]"
	}
	return s
}

func itoa(n int64) string { return big.NewInt(n).String() }
