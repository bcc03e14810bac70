package backends

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"

	"github.com/go-socialauth/socialauth"
)

// maxJWT bounds the size of a token parsed as a JWT; id_tokens are a few
// KiB (Entra's with group claims stay well under this).
const maxJWT = 32 << 10

// verified is an id_token that passed every check.
type verified struct {
	claims  idClaims
	payload []byte // the claims as signed, a JSON object
	alg     string // the signature algorithm, for at_hash
}

// invalid is a refusal of an id_token: it wraps ErrInvalidToken with a
// fixed reason, never the token's text.
func invalid(reason string) error {
	return fmt.Errorf("%w: id_token %s", socialauth.ErrInvalidToken, reason)
}

// verify checks raw as an id_token of this provider for this app (OIDC
// Core §3.1.3.7). The token is parsed once, by go-jose, with the allowed
// algorithms only; its signature is checked against the cached JWKS
// (refetched for an unknown kid); its claims are decoded once, into one
// struct that holds what the checks and the default profile read; then
// iss (exactly, or an issuer template), aud and azp, exp, iat and nbf with
// the leeway, sub and the nonce are checked.
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
	m, err := o.metadata(ctx, client)
	if err != nil {
		return nil, err
	}
	jws, err := jose.ParseSignedCompact(raw, m.algs)
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
	keys, err := o.jwks.get(ctx, client, m.d.JWKSURL, o.cfg.Now(), o.cfg.KeyRefresh, func(ks []jose.JSONWebKey) bool {
		return kid == "" || slices.ContainsFunc(ks, func(k jose.JSONWebKey) bool { return k.KeyID == kid })
	})
	if err != nil {
		return nil, err
	}
	payload, err := checkSignature(jws, keys)
	if err != nil {
		return nil, err
	}
	v := &verified{payload: payload, alg: jws.Signatures[0].Header.Algorithm}
	c := &v.claims
	if c.decode(payload) != nil {
		return nil, invalid("has malformed claims")
	}
	if err := o.checkIssuer(c.Issuer, m.d.Issuer, c.Tenant); err != nil {
		return nil, err
	}
	if err := o.checkAudience(c.Audience, c.AZP); err != nil {
		return nil, err
	}
	now, leeway := o.cfg.Now(), o.cfg.Leeway
	switch {
	case c.Expiry.bad || c.IssuedAt.bad:
		return nil, invalid("has malformed claims")
	case !c.Expiry.set:
		return nil, invalid("has no exp")
	case !now.Before(c.Expiry.t.Add(leeway)):
		return nil, invalid("has expired")
	case !c.IssuedAt.set:
		return nil, invalid("has no iat")
	case c.IssuedAt.t.After(now.Add(leeway)):
		return nil, invalid("was issued in the future (iat)")
	case o.cfg.MaxAge > 0 && now.Sub(c.IssuedAt.t) > o.cfg.MaxAge+leeway:
		return nil, invalid("was issued too long ago (iat)")
	case c.NotBefore.bad:
		return nil, invalid("has a malformed nbf")
	case c.NotBefore.set && c.NotBefore.t.After(now.Add(leeway)):
		return nil, invalid("is not valid yet (nbf)")
	}
	if c.Subject == "" {
		return nil, invalid("has no sub")
	}
	if nonce != "" && !o.nonceMatches(c.Nonce, nonce) {
		if c.Nonce == "" {
			return nil, invalid("has no nonce, but one was expected")
		}
		return nil, invalid("nonce does not match")
	}
	return v, nil
}

// checkSignature verifies the token's one signature with the JWKS keys
// that carry its kid (any key when it has none) and allow its algorithm,
// and returns the signed payload.
func checkSignature(jws *jose.JSONWebSignature, keys []jose.JSONWebKey) ([]byte, error) {
	h := jws.Signatures[0].Header
	found := false
	for i := range keys {
		k := &keys[i]
		if h.KeyID != "" && k.KeyID != h.KeyID || k.Algorithm != "" && k.Algorithm != h.Algorithm {
			continue
		}
		found = true
		if payload, err := jws.Verify(k); err == nil {
			return payload, nil
		}
	}
	if !found {
		return nil, invalid("is signed with a key the provider does not publish (kid)")
	}
	return nil, invalid("signature is invalid")
}

