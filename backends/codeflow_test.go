package backends_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

var codeFlowPerson = backendtest.Identity{UID: "cf-1", Username: "grace", Email: "grace@example.com", EmailVerified: true, FirstName: "Grace", LastName: "Hopper"}

const codeFlowRedirect = "https://app.example.com/auth/complete/"

// codeFlowService is a Service over bs with the fake server's client.
func codeFlowService(t *testing.T, as *backendtest.AuthorizationServer, bs ...socialauth.Backend) *socialauth.Service {
	t.Helper()
	svc, err := socialauth.New(socialauth.Config{Backends: bs, Storage: memory.New(), Pipeline: pipeline.Default(),
		HTTPClient: as.Client(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	return svc
}

// codeFlowRound begins a login through backend, has the fake approve it
// for id, and ends it.
func codeFlowRound(t *testing.T, svc *socialauth.Service, as *backendtest.AuthorizationServer, backend string, id backendtest.Identity) (*socialauth.Result, error) {
	t.Helper()
	authURL, flow, err := svc.AuthCodeURL(context.Background(), backend, codeFlowRedirect+backend+"/", nil)
	require.NoError(t, err)
	resp, err := as.Approve(authURL, id)
	require.NoError(t, err)
	return svc.LoginCode(context.Background(), backend, flow, resp.Params)
}

// googleLike is an OAuth2IDToken backend at the fake: the OAuth2 path with
// its userinfo, and id_tokens verified by its OIDC half.
func googleLike(as *backendtest.AuthorizationServer, name string, user func([]byte) (string, socialauth.Details, error)) *backends.OAuth2IDToken {
	s := as.Settings()
	base := as.OAuth2(name).Provider()
	base.Scopes = []string{"openid", "email", "profile"}
	if user != nil {
		base.User = user
	}
	return backends.NewOAuth2IDToken(base, backends.OIDCConfig{Issuer: as.URL(), ClientIDs: []string{s.Key}})
}

func TestCodeFlowBackends(t *testing.T) {
	as := backendtest.NewAuthorizationServer(t, backendtest.AuthorizationServerOptions{})
	svc := codeFlowService(t, as, as.OIDC("oidc"), as.OAuth2("plain"), googleLike(as, "hybrid", nil))
	for _, name := range []string{"oidc", "plain", "hybrid"} {
		t.Run(name, func(t *testing.T) {
			res, err := codeFlowRound(t, svc, as, name, codeFlowPerson)
			require.NoError(t, err)
			assert.Equal(t, "cf-1", res.Association.UID)
			assert.Equal(t, "grace@example.com", res.User.Email)
			assert.Equal(t, "Hopper", res.User.LastName)
			assert.NotEmpty(t, res.Association.AccessToken())
			assert.NotEmpty(t, res.Association.RefreshToken())
			assert.Equal(t, "Bearer", res.Association.ExtraData["token_type"])
		})
	}

	t.Run("hybrid: the user info must be the id_token's user", func(t *testing.T) {
		other := func(body []byte) (string, socialauth.Details, error) {
			return "someone-else", socialauth.Details{}, nil
		}
		svc := codeFlowService(t, as, googleLike(as, "mixed", other))
		_, err := codeFlowRound(t, svc, as, "mixed", codeFlowPerson)
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	})
	t.Run("an id_token with another nonce", func(t *testing.T) {
		as.SetOptions(backendtest.AuthorizationServerOptions{IDTokenNonce: "replayed-nonce"})
		defer as.SetOptions(backendtest.AuthorizationServerOptions{})
		for _, name := range []string{"oidc", "hybrid"} {
			_, err := codeFlowRound(t, svc, as, name, codeFlowPerson)
			require.ErrorIs(t, err, socialauth.ErrInvalidToken, name)
		}
	})
}

// TestCodeFlowATHash: an id_token whose at_hash is not the access token's
// (a token substituted beside it) is refused.
func TestCodeFlowATHash(t *testing.T) {
	as := backendtest.NewAuthorizationServer(t, backendtest.AuthorizationServerOptions{})
	b := as.OIDC("oidc")
	ctx, client := context.Background(), as.Client()
	cfg, err := b.OAuth2Config(ctx, client)
	require.NoError(t, err)
	tok := func() socialauth.Token {
		verifier := oauth2.GenerateVerifier()
		resp, err := as.Approve(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("redirect_uri", codeFlowRedirect)), codeFlowPerson)
		require.NoError(t, err)
		ot, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, client), resp.Params.Get("code"),
			oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("redirect_uri", codeFlowRedirect))
		require.NoError(t, err)
		idt, _ := ot.Extra("id_token").(string)
		require.NotEmpty(t, idt)
		return socialauth.Token{AccessToken: ot.AccessToken, IDToken: idt}
	}
	first, second := tok(), tok()
	_, err = b.AuthenticateTokens(ctx, client, first, "")
	require.NoError(t, err)
	_, err = b.AuthenticateTokens(ctx, client, socialauth.Token{AccessToken: second.AccessToken, IDToken: first.IDToken}, "")
	require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	assert.Contains(t, err.Error(), "at_hash")
}

