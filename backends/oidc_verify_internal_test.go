package backends

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
)

// TestIDClaimsDecode: the one decode of an id_token's claims reads what
// encoding/json would, with exact claim names.
func TestIDClaimsDecode(t *testing.T) {
	at := func(sec int64) numericDate { return numericDate{t: time.Unix(sec, 0), set: true} }
	cases := []struct {
		name    string
		payload string
		want    idClaims
		err     bool
	}{
		{name: "empty object", payload: `{}`},
		{name: "whitespace everywhere", payload: " \r\n\t{ \"sub\" :\t\"42\" ,\n\"aud\" : [ \"a\" , \"b\" ] , \"exp\" : 1700000000 } \n",
			want: idClaims{Subject: "42", Audience: []string{"a", "b"}, Expiry: at(1700000000)}},
		{name: "the standard claims", payload: `{"iss":"https://idp","sub":"s","aud":"a","azp":"a","exp":2,"iat":1,"nbf":1.9,"nonce":"n","at_hash":"h","tid":"t",` +
			`"preferred_username":"ada","email":"ada@example.com","email_verified":true,"name":"Ada L","given_name":"Ada","family_name":"L"}`,
			want: idClaims{Issuer: "https://idp", Subject: "s", Audience: []string{"a"}, AZP: "a", Expiry: at(2), IssuedAt: at(1), NotBefore: at(1),
				Nonce: "n", AtHash: "h", Tenant: "t", Username: "ada", Email: "ada@example.com", EmailVerified: true, FullName: "Ada L", GivenName: "Ada", FamilyName: "L"}},
		{name: "names are case-sensitive", payload: `{"SUB":"x","Email":"e","ISS":"i","Aud":"a","EXP":1}`},
		{name: "escaped names and values", payload: `{"\u0073ub":"a\"b\u00e9\/","email":"\ud83d\ude00"}`, want: idClaims{Subject: `a"bé/`, Email: "😀"}},
		{name: "the last of a repeated claim", payload: `{"sub":"1","sub":"2","aud":["a"],"aud":"b"}`, want: idClaims{Subject: "2", Audience: []string{"b"}}},
		{name: "nested values are skipped", payload: `{"address":{"sub":"no","x":[1,{"}":"]"}]},"groups":["sub","]"],"sub":"yes","s":"\\\"}"}`,
			want: idClaims{Subject: "yes"}},
		{name: "nulls", payload: `{"iss":null,"sub":null,"aud":null,"exp":null,"email":null,"email_verified":null}`},
		{name: "aud: []", payload: `{"aud":[]}`, want: idClaims{Audience: []string{}}},
		{name: "aud with a null", payload: `{"aud":["a",null]}`, want: idClaims{Audience: []string{"a", ""}}},
		{name: "profile claims of another type read as absent", payload: `{"email":1,"name":["x"],"given_name":{},"preferred_username":true,"email_verified":"true"}`,
			want: idClaims{EmailVerified: true}},
		{name: "dates of another type are bad", payload: `{"exp":"1","iat":true,"nbf":[1]}`,
			want: idClaims{Expiry: numericDate{bad: true}, IssuedAt: numericDate{bad: true}, NotBefore: numericDate{bad: true}}},
		{name: "dates out of range are bad", payload: `{"exp":1e400,"iat":-1e300,"nbf":1e17}`,
			want: idClaims{Expiry: numericDate{bad: true}, IssuedAt: numericDate{bad: true}, NotBefore: numericDate{bad: true}}},
		{name: "negative and fractional dates", payload: `{"exp":-5,"iat":1.5e9}`, want: idClaims{Expiry: at(-5), IssuedAt: at(1500000000)}},
		{name: "invalid UTF-8 as encoding/json reads it", payload: "{\"sub\":\"a\xffb\"}", want: idClaims{Subject: "a\ufffdb"}},

		{name: "sub a number", payload: `{"sub":42}`, err: true},
		{name: "iss an object", payload: `{"iss":{}}`, err: true},
		{name: "aud a number", payload: `{"aud":42}`, err: true},
		{name: "aud with a number", payload: `{"aud":["a",1]}`, err: true},
		{name: "nonce a bool", payload: `{"nonce":true}`, err: true},
		{name: "an array", payload: `["sub"]`, err: true},
		{name: "a string", payload: `"{}"`, err: true},
		{name: "null", payload: `null`, err: true},
		{name: "empty", payload: ``, err: true},
		{name: "truncated", payload: `{"sub":"1"`, err: true},
		{name: "trailing data", payload: `{"sub":"1"}{}`, err: true},
		{name: "trailing comma", payload: `{"sub":"1",}`, err: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c idClaims
			err := c.decode([]byte(tc.payload))
			if tc.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, c)
			checkAgainstEncodingJSON(t, []byte(tc.payload), c, err)
		})
	}
}

