package main

// The write serializer: a MongoDB wire-protocol relay in front of FerretDB
// that lets one write command run at a time.
//
// Why: FerretDB v1 runs `update`, `findAndModify` and `delete` as a query
// followed by a separate write (internal/handler/msg_update.go), so two
// conditional updates of one document can both match and both write — the
// second silently undoing the first. MongoDB applies a single-document
// conditional update atomically, and switchyard's entity store relies on
// exactly that (a commit is `updateOne({_id, version, fence <= token})`).
// SQLite takes one writer at a time anyway, so serializing write commands
// costs little; reads are relayed without waiting.
//
// Contract: a write command's reply has been relayed back before the next
// write command (from any connection) is passed on. Everything else is
// relayed byte for byte, in order, per connection.

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
)

const (
	opMsg          = 2013
	headerLen      = 16
	maxMessageLen  = 48 * 1024 * 1024 // MongoDB's maxMessageSizeBytes
	flagMoreToCome = 1 << 1
)

// writeCommands are the commands FerretDB implements as query-then-write.
var writeCommands = map[string]bool{"insert": true, "update": true, "delete": true, "findAndModify": true, "findandmodify": true}

type writeSerializer struct {
	upstream func() (net.Conn, error)
	logger   *slog.Logger
	writes   sync.Mutex
}

func (s *writeSerializer) serve(l net.Listener) error {
	for {
		client, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go s.relay(client)
	}
}

// pendingWrite is the held write lock of one relayed write command, released
// once (by its reply, or when the connection ends).
type pendingWrite struct {
	once    sync.Once
	release func()
}

func (p *pendingWrite) done() { p.once.Do(p.release) }

func (s *writeSerializer) relay(client net.Conn) {
	defer client.Close()
	server, err := s.upstream()
	if err != nil {
		s.logger.Error("mongowire: upstream unavailable", "err", err)
		return
	}
	defer server.Close()

	var mu sync.Mutex
	pending := map[int32]*pendingWrite{}
	releaseAll := func() {
		mu.Lock()
		defer mu.Unlock()
		for id, p := range pending {
			p.done()
			delete(pending, id)
		}
	}
	defer releaseAll()

	replies := make(chan struct{})
	go func() {
		defer close(replies)
		defer client.Close()
		for {
			msg, err := readMessage(server)
			if err != nil {
				return
			}
			if _, err := client.Write(msg); err != nil {
				return
			}
			responseTo := int32(binary.LittleEndian.Uint32(msg[8:12]))
			mu.Lock()
			if p, ok := pending[responseTo]; ok {
				delete(pending, responseTo)
				p.done()
			}
			mu.Unlock()
		}
	}()

	for {
		msg, err := readMessage(client)
		if err != nil {
			break
		}
		requestID := int32(binary.LittleEndian.Uint32(msg[4:8]))
		if isWrite, expectsReply := classify(msg); isWrite {
			s.writes.Lock()
			p := &pendingWrite{release: s.writes.Unlock}
			if expectsReply {
				mu.Lock()
				pending[requestID] = p
				mu.Unlock()
			}
			if _, err := server.Write(msg); err != nil {
				p.done()
				break
			}
			if !expectsReply {
				p.done()
			}
			continue
		}
		if _, err := server.Write(msg); err != nil {
			break
		}
	}
	server.Close()
	<-replies
}

// classify tells whether msg is an OP_MSG write command and whether the
// server answers it (no reply when the client set moreToCome).
func classify(msg []byte) (isWrite, expectsReply bool) {
	if int32(binary.LittleEndian.Uint32(msg[12:16])) != opMsg || len(msg) < headerLen+4+1+4+1 {
		return false, false
	}
	flags := binary.LittleEndian.Uint32(msg[16:20])
	if msg[20] != 0 { // the body section (kind 0) comes first in every driver's messages
		return false, false
	}
	// BSON document: int32 length, then elements: type byte, cstring name, value. The command is the first element.
	name := msg[26:]
	end := 0
	for end < len(name) && name[end] != 0 {
		end++
	}
	if end == len(name) {
		return false, false
	}
	return writeCommands[string(name[:end])], flags&flagMoreToCome == 0
}

func readMessage(r io.Reader) ([]byte, error) {
	var header [headerLen]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	length := int(int32(binary.LittleEndian.Uint32(header[0:4])))
	if length < headerLen || length > maxMessageLen {
		return nil, errors.New("mongowire: bad message length")
	}
	msg := make([]byte, length)
	copy(msg, header[:])
	if _, err := io.ReadFull(r, msg[headerLen:]); err != nil {
		return nil, err
	}
	return msg, nil
}
