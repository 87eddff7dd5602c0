package linux

// Cross-checks of the hand-written definitions against independent sources
// available on a development host: the kernel UAPI headers under
// /usr/include (if installed) and the Go standard library's frozen
// syscall package for linux/amd64. Also static checks that the package
// stays usable without the Go runtime.

import (
	"bufio"
	"go/ast"
	"go/build"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

const includeDir = "/usr/include"

// ourConstants type-checks this package's (non-test) sources and returns
// every exported package-level constant.
func ourConstants(t *testing.T) map[string]constant.Value {
	t.Helper()
	fset := token.NewFileSet()
	files := parsePackage(t, fset)
	conf := types.Config{Importer: nil}
	pkg, err := conf.Check("sigil/linux", fset, files, nil)
	if err != nil {
		t.Fatalf("type-checking package: %v", err)
	}
	out := map[string]constant.Value{}
	for _, name := range pkg.Scope().Names() {
		if c, ok := pkg.Scope().Lookup(name).(*types.Const); ok && c.Exported() {
			out[name] = c.Val()
		}
	}
	return out
}

func parsePackage(t *testing.T, fset *token.FileSet) []*ast.File {
	t.Helper()
	bp, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// sameBits reports whether a and b are the same ABI value: equal, or equal
// as 32-bit patterns when one is a sign-extended negative int32 (C headers
// and Go's syscall package sometimes spell 1<<31 as -0x80000000).
func sameBits(a, b constant.Value) bool {
	if constant.Compare(a, token.EQL, b) {
		return true
	}
	ai, bi := bigOf(a), bigOf(b)
	if ai == nil || bi == nil {
		return false
	}
	mask := new(big.Int).SetUint64(0xffffffff)
	if ai.Sign() < 0 && ai.IsInt64() && ai.Int64() >= -1<<31 || bi.Sign() < 0 && bi.IsInt64() && bi.Int64() >= -1<<31 {
		a32 := new(big.Int).And(ai, mask)
		b32 := new(big.Int).And(bi, mask)
		return a32.Cmp(b32) == 0
	}
	mask64 := new(big.Int).SetUint64(^uint64(0))
	return new(big.Int).And(ai, mask64).Cmp(new(big.Int).And(bi, mask64)) == 0
}

func bigOf(v constant.Value) *big.Int {
	if v.Kind() != constant.Int {
		return nil
	}
	b, ok := new(big.Int).SetString(v.ExactString(), 10)
	if !ok {
		return nil
	}
	return b
}

// --- kernel UAPI headers ---------------------------------------------------

var (
	cDefine = regexp.MustCompile(`^#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.+?)\s*(?:/\*.*)?$`)
	cNumber = regexp.MustCompile(`^\(?\s*(?:\([a-z_ ]+\)\s*)?(-?(?:0[xX][0-9a-fA-F]+|[0-9]+))[uUlL]*\s*\)?$`)
	cShift  = regexp.MustCompile(`^\(?\s*(?:\([a-z_ ]+\)\s*)?\(?\s*1[uUlL]*\s*<<\s*([0-9]+)\s*\)?\s*\)?$`)
)

// headerDefines returns the numeric #defines of an include file, or nil if
// the file is not installed.
func headerDefines(t *testing.T, rel string) map[string]constant.Value {
	t.Helper()
	f, err := os.Open(filepath.Join(includeDir, rel))
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string]constant.Value{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := cDefine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		name, body := m[1], strings.TrimSpace(m[2])
		var lit string
		if n := cNumber.FindStringSubmatch(body); n != nil {
			lit = n[1]
		} else if n := cShift.FindStringSubmatch(body); n != nil {
			lit = "1<<" + n[1]
		} else {
			continue
		}
		v := evalGoConst(lit)
		if v == nil {
			continue
		}
		out[name] = v
	}
	return out
}

func evalGoConst(lit string) constant.Value {
	neg := strings.HasPrefix(lit, "-")
	lit = strings.TrimPrefix(lit, "-")
	if len(lit) > 1 && lit[0] == '0' && lit[1] != 'x' && lit[1] != 'X' {
		lit = "0o" + lit[1:] // C octal
	}
	if strings.HasPrefix(lit, "1<<") {
		n := constant.MakeFromLiteral(lit[3:], token.INT, 0)
		s, _ := constant.Uint64Val(n)
		return constant.Shift(constant.MakeInt64(1), token.SHL, uint(s))
	}
	v := constant.MakeFromLiteral(lit, token.INT, 0)
	if v.Kind() != constant.Int {
		return nil
	}
	if neg {
		v = constant.UnaryOp(token.SUB, v, 0)
	}
	return v
}

// Headers whose numeric #defines must agree with same-named constants here.
var uapiHeaders = []string{
	"asm-generic/errno-base.h",
	"asm-generic/errno.h",
	"linux/auxvec.h",
	"x86_64-linux-gnu/asm/auxvec.h",
	"x86_64-linux-gnu/asm/signal.h",
	"asm-generic/signal-defs.h",
	"asm-generic/siginfo.h",
	"linux/signal.h",
	"linux/sched.h",
	"linux/futex.h",
	"asm-generic/mman-common.h",
	"asm-generic/mman.h",
	"x86_64-linux-gnu/asm/mman.h",
	"linux/mman.h",
	"asm-generic/hugetlb_encode.h",
	"x86_64-linux-gnu/asm/prctl.h",
	"linux/prctl.h",
	"asm-generic/fcntl.h",
	"linux/fcntl.h",
	"linux/time.h",
	"linux/eventpoll.h",
	"asm-generic/poll.h",
	"linux/random.h",
	"linux/wait.h",
	"asm-generic/resource.h",
	"linux/resource.h",
	"linux/stat.h",
	"linux/fs.h",
	"linux/limits.h",
	"linux/timerfd.h",
	"linux/memfd.h",
	"linux/close_range.h",
	"linux/reboot.h",
	"asm-generic/ioctls.h",
	"asm-generic/termbits.h",
	"x86_64-linux-gnu/asm/sigcontext.h",
	"x86_64-linux-gnu/asm/ucontext.h",
	"x86_64-linux-gnu/asm/param.h",
}

// headerExceptions are names whose value here deliberately differs from
// the (user-space oriented) header.
var headerExceptions = map[string]string{
	"NSIG":        "header's NSIG is the legacy 32; ours is the array length 65",
	"SYS_SECCOMP": "siginfo.h's SIGSYS si_code is SIGSYS_SECCOMP here; SYS_SECCOMP is the syscall",
}

func TestConstantsMatchUAPIHeaders(t *testing.T) {
	ours := ourConstants(t)
	compared, files := 0, 0
	for _, h := range uapiHeaders {
		defs := headerDefines(t, h)
		if defs == nil {
			continue
		}
		files++
		for name, hv := range defs {
			ov, ok := ours[name]
			if !ok {
				continue
			}
			if why, ok := headerExceptions[name]; ok {
				t.Logf("skipping %s: %s", name, why)
				continue
			}
			compared++
			if !sameBits(ov, hv) {
				t.Errorf("%s = %s, but %s says %s", name, ov.ExactString(), h, hv.ExactString())
			}
		}
	}
	if files == 0 {
		t.Skip("kernel UAPI headers not installed under " + includeDir)
	}
	t.Logf("compared %d constants against %d headers", compared, files)
	if compared < 400 {
		t.Errorf("only %d constants compared; header parsing broken?", compared)
	}
}

func TestSyscallsMatchUAPIHeader(t *testing.T) {
	defs := headerDefines(t, "x86_64-linux-gnu/asm/unistd_64.h")
	if defs == nil {
		t.Skip("asm/unistd_64.h not installed")
	}
	byNr := map[uint64]string{}
	for name, v := range defs {
		if !strings.HasPrefix(name, "__NR_") {
			continue
		}
		nr, _ := constant.Uint64Val(v)
		byNr[nr] = strings.TrimPrefix(name, "__NR_")
	}
	if len(byNr) < 300 {
		t.Fatalf("only %d syscalls parsed from header", len(byNr))
	}
	newer := 0
	for nr, name := range byNr {
		if nr > MaxSyscall {
			newer++
			continue
		}
		if got := SyscallName(uintptr(nr)); got != name {
			t.Errorf("SyscallName(%d) = %q, header says %q", nr, got, name)
		}
	}
	for nr := uintptr(0); nr <= MaxSyscall; nr++ {
		if name := SyscallName(nr); name != "" && byNr[uint64(nr)] != name {
			t.Errorf("SyscallName(%d) = %q, header has %q", nr, name, byNr[uint64(nr)])
		}
	}
	if newer > 0 {
		t.Logf("header defines %d syscalls above MaxSyscall=%d; run go generate to pick them up", newer, MaxSyscall)
	}
}

// --- Go's syscall package (linux/amd64) -----------------------------------

// goSyscallConstants parses the generated syscall sources of the Go
// distribution for linux/amd64 and returns their simple integer constants.
func goSyscallConstants(t *testing.T) (vals map[string]constant.Value, typ map[string]string) {
	t.Helper()
	typ = map[string]string{}
	dir := filepath.Join(runtime.GOROOT(), "src", "syscall")
	out := map[string]constant.Value{}
	fset := token.NewFileSet()
	for _, name := range []string{"zerrors_linux_amd64.go", "zsysnum_linux_amd64.go", "ztypes_linux_amd64.go"} {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
		if err != nil {
			continue
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if len(vs.Names) != 1 || len(vs.Values) != 1 {
					continue
				}
				if v := literalValue(vs.Values[0]); v != nil {
					out[vs.Names[0].Name] = v
					if call, ok := vs.Values[0].(*ast.CallExpr); ok {
						if id, ok := call.Fun.(*ast.Ident); ok {
							typ[vs.Names[0].Name] = id.Name
						}
					}
				}
			}
		}
	}
	return out, typ
}

