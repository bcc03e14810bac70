package socialauth_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// The pair below reads as a ratio: DoAuth for a returning user (backend
// call, default pipeline, memory storage) against the least any Go server
// must do for the same login — the same GET to the same provider through
// the same client, and a typed JSON decode.

func BenchmarkLoginReturningUser(b *testing.B) {
	srv := httptest.NewServer(devprovider.Handler())
	defer srv.Close()
	svc, err := socialauth.New(socialauth.Config{
		Backends:   []socialauth.Backend{devprovider.Backend(srv.URL)},
		Storage:    memory.New(),
		Pipeline:   pipeline.Default(),
		HTTPClient: srv.Client(),
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.Login(ctx, "dev", "dev-bench"); err != nil { // the first login creates the user
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := svc.Login(ctx, "dev", "dev-bench")
		if err != nil || r.IsNew {
			b.Fatal(err)
		}
	}
}

func BenchmarkFloorUserInfo(b *testing.B) {
	srv := httptest.NewServer(devprovider.Handler())
	defer srv.Close()
	client := srv.Client()
	type userinfo struct {
		Sub               string `json:"sub"`
		PreferredUsername string `json:"preferred_username"`
		Email             string `json:"email"`
		EmailVerified     bool   `json:"email_verified"`
		Name              string `json:"name"`
		GivenName         string `json:"given_name"`
		FamilyName        string `json:"family_name"`
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/userinfo", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer dev-bench")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var u userinfo
		err = json.NewDecoder(resp.Body).Decode(&u)
		resp.Body.Close()
		if err != nil || u.Sub != "dev-bench" {
			b.Fatal(err)
		}
	}
}
