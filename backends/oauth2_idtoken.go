package backends

import (
	"context"
	"net/http"

	"github.com/go-socialauth/socialauth"
)

// OAuth2IDToken is an [OAuth2] backend whose provider also issues OpenID
// Connect id_tokens (Google, Microsoft): access tokens take the OAuth2 path
// ([OAuth2.Authenticate]: the provider's own audience check and user
// data), id_tokens are verified as an [OIDC] backend of the same name does.
type OAuth2IDToken struct {
	*OAuth2
	idt *OIDC
}

var (
	_ socialauth.Backend              = (*OAuth2IDToken)(nil)
	_ socialauth.IDTokenAuthenticator = (*OAuth2IDToken)(nil)
	_ Documented                      = (*OAuth2IDToken)(nil)
)

// NewOAuth2IDToken returns the backend of p whose id_tokens c describes
// (c.Name may be empty; it is p.Name). It panics as [NewOAuth2] and
// [NewOIDC] do, and when the two names differ.
func NewOAuth2IDToken(p Provider, c OIDCConfig) *OAuth2IDToken {
	if c.Name == "" {
		c.Name = p.Name
	}
	if c.Name != p.Name {
		panic("backends: NewOAuth2IDToken: provider " + p.Name + " and OIDC config " + c.Name + " differ")
	}
	c.AccessTokenIsIDToken = true // the OIDC half only ever sees id_tokens
	return &OAuth2IDToken{OAuth2: NewOAuth2(p), idt: NewOIDC(c)}
}

// AuthenticateIDToken verifies an id_token (see [OIDC.AuthenticateIDToken]).
func (b *OAuth2IDToken) AuthenticateIDToken(ctx context.Context, client *http.Client, idToken, nonce string) (*socialauth.Profile, error) {
	return b.idt.AuthenticateIDToken(ctx, client, idToken, nonce)
}

// Doc describes the backend: the OAuth2 path's token check, then the id_token's.
func (b *OAuth2IDToken) Doc() Doc {
	d := b.OAuth2.Doc()
	if d.Protocol == "OAuth2" {
		d.Protocol = "OAuth2 + OIDC id_token"
	}
	d.TokenCheck += "; " + idTokenCheck
	return d
}
