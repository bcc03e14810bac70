package socialauth_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExamplesBuildOutsideTheModule copies each example program under
// examples/, with its tests, into a new module that requires this one (as
// a reader who copies an example does) and vets it there: an example that
// used an internal package, or anything else only this module can reach,
// fails. Examples that are modules of their own (examples/routers,
// examples/oidc-e2e) already build from outside, through their replace
// directive.
func TestExamplesBuildOutsideTheModule(t *testing.T) {
	h := newHostModule(t)
	dirs, err := os.ReadDir("examples")
	require.NoError(t, err)
	var copied []string
	for _, d := range dirs {
		src := filepath.Join("examples", d.Name())
		if _, err := os.Stat(filepath.Join(src, "go.mod")); !d.IsDir() || err == nil {
			continue
		}
		files, err := filepath.Glob(filepath.Join(src, "*.go"))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(h.host, d.Name()), 0o755))
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(h.host, d.Name(), filepath.Base(f)), b, 0o644))
		}
		copied = append(copied, d.Name())
	}
	assert.Subset(t, copied, []string{"exchange", "customstep", "customusers"})
	out, err := h.goCmd(h.host, "vet", "./...")
	assert.NoError(t, err, "the examples do not build outside this module:\n%s", out)
}
