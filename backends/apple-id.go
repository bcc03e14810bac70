package backends

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth"
)

const appleIssuer = "https://appleid.apple.com"

// Apple's client secret: a short-lived ES256 JWT (Apple allows up to six
// months, 15 777 000 s; a short one is as cheap and leaks less), renewed a
// little before it expires.
const (
	appleSecretTTL   = time.Hour
	appleSecretRenew = 5 * time.Minute
)

// AppleID is the "apple-id" backend (Sign in with Apple).
//
// Settings: Key (the client id: the Services ID of the web flow, or the
// app's bundle id), ClientIDs (the other bundle and Services IDs whose
// id_tokens are accepted, PSA's AUDIENCE), and for the client secret of
// the authorization-code flow TeamID, KeyID and PrivateKey (the .p8 file's
// PEM, PKCS#8, P-256). Environment (FromEnv): SOCIAL_AUTH_APPLE_ID_KEY,
// _AUDIENCE, _TEAM, _KEY_ID and _PRIVATE_KEY. PSA names them differently:
// its _CLIENT is our _KEY, its _KEY is our _KEY_ID, and its _SECRET (the
// private key) is our _PRIVATE_KEY; a PEM key found in Secret is used as
// PrivateKey, and FromEnv refuses PSA's _CLIENT with a message saying so.
//
// Token check: only the id_token counts (Apple has no userinfo, and its
// access tokens prove nothing); Authenticate treats the token it is given as one, as
// PSA does. It is verified against Apple's keys
// (appleid.apple.com/auth/keys, RS256): iss "https://appleid.apple.com",
// aud one of Key and ClientIDs, exp, iat within 10 minutes, and the nonce
// when one is given, which may be the raw nonce or, as Apple's native SDKs
// put it in the token, its hex SHA-256. The uid is "sub". The email counts
// as verified when email_verified says so (Apple sends "true"/"false" as
// strings or booleans); is_private_email is kept in Profile.Raw.
//
// Apple sends the person's name only once, on the first authorization, in
// the "user" JSON beside the code or token; the id_token never holds it.
// socialhttp.Exchange accepts that object as "user"; a handler of your own
// hands the name to the pipeline with socialauth.WithDetails.
//
// Browser login (the authorization-code flow): the authorization request
// asks for response_mode=form_post, as Apple requires with the name and
// email scopes, so the callback is a cross-site POST carrying code, state
// and, the first time, "user" (socialhttp's Callback takes it, and keeps
// this backend's state cookie SameSite=None for it). The code is redeemed
// with the ES256 client secret (client_secret_post), the id_token from the
// token endpoint verified with the login's nonce; tokens are revoked at
// appleid.apple.com/auth/revoke on disconnect.
func AppleID(s Settings) *OIDC {
	secret := &appleSecret{clientID: s.Key, teamID: s.TeamID, keyID: s.KeyID, pem: s.PrivateKey, now: time.Now}
	if secret.pem == "" && strings.Contains(s.Secret, "PRIVATE KEY") {
		secret.pem = s.Secret // PSA's SOCIAL_AUTH_APPLE_ID_SECRET holds the key
	}
	o := NewOIDC(OIDCConfig{
		Name:                 "apple-id",
		Issuer:               appleIssuer,
		JWKSURL:              appleIssuer + "/auth/keys",
		AuthURL:              appleIssuer + "/auth/authorize?response_mode=form_post", // name and email scopes need it
		TokenURL:             appleIssuer + "/auth/token",
		RevocationURL:        appleIssuer + "/auth/revoke",
		AuthStyle:            oauth2.AuthStyleInParams, // client_secret_post
		ClientIDs:            s.audiences(),
		ClientSecretFunc:     secret.get,
		Scopes:               append([]string{"name", "email"}, s.Scope...),
		Algorithms:           []string{"RS256"},
		NonceSHA256:          true,
		AccessTokenIsIDToken: true,
		User:                 mapJSON[appleUser],
		Doc: Doc{TokenCheck: "the token is the id_token: Apple JWKS (RS256), iss, aud ∈ Key+ClientIDs, exp, iat ≤ 10 min, nonce (raw or SHA-256)",
			UID: "sub", EmailVerified: `email_verified claim (boolean or "true")`},
	})
	o.ownSettings = secret.check
	return o
}