// accessTokenHashMatches checks an id_token's at_hash against the access
// token it came with (OIDC Core §3.1.3.6, §3.3.2.11): the left half of the
// access token's hash, with the hash of the token's signature algorithm,
// base64url-encoded. An algorithm with no such hash (EdDSA) never matches.
func accessTokenHashMatches(alg, accessToken, atHash string) bool {
	var sum []byte
	switch alg {
	case "RS256", "ES256", "PS256":
		s := sha256.Sum256([]byte(accessToken))
		sum = s[:]
	case "RS384", "ES384", "PS384":
		s := sha512.Sum384([]byte(accessToken))
		sum = s[:]
	case "RS512", "ES512", "PS512":
		s := sha512.Sum512([]byte(accessToken))
		sum = s[:]
	default:
		return false
	}
	want := base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
	return subtle.ConstantTimeCompare([]byte(atHash), []byte(want)) == 1
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

// idClaims are the claims of an id_token, decoded once: those verification
// reads and those the default profile (the standard claims) is made of.
type idClaims struct {
	Issuer, Subject, AZP, Nonce, AtHash, Tenant string // iss, sub, azp, nonce, at_hash, tid
	Audience                                    []string
	Expiry, IssuedAt, NotBefore                 numericDate

	// The standard profile claims: a value that is not a string reads as
	// absent, as in the default mapper.
	Username, Email, FullName, GivenName, FamilyName string // preferred_username, email, name, given_name, family_name
	Picture                                          string // picture
	EmailVerified                                    flexBool
}

// numericDate is a JWT NumericDate claim (RFC 7519 §2): set when present
// and not null, bad when present and not a number of seconds.
type numericDate struct {
	t        time.Time
	set, bad bool
}

// errClaims is a payload that cannot be read as an id_token's claims.
var errClaims = errors.New("malformed claims")

// decode reads an id_token's payload, which must be a JSON object. Claim
// names are matched exactly (RFC 7519 §4: they are case-sensitive, where
// encoding/json would also take "SUB" for "sub"); a repeated claim keeps
// its last value, as with encoding/json; claims not listed in idClaims are
// skipped unread. iss, sub, azp, nonce, at_hash and tid must be strings
// (or null), aud a string or an array of strings.
func (c *idClaims) decode(payload []byte) error {
	if !json.Valid(payload) {
		return errClaims
	}
	return eachMember(payload, c.set)
}

// eachMember calls fn with the name (the quoted literal) and the value of
// each member of the JSON object obj, which must be valid JSON: the scan
// only finds where each member starts and ends. A value that is not an
// object is errClaims.
func eachMember(obj []byte, fn func(name, value []byte) error) error {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return errClaims
	}
	i = skipSpace(obj, i+1)
	if obj[i] == '}' {
		return nil
	}
	for {
		end := endOfString(obj, i)
		name := obj[i:end]
		i = skipSpace(obj, skipSpace(obj, end)+1) // past the ':'
		end = endOfValue(obj, i)
		if err := fn(name, obj[i:end]); err != nil {
			return err
		}
		i = skipSpace(obj, end)
		if obj[i] == '}' {
			return nil
		}
		i = skipSpace(obj, i+1) // past the ','
	}
}

// memberName is the name a quoted member name literal holds.
func memberName(name []byte) (string, bool) {
	if len(name) < 2 {
		return "", false
	}
	if bytes.IndexByte(name, '\\') < 0 {
		return string(name[1 : len(name)-1]), true
	}
	return jsonString(name)
}

