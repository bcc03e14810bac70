package backends_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden.json files (and the README's backend table) from the current output")

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
// and the record of what it was asked. A later answer for the same
// METHOD URL replaces an earlier one.
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

// login serves answers to b and authenticates tok: the profile, what the
// fake provider received, and the error.
func login(t *testing.T, b socialauth.Backend, tok string, answers ...answer) (*socialauth.Profile, *seen, error) {
	t.Helper()
	client, rec := providerWith(t, answers...)
	p, err := authenticate(t, b, client, tok)
	return p, rec, err
}

// requestTo returns the first request the fake received for METHOD url
// (compared without the query), or fails the test.
func requestTo(t *testing.T, rec *seen, method, url string) *http.Request {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, r := range rec.reqs {
		u := *r.URL
		u.RawQuery = ""
		if r.Method == method && u.String() == url {
			return r
		}
	}
	t.Fatalf("no %s %s among %d requests", method, url, len(rec.reqs))
	return nil
}

// requireProviderCode checks that err carries the provider's own error code.
func requireProviderCode(t *testing.T, err error, code string) {
	t.Helper()
	var pe *backends.ProviderError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, code, pe.Code)
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

// envOf is a lookup function over m, as FromEnv takes one.
func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// withoutPicture are the backends whose provider gives no picture of the
// person: their profiles have no AvatarURL.
var withoutPicture = map[string]bool{
	"amazon": true, "apple-id": true, "azuread-tenant-oauth2": true, "azuread-v2-tenant-oauth2": true,
	"digitalocean": true, "microsoft-graph": true, "paypal-oauth2": true,
}

// fixtureCase is one OAuth2 provider's documented answers, for the
// scenarios every such backend must pass (runFixtures).
type fixtureCase struct {
	name  string // the backend's name
	s     backends.Settings
	token string
	// user is the profile endpoint answering the golden fixture (its
	// mapping is pinned in <file without .json>.golden.json).
	user answer
	// also are the other endpoints a login calls: the token check, emails.
	also []answer
	// noID is a fixture of the profile without the user id.
	noID string
	// refusal is the profile endpoint's refusal of an unknown token,
	// served with refusalStatus (0 means 401), then with 429, 500 and 503.
	refusal       string
	refusalStatus int
	// foreign replace answers with ones that name another app; nil when
	// the provider offers no way to tell (the Doc must say "none").
	foreign []answer
	// refused are further answers (each replacing one) that must be refused
	// as an invalid token: another user, a token of no user, ...
	refused []answer
	// tokenIn is how the profile endpoint receives the token: "bearer"
	// (and never in the URL), "query" (access_token), or "" when the
	// provider's own test says.
	tokenIn string
	// unconfigured are settings the backend cannot check tokens with; a
	// login must then fail as a configuration error that says unconfiguredSays.
	unconfigured     *backends.Settings
	unconfiguredSays string
}

// answers are the user and also answers, then the overrides.
func (c fixtureCase) answers(overrides ...answer) []answer {
	return append(append([]answer{c.user}, c.also...), overrides...)
}

// runFixtures runs what every OAuth2 backend must do with its provider's
// documented answers: map the profile (golden file) with the token sent as
// the provider wants it, refuse what the provider refuses, report a failing
// provider as unavailable, refuse a profile without an id and malformed
// JSON, refuse another app's token where the provider can tell (and say
// so in its Doc), fail clearly when unconfigured, and never let the token
// or a secret into an error.
func runFixtures(t *testing.T, c fixtureCase) {
	b, err := backends.ByName(c.name, c.s)
	require.NoError(t, err)
	secrets := []string{c.token, c.s.Secret, c.s.APIKey}
	t.Run("golden profile", func(t *testing.T) {
		p, rec, err := login(t, b, c.token, c.answers()...)
		require.NoError(t, err)
		checkGolden(t, strings.TrimSuffix(c.user.file, ".json"), p)
		if withoutPicture[c.name] {
			assert.Empty(t, p.Details.AvatarURL, "the provider gives no picture")
		} else {
			assert.Regexp(t, `^https?://\w`, p.Details.AvatarURL, "the provider's picture")
		}
		assert.Equal(t, c.token, p.Token.AccessToken)
		assert.NotEmpty(t, p.Raw)
		r := requestTo(t, rec, c.user.method, c.user.url)
		switch c.tokenIn {
		case "bearer":
			assert.Equal(t, "Bearer "+c.token, r.Header.Get("Authorization"))
			assert.NotContains(t, r.URL.RawQuery, url.QueryEscape(c.token), "the token stays out of URLs (and so of access logs)")
		case "query":
			assert.Equal(t, c.token, r.URL.Query().Get("access_token"))
		}
	})
	type scenario struct {
		name    string
		answers []answer
		want    error
	}
	refusal := func(status int) answer { return answer{c.user.method, c.user.url, status, c.refusal} }
	failures := []scenario{
		{"provider refuses the token", c.answers(refusal(cmp.Or(c.refusalStatus, http.StatusUnauthorized))), socialauth.ErrInvalidToken},
		{"rate limited (429)", c.answers(refusal(http.StatusTooManyRequests)), socialauth.ErrProviderUnavailable},
		{"provider fails (500)", c.answers(refusal(http.StatusInternalServerError)), socialauth.ErrProviderUnavailable},
		{"provider down (503)", c.answers(refusal(http.StatusServiceUnavailable)), socialauth.ErrProviderUnavailable},
		{"profile without id", c.answers(answer{c.user.method, c.user.url, 0, c.noID}), socialauth.ErrAuthFailed},
		{"malformed JSON", c.answers(answer{c.user.method, c.user.url, 0, "truncated.json"}), socialauth.ErrProviderUnavailable},
	}
	if c.foreign != nil {
		failures = append(failures, scenario{"token of another app", c.answers(c.foreign...), socialauth.ErrInvalidToken})
	}
	for _, r := range c.refused {
		failures = append(failures, scenario{"refused: " + r.file, c.answers(r), socialauth.ErrInvalidToken})
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			p, _, err := login(t, b, c.token, tc.answers...)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, p)
			noSecretIn(t, err.Error(), secrets...)
		})
	}
	if c.unconfigured != nil {
		t.Run("unconfigured: "+c.unconfiguredSays, func(t *testing.T) {
			b, err := backends.ByName(c.name, *c.unconfigured)
			require.NoError(t, err)
			_, _, err = login(t, b, c.token, c.answers()...)
			require.ErrorIs(t, err, socialauth.ErrAuthFailed)
			assert.Contains(t, err.Error(), c.unconfiguredSays)
			err = check(t, b, nil, *c.unconfigured)
			require.Error(t, err, "Check finds it before any login")
			assert.Regexp(t, "^"+backends.EnvPrefix(c.name)+`[A-Z_]+ is empty \(Settings\.\w+\)`, err.Error())
		})
	}
	t.Run("doc", func(t *testing.T) {
		doc := b.(backends.Documented).Doc()
		assert.Equal(t, c.foreign != nil, doc.ChecksAudience, "ChecksAudience must say whether a token of another app is refused")
		if c.foreign == nil {
			assert.True(t, strings.HasPrefix(doc.TokenCheck, "none"), "say plainly that there is no check: %q", doc.TokenCheck)
		}
		assert.True(t, strings.HasPrefix(doc.Protocol, "OAuth2"), doc.Protocol)
		assert.NotEmpty(t, doc.UID)
		assert.NotEmpty(t, doc.EmailVerified)
	})
}