type appleUser struct {
	Sub           string   `json:"sub"`
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
}

func (c appleUser) user() (string, socialauth.Details, error) {
	// PSA's username is the Apple id: the email may be a relay address
	// and the name is not in the token.
	return c.Sub, socialauth.Details{Username: c.Sub, Email: c.Email, EmailVerified: bool(c.EmailVerified) && c.Email != ""}, nil
}

// appleSecret makes Apple's client secret: an ES256 JWT with kid=KeyID,
// iss=TeamID, sub=the client id, aud=https://appleid.apple.com, cached
// until appleSecretRenew before it expires. It is safe for concurrent use.
type appleSecret struct {
	clientID, teamID, keyID, pem string
	now                          func() time.Time

	mu  sync.Mutex
	key *ecdsa.PrivateKey
	tok string
	exp time.Time
}

// check reports, for Check, what keeps the client secret from being
// made: nothing when none of TeamID, KeyID and PrivateKey is set (an app
// that only verifies id_tokens needs no client secret); otherwise each
// one that is missing, a PrivateKey that does not parse, or a secret that
// cannot be signed.
func (a *appleSecret) check() []error {
	if a.teamID == "" && a.keyID == "" && a.pem == "" {
		return nil
	}
	var errs []error
	for _, s := range []struct{ k, v string }{{"TEAM", a.teamID}, {"KEY_ID", a.keyID}, {"PRIVATE_KEY", a.pem}} {
		if s.v == "" {
			errs = append(errs, fmt.Errorf("%w, which the client secret of the browser login needs", missingSetting("apple-id", s.k)))
		}
	}
	if a.pem != "" {
		if _, err := parseAppleKey(a.pem); err != nil {
			errs = append(errs, fmt.Errorf("SOCIAL_AUTH_APPLE_ID_PRIVATE_KEY (Settings.PrivateKey): %w", err))
		}
	}
	if len(errs) == 0 && a.clientID != "" {
		if _, err := a.get(); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (a *appleSecret) get() (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if a.tok != "" && now.Before(a.exp.Add(-appleSecretRenew)) {
		return a.tok, nil
	}
	if a.clientID == "" || a.teamID == "" || a.keyID == "" || a.pem == "" {
		return "", fmt.Errorf("%w: apple-id needs Key, TeamID, KeyID and PrivateKey to make its client secret", socialauth.ErrAuthFailed)
	}
	if a.key == nil {
		k, err := parseAppleKey(a.pem)
		if err != nil {
			return "", err
		}
		a.key = k
	}
	exp := now.Add(appleSecretTTL)
	claims, _ := json.Marshal(map[string]any{
		"iss": a.teamID, "iat": now.Unix(), "exp": exp.Unix(), "aud": appleIssuer, "sub": a.clientID,
	})
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: a.key, KeyID: a.keyID}}, nil)
	if err != nil {
		return "", fmt.Errorf("%w: apple-id: cannot sign the client secret", socialauth.ErrAuthFailed)
	}
	jws, err := signer.Sign(claims)
	if err != nil {
		return "", fmt.Errorf("%w: apple-id: cannot sign the client secret", socialauth.ErrAuthFailed)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("%w: apple-id: cannot sign the client secret", socialauth.ErrAuthFailed)
	}
	a.tok, a.exp = tok, exp
	return tok, nil
}

// parseAppleKey reads the .p8 key: PEM PKCS#8 (newlines may be written
// "\n", as in an environment variable), or its base64 body alone.
func parseAppleKey(s string) (*ecdsa.PrivateKey, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, `\n`, "\n"))
	var der []byte
	if b, _ := pem.Decode([]byte(s)); b != nil {
		der = b.Bytes
	} else if d, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), "")); err == nil {
		der = d
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: apple-id: PrivateKey is not a PKCS#8 key", socialauth.ErrAuthFailed)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: apple-id: PrivateKey is not a P-256 key", socialauth.ErrAuthFailed)
	}
	return ec, nil
}