// FuzzIDClaimsDecode: on any input, the decode agrees with encoding/json
// (exact names, the last of repeated ones), and the profile made from it
// equals the one the map-based default mapper makes of the same payload.
func FuzzIDClaimsDecode(f *testing.F) {
	for _, seed := range []string{`{}`, `{"sub":"1","aud":["a","b"],"exp":1.5,"email_verified":"true"}`,
		`{"a":{"b":[1,"]}"]},"sub":"\u0073"}`, `{"sub":1}`, `[]`, `{"aud":[null]}`, `{"exp":1e999}`, " {\"name\" : \"x\" } "} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		var c idClaims
		err := c.decode(payload)
		checkAgainstEncodingJSON(t, payload, c, err)
	})
}

// checkAgainstEncodingJSON checks what decode made of payload (c, err)
// against encoding/json's reading of each claim, and the standard profile
// against the default mapper's.
func checkAgainstEncodingJSON(t *testing.T, payload []byte, c idClaims, err error) {
	t.Helper()
	var m map[string]json.RawMessage
	if json.Unmarshal(payload, &m) != nil || m == nil {
		require.Error(t, err, "not a JSON object")
		return
	}
	want, ok := referenceClaims(m)
	if !ok {
		require.Error(t, err, "a claim of the wrong type")
		return
	}
	require.NoError(t, err)
	assert.Equal(t, want, c)

	o := NewOIDC(OIDCConfig{Name: "x", Issuer: "https://idp.example.com"})
	require.True(t, o.standardClaims)
	p, err := o.idTokenProfile(&verified{claims: c, payload: payload}, socialauth.Token{})
	uid, d, merr := o.keys.user(payload)
	require.NoError(t, merr)
	if uid == "" {
		require.Error(t, err, "no uid")
		return
	}
	require.NoError(t, err)
	d.SplitName()
	assert.Equal(t, uid, p.UID)
	assert.Equal(t, d, p.Details)
}

// referenceClaims reads the claims with encoding/json, claim by claim; ok
// is false when one that must have a type has another.
func referenceClaims(m map[string]json.RawMessage) (c idClaims, ok bool) {
	ok = true
	strict := func(dst *string, name string) {
		if raw, found := m[name]; found && json.Unmarshal(raw, dst) != nil {
			ok = false
		}
	}
	strict(&c.Issuer, "iss")
	strict(&c.Subject, "sub")
	strict(&c.AZP, "azp")
	strict(&c.Nonce, "nonce")
	strict(&c.AtHash, "at_hash")
	strict(&c.Tenant, "tid")
	if raw, found := m["aud"]; found && string(raw) != "null" {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			c.Audience = []string{one}
		} else if json.Unmarshal(raw, &c.Audience) != nil {
			ok = false
		}
	}
	date := func(dst *numericDate, name string) {
		raw, found := m[name]
		if !found || string(raw) == "null" {
			return
		}
		var f float64
		if json.Unmarshal(raw, &f) != nil || f > 1<<53 || f < -(1<<53) {
			*dst = numericDate{bad: true}
			return
		}
		*dst = numericDate{t: time.Unix(int64(f), 0), set: true}
	}
	date(&c.Expiry, "exp")
	date(&c.IssuedAt, "iat")
	date(&c.NotBefore, "nbf")
	loose := func(dst *string, name string) {
		if json.Unmarshal(m[name], dst) != nil {
			*dst = ""
		}
	}
	loose(&c.Username, "preferred_username")
	loose(&c.Email, "email")
	loose(&c.FullName, "name")
	loose(&c.GivenName, "given_name")
	loose(&c.FamilyName, "family_name")
	if raw, found := m["email_verified"]; found {
		_ = c.EmailVerified.UnmarshalJSON(raw)
	}
	return c, ok
}

