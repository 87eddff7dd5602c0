package task

import (
	"bytes"

	"sigil/trace"
	"sigil/vfs"
)

// tracingDir is where Linux mounts tracefs. Sigil's holds the one file a
// reader needs, trace: the kernel's event ring (package trace) in tracefs's
// format with the x86-tsc clock. Events are always on; the file is read-only.
const tracingDir = "/sys/kernel/tracing"

func tracingSnapshot() *vfs.FS {
	fs := vfs.NewSnapshot("tracefs", tracefsDev)
	fs.Add(tracingDir, vfs.S_IFDIR|0o555, nil)
	var b bytes.Buffer
	evs, written := trace.Events()
	trace.WriteTrace(&b, evs, written)
	fs.Add(tracingDir+"/trace", vfs.S_IFREG|0o444, b.Bytes())
	return fs
}
