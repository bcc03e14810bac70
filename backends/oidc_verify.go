package backends

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"

	"github.com/go-socialauth/socialauth"
)

// maxJWT bounds the size of a token parsed as a JWT; id_tokens are a few
// KiB (Entra's with group claims stay well under this).
const maxJWT = 32 << 10

// verified is an id_token that passed every check.
type verified struct {
	token  *oidc.IDToken
	claims []byte // the payload, a JSON object
}

// invalid is a refusal of an id_token: it wraps ErrInvalidToken with a
// fixed reason, never the token's text.
func invalid(reason string) error {
	return fmt.Errorf("%w: id_token %s", socialauth.ErrInvalidToken, reason)
}

// verify checks raw as an id_token of this provider for this app (OIDC
// Core §3.1.3.7). go-jose parses it with the allowed algorithms only, the
// signature is checked against the cached JWKS (refetched for an unknown
// kid), go-oidc's verifier reads the claims, and the checks it leaves to
// its caller (audience set, azp, iat, nbf with our leeway, nonce, issuer
// templates) are done here.
func (o *OIDC) verify(ctx context.Context, client *http.Client, raw, nonce string) (*verified, error) {
	if raw == "" {
		return nil, fmt.Errorf("%w: id_token", socialauth.ErrInvalidRequest)
	}
	if len(raw) > maxJWT {
		return nil, invalid("is larger than any id_token")
	}
	if strings.Count(raw, ".") != 2 {
		return nil, invalid("is not a compact JWS")
	}
	if len(o.cfg.ClientIDs) == 0 {
		return nil, fmt.Errorf("%w: %s has no client id configured to check tokens against", socialauth.ErrAuthFailed, o.cfg.Name)
	}
	d, err := o.endpoints(ctx, client)
	if err != nil {
		return nil, err
	}
	algs := o.cfg.Algorithms
	if len(d.Algorithms) > 0 { // narrowed to what the provider says it signs with
		narrowed := slices.DeleteFunc(slices.Clone(algs), func(a string) bool { return !slices.Contains(d.Algorithms, a) })
		if len(narrowed) > 0 {
			algs = narrowed
		}
	}
	joseAlgs := make([]jose.SignatureAlgorithm, len(algs))
	for i, a := range algs {
		joseAlgs[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSigned(raw, joseAlgs)
	if err != nil {
		var alg *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &alg) {
			return nil, invalid("is signed with an algorithm that is not allowed")
		}
		return nil, invalid("is malformed")
	}
	if len(jws.Signatures) != 1 {
		return nil, invalid("must have exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	keys, err := o.jwks.get(ctx, client, d.JWKSURL, o.cfg.Now(), o.cfg.KeyRefresh, func(ks []jose.JSONWebKey) bool {
		return kid == "" || slices.ContainsFunc(ks, func(k jose.JSONWebKey) bool { return k.KeyID == kid })
	})
	if err != nil {
		return nil, err
	}
	ks := &signatureCheck{jws: jws, keys: keys}
	v := oidc.NewVerifier(d.Issuer, ks, &oidc.Config{
		SkipClientIDCheck:    true, // several client ids, checked below
		SkipIssuerCheck:      true, // issuer templates, checked below
		SkipExpiryCheck:      true, // with our leeway, below
		SupportedSigningAlgs: algs,
	})
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		if ks.err != nil {
			return nil, ks.err
		}
		return nil, invalid("has malformed claims")
	}
	var extra struct {
		AZP       string          `json:"azp"`
		NotBefore json.RawMessage `json:"nbf"`
		IssuedAt  json.RawMessage `json:"iat"`
		Tenant    string          `json:"tid"`
	}
	if err := tok.Claims(&extra); err != nil {
		return nil, invalid("has malformed claims")
	}
	if err := o.checkIssuer(tok.Issuer, d.Issuer, extra.Tenant); err != nil {
		return nil, err
	}
	if err := o.checkAudience(tok.Audience, extra.AZP); err != nil {
		return nil, err
	}
	now, leeway := o.cfg.Now(), o.cfg.Leeway
	switch {
	case tok.Expiry.IsZero():
		return nil, invalid("has no exp")
	case !now.Before(tok.Expiry.Add(leeway)):
		return nil, invalid("has expired")
	case len(extra.IssuedAt) == 0 || string(extra.IssuedAt) == "null" || tok.IssuedAt.IsZero():
		return nil, invalid("has no iat")
	case tok.IssuedAt.After(now.Add(leeway)):
		return nil, invalid("was issued in the future (iat)")
	case o.cfg.MaxAge > 0 && now.Sub(tok.IssuedAt) > o.cfg.MaxAge+leeway:
		return nil, invalid("was issued too long ago (iat)")
	}
	if len(extra.NotBefore) > 0 && string(extra.NotBefore) != "null" {
		var nbf float64
		if json.Unmarshal(extra.NotBefore, &nbf) != nil {
			return nil, invalid("has a malformed nbf")
		}
		if time.Unix(int64(nbf), 0).After(now.Add(leeway)) {
			return nil, invalid("is not valid yet (nbf)")
		}
	}
	if tok.Subject == "" {
		return nil, invalid("has no sub")
	}
	if nonce != "" && !o.nonceMatches(tok.Nonce, nonce) {
		if tok.Nonce == "" {
			return nil, invalid("has no nonce, but one was expected")
		}
		return nil, invalid("nonce does not match")
	}
	return &verified{token: tok, claims: ks.payload}, nil
}

