// Package selftest holds the kernel's in-kernel self-tests, run with
// -append test=NAME. Each prints its progress as "sigil: test NAME: ..."
// lines and the kernel powers off with 0 on PASS and 1 on FAIL.
package selftest

import (
	"fmt"
	"sort"
)

// A Test returns nil on success.
type Test func(t *T) error

// T gives a test its log.
type T struct{ name string }

// Logf prints a progress line.
func (t *T) Logf(format string, args ...any) {
	fmt.Printf("sigil: test %s: "+format+"\n", append([]any{t.name}, args...)...)
}

var tests = map[string]Test{}

func register(name string, f Test) { tests[name] = f }

// Names lists the registered tests.
func Names() []string {
	var n []string
	for k := range tests {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Run runs test name, prints PASS or FAIL, and reports success.
func Run(name string) bool {
	f, ok := tests[name]
	if !ok {
		fmt.Printf("sigil: test %s: FAIL: no such test (have %v)\n", name, Names())
		return false
	}
	if err := f(&T{name: name}); err != nil {
		fmt.Printf("sigil: test %s: FAIL: %v\n", name, err)
		return false
	}
	fmt.Printf("sigil: test %s: PASS\n", name)
	return true
}
