package selftest

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The runtime test exercises the Go runtime on top of Sigil's system calls:
// the scheduler (goroutines, threads), timers, futexes, memory and the GC.
func init() {
	register("runtime", func(t *T) error {
		for _, c := range []struct {
			name string
			f    func(*T) error
		}{
			{"goroutines", testGoroutines},
			{"channels", testChannels},
			{"sleep", testSleep},
			{"mutex", testMutex},
			{"gc", testGC},
			{"maps-fmt-strconv", testMapsFmt},
			{"panic-recover", testPanic},
		} {
			start := time.Now()
			if err := c.f(t); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			t.Logf("%s ok (%v)", c.name, time.Since(start).Round(time.Millisecond))
		}
		return nil
	})
}

func testGoroutines(t *T) error {
	const n = 10000
	var wg sync.WaitGroup
	results := make(chan int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			runtime.Gosched()
			results <- i
		}(i)
	}
	wg.Wait()
	close(results)
	sum := 0
	for v := range results {
		sum += v
	}
	if want := n * (n - 1) / 2; sum != want {
		return fmt.Errorf("sum %d, want %d", sum, want)
	}
	return nil
}

func testChannels(t *T) error {
	// Timers fire in deadline order through select.
	a, b := time.After(30*time.Millisecond), time.After(10*time.Millisecond)
	var order []string
	for len(order) < 2 {
		select {
		case <-a:
			order = append(order, "a")
		case <-b:
			order = append(order, "b")
		}
	}
	if order[0] != "b" {
		return fmt.Errorf("timers fired out of order: %v", order)
	}
	// A ping-pong across an unbuffered channel, with a timeout guard.
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	for i := 0; i < 1000; i++ {
		ping <- i
		select {
		case v := <-pong:
			if v != i+1 {
				return fmt.Errorf("pong %d for ping %d", v, i)
			}
		case <-time.After(5 * time.Second):
			return errors.New("ping-pong timed out")
		}
	}
	close(ping)
	// A ticker ticks.
	tk := time.NewTicker(5 * time.Millisecond)
	defer tk.Stop()
	for i := 0; i < 5; i++ {
		<-tk.C
	}
	return nil
}

func testSleep(t *T) error {
	const d = 20 * time.Millisecond
	var got []time.Duration
	for i := 0; i < 7; i++ {
		start := time.Now()
		time.Sleep(d)
		got = append(got, time.Since(start))
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	t.Logf("sleep(%v): min %v median %v max %v", d, got[0], got[len(got)/2], got[len(got)-1])
	if got[0] < d {
		return fmt.Errorf("sleep(%v) returned after %v", d, got[0])
	}
	// How late a sleep wakes is a latency, which a busy host stretches:
	// logged above, not judged. Only a timer that is plainly broken (a
	// sleep taking many times its length) fails.
	if med := got[len(got)/2]; med > 10*d {
		return fmt.Errorf("sleep(%v) took %v (median)", d, med)
	}
	return nil
}

func testMutex(t *T) error {
	const workers, iters = 4, 20000
	var mu sync.Mutex
	counter := 0
	tids := make(chan int, workers)
	var wg, locked sync.WaitGroup
	locked.Add(workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tids <- syscall.Gettid()
			// Every worker holds its thread before any runs: with
			// several CPUs one could otherwise finish, unlock, and
			// leave its thread to the next.
			locked.Done()
			locked.Wait()
			for i := 0; i < iters; i++ {
				mu.Lock()
				counter++
				if i%1000 == 0 {
					runtime.Gosched() // hold the lock across a yield
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(tids)
	seen := map[int]bool{}
	for tid := range tids {
		seen[tid] = true
	}
	if counter != workers*iters {
		return fmt.Errorf("counter %d, want %d", counter, workers*iters)
	}
	if len(seen) != workers {
		return fmt.Errorf("%d locked goroutines ran on %d threads", workers, len(seen))
	}
	t.Logf("mutex: %d increments on %d threads", counter, len(seen))
	return nil
}

var sink []byte

func testGC(t *T) error {
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	const chunk = 1 << 20
	for i := 0; i < 1100; i++ {
		sink = make([]byte, chunk)
		sink[0], sink[chunk-1] = byte(i), byte(i)
	}
	sink = nil
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	total := after.TotalAlloc - before.TotalAlloc
	t.Logf("gc: allocated %d MiB in total, %d GCs, heap now %d MiB, sys %d MiB",
		total>>20, after.NumGC-before.NumGC, after.HeapAlloc>>20, after.Sys>>20)
	if total < 1<<30 {
		return fmt.Errorf("only %d MiB allocated", total>>20)
	}
	if after.NumGC == before.NumGC {
		return errors.New("no garbage collection ran")
	}
	if after.HeapAlloc > 64<<20 {
		return fmt.Errorf("heap still %d MiB after GC", after.HeapAlloc>>20)
	}
	return nil
}

func testMapsFmt(t *T) error {
	m := map[string]int{}
	for i := 0; i < 10000; i++ {
		m[strconv.Itoa(i)] = i
	}
	for i := 0; i < 10000; i += 37 {
		if m[fmt.Sprint(i)] != i {
			return fmt.Errorf("map[%d] = %d", i, m[fmt.Sprint(i)])
		}
	}
	delete(m, "5")
	if len(m) != 9999 {
		return fmt.Errorf("len %d after delete", len(m))
	}
	if s := fmt.Sprintf("%08.3f|%x|%q|%v", 3.14159, 255, "hi", []int{1, 2}); s != `0003.142|ff|"hi"|[1 2]` {
		return fmt.Errorf("Sprintf gave %s", s)
	}
	if f, err := strconv.ParseFloat("6.02214076e23", 64); err != nil || f != 6.02214076e23 {
		return fmt.Errorf("ParseFloat: %v %v", f, err)
	}
	if _, err := strconv.Atoi("12x"); err == nil {
		return errors.New("Atoi accepted 12x")
	}
	return nil
}

func testPanic(t *T) error {
	try := func(f func()) (r any) {
		defer func() { r = recover() }()
		f()
		return nil
	}
	if r := try(func() { panic("boom") }); r != "boom" {
		return fmt.Errorf("recovered %v", r)
	}
	idx := 10
	var arr []int
	r := try(func() { _ = arr[idx] })
	if err, ok := r.(runtime.Error); !ok || err.Error() != "runtime error: index out of range [10] with length 0" {
		return fmt.Errorf("recovered %v", r)
	}
	return nil
}