// tenantID is the shape of Entra's "tid": a GUID.
var tenantID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// checkIssuer: iss must equal exactly the discovered (or configured)
// issuer or one of the configured extra issuers, with "{tenantid}"
// standing for the token's own tid.
func (o *OIDC) checkIssuer(iss, discovered, tid string) error {
	for _, want := range append([]string{discovered}, o.cfg.Issuers...) {
		if strings.Contains(want, "{tenantid}") {
			if !tenantID.MatchString(tid) {
				continue
			}
			want = strings.ReplaceAll(want, "{tenantid}", tid)
		}
		if want != "" && iss == want {
			return nil
		}
	}
	return invalid("was issued by another issuer")
}

// checkAudience: aud holds one of this app's client ids and nothing that
// is neither one of them nor a trusted audience; azp, required with several
// audiences, is one of this app's client ids.
func (o *OIDC) checkAudience(aud []string, azp string) error {
	if len(aud) == 0 {
		return invalid("has no audience")
	}
	if !slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(o.cfg.ClientIDs, a) }) {
		return invalid("was issued to another app (aud)")
	}
	for _, a := range aud {
		if !slices.Contains(o.cfg.ClientIDs, a) && !slices.Contains(o.cfg.TrustedAudiences, a) {
			return invalid("lists an audience this app does not trust")
		}
	}
	if len(aud) > 1 && azp == "" {
		return invalid("has several audiences and no azp")
	}
	if azp != "" && !slices.Contains(o.cfg.ClientIDs, azp) {
		return invalid("was issued to another app (azp)")
	}
	return nil
}

// nonceMatches compares in constant time; with NonceSHA256 the token may
// also hold the hex SHA-256 of the nonce (Apple's native SDKs).
func (o *OIDC) nonceMatches(got, want string) bool {
	if got == "" {
		return false
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
		return true
	}
	if o.cfg.NonceSHA256 {
		sum := sha256.Sum256([]byte(want))
		return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(hex.EncodeToString(sum[:]))) == 1
	}
	return false
}

// signatureCheck is the go-oidc KeySet of one verification: it checks the
// already parsed token against the JWKS keys that match its kid and
// remembers why it refused.
type signatureCheck struct {
	jws     *jose.JSONWebSignature
	keys    []jose.JSONWebKey
	payload []byte
	err     error
}

// VerifySignature implements oidc.KeySet for the token parsed into c.jws
// (the verifier hands it the same raw token).
func (c *signatureCheck) VerifySignature(context.Context, string) ([]byte, error) {
	sig := c.jws.Signatures[0]
	found := false
	for i := range c.keys {
		k := &c.keys[i]
		if sig.Header.KeyID != "" && k.KeyID != sig.Header.KeyID {
			continue
		}
		if k.Algorithm != "" && k.Algorithm != sig.Header.Algorithm {
			continue
		}
		found = true
		if payload, err := c.jws.Verify(k); err == nil {
			c.payload = payload
			return payload, nil
		}
	}
	if !found {
		c.err = invalid("is signed with a key the provider does not publish (kid)")
	} else {
		c.err = invalid("signature is invalid")
	}
	return nil, c.err
}

// parseJWKS reads a JWK Set, keeping the public signature keys go-jose
// understands and skipping the others (RFC 7517 §5).
func parseJWKS(body []byte) ([]jose.JSONWebKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("%w: malformed JWKS", socialauth.ErrProviderUnavailable)
	}
	var out []jose.JSONWebKey
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if json.Unmarshal(raw, &k) != nil || !k.Valid() || !k.IsPublic() || k.Use == "enc" {
			continue
		}
		if _, symmetric := k.Key.([]byte); symmetric {
			continue
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: the JWKS holds no usable signature key", socialauth.ErrProviderUnavailable)
	}
	return out, nil
}
