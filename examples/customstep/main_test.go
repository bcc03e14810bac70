package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/sqlite"
)

func TestRun(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "app.db"), sqlstore.Options{})
	require.NoError(t, err)
	defer store.Close()
	var out strings.Builder
	require.NoError(t, run(&out, store))
	assert.Equal(t, `first login of ada paused at myapp.accept_terms: accept_terms
resumed: user ada created=true plan=free
second login of ada: created=false
mallory refused: not invited=true, client sees forbidden (403)
`, out.String())
}
