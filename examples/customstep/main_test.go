package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	require.NoError(t, run(&out))
	assert.Equal(t, `first login of ada paused at myapp.accept_terms: accept_terms
resumed: user ada created=true plan=free
second login of ada: created=false
mallory refused: not invited=true, client sees forbidden (403)
`, out.String())
}
