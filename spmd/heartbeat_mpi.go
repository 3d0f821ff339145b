//go:build mpi && cgo

package spmd

import (
	"errors"
	"runtime"
	"time"
)

// startHeartbeat implements StartHeartbeat for MPI_COMM_WORLD.
func (c *mpiComm) startHeartbeat(timeout time.Duration, onSilent func(rank int, silence time.Duration)) (*Heartbeat, error) {
	if !mpiMultiple.Load() {
		return nil, errors.New("the MPI library does not provide MPI_THREAD_MULTIPLE: a stopped or frozen rank is not detected (-stall-timeout watches each rank's own progress only)")
	}
	mustBeInitThread()
	h, npeers, rc := cHBNew()
	if rc != mpiSuccess {
		if h != nil {
			cHBFinish(h)
		}
		return nil, mpiError("MPI_Comm_dup (heartbeat)", rc)
	}
	peers := make([]int, npeers)
	for i := range peers {
		peers[i] = cHBPeer(h, i)
	}
	stopReq := make(chan struct{})
	result := make(chan error, 1)
	go func() {
		// Its own OS thread for the whole life of h: MPI_THREAD_MULTIPLE allows any thread,
		// and one thread keeps the calls simple to reason about.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		result <- beat(h, peers, timeout, stopReq, onSilent)
	}()
	return &Heartbeat{stop: func() error {
		mustBeInitThread()
		close(stopReq)
		return <-result
	}}, nil
}

// beat is the heartbeat's goroutine: beats every period until stop is closed, then polls the
// stop's barrier every millisecond while still watching, then finishes.
func beat(h cHeartbeat, peers []int, timeout time.Duration, stop <-chan struct{}, onSilent func(int, time.Duration)) error {
	heardC, heard := cHBHeard(len(peers))
	defer cFree(heardC)
	sp := newSilentPeers(len(peers), time.Now(), timeout)
	period := heartbeatPeriod(timeout)
	tick := time.NewTicker(period)
	defer tick.Stop()
	stopping := false
	for {
		beatNow := true
		if stopping {
			time.Sleep(time.Millisecond)
			select {
			case <-tick.C:
			default:
				beatNow = false
			}
		} else {
			select {
			case <-tick.C:
			case <-stop:
				stopping = true
			}
		}
		now := time.Now()
		if beatNow {
			if rc := cHBBeat(h, heardC); rc != mpiSuccess {
				return mpiError("heartbeat", rc)
			}
			for i := range peers {
				if heard[i] != 0 {
					sp.heard(i, now)
				}
			}
		}
		if i, d := sp.silent(now); i >= 0 {
			onSilent(peers[i], d)
			return errors.New("spmd: heartbeat: onSilent returned")
		}
		if stopping {
			done, rc := cHBBarrier(h)
			if rc != mpiSuccess {
				return mpiError("MPI_Ibarrier (heartbeat)", rc)
			}
			if done {
				if rc := cHBFinish(h); rc != mpiSuccess {
					return mpiError("heartbeat finish", rc)
				}
				return nil
			}
		}
	}
}