func TestCodeFlowConfig(t *testing.T) {
	as := backendtest.NewAuthorizationServer(t, backendtest.AuthorizationServerOptions{})
	ctx, client := context.Background(), as.Client()

	t.Run("OIDC: discovered endpoints, Basic as the provider allows, one value while nothing changes", func(t *testing.T) {
		b := as.OIDC("oidc")
		cfg, err := b.OAuth2Config(ctx, client)
		require.NoError(t, err)
		assert.Equal(t, as.URL()+"/authorize", cfg.Endpoint.AuthURL)
		assert.Equal(t, as.URL()+"/token", cfg.Endpoint.TokenURL)
		assert.Equal(t, oauth2.AuthStyleInHeader, cfg.Endpoint.AuthStyle)
		assert.Equal(t, as.Settings().Key, cfg.ClientID)
		assert.Empty(t, cfg.RedirectURL)
		again, err := b.OAuth2Config(ctx, client)
		require.NoError(t, err)
		assert.Same(t, cfg, again, "x/oauth2 keeps what it learnt per Config")
	})
	t.Run("OIDC public client: its id in the form", func(t *testing.T) {
		b := backends.NewOIDC(backends.OIDCConfig{Name: "public", Issuer: as.URL(), ClientIDs: []string{"fake-client"}})
		cfg, err := b.OAuth2Config(ctx, client)
		require.NoError(t, err)
		assert.Equal(t, oauth2.AuthStyleInParams, cfg.Endpoint.AuthStyle)
	})
	t.Run("no client id, no endpoints", func(t *testing.T) {
		p := as.OAuth2("x").Provider()
		p.ClientID = ""
		_, err := backends.NewOAuth2(p).OAuth2Config(ctx, client)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		p = as.OAuth2("x").Provider()
		p.AuthURL = ""
		_, err = backends.NewOAuth2(p).OAuth2Config(ctx, client)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		_, err = backends.NewOIDC(backends.OIDCConfig{Name: "noid", Issuer: as.URL()}).OAuth2Config(ctx, client)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
	})
	t.Run("stock constructors carry the Settings' credentials", func(t *testing.T) {
		s := backends.Settings{Key: "web-client", Secret: "web-secret"}
		for _, b := range []socialauth.CodeFlowBackend{backends.GitHub(s), backends.GoogleOAuth2(s), backends.Facebook(s)} {
			cfg, err := b.OAuth2Config(ctx, client)
			require.NoError(t, err)
			assert.Equal(t, "web-client", cfg.ClientID)
			assert.Equal(t, "web-secret", cfg.ClientSecret)
			assert.True(t, strings.HasPrefix(cfg.Endpoint.AuthURL, "https://"), cfg.Endpoint.AuthURL)
		}
	})
	t.Run("Apple: form_post, its ES256 secret in the form", func(t *testing.T) {
		s := backends.Settings{Key: "com.example.web", TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: p256PKCS8(t)}
		cfg, err := backends.AppleID(s).OAuth2Config(ctx, client)
		require.NoError(t, err)
		assert.Equal(t, "https://appleid.apple.com/auth/authorize?response_mode=form_post", cfg.Endpoint.AuthURL)
		assert.Equal(t, oauth2.AuthStyleInParams, cfg.Endpoint.AuthStyle)
		assert.Equal(t, 3, strings.Count(cfg.ClientSecret, ".")+1, "a JWT")
		u, err := url.Parse(cfg.AuthCodeURL("st"))
		require.NoError(t, err)
		assert.Equal(t, "form_post", u.Query().Get("response_mode"))
		assert.Equal(t, "name email", u.Query().Get("scope"))
	})
}

