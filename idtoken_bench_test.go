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
// Both verify one token, minted before the loop, with no nonce. A nonce is
// single-use, so a benchmark with one would have to mint a token per
// iteration, in both benchmarks: an RS256 signature costs tens of times
// what its verification does and would drown the difference being
// measured. With an empty nonce the library checks no nonce and spends
// none (the nonce check is a constant-time compare plus one storage
// insert, covered by the tests). The token lives an hour and the default
// maximum age (iat) is 10 minutes, far longer than a benchmark run.

// idTokenBench is the fake provider, its issuer and a token for one
// returning user.
type idTokenBench struct {
	fake     *backendtest.Provider
	settings backends.Settings
	issuer   *backendtest.Issuer
	token    string
}

func newIDTokenBench(b *testing.B) *idTokenBench {
	fake := backendtest.New(b)
	s := backends.Settings{BaseURL: "https://id.bench.example", Key: "bench-client"}
	iss := fake.Issuer(s.BaseURL)
	iss.SetCacheControl("max-age=3600") // discovery and keys fetched once, as from a real provider
	tok := iss.IDToken(s, backendtest.Identity{
		UID: "248289761001", Username: "ada", Email: "ada@example.com", EmailVerified: true,
		FirstName: "Ada", LastName: "Lovelace",
	}, backendtest.IDTokenOptions{})
	return &idTokenBench{fake: fake, settings: s, issuer: iss, token: tok}
}

// loginIDToken is the one call of the root API the benchmark makes.
func loginIDToken(ctx context.Context, svc *socialauth.Service, backend, idToken string) (*socialauth.Result, error) {
	ctx, err := svc.WithBackend(ctx, backend)
	if err != nil {
		return nil, err
	}
	return socialauth.DoAuthIDToken(ctx, idToken, "")
}

func BenchmarkDoAuthIDToken(b *testing.B) {
	f := newIDTokenBench(b)
	svc, err := socialauth.New(socialauth.Config{
		Backends:   []socialauth.Backend{backends.OpenIDConnect(f.settings)},
		Storage:    memory.New(),
		Pipeline:   pipeline.Default(),
		HTTPClient: f.fake.Client(),
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	first, err := loginIDToken(ctx, svc, "oidc", f.token) // creates the user, fills the caches
	if err != nil || !first.IsNew {
		b.Fatalf("first login: new=%v err=%v", first != nil && first.IsNew, err)
	}
	fetches := f.issuer.JWKSFetches() + f.issuer.DiscoveryFetches()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := loginIDToken(ctx, svc, "oidc", f.token)
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
	if _, err := v.Verify(ctx, f.token); err != nil { // fills the key cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tok, err := v.Verify(ctx, f.token)
		if err != nil || tok.Subject != "248289761001" {
			b.Fatal("token refused:", err)
		}
	}
}
