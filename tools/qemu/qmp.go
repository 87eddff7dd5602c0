package qemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// qmpTimeout bounds the handshake and each command's reply.
const qmpTimeout = 10 * time.Second

// qmpClient speaks the QEMU Machine Protocol over a unix socket. Replies
// are matched by id; asynchronous events are skipped.
type qmpClient struct {
	mu   sync.Mutex
	conn net.Conn
	dec  *json.Decoder
	enc  *json.Encoder
	id   int
}

type qmpMessage struct {
	QMP    json.RawMessage `json:"QMP"`    // greeting
	Event  string          `json:"event"`  // asynchronous event
	Return json.RawMessage `json:"return"` // success reply
	Error  *qmpError       `json:"error"`  // failure reply
	ID     json.RawMessage `json:"id"`
}

type qmpError struct {
	Class string `json:"class"`
	Desc  string `json:"desc"`
}

// dialQMP connects to the QMP socket at path, retrying until it exists,
// timeout passes or gone is closed, then performs the handshake.
func dialQMP(path string, timeout time.Duration, gone <-chan struct{}) (*qmpClient, error) {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.Dial("unix", path)
		if err == nil {
			c := &qmpClient{conn: conn, dec: json.NewDecoder(conn), enc: json.NewEncoder(conn)}
			if err := c.handshake(); err != nil {
				conn.Close()
				return nil, err
			}
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("qemu: QMP: %w", err)
		}
		select {
		case <-gone:
			return nil, errors.New("qemu: QMP: QEMU exited before its socket was ready")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// handshake reads the greeting and leaves capabilities negotiation mode.
func (c *qmpClient) handshake() error {
	c.conn.SetReadDeadline(time.Now().Add(qmpTimeout))
	var greeting qmpMessage
	if err := c.dec.Decode(&greeting); err != nil {
		return fmt.Errorf("qemu: QMP greeting: %w", err)
	}
	if greeting.QMP == nil {
		return errors.New("qemu: QMP: no greeting from server")
	}
	_, err := c.execute("qmp_capabilities", nil)
	return err
}

// execute runs one command and returns its "return" value. args may be nil.
func (c *qmpClient) execute(command string, args any) (json.RawMessage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.id++
	req := struct {
		Execute   string `json:"execute"`
		Arguments any    `json:"arguments,omitempty"`
		ID        int    `json:"id"`
	}{command, args, c.id}
	c.conn.SetDeadline(time.Now().Add(qmpTimeout))
	if err := c.enc.Encode(req); err != nil {
		return nil, fmt.Errorf("qemu: QMP %s: %w", command, err)
	}
	want, _ := json.Marshal(c.id)
	for {
		var msg qmpMessage
		if err := c.dec.Decode(&msg); err != nil {
			return nil, fmt.Errorf("qemu: QMP %s: %w", command, err)
		}
		if msg.Event != "" || msg.QMP != nil {
			continue
		}
		if msg.ID != nil && string(msg.ID) != string(want) {
			continue // reply to an earlier, abandoned command
		}
		if msg.Error != nil {
			return nil, fmt.Errorf("qemu: QMP %s: %s: %s", command, msg.Error.Class, msg.Error.Desc)
		}
		return msg.Return, nil
	}
}

func (c *qmpClient) close() error {
	return c.conn.Close()
}
