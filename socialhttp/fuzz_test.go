package socialhttp_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/go-socialauth/socialauth/socialhttp"
)

// FuzzExchangeBody: any body gets a JSON answer, never a panic, never a 5xx
// (the development provider is up), and never an echo of what was sent; a
// body the handler refuses as malformed never reaches the provider.
func FuzzExchangeBody(f *testing.F) {
	for _, s := range []string{`{"access_token":"dev-a"}`, `{}`, `{"id_token":"a.b.c"}`, `[`, `{"access_token":"x","x":1}`, "\x00",
		`{"ACCess_token":"\u007f"}`, `{"access_token":"\u007f"}`, `{"access_token":"dev-a b"}`,
		`{"access_token":"dev-a"}{"access_token":"dev-b"}`, `{"access_token":"dev-` + strings.Repeat("a", 70) + `"}`} {
		f.Add(s)
	}
	e := newEnv(f, nil)
	srv := server(f, e, socialhttp.Options{})
	client := srv.Client()
	f.Fuzz(func(t *testing.T, body string) {
		before := e.calls.Load()
		resp, err := client.Post(srv.URL+"/api/login/social/dev/", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		if resp.StatusCode >= 500 {
			t.Fatalf("status %d for %q", resp.StatusCode, body)
		}
		if resp.StatusCode == http.StatusBadRequest && e.calls.Load() != before {
			t.Fatalf("a malformed request %q reached the provider", body)
		}
		if resp.StatusCode != http.StatusOK {
			raw, _ := json.Marshal(out)
			if len(body) >= 8 && strings.Contains(string(raw), body) {
				t.Fatalf("the answer echoes the request")
			}
		}
	})
}
