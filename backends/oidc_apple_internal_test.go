package backends

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppleSecretRenewal: the client secret is reused while it has more
// than appleSecretRenew to live, then replaced; concurrent callers share it.
func TestAppleSecretRenewal(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	now := time.Unix(1_900_000_000, 0)
	a := &appleSecret{clientID: "com.example.web", teamID: "TEAM", keyID: "KID",
		pem: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), now: func() time.Time { return now }}

	first, err := a.get()
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			s, err := a.get()
			assert.NoError(t, err)
			assert.Equal(t, first, s)
		})
	}
	wg.Wait()

	now = now.Add(appleSecretTTL - appleSecretRenew - time.Second)
	same, err := a.get()
	require.NoError(t, err)
	assert.Equal(t, first, same)

	now = now.Add(2 * time.Second)
	renewed, err := a.get()
	require.NoError(t, err)
	assert.NotEqual(t, first, renewed, "renewed before it expires")

	t.Run("the key's base64 body alone", func(t *testing.T) {
		_, err := parseAppleKey(base64.StdEncoding.EncodeToString(der))
		require.NoError(t, err)
	})
	t.Run("not P-256", func(t *testing.T) {
		k384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		require.NoError(t, err)
		der, err := x509.MarshalPKCS8PrivateKey(k384)
		require.NoError(t, err)
		_, err = parseAppleKey(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
		require.ErrorContains(t, err, "not a P-256 key")
	})
}
