package spmdtest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"mcfem/spmd"
	"mcfem/spmd/spmdtest"
)

// hangTimeout turns a hang into a failure. It bounds a deadlock, not speed: the whole suite
// takes well under a second per rank count, and 60 s leaves room for -race on a loaded machine.
const hangTimeout = 60 * time.Second

// runLocal runs f on p local ranks and returns each rank's failures.
func runLocal(t *testing.T, p int, f func(c spmd.Comm) []error) [][]error {
	t.Helper()
	fails := make([][]error, p)
	done := make(chan error, 1)
	go func() {
		done <- spmd.RunLocal(p, func(c spmd.Comm) error {
			fails[c.Rank()] = f(c)
			return nil
		})
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(hangTimeout):
		t.Fatalf("RunLocal(%d) still running after %v", p, hangTimeout)
	}
	return fails
}

// reportRanks fails t with every failure of every rank.
func reportRanks(t *testing.T, fails [][]error) {
	t.Helper()
	for r, errs := range fails {
		for _, err := range errs {
			t.Errorf("rank %d: %v", r, err)
		}
	}
}

func TestLocal(t *testing.T) {
	for _, p := range []int{1, 2, 3, 4, 7} {
		t.Run(fmt.Sprintf("P=%d", p), func(t *testing.T) {
			for _, tc := range spmdtest.Cases() {
				t.Run(tc.Name, func(t *testing.T) {
					reportRanks(t, runLocal(t, p, func(c spmd.Comm) []error {
						if err := tc.Run(c); err != nil {
							return []error{err}
						}
						return nil
					}))
				})
			}
			// All cases back to back on one communicator.
			t.Run("RunAll", func(t *testing.T) {
				reportRanks(t, runLocal(t, p, spmdtest.RunAll))
			})
		})
	}
}

// TestLocalMisuse runs each programmer error of the shared table: the panic must become the
// job's RankError with the table's message, on root when only root can see the error.
func TestLocalMisuse(t *testing.T) {
	for _, p := range []int{1, 2, 3} {
		for _, m := range spmdtest.Misuses() {
			t.Run(fmt.Sprintf("P=%d/%s", p, m.Name), func(t *testing.T) {
				done := make(chan error, 1)
				go func() { done <- spmd.RunLocal(p, func(c spmd.Comm) error { return m.Call(c) }) }()
				var err error
				select {
				case err = <-done:
				case <-time.After(hangTimeout):
					t.Fatalf("RunLocal(%d) still running after %v", p, hangTimeout)
				}
				var re *spmd.RankError
				require.ErrorAs(t, err, &re)
				require.Equal(t, "panic: "+m.Msg, re.Err.Error())
				if m.RootOnly {
					require.Equal(t, 0, re.Rank, "only root sees the error")
				}
			})
		}
	}
}
