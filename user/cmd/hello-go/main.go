// Command hello is a static Go user program exercising what the Go runtime
// needs from the kernel: goroutines and threads, timers, reading a file from
// the initrd, and os/exec of another program. It exits with the code it
// chooses (argv[1], default 42).
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

func main() {
	code := 42
	if len(os.Args) > 1 {
		code, _ = strconv.Atoi(os.Args[1])
	}
	var wg sync.WaitGroup
	sum := make(chan int, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(i%5) * time.Millisecond)
			sum <- i
		}(i)
	}
	wg.Wait()
	close(sum)
	total := 0
	for v := range sum {
		total += v
	}
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	slept := time.Since(start)
	motd, err := os.ReadFile("/etc/motd")
	if err != nil {
		fmt.Println("hello-go: read /etc/motd:", err)
		os.Exit(1)
	}
	out, err := exec.Command("/bin/hello", "5").Output()
	var ee *exec.ExitError
	if err != nil && !(errorsAs(err, &ee) && ee.ExitCode() == 5) {
		fmt.Println("hello-go: exec /bin/hello:", err)
		os.Exit(1)
	}
	fmt.Printf("hello from Go: pid %d, goroutines sum %d, slept %v, motd %q\n", os.Getpid(), total, slept.Round(time.Millisecond), string(motd))
	fmt.Printf("hello-go: child said %q and exited with %d\n", string(out), ee.ExitCode())
	os.Exit(code)
}

func errorsAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}