func (c *idClaims) set(name, value []byte) error {
	key := name[1 : len(name)-1]
	if bytes.IndexByte(key, '\\') >= 0 { // an escaped name: rare, decoded
		s, ok := jsonString(name)
		if !ok {
			return errClaims
		}
		key = []byte(s)
	}
	strict := func(dst *string) error {
		if string(value) == "null" {
			*dst = ""
			return nil
		}
		s, ok := jsonString(value)
		if !ok {
			return errClaims
		}
		*dst = s
		return nil
	}
	loose := func(dst *string) {
		*dst, _ = jsonString(value)
	}
	switch string(key) {
	case "iss":
		return strict(&c.Issuer)
	case "sub":
		return strict(&c.Subject)
	case "azp":
		return strict(&c.AZP)
	case "nonce":
		return strict(&c.Nonce)
	case "at_hash":
		return strict(&c.AtHash)
	case "tid":
		return strict(&c.Tenant)
	case "aud":
		aud, err := audClaim(value)
		c.Audience = aud
		return err
	case "exp":
		c.Expiry = numericDateOf(value)
	case "iat":
		c.IssuedAt = numericDateOf(value)
	case "nbf":
		c.NotBefore = numericDateOf(value)
	case "preferred_username":
		loose(&c.Username)
	case "email":
		loose(&c.Email)
	case "name":
		loose(&c.FullName)
	case "given_name":
		loose(&c.GivenName)
	case "family_name":
		loose(&c.FamilyName)
	case "picture":
		loose(&c.Picture)
	case "email_verified":
		_ = c.EmailVerified.UnmarshalJSON(value)
	}
	return nil
}

// audClaim reads "aud": one string or an array of strings (a null
// element reads as "", as with encoding/json); null means none.
func audClaim(value []byte) ([]string, error) {
	switch value[0] {
	case 'n':
		return nil, nil
	case '"':
		s, ok := jsonString(value)
		if !ok {
			return nil, errClaims
		}
		return []string{s}, nil
	case '[':
	default:
		return nil, errClaims
	}
	aud := []string{}
	i := skipSpace(value, 1)
	if value[i] == ']' {
		return aud, nil
	}
	for {
		end := endOfValue(value, i)
		s, ok := "", string(value[i:end]) == "null"
		if !ok {
			if s, ok = jsonString(value[i:end]); !ok {
				return nil, errClaims
			}
		}
		aud = append(aud, s)
		i = skipSpace(value, end)
		if value[i] == ']' {
			return aud, nil
		}
		i = skipSpace(value, i+1)
	}
}

// maxNumericDate bounds a NumericDate to what time.Unix represents; no
// real token comes near it.
const maxNumericDate = 1 << 53

// numericDateOf reads a NumericDate: seconds since the epoch, a fraction
// dropped.
func numericDateOf(value []byte) numericDate {
	if string(value) == "null" {
		return numericDate{}
	}
	if value[0] != '-' && (value[0] < '0' || value[0] > '9') {
		return numericDate{bad: true}
	}
	f, err := strconv.ParseFloat(string(value), 64)
	if err != nil || f > maxNumericDate || f < -maxNumericDate {
		return numericDate{bad: true}
	}
	return numericDate{t: time.Unix(int64(f), 0), set: true}
}

// jsonString is the text of a JSON string literal; ok is false when value
// is anything else. Literals without escapes (nearly all) cost one copy.
func jsonString(value []byte) (string, bool) {
	if len(value) < 2 || value[0] != '"' {
		return "", false
	}
	inner := value[1 : len(value)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	if json.Unmarshal(value, &s) != nil {
		return "", false
	}
	return s, true
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// endOfString returns the index just past the JSON string literal that
// starts at b[i], in valid JSON.
func endOfString(b []byte, i int) int {
	for i++; ; i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
}

// endOfValue returns the index just past the JSON value that starts at
// b[i], in valid JSON.
func endOfValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return endOfString(b, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = endOfString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for ; i < len(b); i++ { // a number, true, false or null
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}
