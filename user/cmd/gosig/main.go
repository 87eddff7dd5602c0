// Command gosig waits for Ctrl+C through os/signal (the Go runtime's own
// SIGINT handler, on its signal stack, then its signal-forwarding
// machinery) while a goroutine keeps counting; after two interrupts it
// exits 0.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"time"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	var n atomic.Int64
	go func() {
		for {
			n.Add(1)
			time.Sleep(time.Millisecond)
		}
	}()
	fmt.Println("gosig: ready")
	for i := 1; i <= 2; i++ {
		select {
		case s := <-c:
			fmt.Printf("gosig: got %v #%d, counter %d\n", s, i, n.Load())
		case <-time.After(3 * time.Minute):
			fmt.Println("gosig: no interrupt")
			os.Exit(1)
		}
	}
	os.Exit(0)
}
