package plan

// The guest init frames each binary's output with these lines, each
// printed at the start of a line, so the host can tell which package a
// test belongs to and whether the binary ended at all.
const (
	// Begin is followed by the package's import path.
	Begin = "conformance: begin "
	// End is followed by the import path, then " status=S" where S is
	// the binary's exit code, "signal N" or "killed" (init's deadline),
	// then " time=DURATION".
	End = "conformance: end "
	// Note starts the init's own remarks (a failed mkdir, a mount).
	Note = "conformance: note: "
	// Done is the last line of a boot whose init ran every binary.
	Done = "conformance: all done"
)
