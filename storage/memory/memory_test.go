package memory

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/storage/internal/logintest"
	"github.com/go-socialauth/socialauth/storage/storagetest"
)

func newStore(t *testing.T) socialauth.Storage { return New() }

func TestConformance(t *testing.T) {
	storagetest.Run(t, newStore)
}

func TestLogins(t *testing.T) {
	logintest.Run(t, newStore, census)
}

// census reads the maps directly, not through the Storage interface.
func census(t *testing.T, st socialauth.Storage) logintest.Census {
	s := st.(*Store)
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := logintest.Census{Users: len(s.users), Associations: len(s.assocs)}
	linked := map[string]bool{}
	for _, a := range s.assocs {
		linked[a.UserID] = true
		if _, ok := s.users[a.UserID]; !ok {
			c.AssociationsWithoutUser++
		}
	}
	for id := range s.users {
		if !linked[id] {
			c.UsersWithoutAssociation++
		}
	}
	return c
}

// Expiry is exact to the clock's reading: a partial or nonce expires at
// its Expires, not a moment later. (The conformance suite, which runs on
// the real clock, checks only an hour either side.)
func TestExpiryBoundary(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2031, 3, 4, 5, 6, 7, 890123000, time.UTC)
	s := New()
	s.Now = func() time.Time { return now }
	exp := now.Add(time.Minute)
	if err := s.SavePartial(ctx, &socialauth.Partial{Token: "p", Backend: "dev", Data: json.RawMessage(`{}`), Expires: exp}); err != nil {
		t.Fatal(err)
	}
	if err := s.UseNonce(ctx, "oidc", "n", exp); err != nil {
		t.Fatal(err)
	}
	now = exp.Add(-time.Microsecond)
	if _, err := s.LoadPartial(ctx, "p"); err != nil {
		t.Errorf("a microsecond before it expires: LoadPartial: %v", err)
	}
	if err := s.UseNonce(ctx, "oidc", "n", exp.Add(time.Hour)); !errors.Is(err, socialauth.ErrAlreadyExists) {
		t.Errorf("a microsecond before it expires: UseNonce: %v, want ErrAlreadyExists", err)
	}
	now = exp
	if _, err := s.LoadPartial(ctx, "p"); !errors.Is(err, socialauth.ErrNotFound) {
		t.Errorf("at its expiry: LoadPartial: %v, want ErrNotFound", err)
	}
	if err := s.UseNonce(ctx, "oidc", "n", exp.Add(time.Hour)); err != nil {
		t.Errorf("at its expiry: UseNonce: %v", err)
	}
}
