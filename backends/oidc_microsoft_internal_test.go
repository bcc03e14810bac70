package backends

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGraphID(t *testing.T) {
	for in, want := range map[string]string{
		"00000000-0000-0000-9188-040d6c67ef09": "9188040d6c67ef09",
		"00000000-0000-0000-9188-040D6C67EF09": "9188040d6c67ef09",
		"48d31887-5fad-4d73-a9f5-3c356e68a038": "48d31887-5fad-4d73-a9f5-3c356e68a038",
		"00000000-0000-0000-9188":              "00000000-0000-0000-9188",
		"":                                     "",
	} {
		assert.Equal(t, want, graphID(in), in)
	}
}
