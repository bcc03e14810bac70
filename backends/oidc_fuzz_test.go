package backends_test

import (
	"strings"
	"testing"

	"github.com/go-socialauth/socialauth/backends/backendtest"
)

// FuzzAuthenticateIDToken: whatever arrives as an id_token, verification
// returns (no panic, no unbounded work) and its error never echoes it.
func FuzzAuthenticateIDToken(f *testing.F) {
	fx := newOIDCFixture(f, "https://idp.example.com")
	valid := fx.issuer.IDToken(fx.s, ada, backendtest.IDTokenOptions{})
	for _, seed := range []string{valid, valid[:len(valid)/2], strings.Repeat(".", 64), "e30.e30.", "eyJhbGciOiJub25lIn0.e30.", valid + "." + valid} {
		f.Add(seed, "")
	}
	f.Add(valid, "nonce")
	f.Fuzz(func(t *testing.T, tok, nonce string) {
		p, err := fx.b.AuthenticateIDToken(t.Context(), fx.fake.Client(), tok, nonce)
		if err != nil {
			if len(tok) > 16 && strings.Contains(err.Error(), tok) {
				t.Fatalf("the error echoes the token: %v", err)
			}
			return
		}
		if p.UID == "" {
			t.Fatal("a profile without a uid")
		}
	})
}
