package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/storage/memory"
)

func noEnv(string) (string, bool) { return "", false }

type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func (c client) do(method, path, auth, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	require.NoError(c.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.hc.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	var out map[string]any
	raw, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	if len(raw) > 0 {
		require.NoError(c.t, json.Unmarshal(raw, &out), string(raw))
	}
	return resp.StatusCode, out
}

func newTestApp(t *testing.T) client {
	dev := httptest.NewServer(devprovider.Handler())
	t.Cleanup(dev.Close)
	a, err := newApp(appConfig{backends: []socialauth.Backend{devprovider.Backend(dev.URL)}, storage: memory.New()})
	require.NoError(t, err)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return client{t: t, base: srv.URL, hc: srv.Client()}
}

func TestExchangeAndMe(t *testing.T) {
	c := newTestApp(t)
	status, out := c.do("POST", "/api/login/social/dev/", "", `{"access_token":"dev-alice"}`)
	require.Equal(t, http.StatusOK, status, out)
	token, _ := out["token"].(string)
	require.NotEmpty(t, token)
	assert.Equal(t, true, out["is_new"])

	status, me := c.do("GET", "/api/me", "Token "+token, "")
	require.Equal(t, http.StatusOK, status, me)
	assert.Equal(t, "alice", me["username"])
	assert.Equal(t, "alice@example.com", me["email"])

	status, again := c.do("POST", "/api/login/social/dev/", "", `{"access_token":"dev-alice"}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, false, again["is_new"])
	status, me2 := c.do("GET", "/api/me", "Token "+again["token"].(string), "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, me["id"], me2["id"], "the same user")
}

func TestExchangeErrors(t *testing.T) {
	c := newTestApp(t)
	cases := []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"unknown backend", "/api/login/social/myspace/", `{"access_token":"dev-alice"}`, 404, "unknown_backend"},
		{"refused token", "/api/login/social/dev/", `{"access_token":"alice"}`, 400, "invalid_token"},
		{"missing token", "/api/login/social/dev/", `{}`, 400, "invalid_request"},
		{"malformed body", "/api/login/social/dev/", `{"access_token":`, 400, "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, out := c.do("POST", tc.path, "", tc.body)
			assert.Equal(t, tc.status, status)
			errs, _ := out["errors"].(map[string]any)
			require.NotNil(t, errs, out)
			assert.Equal(t, tc.code, errs["code"])
		})
	}
	for _, auth := range []string{"", "Token nope", "Bearer x", "Token " + strings.Repeat("a.", 400)} {
		status, _ := c.do("GET", "/api/me", auth, "")
		assert.Equal(t, http.StatusUnauthorized, status, auth)
	}
}

func TestTokensExpireAndResistTampering(t *testing.T) {
	now := time.Now()
	s := tokenSigner{key: []byte("k"), now: func() time.Time { return now }, ttl: time.Hour}
	tok := s.mint("42")
	id, ok := s.verify(tok)
	require.True(t, ok)
	assert.Equal(t, "42", id)
	_, ok = s.verify(strings.Replace(tok, "NDI", "NDM", 1)) // another user id, same signature
	assert.False(t, ok)
	_, ok = tokenSigner{key: []byte("other"), now: s.now, ttl: time.Hour}.verify(tok)
	assert.False(t, ok)
	now = now.Add(2 * time.Hour)
	_, ok = s.verify(tok)
	assert.False(t, ok, "expired")
}

// TestRealProviderFromEnv: with SOCIAL_AUTH_GITHUB_KEY/SECRET set, the
// github backend logs in (its HTTP faked with backendtest).
func TestRealProviderFromEnv(t *testing.T) {
	env := mapEnv{"SOCIAL_AUTH_GITHUB_KEY": "Iv1.example", "SOCIAL_AUTH_GITHUB_SECRET": "s3cret"}
	enabled, err := backends.FromEnv(env.lookup)
	require.NoError(t, err)
	fake := backendtest.New(t)
	a, err := newApp(appConfig{backends: enabled, storage: memory.New(), client: fake.Client()})
	require.NoError(t, err)
	assert.Equal(t, []string{"github"}, a.backends)
	srv := httptest.NewServer(a)
	defer srv.Close()
	c := client{t: t, base: srv.URL, hc: srv.Client()}
	tok := fake.Token("github", backends.Settings{Key: "Iv1.example", Secret: "s3cret"},
		backendtest.Identity{UID: "583231", Username: "octocat", Email: "octocat@github.com", EmailVerified: true, Name: "The Octocat"})
	status, out := c.do("POST", "/api/login/social/github/", "", `{"access_token":"`+tok+`"}`)
	require.Equal(t, http.StatusOK, status, out)
	status, me := c.do("GET", "/api/me", "Token "+out["token"].(string), "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "octocat", me["username"])
}

type mapEnv map[string]string

func (m mapEnv) lookup(k string) (string, bool) { v, ok := m[k]; return v, ok }

// started is a run of the program as main starts it, on a free loopback
// port, with what it printed up to its /api/me line.
type started struct {
	printed string
	base    string
	stop    func() error
}

func start(t *testing.T, o options, env func(string) (string, bool)) started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, o, env, pw); pw.Close() }()
	lines := bufio.NewScanner(pr)
	var printed strings.Builder
	for lines.Scan() {
		printed.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), "/api/me") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	base := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(printed.String())
	require.NotNil(t, base, printed.String())
	return started{printed: printed.String(), base: base[1], stop: stop}
}

func post(t *testing.T, url, body string) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

const devWarning = `WARNING: the development provider is on`

// TestDevProviderOnlyWhenNothingRealOrAsked: backend "dev" runs when no
// provider is configured or with -dev, with a warning; otherwise it is off.
func TestDevProviderOnlyWhenNothingRealOrAsked(t *testing.T) {
	github := mapEnv{"SOCIAL_AUTH_GITHUB_KEY": "Iv1.example", "SOCIAL_AUTH_GITHUB_SECRET": "s3cret"}
	cases := []struct {
		name     string
		dev      bool
		env      mapEnv
		backends string
		devOn    bool
	}{
		{"nothing configured", false, mapEnv{}, "dev", true},
		{"a real provider", false, github, "github", false},
		{"a real provider and -dev", true, github, "dev, github", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := start(t, options{addr: "127.0.0.1:0", db: filepath.Join(t.TempDir(), "x.db"), dev: tc.dev}, tc.env.lookup)
			assert.Contains(t, r.printed, "(backends: "+tc.backends+")")
			status := post(t, r.base+"/api/login/social/dev/", `{"access_token":"dev-alice"}`)
			if tc.devOn {
				assert.Contains(t, r.printed, devWarning)
				assert.Equal(t, http.StatusOK, status)
			} else {
				assert.NotContains(t, r.printed, devWarning)
				assert.NotContains(t, r.printed, "dev-alice")
				assert.Equal(t, http.StatusNotFound, status)
			}
			require.NoError(t, r.stop())
		})
	}
}

// TestDevProviderRefusesNonLoopback: with the development provider on, the
// server does not start on an address other machines reach.
func TestDevProviderRefusesNonLoopback(t *testing.T) {
	github := mapEnv{"SOCIAL_AUTH_GITHUB_KEY": "Iv1.example", "SOCIAL_AUTH_GITHUB_SECRET": "s3cret"}
	for _, addr := range []string{"0.0.0.0:8000", ":8000", "[::]:8000", "192.0.2.1:8000", "example.com:8000", "127.0.0.1"} {
		for _, tc := range []struct {
			env mapEnv
			dev bool
		}{{mapEnv{}, false}, {github, true}} {
			db := filepath.Join(t.TempDir(), "x.db")
			err := run(context.Background(), options{addr: addr, db: db, dev: tc.dev}, tc.env.lookup, io.Discard)
			assert.ErrorContains(t, err, "loopback only", addr)
			_, statErr := os.Stat(db)
			assert.True(t, os.IsNotExist(statErr), "refused before anything is opened")
		}
	}
	// Without the development provider the address is the host's choice:
	// the same invalid address fails later, in net.Listen.
	err := run(context.Background(), options{addr: "0.0.0.0:99999", db: filepath.Join(t.TempDir(), "x.db")}, github.lookup, io.Discard)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "loopback")
	assert.Contains(t, err.Error(), "invalid port")

	for _, addr := range []string{"127.0.0.1:8000", "127.0.0.2:8000", "localhost:8000", "[::1]:8000"} {
		assert.True(t, isLoopback(addr), addr)
	}
}

// TestRunChecksProvidersAtStart: a configured provider that cannot work
// (its issuer unreachable, its secret missing) stops the program before it
// serves, with an error that names the backend and the setting.
func TestRunChecksProvidersAtStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String() // nothing listens there
	require.NoError(t, ln.Close())
	env := mapEnv{"SOCIAL_AUTH_OIDC_KEY": "web-app", "SOCIAL_AUTH_OIDC_OIDC_ENDPOINT": closed + "/realms/x"}
	db := filepath.Join(t.TempDir(), "x.db")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // else it would serve
	defer cancel()
	err = run(ctx, options{addr: "127.0.0.1:0", db: db}, env.lookup, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "socialauth: backend oidc: discovery (SOCIAL_AUTH_OIDC_API_URL (Settings.BaseURL)): ")
	assert.Contains(t, err.Error(), "connection refused")
}

// TestRunPrintsAWorkingCurlLine starts the program as main does, on a free
// port, and follows the instructions it prints.
func TestRunPrintsAWorkingCurlLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "exchange.db")
	r := start(t, options{addr: "127.0.0.1:0", db: db}, noEnv)
	m := regexp.MustCompile(`curl -s -X POST (http://127\.0\.0\.1:\d+)(/api/login/social/dev/) -H 'Content-Type: application/json' -d '(\{.*\})'`).FindStringSubmatch(r.printed)
	require.NotNil(t, m, r.printed)
	assert.Equal(t, http.StatusOK, post(t, m[1]+m[2], m[3]))
	require.NoError(t, r.stop())
	assert.Contains(t, r.printed, "users: SQLite at "+db)
	info, err := os.Stat(db)
	require.NoError(t, err, "the SQLite file is created on first run")
	assert.Positive(t, info.Size())
}

// TestRunWithPostgreSQL: SOCIAL_AUTH_DATABASE_URL switches the users to
// PostgreSQL. CI (.ci/run) provides one; elsewhere set
// SOCIAL_AUTH_TEST_POSTGRES_DSN to run it.
func TestRunWithPostgreSQL(t *testing.T) {
	dsn := os.Getenv("SOCIAL_AUTH_TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but SOCIAL_AUTH_TEST_POSTGRES_DSN is not set")
		}
		t.Skip("set SOCIAL_AUTH_TEST_POSTGRES_DSN=postgres://... to run against PostgreSQL")
	}
	env := func(k string) (string, bool) {
		if k == "SOCIAL_AUTH_DATABASE_URL" {
			return dsn, true
		}
		return "", false
	}
	r := start(t, options{addr: "127.0.0.1:0", db: "unused.db"}, env)
	assert.Contains(t, r.printed, "users: PostgreSQL")
	assert.Equal(t, http.StatusOK, post(t, r.base+"/api/login/social/dev/", `{"access_token":"dev-pg-user"}`))
	require.NoError(t, r.stop())
	_, err := os.Stat("unused.db")
	assert.True(t, os.IsNotExist(err), "no SQLite file when PostgreSQL is configured")
}

// TestTokenKey: with SOCIAL_AUTH_TOKEN_KEY the provider tokens are sealed,
// so the raw database file holds no token bytes after logins; without it
// the program says, in a warning, that they are stored unsealed.
func TestTokenKey(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	for name, tc := range map[string]struct {
		env      map[string]string
		warns    bool
		tokenIn  bool
		startErr bool
	}{
		"sealed":   {env: map[string]string{envTokenKey: key}},
		"unsealed": {warns: true, tokenIn: true},
		"bad key":  {env: map[string]string{envTokenKey: "c2hvcnQ="}, startErr: true},
	} {
		t.Run(name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "exchange.db")
			env := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			if tc.startErr {
				err := run(context.Background(), options{addr: "127.0.0.1:0", db: db}, env, io.Discard)
				require.ErrorContains(t, err, envTokenKey)
				return
			}
			r := start(t, options{addr: "127.0.0.1:0", db: db}, env)
			assert.Equal(t, tc.warns, strings.Contains(r.printed, "WARNING: "+envTokenKey), r.printed)
			m := regexp.MustCompile(`curl -s -X POST (http://127\.0\.0\.1:\d+/api/login/social/dev/)`).FindStringSubmatch(r.printed)
			require.NotNil(t, m, r.printed)
			// The development provider's token for "tokenprobe" is
			// dev-tokenprobe and its uid dev-tokenprobe too; the stored
			// token is what load_extra_data keeps under access_token.
			assert.Equal(t, http.StatusOK, post(t, m[1], `{"access_token":"dev-tokenprobe"}`))
			require.NoError(t, r.stop())
			raw := readDB(t, db)
			assert.Equal(t, tc.tokenIn, bytes.Contains(raw, []byte(`"access_token":"dev-tokenprobe"`)), "token bytes in the database file")
			assert.Equal(t, !tc.tokenIn, bytes.Contains(raw, []byte(`"access_token":"sealed:v1:`)), "a sealed token in the database file")
		})
	}
}

// readDB returns the bytes of a SQLite database and its write-ahead log.
func readDB(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}