// literalValue evaluates 0x1, -0x1, Errno(0x1) and Signal(0x1).
func literalValue(e ast.Expr) constant.Value {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.INT {
			return constant.MakeFromLiteral(e.Value, token.INT, 0)
		}
	case *ast.UnaryExpr:
		if e.Op == token.SUB {
			if v := literalValue(e.X); v != nil {
				return constant.UnaryOp(token.SUB, v, 0)
			}
		}
	case *ast.CallExpr:
		if len(e.Args) == 1 {
			return literalValue(e.Args[0])
		}
	case *ast.ParenExpr:
		return literalValue(e.X)
	}
	return nil
}

// goSyscallExceptions are names whose value in Go's syscall package is the
// C library's, not the kernel's.
var goSyscallExceptions = map[string]string{
	"O_LARGEFILE": "libc defines it as 0 on 64-bit; the kernel flag is 0o100000",
}

func TestConstantsMatchGoSyscall(t *testing.T) {
	theirs, theirType := goSyscallConstants(t)
	if len(theirs) == 0 {
		t.Skip("Go syscall sources for linux/amd64 not found")
	}
	ours := ourConstants(t)
	compared := 0
	for name, tv := range theirs {
		ov, ok := ours[name]
		if !ok {
			continue
		}
		if why, ok := goSyscallExceptions[name]; ok {
			t.Logf("skipping %s: %s", name, why)
			continue
		}
		compared++
		if !sameBits(ov, tv) {
			t.Errorf("%s = %s, but Go's syscall has %s", name, ov.ExactString(), tv.ExactString())
		}
	}
	t.Logf("compared %d constants against Go's syscall package", compared)
	if compared < 400 {
		t.Errorf("only %d constants compared; parsing broken?", compared)
	}
	// Names tables: every errno / signal Go knows must have the same name
	// here (modulo aliases).
	aliases := map[string]bool{"EWOULDBLOCK": true, "EDEADLOCK": true, "ENOTSUP": true,
		"SIGIOT": true, "SIGPOLL": true, "SIGUNUSED": true, "SIGCLD": true}
	for name, v := range theirs {
		n, ok := constant.Int64Val(v)
		if !ok || aliases[name] {
			continue
		}
		switch {
		case strings.HasPrefix(name, "SYS_"):
			if got := SyscallName(uintptr(n)); got != strings.ToLower(strings.TrimPrefix(name, "SYS_")) {
				t.Errorf("SyscallName(%d) = %q, Go's syscall calls it %s", n, got, name)
			}
		case theirType[name] == "Errno":
			if got := Errno(n).Name(); got != name {
				t.Errorf("Errno(%d).Name() = %q, Go's syscall calls it %s", n, got, name)
			}
		case theirType[name] == "Signal":
			if got := SignalName(Signal(n)); got != name {
				t.Errorf("SignalName(%d) = %q, Go's syscall calls it %s", n, got, name)
			}
		}
	}
}

