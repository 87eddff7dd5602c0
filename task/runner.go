package task

import "sync/atomic"

// Runners: the goroutines user threads run on. Each thread's loop (run)
// is a goroutine of its own, and its system calls take it deep enough
// that the runtime grows its stack, copying it, several times: in a fork
// loop that was about a tenth of fork + _exit + wait4. A goroutine whose
// thread has ended therefore waits for the next new thread instead of
// ending, its grown stack kept, up to maxIdleRunners waiting at once.
const maxIdleRunners = 8

var (
	// handOff passes a new thread to a waiting runner (unbuffered: a
	// send succeeds only when one is waiting).
	handOff = make(chan *Thread)
	// idleRunners counts the runners waiting on handOff, or about to.
	idleRunners atomic.Int32
)

// runOnRunner runs t's loop on a waiting runner, or a new one.
func runOnRunner(t *Thread) {
	select {
	case handOff <- t:
	default:
		go runner(t)
	}
}

// runner runs threads' loops one after another.
func runner(t *Thread) {
	for {
		t.run()
		if idleRunners.Add(1) > maxIdleRunners {
			idleRunners.Add(-1)
			return
		}
		t = <-handOff
		idleRunners.Add(-1)
	}
}
