package qemu

import (
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeQMP is a QMP server on a unix socket that records the commands it
// gets and answers each with the lines reply returns.
type fakeQMP struct {
	path  string
	reply func(cmd string, id json.RawMessage) []string

	mu   sync.Mutex
	cmds []map[string]any
}

func newFakeQMP(t *testing.T, reply func(cmd string, id json.RawMessage) []string) *fakeQMP {
	return &fakeQMP{path: filepath.Join(t.TempDir(), "qmp.sock"), reply: reply}
}

// listen starts serving; call it to make the socket appear. It may be
// called from any goroutine.
func (f *fakeQMP) listen(t *testing.T) {
	ln, err := net.Listen("unix", f.path)
	if err != nil {
		t.Error(err)
		return
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(conn)
		}
	}()
}

func (f *fakeQMP) serve(conn net.Conn) {
	defer conn.Close()
	fmt.Fprintln(conn, `{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, "capabilities": ["oob"]}}`)
	dec := json.NewDecoder(conn)
	for {
		var req struct {
			Execute   string          `json:"execute"`
			Arguments map[string]any  `json:"arguments"`
			ID        json.RawMessage `json:"id"`
		}
		if err := dec.Decode(&req); err != nil {
			return
		}
		f.mu.Lock()
		f.cmds = append(f.cmds, map[string]any{"execute": req.Execute, "arguments": req.Arguments})
		f.mu.Unlock()
		for _, line := range f.reply(req.Execute, req.ID) {
			fmt.Fprintln(conn, line)
		}
	}
}

func (f *fakeQMP) commands() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.cmds...)
}

// okReply answers every command with an empty return, after an event.
func okReply(cmd string, id json.RawMessage) []string {
	return []string{
		`{"event": "RESET", "data": {"guest": true}, "timestamp": {"seconds": 1, "microseconds": 2}}`,
		fmt.Sprintf(`{"return": {}, "id": %s}`, id),
	}
}

func TestQMPExecute(t *testing.T) {
	f := newFakeQMP(t, func(cmd string, id json.RawMessage) []string {
		switch cmd {
		case "query-status":
			return []string{
				`{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}`,
				`{"return": {"status": "stale"}, "id": 999}`,
				fmt.Sprintf(`{"return": {"status": "running", "running": true}, "id": %s}`, id),
			}
		case "bad":
			return []string{fmt.Sprintf(`{"error": {"class": "CommandNotFound", "desc": "The command bad has not been found"}, "id": %s}`, id)}
		}
		return okReply(cmd, id)
	})
	f.listen(t)
	c, err := dialQMP(f.path, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()

	ret, err := c.execute("query-status", nil)
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ Status string }
	if err := json.Unmarshal(ret, &st); err != nil || st.Status != "running" {
		t.Errorf("query-status returned %s (%v); want status running", ret, err)
	}

	_, err = c.execute("bad", map[string]any{"x": 1})
	if err == nil || !strings.Contains(err.Error(), "has not been found") {
		t.Errorf("bad command error = %v", err)
	}

	cmds := f.commands()
	var names []string
	for _, c := range cmds {
		names = append(names, c["execute"].(string))
	}
	if want := []string{"qmp_capabilities", "query-status", "bad"}; !reflect.DeepEqual(names, want) {
		t.Errorf("server got %q; want %q", names, want)
	}
	if cmds[2]["arguments"].(map[string]any)["x"] != 1.0 {
		t.Errorf("arguments not sent: %v", cmds[2])
	}
}

func TestQMPDialRetries(t *testing.T) {
	f := newFakeQMP(t, okReply)
	go func() {
		time.Sleep(100 * time.Millisecond)
		f.listen(t)
	}()
	c, err := dialQMP(f.path, 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.close()
}

func TestQMPDialGivesUp(t *testing.T) {
	f := newFakeQMP(t, okReply)
	gone := make(chan struct{})
	close(gone)
	if _, err := dialQMP(f.path, 5*time.Second, gone); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("dial with QEMU gone: %v", err)
	}
	start := time.Now()
	if _, err := dialQMP(f.path, 50*time.Millisecond, nil); err == nil {
		t.Error("dial to missing socket succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("dial took %v to give up", d)
	}
}

func TestSendKeysAndTypeText(t *testing.T) {
	f := newFakeQMP(t, okReply)
	f.listen(t)
	c, err := dialQMP(f.path, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	m := &Machine{qmp: c}

	if err := m.SendKeys("ctrl", "c"); err != nil {
		t.Fatal(err)
	}
	if err := m.TypeText("Hi!\n"); err != nil {
		t.Fatal(err)
	}
	if err := m.TypeText("ok\u00e9"); err == nil {
		t.Error("TypeText with an untypable rune succeeded")
	}

	var got [][]string
	for _, cmd := range f.commands()[1:] { // skip qmp_capabilities
		if cmd["execute"] != "send-key" {
			t.Fatalf("unexpected command %v", cmd)
		}
		args := cmd["arguments"].(map[string]any)
		if args["hold-time"] != float64(keyHold.Milliseconds()) {
			t.Errorf("hold-time = %v", args["hold-time"])
		}
		var chord []string
		for _, k := range args["keys"].([]any) {
			kv := k.(map[string]any)
			if kv["type"] != "qcode" {
				t.Errorf("key type = %v; want qcode", kv["type"])
			}
			chord = append(chord, kv["data"].(string))
		}
		got = append(got, chord)
	}
	want := [][]string{{"ctrl", "c"}, {"shift", "h"}, {"i"}, {"shift", "1"}, {"ret"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("send-key chords = %q; want %q", got, want)
	}
}

func TestQMPNotEnabled(t *testing.T) {
	m := &Machine{}
	if err := m.SendKeys("a"); err == nil || !strings.Contains(err.Error(), "Config.QMP") {
		t.Errorf("SendKeys without QMP: %v", err)
	}
}
