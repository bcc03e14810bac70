package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth/backends/devprovider"
)

// TestRouters runs real exchanges (the development provider on loopback,
// users in memory) through both routes each router file wires: /api/... and
// /api/v2/..., which use the middleware the other way (see each file).
func TestRouters(t *testing.T) {
	dev := httptest.NewServer(devprovider.Handler())
	t.Cleanup(dev.Close)
	for name, routes := range routers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(routes(config(dev.URL), exchangeOptions()))
			t.Cleanup(srv.Close)
			for _, route := range []struct{ name, prefix, field string }{
				{"exchange", "/api/login/social/", "access_token"},
				{"v2", "/api/v2/login/social/", ownTokenField(name)},
			} {
				post := func(backend, token string) (int, map[string]any) {
					t.Helper()
					body, err := json.Marshal(map[string]string{route.field: token})
					require.NoError(t, err)
					resp, err := srv.Client().Post(srv.URL+route.prefix+backend+"/", "application/json", strings.NewReader(string(body)))
					require.NoError(t, err)
					defer resp.Body.Close()
					var out map[string]any
					require.NoError(t, json.NewDecoder(resp.Body).Decode(&out), "%s%s: a JSON body", route.prefix, backend)
					return resp.StatusCode, out
				}
				t.Run(route.name, func(t *testing.T) {
					status, out := post("dev", "dev-alice")
					require.Equal(t, http.StatusOK, status, out)
					assert.Equal(t, "alice", out["username"])
					assert.NotEmpty(t, out["user_id"])
					assert.Contains(t, out, "is_new")

					status, out = post("myspace", "dev-alice")
					assert.Equal(t, http.StatusNotFound, status)
					assert.Equal(t, map[string]any{"code": "unknown_backend", "message": "This backend is not configured."}, out["errors"])

					status, out = post("dev", "alice")
					assert.Equal(t, http.StatusUnauthorized, status)
					assert.Equal(t, "invalid_token", errorCode(out))
				})
			}
		})
	}
}

// ownTokenField is the token's name in the body of a router's /api/v2/
// route: the hand-written handlers (gin, echo) take {"token": ...}.
func ownTokenField(router string) string {
	if router == "gin" || router == "echo" {
		return "token"
	}
	return "access_token"
}

func errorCode(out map[string]any) any {
	errs, _ := out["errors"].(map[string]any)
	return errs["code"]
}

// TestRun serves each router as main does and follows the curl line it prints.
func TestRun(t *testing.T) {
	for name := range routers {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() { done <- run(ctx, name, "127.0.0.1:0", pw); pw.Close() }()
			lines := bufio.NewScanner(pr)
			var printed strings.Builder
			for !strings.Contains(printed.String(), "curl") && lines.Scan() {
				printed.WriteString(lines.Text() + "\n")
			}
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			m := regexp.MustCompile(`curl -s -X POST (http://127\.0\.0\.1:\d+/api/login/social/dev/) -H 'Content-Type: application/json' -d '(\{.*\})'`).FindStringSubmatch(printed.String())
			require.NotNil(t, m, printed.String())
			resp, err := http.Post(m[1], "application/json", strings.NewReader(m[2]))
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			cancel()
			require.NoError(t, <-done)
		})
	}
}

func TestRunRefusesNonLoopbackAndUnknownRouters(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.com:0", "127.0.0.1"} {
		err := run(context.Background(), "chi", addr, io.Discard)
		assert.ErrorContains(t, err, "loopback only", addr)
	}
	for _, addr := range []string{"127.0.0.1:80", "127.0.0.2:80", "localhost:80", "[::1]:80"} {
		assert.True(t, isLoopback(addr), addr)
	}
	err := run(context.Background(), "nope", "127.0.0.1:0", io.Discard)
	assert.ErrorContains(t, err, `unknown router "nope"`)
}
