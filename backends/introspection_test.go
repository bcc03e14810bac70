package backends_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// TestOIDCIntrospectionClient: RFC 7662 §2.2's client_id names the client a
// token was issued to; its "aud" names the resource servers the token is
// meant for. The answer of RFC 7662's own example (client_id
// "l238j323ds-23ij4", aud a resource URL) is a login for that client; an
// answer without client_id proves nothing, even when its aud happens to
// be the client id.
func TestOIDCIntrospectionClient(t *testing.T) {
	const (
		site = "https://server.example.com"
		tok  = "mF_9.B5f-4.1JqM" // RFC 6750's example token
	)
	s := backends.Settings{Key: "l238j323ds-23ij4", Secret: "introspection-secret-7d"}
	b := backends.NewOIDC(backends.OIDCConfig{Name: "oidc", Issuer: site, JWKSURL: site + "/jwks.json",
		UserInfoURL: site + "/userinfo", IntrospectionURL: site + "/introspect",
		ClientIDs: []string{s.Key}, ClientSecret: s.Secret, Introspection: backends.IntrospectRequired})
	userinfo := answer{"GET", site + "/userinfo", 0, "oidc/userinfo.json"}
	introspect := func(file string) answer { return answer{"POST", site + "/introspect", 0, file} }

	t.Run("RFC 7662's example answer: client_id is ours, aud a resource server", func(t *testing.T) {
		p, rec, err := login(t, b, tok, userinfo, introspect("oidc/introspect-rfc7662.json"))
		require.NoError(t, err)
		assert.Equal(t, "Z5O3upPC88QrAjx00dis", p.UID)
		id, secret, ok := requestTo(t, rec, "POST", site+"/introspect").BasicAuth()
		require.True(t, ok, "no discovery: client_secret_basic, RFC 6749 §2.3.1's default")
		assert.Equal(t, s.Key, id)
		assert.Equal(t, s.Secret, secret)
	})
	t.Run("no client_id: an aud equal to the client id is not proof", func(t *testing.T) {
		_, _, err := login(t, b, tok, userinfo, introspect("oidc/introspect-aud-only.json"))
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		assert.Contains(t, err.Error(), "does not name the client the token was issued to (client_id)")
		noSecretIn(t, err.Error(), tok, s.Secret)
	})
	t.Run("another client's client_id", func(t *testing.T) {
		other := backends.NewOIDC(backends.OIDCConfig{Name: "oidc", Issuer: site, JWKSURL: site + "/jwks.json",
			UserInfoURL: site + "/userinfo", IntrospectionURL: site + "/introspect",
			ClientIDs: []string{"another-client"}, ClientSecret: s.Secret, Introspection: backends.IntrospectRequired})
		_, _, err := login(t, other, tok, userinfo, introspect("oidc/introspect-rfc7662.json"))
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
		assert.Contains(t, err.Error(), "another app (client_id)")
	})
}

// TestOIDCIntrospectionAuthMethods: the app authenticates to the
// introspection endpoint as the discovery document's
// introspection_endpoint_auth_methods_supported allows (RFC 8414 §2).
func TestOIDCIntrospectionAuthMethods(t *testing.T) {
	const (
		site = "https://server.example.com"
		tok  = "mF_9.B5f-4.1JqM"
	)
	s := backends.Settings{Key: "l238j323ds-23ij4", Secret: "introspection-secret-7d", BaseURL: site}
	discovery := func(file string) answer {
		return answer{"GET", site + "/.well-known/openid-configuration", 0, file}
	}
	userinfo := answer{"GET", site + "/userinfo", 0, "oidc/userinfo.json"}
	introspect := answer{"POST", site + "/introspect", 0, "oidc/introspect-rfc7662.json"}

	t.Run("client_secret_basic when listed", func(t *testing.T) {
		_, rec, err := login(t, backends.GenericOIDC(s), tok, discovery("oidc/discovery-introspection-basic.json"), userinfo, introspect)
		require.NoError(t, err)
		r := requestTo(t, rec, "POST", site+"/introspect")
		_, _, ok := r.BasicAuth()
		assert.True(t, ok)
		require.NoError(t, r.ParseForm())
		assert.False(t, r.PostForm.Has("client_secret"), "one method per request (RFC 6749 §2.3)")
	})
	t.Run("client_secret_post when basic is not listed", func(t *testing.T) {
		_, rec, err := login(t, backends.GenericOIDC(s), tok, discovery("oidc/discovery-introspection-post.json"), userinfo, introspect)
		require.NoError(t, err)
		r := requestTo(t, rec, "POST", site+"/introspect")
		assert.Empty(t, r.Header.Get("Authorization"))
		require.NoError(t, r.ParseForm())
		assert.Equal(t, s.Key, r.PostForm.Get("client_id"))
		assert.Equal(t, s.Secret, r.PostForm.Get("client_secret"))
		assert.Equal(t, tok, r.PostForm.Get("token"))
	})
	t.Run("neither: a configuration error that says what the endpoint takes", func(t *testing.T) {
		_, rec, err := login(t, backends.GenericOIDC(s), tok, discovery("oidc/discovery-introspection-jwt.json"), userinfo, introspect)
		require.ErrorIs(t, err, socialauth.ErrAuthFailed)
		assert.Contains(t, err.Error(), "private_key_jwt, tls_client_auth")
		assert.Contains(t, err.Error(), "IntrospectNever")
		noSecretIn(t, err.Error(), tok, s.Secret)
		for _, u := range rec.urls() {
			assert.NotEqual(t, "POST "+site+"/introspect", u, "the secret is not sent to an endpoint that does not take it")
		}
	})
	t.Run("the fake provider takes what it advertises", func(t *testing.T) {
		fake := backendtest.New(t)
		iss := fake.Issuer("https://idp.example.com")
		iss.EnableIntrospection()
		iss.SetIntrospectionAuthMethods("client_secret_post")
		fs := backends.Settings{Key: "client-1", Secret: "secret-1", BaseURL: iss.URL()}
		b := backends.GenericOIDC(fs)
		_, err := authenticate(t, b, fake.Client(), iss.AccessToken(fs, ada))
		require.NoError(t, err)
		_, err = authenticate(t, b, fake.Client(), iss.ForeignAccessToken(fs, ada))
		require.ErrorIs(t, err, socialauth.ErrInvalidToken)
	})
}