// --- runtime independence --------------------------------------------------

// TestRuntimeIndependent checks the rules that let the kernel use this
// package from interrupt and syscall context: no imports at all, every
// function //go:nosplit, and no package-level variables other than the
// fixed-size name tables.
func TestRuntimeIndependent(t *testing.T) {
	fset := token.NewFileSet()
	for _, f := range parsePackage(t, fset) {
		fname := fset.Position(f.Pos()).Filename
		if len(f.Imports) != 0 {
			t.Errorf("%s imports packages", fname)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !hasDirective(d.Doc, "//go:nosplit") {
					t.Errorf("%s: func %s is not //go:nosplit", fname, d.Name.Name)
				}
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, spec := range d.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, v := range vs.Values {
						cl, ok := v.(*ast.CompositeLit)
						at, isArray := func() (*ast.ArrayType, bool) {
							if !ok {
								return nil, false
							}
							a, ok := cl.Type.(*ast.ArrayType)
							return a, ok && a.Len != nil
						}()
						if !isArray || !isIdent(at.Elt, "string") {
							t.Errorf("%s: var %s is not a fixed array of strings", fname, vs.Names[i].Name)
							continue
						}
						for _, elt := range cl.Elts {
							if kv, ok := elt.(*ast.KeyValueExpr); ok {
								elt = kv.Value
							}
							if lit, ok := elt.(*ast.BasicLit); !ok || lit.Kind != token.STRING {
								t.Errorf("%s: var %s has a non-literal element", fname, vs.Names[i].Name)
							}
						}
					}
				}
			}
		}
	}
}

func hasDirective(doc *ast.CommentGroup, directive string) bool {
	if doc == nil {
		return false
	}
	for _, c := range doc.List {
		if strings.TrimSpace(c.Text) == directive {
			return true
		}
	}
	return false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}
