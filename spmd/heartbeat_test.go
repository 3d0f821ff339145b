package spmd

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSilentPeers(t *testing.T) {
	t0 := time.Unix(1000, 0)
	sp := newSilentPeers(3, t0, 3*time.Second)
	i, _ := sp.silent(t0.Add(3 * time.Second))
	assert.Equal(t, -1, i, "exactly the timeout is not yet silent")
	sp.heard(0, t0.Add(2*time.Second))
	sp.heard(2, t0.Add(2*time.Second))
	i, d := sp.silent(t0.Add(3*time.Second + time.Millisecond))
	assert.Equal(t, 1, i)
	assert.Equal(t, 3*time.Second+time.Millisecond, d)
	sp.heard(1, t0.Add(3*time.Second))
	i, _ = sp.silent(t0.Add(5 * time.Second))
	assert.Equal(t, -1, i)
	i, d = sp.silent(t0.Add(5*time.Second + 2*time.Millisecond))
	assert.Equal(t, 0, i, "the first silent peer")
	assert.Equal(t, 3*time.Second+2*time.Millisecond, d)
}

func TestHeartbeatPeriod(t *testing.T) {
	assert.Equal(t, time.Second, heartbeatPeriod(time.Hour))
	assert.Equal(t, 750*time.Millisecond, heartbeatPeriod(3*time.Second))
	assert.Equal(t, time.Millisecond, heartbeatPeriod(time.Microsecond))
}

func TestHeartbeatWatchesNothingLocally(t *testing.T) {
	// In-process ranks are goroutines of one process: nothing to watch, a nil Heartbeat whose
	// Stop does nothing.
	err := RunLocal(3, func(c Comm) error {
		hb, err := StartHeartbeat(c, time.Second, func(int, time.Duration) { t.Error("onSilent called") })
		assert.Nil(t, hb)
		assert.NoError(t, err)
		return hb.Stop()
	})
	assert.NoError(t, err)
}
