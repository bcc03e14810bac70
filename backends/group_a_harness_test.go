package backends_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
)

// endpoint is one provider URL a backend calls.
type endpoint struct{ method, url string }

// groupACase describes one backend of group A for the shared fixture
// scenarios of runGroupA. Its fixtures live in testdata/<name>/:
//
//	user.json            the user-info answer; user.golden.json pins its mapping
//	user-no-id.json      a user-info answer without the user id
//	check.json           the token check's answer for this app's token (when check is set)
//	check-other-app.json the token check's answer for another app's token (when check is set)
//	error.json           the provider's error body, served with 401 and 503
type groupACase struct {
	b       *backends.OAuth2
	token   string
	secrets []string // besides the token: client secret, API key, ...
	user    endpoint
	// check is the token-check endpoint when it is a separate call.
	check *endpoint
	// extra are answered alike in every scenario (further user-info calls).
	extra []answer
	// foreign answers a token of another app when the check is not a
	// separate call (the provider names the app in the user info).
	foreign []answer
	// bearer: the user-info call carries the token as "Authorization:
	// Bearer", never in its URL.
	bearer bool
	// noCheck: the provider offers no way to tell which app a token is for.
	noCheck bool
	// refused are further check fixtures (in testdata/<name>/) that must be
	// refused as an invalid token: another user, a token of no user, ...
	refused []string
	// unconfigured are settings the backend cannot check tokens with; a
	// login must then fail as a configuration error that says so.
	unconfigured     *backends.Settings
	unconfiguredSays string
}

func (c groupACase) name() string { return c.b.Name() }

// answers builds one scenario: the user info from userFile with userStatus,
// the check from checkFile with checkStatus, and the extras.
func (c groupACase) answers(userFile string, userStatus int, checkFile string, checkStatus int) []answer {
	dir := c.name() + "/"
	out := []answer{{c.user.method, c.user.url, userStatus, dir + userFile}}
	if c.check != nil {
		out = append(out, answer{c.check.method, c.check.url, checkStatus, dir + checkFile})
	}
	return append(out, c.extra...)
}

// runGroupA runs the scenarios every backend must pass: the golden mapping,
// the provider's refusal and outage, a profile without an id, malformed
// JSON, a token of another app, the case's further refusals and its
// configuration error. No error may hold the token or a secret.
func runGroupA(t *testing.T, c groupACase) {
	t.Helper()
	secrets := append([]string{c.token}, c.secrets...)
	doc := c.b.Doc()
	t.Run("golden", func(t *testing.T) {
		p, rec, err := login(t, c.b, c.token, c.answers("user.json", 0, "check.json", 0)...)
		require.NoError(t, err)
		checkGolden(t, c.name()+"/user", p)
		assert.Equal(t, c.token, p.Token.AccessToken)
		assert.NotEmpty(t, p.Raw)
		if c.bearer {
			r := requestTo(t, rec, c.user.method, c.user.url)
			assert.Equal(t, "Bearer "+c.token, r.Header.Get("Authorization"))
			assert.NotContains(t, r.URL.RawQuery, url.QueryEscape(c.token), "the token stays out of URLs (and so of access logs)")
		}
	})
	type scenario struct {
		name    string
		answers []answer
		want    error
	}
	failures := []scenario{
		{"provider refuses the token (401)", c.answers("error.json", 401, "error.json", 401), socialauth.ErrInvalidToken},
		{"provider down (503)", c.answers("error.json", 503, "check.json", 0), socialauth.ErrProviderUnavailable},
		{"rate limited (429)", c.answers("error.json", 429, "check.json", 0), socialauth.ErrProviderUnavailable},
		{"profile without id", c.answers("user-no-id.json", 0, "check.json", 0), socialauth.ErrAuthFailed},
		{"malformed JSON", c.answers("../group-a/truncated.json", 0, "check.json", 0), socialauth.ErrProviderUnavailable},
	}
	switch {
	case c.check != nil:
		failures = append(failures, scenario{"token of another app", c.answers("user.json", 0, "check-other-app.json", 0), socialauth.ErrInvalidToken})
	case c.foreign != nil:
		failures = append(failures, scenario{"token of another app", c.foreign, socialauth.ErrInvalidToken})
	}
	for _, f := range c.refused {
		failures = append(failures, scenario{"refused: " + f, c.answers("user.json", 0, f, 0), socialauth.ErrInvalidToken})
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := login(t, c.b, c.token, tc.answers...)
			require.ErrorIs(t, err, tc.want)
			noSecretIn(t, err.Error(), secrets...)
		})
	}
	if c.unconfigured != nil {
		t.Run("unconfigured: "+c.unconfiguredSays, func(t *testing.T) {
			b, err := backends.ByName(c.name(), *c.unconfigured)
			require.NoError(t, err)
			_, _, err = login(t, b, c.token, c.answers("user.json", 0, "check.json", 0)...)
			require.ErrorIs(t, err, socialauth.ErrAuthFailed)
			assert.Contains(t, err.Error(), c.unconfiguredSays)
		})
	}
	t.Run("doc", func(t *testing.T) {
		assert.Equal(t, !c.noCheck, doc.ChecksAudience, "ChecksAudience must say whether a token of another app is refused")
		assert.NotEmpty(t, doc.TokenCheck)
		assert.NotEmpty(t, doc.UID)
		assert.NotEmpty(t, doc.EmailVerified)
		if c.noCheck {
			assert.Contains(t, doc.TokenCheck, "none", "say plainly that there is no check")
		}
	})
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
