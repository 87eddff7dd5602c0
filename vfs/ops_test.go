package vfs

import (
	"bytes"
	"slices"
	"testing"

	"sigil/linux"
	"sigil/mm"
	"sigil/mm/vm"
)

func hostMemory(t testing.TB) {
	t.Helper()
	release, err := mm.HostMemory(16 << 20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
}

var root = Ctx{Now: 1e9, Caps: linux.CAP_ALL}

func mustMknod(t *testing.T, fs *MountNS, p string, mode uint32) *Node {
	t.Helper()
	n, err := fs.Mknod(root, nil, p, mode, 0, nil)
	if err != nil {
		t.Fatalf("mknod %s: %v", p, err)
	}
	return n
}

func check(t *testing.T, what string, err, want error) {
	t.Helper()
	if err != want {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

// TestCreateWriteRead: a file made, written past a page, read back, cut
// and grown again reads zeroes where it was cut (shmem_setattr).
func TestCreateWriteRead(t *testing.T) {
	hostMemory(t)
	tree := New()
	fs := NewMountNS(tree)
	n, created, err := fs.Open(root, nil, "/f", linux.O_CREAT|linux.O_RDWR, 0o640)
	if err != nil || !created || n.Mode() != S_IFREG|0o640 {
		t.Fatalf("open O_CREAT: %v %v %o", created, err, n.Mode())
	}
	data := bytes.Repeat([]byte("0123456789"), 1000)
	if k, err := n.WriteAt(root, data, 100); k != len(data) || err != nil {
		t.Fatalf("write: %d %v", k, err)
	}
	got := make([]byte, 20000)
	k, _ := n.ReadAt(got, 0)
	if k != 10100 || !bytes.Equal(got[100:k], data) || !bytes.Equal(got[:100], make([]byte, 100)) {
		t.Fatalf("read back %d bytes", k)
	}
	if err := n.Truncate(root, 5000); err != nil {
		t.Fatal(err)
	}
	n.Truncate(root, 9000)
	k, _ = n.ReadAt(got, 0)
	if k != 9000 || !bytes.Equal(got[100:5000], data[:4900]) || !bytes.Equal(got[5000:9000], make([]byte, 4000)) {
		t.Errorf("after cut and grow: %d bytes", k)
	}
	if _, _, err := fs.Open(root, nil, "/f", linux.O_CREAT|linux.O_EXCL|linux.O_RDWR, 0); err != linux.EEXIST {
		t.Errorf("O_EXCL: %v", err)
	}
	if _, _, err := fs.Open(root, nil, "/f", linux.O_RDWR|linux.O_TRUNC, 0); err != nil || n.Size() != 0 {
		t.Errorf("O_TRUNC: %v, size %d", err, n.Size())
	}
}

// TestInitrdFileWrite: writing into a file the tree was built with
// changes its contents, not the bytes of other files.
func TestInitrdFileWrite(t *testing.T) {
	hostMemory(t)
	tree, _ := FromCPIO(archive(Entry{Name: "a", Mode: S_IFREG | 0o644, Data: []byte("hello world")}))
	fs := NewMountNS(tree)
	n, _ := fs.Lookup(nil, "/a", true)
	n.WriteAt(root, []byte("HELLO"), 0)
	if b, _ := n.Bytes(); string(b) != "HELLO world" {
		t.Errorf("contents %q", b)
	}
}

func TestNamespaceErrors(t *testing.T) {
	hostMemory(t)
	tree := New()
	fs := NewMountNS(tree)
	mustMknod(t, fs, "/d", S_IFDIR|0o755)
	mustMknod(t, fs, "/d/f", 0o644)
	mustMknod(t, fs, "/e", S_IFDIR|0o755)
	fs.Symlink(root, "/nowhere/x", nil, "/dangling")
	fs.Symlink(root, "d", nil, "/ld")
	for _, c := range []struct {
		what string
		err  error
		want error
	}{
		{"mkdir existing", e(fs.Mknod(root, nil, "/d", S_IFDIR|0o755, 0, nil)), linux.EEXIST},
		{"mkdir /", e(fs.Mknod(root, nil, "/", S_IFDIR|0o755, 0, nil)), linux.EEXIST},
		{"mkdir under file", e(fs.Mknod(root, nil, "/d/f/x", S_IFDIR, 0, nil)), linux.ENOTDIR},
		{"mkdir missing parent", e(fs.Mknod(root, nil, "/x/y", S_IFDIR, 0, nil)), linux.ENOENT},
		{"mkdir d/", e(fs.Mknod(root, nil, "/new/", S_IFDIR|0o755, 0, nil)), nil},
		{"mknod f/", e(fs.Mknod(root, nil, "/newf/", S_IFREG, 0, nil)), linux.ENOENT},
		{"mkdir over dangling link", e(fs.Mknod(root, nil, "/dangling", S_IFDIR, 0, nil)), linux.EEXIST},
		{"rmdir nonempty", fs.Rmdir(root, nil, "/d"), linux.ENOTEMPTY},
		{"rmdir .", fs.Rmdir(root, nil, "/d/."), linux.EINVAL},
		{"rmdir ..", fs.Rmdir(root, nil, "/d/.."), linux.ENOTEMPTY},
		{"rmdir /", fs.Rmdir(root, nil, "/"), linux.EBUSY},
		{"rmdir file", fs.Rmdir(root, nil, "/d/f"), linux.ENOTDIR},
		{"rmdir symlink to dir", fs.Rmdir(root, nil, "/ld"), linux.ENOTDIR},
		{"unlink dir", fs.Unlink(root, nil, "/e"), linux.EISDIR},
		{"unlink .", fs.Unlink(root, nil, "."), linux.EISDIR},
		{"unlink f/", fs.Unlink(root, nil, "/d/f/"), linux.ENOTDIR},
		{"unlink missing", fs.Unlink(root, nil, "/d/g"), linux.ENOENT},
		{"link dir", fs.Link(root, tree.root, nil, "/r"), linux.EPERM},
		{"open dir for write", e3(fs.Open(root, nil, "/d", linux.O_WRONLY, 0)), linux.EISDIR},
		{"O_CREAT dir", e3(fs.Open(root, nil, "/d", linux.O_CREAT|linux.O_RDONLY, 0)), linux.EISDIR},
		{"O_CREAT slash", e3(fs.Open(root, nil, "/g/", linux.O_CREAT|linux.O_RDWR, 0)), linux.EISDIR},
		{"O_DIRECTORY file", e3(fs.Open(root, nil, "/d/f", linux.O_DIRECTORY, 0)), linux.ENOTDIR},
		{"O_NOFOLLOW link", e3(fs.Open(root, nil, "/ld", linux.O_NOFOLLOW, 0)), linux.ELOOP},
		{"O_CREAT|O_EXCL dangling", e3(fs.Open(root, nil, "/dangling", linux.O_CREAT|linux.O_EXCL, 0)), linux.EEXIST},
		{"symlink empty", fs.Symlink(root, "", nil, "/s"), linux.ENOENT},
	} {
		check(t, c.what, c.err, c.want)
	}
	// A dangling link's target is made through it by O_CREAT, when its
	// directory exists.
	fs.Symlink(root, "/e/made", nil, "/toe")
	if _, created, err := fs.Open(root, nil, "/toe", linux.O_CREAT|linux.O_WRONLY, 0o600); err != nil || !created {
		t.Errorf("O_CREAT through a dangling link: %v %v", created, err)
	}
	if _, err := fs.Lookup(nil, "/e/made", false); err != nil {
		t.Errorf("target not made: %v", err)
	}
}

func e(_ *Node, err error) error                  { return err }
func e3(_ *Node, _ bool, err error) error         { return err }
func names(n *Node) []string                      { return n.Names() }
func lookup(fs *MountNS, p string) (*Node, error) { return fs.Lookup(nil, p, false) }

func TestRename(t *testing.T) {
	hostMemory(t)
	tree := New()
	fs := NewMountNS(tree)
	a := mustMknod(t, fs, "/a", S_IFDIR|0o755)
	mustMknod(t, fs, "/a/sub", S_IFDIR|0o755)
	f := mustMknod(t, fs, "/a/f", 0o644)
	mustMknod(t, fs, "/b", S_IFDIR|0o755)
	mustMknod(t, fs, "/b/x", 0o644)
	mustMknod(t, fs, "/c", S_IFDIR|0o755)
	g := mustMknod(t, fs, "/g", 0o644)
	for _, c := range []struct {
		what string
		err  error
		want error
	}{
		{"into itself", fs.Rename(root, nil, "/a", nil, "/a/sub/a", 0), linux.EINVAL},
		{"over an ancestor", fs.Rename(root, nil, "/a/sub", nil, "/a", 0), linux.ENOTEMPTY},
		{"dir over file", fs.Rename(root, nil, "/c", nil, "/g", 0), linux.ENOTDIR},
		{"file over dir", fs.Rename(root, nil, "/g", nil, "/c", 0), linux.EISDIR},
		{"dir over nonempty", fs.Rename(root, nil, "/c", nil, "/b", 0), linux.ENOTEMPTY},
		{"noreplace", fs.Rename(root, nil, "/g", nil, "/a/f", linux.RENAME_NOREPLACE), linux.EEXIST},
		{"exchange missing", fs.Rename(root, nil, "/g", nil, "/nope", linux.RENAME_EXCHANGE), linux.ENOENT},
		{"bad flags", fs.Rename(root, nil, "/g", nil, "/h", 8), linux.EINVAL},
		{"both flags", fs.Rename(root, nil, "/g", nil, "/h", 3), linux.EINVAL},
		{"missing", fs.Rename(root, nil, "/nope", nil, "/h", 0), linux.ENOENT},
		{"dot", fs.Rename(root, nil, "/a/.", nil, "/h", 0), linux.EBUSY},
		{"file with slash", fs.Rename(root, nil, "/g/", nil, "/h", 0), linux.ENOTDIR},
		{"same file", fs.Rename(root, nil, "/g", nil, "/g", 0), nil},
	} {
		check(t, c.what, c.err, c.want)
	}
	// A plain move over a file replaces it; the old one is gone.
	if err := fs.Rename(root, nil, "/g", nil, "/a/f", 0); err != nil {
		t.Fatal(err)
	}
	if n, _ := lookup(fs, "/a/f"); n != g || f.nlink != 0 {
		t.Errorf("replace: /a/f is %p (g %p), old nlink %d", n, g, f.nlink)
	}
	// A directory moved to another directory moves its ".." link.
	if err := fs.Rename(root, nil, "/a/sub", nil, "/c/sub", 0); err != nil || a.nlink != 2 {
		t.Errorf("move dir: %v, /a nlink %d", err, a.nlink)
	}
	if p, _ := lookup(fs, "/c/sub/.."); p.Ino != mustLookup(t, fs, "/c").Ino {
		t.Error("moved directory's .. is not its new parent")
	}
	// Exchange swaps; whiteout leaves a 0:0 device behind.
	if err := fs.Rename(root, nil, "/b", nil, "/c", linux.RENAME_EXCHANGE); err != nil {
		t.Fatal(err)
	}
	if _, err := lookup(fs, "/b/sub"); err != nil {
		t.Errorf("exchange: /b/sub: %v", err)
	}
	if err := fs.Rename(root, nil, "/a/f", nil, "/wf", linux.RENAME_WHITEOUT); err != nil {
		t.Fatal(err)
	}
	if w, _ := lookup(fs, "/a/f"); w == nil || w.Type() != S_IFCHR || w.Rdev != 0 {
		t.Errorf("whiteout: %v", w)
	}
	if got := PathOf(mustLookup(t, fs, "/b/sub")); got != "/b/sub" {
		t.Errorf("PathOf = %q", got)
	}
}

func mustLookup(t *testing.T, fs *MountNS, p string) *Node {
	t.Helper()
	n, err := fs.Lookup(nil, p, true)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return n
}

// TestReaddirWhileChanging: entries that stay are each seen once, however
// the directory changes between reads.
func TestReaddirWhileChanging(t *testing.T) {
	hostMemory(t)
	tree := New()
	fs := NewMountNS(tree)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		mustMknod(t, fs, "/"+n, 0o644)
	}
	var seen []string
	off := uint64(0)
	for step := 0; ; step++ {
		batch := tree.root.Entries(off, 2)
		if len(batch) == 0 {
			break
		}
		for _, d := range batch {
			seen = append(seen, d.Name)
		}
		off = batch[len(batch)-1].Off
		if step == 1 { // mid-way: remove one seen and one unseen, add one
			fs.Unlink(root, nil, "/a")
			fs.Unlink(root, nil, "/d")
			mustMknod(t, fs, "/z", 0o644)
		}
	}
	want := []string{".", "..", "a", "b", "c", "e", "z"}
	if !slices.Equal(seen, want) {
		t.Errorf("saw %v, want %v", seen, want)
	}
}

// TestLinksAndDeletedFiles: hard links share the inode; a file unlinked
// while open keeps its contents until the last close.
func TestLinksAndDeletedFiles(t *testing.T) {
	hostMemory(t)
	tree := New()
	fs := NewMountNS(tree)
	n, _, _ := fs.Open(root, nil, "/f", linux.O_CREAT|linux.O_RDWR, 0o644)
	n.Opened()
	n.WriteAt(root, []byte("data"), 0)
	if err := fs.Link(root, n, nil, "/g"); err != nil || n.Attr().Nlink != 2 {
		t.Fatalf("link: %v, nlink %d", err, n.Attr().Nlink)
	}
	fs.Unlink(root, nil, "/f")
	fs.Unlink(root, nil, "/g")
	if got := PathOf(n); got != "/g (deleted)" {
		t.Errorf("PathOf deleted = %q", got)
	}
	b := make([]byte, 4)
	if k, _ := n.ReadAt(b, 0); string(b[:k]) != "data" {
		t.Errorf("deleted open file reads %q", b[:k])
	}
	free := mm.Stats().Free
	n.Closed()
	if mm.Stats().Free <= free {
		t.Error("last close of a deleted file freed nothing")
	}
	tmp, err := fs.Tmpfile(root, nil, "/", 0o600, true)
	if err != nil || fs.Link(root, tmp, nil, "/named") != nil {
		t.Errorf("O_TMPFILE then linkat: %v", err)
	}
	tmp2, _ := fs.Tmpfile(root, nil, "/", 0o600, false)
	check(t, "link O_EXCL tmpfile", fs.Link(root, tmp2, nil, "/n2"), linux.ENOENT)
}

func TestMount(t *testing.T) {
	hostMemory(t)
	tree := New()
	fs := NewMountNS(tree)
	mnt := mustMknod(t, fs, "/mnt", S_IFDIR|0o755)
	tmp := NewFS("tmpfs")
	if err := fs.Mount(nil, "/mnt", tmp); err != nil {
		t.Fatal(err)
	}
	f := mustMknod(t, fs, "/mnt/f", 0o644)
	if f.FS() != tmp || fs.PathOf(f) != "/mnt/f" {
		t.Errorf("file in the mount: fs %v, path %q", f.FS().Type, fs.PathOf(f))
	}
	if up, _ := fs.Lookup(nil, "/mnt/..", true); up != tree.root {
		t.Error(".. of a mount root is not the mount point's parent")
	}
	check(t, "rename across mounts", fs.Rename(root, nil, "/mnt/f", nil, "/f", 0), linux.EXDEV)
	check(t, "rmdir mount point", fs.Rmdir(root, nil, "/mnt"), linux.EBUSY)
	f.Opened()
	check(t, "umount busy", fs.Unmount(nil, "/mnt", true, false), linux.EBUSY)
	f.Closed()
	check(t, "umount non-mount", fs.Unmount(nil, "/", true, false), linux.EINVAL)
	check(t, "umount", fs.Unmount(nil, "/mnt", true, false), nil)
	if n, _ := fs.Lookup(nil, "/mnt", true); n != mnt || len(fs.Mounts()) != 0 {
		t.Error("mount point not uncovered")
	}
}

func TestPermissions(t *testing.T) {
	hostMemory(t)
	tree := New()
	fs := NewMountNS(tree)
	user := Ctx{UID: 1000, GID: 1000, Now: 2e9}
	mustMknod(t, fs, "/ro", S_IFDIR|0o755)
	mustMknod(t, fs, "/ro/f", 0o600)
	tmp := mustMknod(t, fs, "/tmp", S_IFDIR|0o777|S_ISVTX)
	_ = tmp
	check(t, "create in root's dir", e(fs.Mknod(user, nil, "/ro/x", 0o644, 0, nil)), linux.EACCES)
	check(t, "open root's 0600 file", e3(fs.Open(user, nil, "/ro/f", linux.O_RDONLY, 0)), linux.EACCES)
	check(t, "unlink in root's dir", fs.Unlink(user, nil, "/ro/f"), linux.EACCES)
	mine := e(fs.Mknod(user, nil, "/tmp/mine", 0o644, 0, nil))
	check(t, "create in sticky /tmp", mine, nil)
	mustMknod(t, fs, "/tmp/roots", 0o666)
	check(t, "unlink another's file in sticky dir", fs.Unlink(user, nil, "/tmp/roots"), linux.EPERM)
	n := mustLookup(t, fs, "/ro/f")
	check(t, "chmod another's file", user.Chmod(n, 0o777), linux.EPERM)
	check(t, "chown to self", user.Chown(n, 1000, -1), linux.EPERM)
	check(t, "explicit utime on another's", user.SetTimes(n, Time{Ns: 5}, Time{Omit: true}), linux.EPERM)
	check(t, "root exec of 0600", root.Permission(n, MayExec), linux.EACCES)
	m := mustLookup(t, fs, "/tmp/mine")
	if m.Attr().UID != 1000 {
		t.Errorf("new file's owner %d", m.Attr().UID)
	}
	check(t, "chmod own file", user.Chmod(m, 0o4755), nil)
	m.WriteAt(user, []byte("x"), 0)
	if m.Mode()&S_ISUID != 0 {
		t.Error("a write kept set-user-ID")
	}
}

// TestBudget: a tree's page budget (tmpfs size=) stops a write with the
// bytes that fit, and a file's pages return to it when the file goes.
func TestBudget(t *testing.T) {
	hostMemory(t)
	tree := New()
	fs := NewMountNS(tree)
	tree.Budget.Limit.Store(2)
	n, _, _ := fs.Open(root, nil, "/f", linux.O_CREAT|linux.O_RDWR, 0o644)
	n.Opened()
	k, err := n.WriteAt(root, make([]byte, 3*PageSize), 0)
	if k != 2*PageSize || err != vm.ErrNoSpace || tree.Budget.Used() != 2 {
		t.Fatalf("write past the budget: %d, %v, used %d", k, err, tree.Budget.Used())
	}
	n.Truncate(root, PageSize)
	if tree.Budget.Used() != 1 {
		t.Errorf("after truncation: used %d", tree.Budget.Used())
	}
	fs.Unlink(root, nil, "/f")
	n.Closed()
	if tree.Budget.Used() != 0 {
		t.Errorf("after the last close: used %d", tree.Budget.Used())
	}
}

// TestMountNamespaces: a copied namespace starts with the same mounts;
// from then on a mount or unmount in one is not seen in the other, and
// a directory that is a mount point in one only can be removed from the
// other.
func TestMountNamespaces(t *testing.T) {
	hostMemory(t)
	tree := New()
	a := NewMountNS(tree)
	mustMknod(t, a, "/m", S_IFDIR|0o755)
	mustMknod(t, a, "/n", S_IFDIR|0o755)
	first := NewFS("tmpfs")
	if err := a.Mount(nil, "/m", first); err != nil {
		t.Fatal(err)
	}
	b := a.Copy()
	second := NewFS("tmpfs")
	if err := b.Mount(nil, "/n", second); err != nil {
		t.Fatal(err)
	}
	f := mustMknod(t, b, "/n/f", 0o644)
	if _, err := a.Lookup(nil, "/n/f", true); err != ErrNotExist {
		t.Errorf("b's mount seen in a: %v", err)
	}
	if b.PathOf(f) != "/n/f" || len(a.Mounts()) != 1 || len(b.Mounts()) != 2 {
		t.Errorf("path %q, mounts %d and %d", b.PathOf(f), len(a.Mounts()), len(b.Mounts()))
	}
	if err := b.Rmdir(root, nil, "/n"); err != linux.EBUSY {
		t.Errorf("rmdir of b's mount point in b: %v", err)
	}
	if err := a.Unmount(nil, "/m", true, false); err != nil {
		t.Fatal(err)
	}
	if n, _ := b.Lookup(nil, "/m", true); n != first.Root() {
		t.Error("a's unmount seen in b")
	}
	if err := a.Rmdir(root, nil, "/n"); err != nil {
		t.Errorf("rmdir of b's mount point in a: %v", err)
	}
}