func TestCodeFlowIssuerCheck(t *testing.T) {
	as := backendtest.NewAuthorizationServer(t, backendtest.AuthorizationServerOptions{})
	ctx, client := context.Background(), as.Client()
	b := as.OIDC("oidc")
	require.NoError(t, b.CheckIssuer(ctx, client, ""), "not advertised: may be absent")
	require.NoError(t, b.CheckIssuer(ctx, client, as.URL()))
	require.ErrorIs(t, b.CheckIssuer(ctx, client, "https://evil.example"), socialauth.ErrAuthFailed)
	require.NoError(t, as.OAuth2("plain").CheckIssuer(ctx, client, "https://anything.example"), "a plain OAuth 2.0 provider has no issuer")
	require.ErrorIs(t, googleLike(as, "hybrid", nil).CheckIssuer(ctx, client, "https://evil.example"), socialauth.ErrAuthFailed)

	as.SetOptions(backendtest.AuthorizationServerOptions{IssuerParameter: true})
	advertised := as.OIDC("oidc2") // a fresh discovery cache
	require.ErrorIs(t, advertised.CheckIssuer(ctx, client, ""), socialauth.ErrAuthFailed)
	require.NoError(t, advertised.CheckIssuer(ctx, client, as.URL()))

	tenant := backends.NewOIDC(backends.OIDCConfig{Name: "ms", Issuer: "https://login.example.com/{tenantid}/v2.0",
		JWKSURL: as.URL() + "/jwks", AuthURL: as.URL() + "/authorize", TokenURL: as.URL() + "/token", UserInfoURL: as.URL() + "/userinfo", ClientIDs: []string{"c"}})
	require.NoError(t, tenant.CheckIssuer(ctx, client, "https://login.example.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"))
	require.ErrorIs(t, tenant.CheckIssuer(ctx, client, "https://login.example.com/evil/v2.0"), socialauth.ErrAuthFailed)
	require.ErrorIs(t, tenant.CheckIssuer(ctx, client, "https://login.example.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0/x"), socialauth.ErrAuthFailed)
}

func TestCodeFlowRevoke(t *testing.T) {
	as := backendtest.NewAuthorizationServer(t, backendtest.AuthorizationServerOptions{})
	ctx, client := context.Background(), as.Client()
	require.NoError(t, as.OIDC("oidc").Revoke(ctx, client, socialauth.Token{AccessToken: "at-1", RefreshToken: "rt-1"}))
	require.NoError(t, as.OAuth2("plain").Revoke(ctx, client, socialauth.Token{AccessToken: "at-2"}))
	assert.Equal(t, []string{"rt-1", "at-2"}, as.Revoked(), "the refresh token when there is one")

	p := as.OAuth2("x").Provider()
	p.RevocationURL = ""
	err := backends.NewOAuth2(p).Revoke(ctx, client, socialauth.Token{AccessToken: "at"})
	require.ErrorIs(t, err, errors.ErrUnsupported)

	p = as.OAuth2("x").Provider()
	p.ClientSecret = "wrong"
	err = backends.NewOAuth2(p).Revoke(ctx, client, socialauth.Token{AccessToken: "secret-access-token"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret-access-token")
	assert.NotContains(t, err.Error(), "wrong")
}

// p256PKCS8 is a fresh Apple-style .p8 key.
func p256PKCS8(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}
