package spmd

import (
	"fmt"
	"time"
)

// Heartbeat watches that the other ranks of an MPI job are alive while this rank waits on
// them or works: see StartHeartbeat. The zero of *Heartbeat (nil) watches nothing.
type Heartbeat struct {
	stop func() error
}

// StartHeartbeat makes the ranks of c watch one another's liveness until Stop: every period
// (timeout/4, at most a second) each rank other than 0 sends rank 0 a message and rank 0
// sends one to each of them, from a goroutine of their own, so that a rank computing, writing
// or blocked in a collective still beats. When rank 0 has heard nothing from rank r for
// timeout, or a rank has heard nothing from rank 0 for timeout, the watcher calls
// onSilent(r, silence) on its goroutine; onSilent must end the job (Abort). A rank is silent
// only when its process makes no progress at all: stopped (SIGSTOP), frozen, or on a node
// that hangs or is gone. A slow rank still beats.
//
// It is collective (call it on every rank, from the goroutine that called InitMPI) and needs
// an MPI library that provides MPI_THREAD_MULTIPLE. On the local backend, with one rank, with
// timeout ≤ 0, or without MPI_THREAD_MULTIPLE it watches nothing and returns a nil
// *Heartbeat and, for the last case only, an error saying why (which is not a failure: the
// job can go on unwatched).
func StartHeartbeat(c Comm, timeout time.Duration, onSilent func(rank int, silence time.Duration)) (*Heartbeat, error) {
	hc, ok := c.(heartbeater)
	if !ok || c.Size() < 2 || timeout <= 0 {
		return nil, nil
	}
	return hc.startHeartbeat(timeout, onSilent)
}

// Stop ends the heartbeat: a non-blocking barrier, during which the ranks keep watching one
// another (a rank stopped before reaching Stop is still found), then every message still on
// its way is received. It is collective, from the goroutine that called InitMPI. A nil h
// does nothing.
func (h *Heartbeat) Stop() error {
	if h == nil {
		return nil
	}
	return h.stop()
}

// heartbeater is a Comm that can run a heartbeat (the MPI backend).
type heartbeater interface {
	startHeartbeat(timeout time.Duration, onSilent func(rank int, silence time.Duration)) (*Heartbeat, error)
}

// heartbeatPeriod is how often the ranks beat for a timeout.
func heartbeatPeriod(timeout time.Duration) time.Duration {
	return max(min(timeout/4, time.Second), time.Millisecond)
}

// silentPeers tracks when each peer was last heard from; the pure part of the heartbeat.
type silentPeers struct {
	last    []time.Time
	timeout time.Duration
}

func newSilentPeers(n int, now time.Time, timeout time.Duration) *silentPeers {
	sp := &silentPeers{last: make([]time.Time, n), timeout: timeout}
	for i := range sp.last {
		sp.last[i] = now
	}
	return sp
}

// heard records that peer i was heard from at now.
func (sp *silentPeers) heard(i int, now time.Time) { sp.last[i] = now }

// silent returns the first peer not heard from for longer than the timeout at now, and for
// how long; -1 when every peer was heard from in time.
func (sp *silentPeers) silent(now time.Time) (int, time.Duration) {
	for i, t := range sp.last {
		if d := now.Sub(t); d > sp.timeout {
			return i, d
		}
	}
	return -1, 0
}

// SilentMessage is the one line a job ends with when rank rank hears nothing from rank peer
// for silence (-stall-timeout timeout).
func SilentMessage(rank, peer int, silence, timeout time.Duration) string {
	return fmt.Sprintf("mcfem: rank %d: rank %d has given no sign of life for %s (-stall-timeout %s): it is stopped or frozen, or its node hangs; ending the job (rerun with -resume: every finished sample is journaled)",
		rank, peer, silence.Round(time.Millisecond), timeout)
}
