package socialauth_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// The pair below reads as a ratio: the id_token login of a returning user
// (the generic "oidc" backend, the default pipeline, memory storage)
// against go-oidc's IDTokenVerifier.Verify of the same token with the same
// keys, the least any Go server does to trust an id_token.
//
// An id_token logs in once (the library spends each verified token), so
// both benchmarks take a fresh token per iteration, all minted before the
// timer starts: signing costs far more than verifying and would drown the
// difference being measured. No nonce is sent. The tokens live an hour and
// the default maximum age (iat) is 10 minutes, longer than a run.

// idTokenBench is the fake provider, its issuer and a token for one
// returning user.
type idTokenBench struct {
	fake     *backendtest.Provider
	settings backends.Settings
	issuer   *backendtest.Issuer
	ada      backendtest.Identity
}

// tokens mints n distinct id_tokens of the benchmark's user.
func (f *idTokenBench) tokens(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f.issuer.IDToken(f.settings, f.ada, backendtest.IDTokenOptions{})
	}
	return out
}

func newIDTokenBench(b *testing.B) *idTokenBench {
	fake := backendtest.New(b)
	s := backends.Settings{BaseURL: "https://id.bench.example", Key: "bench-client"}
	iss := fake.Issuer(s.BaseURL)
	iss.SetCacheControl("max-age=3600") // discovery and keys fetched once, as from a real provider
	ada := backendtest.Identity{
		UID: "248289761001", Username: "ada", Email: "ada@example.com", EmailVerified: true,
		FirstName: "Ada", LastName: "Lovelace",
	}
	return &idTokenBench{fake: fake, settings: s, issuer: iss, ada: ada}
}

func BenchmarkDoAuthIDToken(b *testing.B) {
	f := newIDTokenBench(b)
	svc, err := socialauth.New(socialauth.Config{
		Backends:   []socialauth.Backend{backends.GenericOIDC(f.settings)},
		Storage:    memory.New(),
		Pipeline:   pipeline.Default(),
		HTTPClient: f.fake.Client(),
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	first, err := svc.LoginIDToken(ctx, "oidc", f.tokens(1)[0], "") // creates the user, fills the caches
	if err != nil || !first.IsNew {
		b.Fatalf("first login: new=%v err=%v", first != nil && first.IsNew, err)
	}
	fetches := f.issuer.JWKSFetches() + f.issuer.DiscoveryFetches()
	tokens := f.tokens(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := svc.LoginIDToken(ctx, "oidc", tokens[i], "")
		if err != nil || r.IsNew || r.User.ID != first.User.ID {
			b.Fatal("returning user not logged in:", err)
		}
	}
	b.StopTimer()
	if n := f.issuer.JWKSFetches() + f.issuer.DiscoveryFetches(); n != fetches {
		b.Fatalf("the provider's documents were fetched %d times during the loop", n-fetches)
	}
}

func BenchmarkFloorGoOIDCVerify(b *testing.B) {
	f := newIDTokenBench(b)
	ctx := oidc.ClientContext(context.Background(), f.fake.Client())
	keys := oidc.NewRemoteKeySet(ctx, f.settings.BaseURL+"/jwks")
	v := oidc.NewVerifier(f.issuer.URL(), keys, &oidc.Config{ClientID: f.settings.Key, SupportedSigningAlgs: []string{"RS256"}})
	if _, err := v.Verify(ctx, f.tokens(1)[0]); err != nil { // fills the key cache
		b.Fatal(err)
	}
	tokens := f.tokens(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tok, err := v.Verify(ctx, tokens[i])
		if err != nil || tok.Subject != "248289761001" {
			b.Fatal("token refused:", err)
		}
	}
}
