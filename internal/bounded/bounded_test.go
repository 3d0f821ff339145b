package bounded

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		size int
		ok   bool
	}{{"empty", 0, true}, {"under", 99, true}, {"at the limit", 100, true}, {"one over", 101, false}, {"far over", 10000, false}} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("x", tc.size)), 0o644))
			data, err := ReadFile(path, 100, "a test file")
			if tc.ok {
				require.NoError(t, err)
				assert.Len(t, data, tc.size)
				return
			}
			var tl *TooLargeError
			require.True(t, errors.As(err, &tl), "%v", err)
			assert.Equal(t, int64(tc.size), tl.Size, "a regular file's size comes from stat")
			assert.Equal(t, path+": "+Size(int64(tc.size))+" ("+strconv.Itoa(tc.size)+" bytes), over the 100 B limit of a test file", err.Error())
		})
	}
}

// A device without a size is read up to the limit and refused there, without reading on.
func TestReadFileNoSize(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := ReadFile("/dev/zero", 1<<20, "a list file")
	require.Error(t, err)
	assert.True(t, IsTooLarge(err))
	assert.Equal(t, "/dev/zero: over the 1 MiB limit of a list file (more than 1048576 bytes could be read)", err.Error())
}

func TestSize(t *testing.T) {
	for _, tc := range []struct {
		b    int64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1 KiB"}, {1536, "1.5 KiB"}, {64 << 20, "64 MiB"}, {1 << 30, "1 GiB"}, {70 << 20, "70 MiB"}, {3 << 29, "1.5 GiB"}} {
		assert.Equal(t, tc.want, Size(tc.b), tc.b)
	}
}
