package ws

import "strconv"

// flow keeps a client's unread bytes below a budget, so a client that stops
// reading is noticed while the socket buffers still have room for the close
// frame that tells it why (4008), instead of a write stalling on a full
// buffer and the connection dying as 1006.
//
// The client's progress is learnt from pongs: every ping carries the count
// of bytes written before it, and a client answers a ping only once it has
// read everything sent before it (browsers and Go clients alike).
type flow struct {
	budget    int64 // most bytes written and not yet proven read
	pingEvery int64 // bytes written between pings
	written   int64
	read      int64 // bytes proven read by a pong
	pinged    int64 // written when the last ping went out
}

// mayWrite tells whether a frame of n bytes fits the budget; a frame larger
// than the budget goes alone, once everything before it was read.
func (f *flow) mayWrite(n int) bool {
	unread := f.written - f.read
	return unread == 0 || unread+int64(n) <= f.budget
}

// wrote counts a written frame and tells whether a ping is due.
func (f *flow) wrote(n int) (pingDue bool) {
	f.written += int64(n)
	return f.written-f.pinged >= f.pingEvery
}

// unpinged tells whether bytes were written since the last ping: a waiting
// writer pings first, or the client could never prove it read them.
func (f *flow) unpinged() bool { return f.written > f.pinged }

// ping returns the payload of a ping sent now.
func (f *flow) ping() string {
	f.pinged = f.written
	return strconv.FormatInt(f.written, 10)
}

// pongPayload reads a pong's payload: the byte count of its ping, or -1.
func pongPayload(payload string) int64 {
	n, err := strconv.ParseInt(payload, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// pong records that the client read n bytes; a stale or foreign count is
// ignored.
func (f *flow) pong(n int64) {
	if n > f.read && n <= f.pinged {
		f.read = n
	}
}

// unread is how far the client is behind, in bytes.
func (f *flow) unread() int64 { return f.written - f.read }
