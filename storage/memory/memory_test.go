package memory

import (
	"testing"
	"time"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/storage/storagetest"
)

func newStore(t *testing.T, now func() time.Time) socialauth.Storage {
	s := New()
	s.Now = now
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, newStore)
}

func TestLogins(t *testing.T) {
	storagetest.RunLogins(t, newStore, census)
}

// census reads the maps directly, not through the Storage interface.
func census(t *testing.T, st socialauth.Storage) storagetest.Census {
	s := st.(*Store)
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := storagetest.Census{Users: len(s.users), Associations: len(s.assocs)}
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
