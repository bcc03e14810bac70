package backends_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden.json files from the current output")

// answer is one canned provider response: METHOD URL → status + testdata file.
// httpmock matches a URL registered without a query string whatever the query.
type answer struct {
	method, url string
	status      int    // 0 means 200
	file        string // under testdata/
}

// seen records the requests a fake provider received.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
}

// urls returns "METHOD URL" of every request, in order.
func (s *seen) urls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = r.Method + " " + r.URL.String()
	}
	return out
}

// providerWith returns a client whose transport serves only the answers,
// and the record of what it was asked.
func providerWith(t *testing.T, answers ...answer) (*http.Client, *seen) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	rec := &seen{}
	for _, a := range answers {
		body, err := os.ReadFile(filepath.Join("testdata", a.file))
		require.NoError(t, err)
		status := a.status
		if status == 0 {
			status = http.StatusOK
		}
		inner := httpmock.NewBytesResponder(status, body).HeaderSet(http.Header{"Content-Type": {"application/json"}})
		mock.RegisterResponder(a.method, a.url, func(r *http.Request) (*http.Response, error) {
			rec.mu.Lock()
			rec.reqs = append(rec.reqs, r)
			rec.mu.Unlock()
			return inner(r)
		})
	}
	return &http.Client{Transport: mock}, rec
}

// golden is what a fixture test pins: the uid and details a profile maps to.
type golden struct {
	UID     string             `json:"uid"`
	Details socialauth.Details `json:"details"`
}

// checkGolden compares p with testdata/<name>.golden.json (rewritten with -update).
func checkGolden(t *testing.T, name string, p *socialauth.Profile) {
	t.Helper()
	got, err := json.MarshalIndent(golden{p.UID, p.Details}, "", "  ")
	require.NoError(t, err)
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "no golden file; run go test ./backends -run %s -update", t.Name())
	assert.JSONEq(t, string(want), string(got))
}

// authenticate calls b with a token and returns the profile or error.
func authenticate(t *testing.T, b socialauth.Backend, client *http.Client, token string) (*socialauth.Profile, error) {
	t.Helper()
	p, err := b.Authenticate(context.Background(), client, token)
	if err != nil {
		assert.NotContains(t, err.Error(), token, "an error text must never hold the token")
		return nil, err
	}
	return p, nil
}

// noSecretIn fails when s contains any of the secrets.
func noSecretIn(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if sec != "" {
			assert.False(t, strings.Contains(s, sec), "%q leaks a secret", s)
		}
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