// TestAccessTokenHash: at_hash is the left half of the access token's hash
// with the id_token's algorithm's hash function (OIDC Core §3.1.3.6).
func TestAccessTokenHash(t *testing.T) {
	const at = "ya29.an-access-token"
	enc := base64.RawURLEncoding.EncodeToString
	s256, s384, s512 := sha256.Sum256([]byte(at)), sha512.Sum384([]byte(at)), sha512.Sum512([]byte(at))
	for alg, h := range map[string]string{
		"RS256": enc(s256[:16]), "PS256": enc(s256[:16]), "ES256": enc(s256[:16]),
		"RS384": enc(s384[:24]), "PS384": enc(s384[:24]), "ES384": enc(s384[:24]),
		"RS512": enc(s512[:32]), "PS512": enc(s512[:32]), "ES512": enc(s512[:32]),
	} {
		assert.True(t, accessTokenHashMatches(alg, at, h), alg)
		assert.False(t, accessTokenHashMatches(alg, at+"x", h), alg)
		other := "A"
		if h[len(h)-1] == 'A' {
			other = "B"
		}
		assert.False(t, accessTokenHashMatches(alg, at, h[:len(h)-1]+other), alg)
	}
	assert.False(t, accessTokenHashMatches("RS384", at, enc(s256[:16])), "the hash of another algorithm")
	assert.False(t, accessTokenHashMatches("EdDSA", at, enc(s512[:32])), "no at_hash rule for EdDSA: refused")
	assert.False(t, accessTokenHashMatches("RS256", at, ""))
}

// FuzzClaimKeysMap: the one-scan claims mapper reads what a decode of the
// whole object into a map reads, for the standard names and for custom ones
// that share a member.
func FuzzClaimKeysMap(f *testing.F) {
	for _, s := range []string{`{"sub":"1","email":"a@b","email_verified":"true","picture":"https://x/p.png"}`,
		`{"sub":1,"sub":"2","name":null,"given_name":7,"email_verified":1}`, `{"s\u0075b":"x","nickname":"n"}`, `[]`, `{}`} {
		f.Add(s)
	}
	custom := ClaimKeys{UID: "id", Username: "nickname", Email: "mail", FullName: "nickname"}.withDefaults()
	f.Fuzz(func(t *testing.T, body string) {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &m) != nil || m == nil {
			if _, _, err := (ClaimKeys{}).Map([]byte(body)); err == nil && m == nil && json.Valid([]byte(body)) && strings.HasPrefix(strings.TrimSpace(body), "{") {
				t.Fatalf("the map decode refused %q but Map took it", body)
			}
			return
		}
		for _, k := range []ClaimKeys{ClaimKeys{}.withDefaults(), custom} {
			uid, d, err := k.user([]byte(body))
			if err != nil {
				t.Fatalf("Map refused %q: %v", body, err)
			}
			wantUID, want := k.fromClaims(m)
			if uid != wantUID || d != want {
				t.Fatalf("%q: got %q %+v, want %q %+v", body, uid, d, wantUID, want)
			}
		}
	})
}
