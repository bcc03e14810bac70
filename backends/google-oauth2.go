package backends

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// Google's endpoints.
const (
	googleAuthURL     = "https://accounts.google.com/o/oauth2/v2/auth"
	googleTokenURL    = "https://oauth2.googleapis.com/token"
	googleUserInfoURL = "https://openidconnect.googleapis.com/v1/userinfo"
	googleTokenInfo   = "https://oauth2.googleapis.com/tokeninfo"
	googleIssuer      = "https://accounts.google.com"
	googleCerts       = "https://www.googleapis.com/oauth2/v3/certs"
)

// GoogleOAuth2 is the "google-oauth2" backend.
//
// Settings: Key (the web client id), Secret, Scope, ClientIDs (the iOS and
// Android client ids whose tokens are accepted too).
//
// Token check: Google's tokeninfo endpoint must say the token's aud is one
// of Key and ClientIDs, and so is its azp when it has one (the client that
// asked for the token: the same rule as the id_token's), and its sub must
// equal the userinfo's sub; both calls run concurrently. The uid is "sub", never the email (PSA's
// default uid is the email: a deliberate difference). The email counts as
// verified only when Google says email_verified and the address is a
// @gmail.com one or the account has a hosted domain ("hd"), as Google's
// backend-auth guide advises.
//
// It also accepts Google id_tokens (AuthenticateIDToken), as the Android, iOS and
// web sign-in SDKs hand them over: verified against Google's JWKS
// (googleapis.com/oauth2/v3/certs, RS256), iss "https://accounts.google.com"
// or "accounts.google.com", aud one of Key and ClientIDs and no other, azp
// (when present) one of them, exp, iat within 10 minutes, and the nonce
// when one is given. The uid is again "sub".
func GoogleOAuth2(s Settings) *OAuth2IDToken { return google("google-oauth2", s) }

// google is the Google backend under name: google-oauth2 and
// google-openidconnect differ only in the name they are stored under.
func google(name string, s Settings) *OAuth2IDToken {
	aud := s.audiences()
	return NewOAuth2IDToken(Provider{
		ClientID: s.Key, ClientSecret: s.Secret,
		Name:        name,
		AuthURL:     googleAuthURL,
		TokenURL:    googleTokenURL,
		Scopes:      append([]string{"openid", "email", "profile"}, s.Scope...),
		UserInfoURL: googleUserInfoURL,
		User:        mapJSON[googleUser],
		Verify: func(ctx context.Context, client *http.Client, token string) (string, error) {
			return googleTokenInfoCheck(ctx, client, token, name, aud)
		},
		Doc: Doc{ChecksAudience: true, TokenCheck: "tokeninfo: aud and azp ∈ Key+ClientIDs, sub = userinfo sub", UID: "sub",
			EmailVerified: "email_verified, and a @gmail.com address or an hd claim"},
	}, OIDCConfig{
		Issuer:     googleIssuer,
		Issuers:    []string{"accounts.google.com"}, // Google sometimes leaves out the scheme
		JWKSURL:    googleCerts,
		ClientIDs:  aud,
		Algorithms: []string{"RS256"},
		User:       mapJSON[googleUser],
	})
}

type googleUser struct {
	Sub           string   `json:"sub"`
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
	HD            string   `json:"hd"`
	Name          string   `json:"name"`
	GivenName     string   `json:"given_name"`
	FamilyName    string   `json:"family_name"`
	Picture       string   `json:"picture"`
}

func (u googleUser) user() (string, socialauth.Details, error) {
	return u.Sub, socialauth.Details{
		Username:      localPart(u.Email),
		Email:         u.Email,
		EmailVerified: googleEmailTrusted(u.Email, bool(u.EmailVerified), u.HD),
		FullName:      u.Name,
		FirstName:     u.GivenName,
		LastName:      u.FamilyName,
		AvatarURL:     pictureURL(u.Picture),
	}, nil
}

// googleEmailTrusted: Google's email is authoritative if it is verified and
// either a gmail.com address or one of a Workspace hosted domain.
func googleEmailTrusted(email string, verified bool, hd string) bool {
	return verified && email != "" && (strings.HasSuffix(strings.ToLower(email), "@gmail.com") || hd != "")
}

func googleTokenInfoCheck(ctx context.Context, client *http.Client, token, name string, audiences []string) (string, error) {
	var ti struct {
		Aud       string          `json:"aud"`
		Azp       string          `json:"azp"`
		Sub       string          `json:"sub"`
		ExpiresIn json.RawMessage `json:"expires_in"`
	}
	// Google answers 400 about a token that is invalid or expired.
	c := call{url: googleTokenInfo, query: url.Values{"access_token": {token}}, secrets: []string{token},
		refusedWith: []int{http.StatusBadRequest}}
	if _, err := c.getJSON(ctx, client, &ti); err != nil {
		return "", err
	}
	// Both must be ours: an azp of another client means another app asked
	// for the token, even when the audience is this one.
	if err := checkApp(name, ti.Aud, audiences); err != nil {
		return "", err
	}
	if ti.Azp != "" {
		if err := checkApp(name, ti.Azp, audiences); err != nil {
			return "", err
		}
	}
	if ti.Sub == "" {
		return "", fmt.Errorf("%w: tokeninfo has no sub", socialauth.ErrInvalidToken)
	}
	return ti.Sub, nil
}
