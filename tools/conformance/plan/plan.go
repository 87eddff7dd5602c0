// Package plan is what the conformance runner tells its guest init: which
// test binaries to run, where and with which flags. The host writes it
// into the initrd as JSON and the guest reads it back, so both kernels get
// the very same instructions without any quoting on the kernel command
// line.
package plan

import (
	"encoding/json"
	"os"
)

// Path is where the plan lives in the initrd.
const Path = "/conformance/plan.json"

// Plan is the whole of one conformance boot.
type Plan struct {
	Env  []string // the environment of every test binary (KEY=value)
	Runs []Run
}

// Run is one test binary.
type Run struct {
	Pkg      string   // import path, used in the begin and end markers
	Binary   string   // absolute path in the initrd
	Dir      string   // working directory: the package's source folder
	Args     []string // -test.* flags
	Deadline int      // seconds after which init kills the binary (0: never)
}

// Read loads the plan at path.
func Read(path string) (Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Plan{}, err
	}
	return Decode(b)
}

// Decode parses what Encode wrote.
func Decode(b []byte) (Plan, error) {
	var p Plan
	err := json.Unmarshal(b, &p)
	return p, err
}

// Encode renders p for the initrd.
func Encode(p Plan) ([]byte, error) { return json.MarshalIndent(p, "", "\t") }
