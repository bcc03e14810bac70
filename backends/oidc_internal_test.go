package backends

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestCacheTTL(t *testing.T) {
	def := time.Hour
	for header, want := range map[string]time.Duration{
		"": def,
		"public, max-age=19755, must-revalidate, no-transform": 19755 * time.Second,
		"max-age=0":         0,
		"no-store":          0,
		"private, no-cache": 0,
		"max-age=31536000":  maxCacheTTL,
		"max-age=-5":        0,
		"max-age=abc":       0,
		`max-age="60"`:      time.Minute,
	} {
		assert.Equal(t, want, cacheTTL(header, def), header)
	}
}
