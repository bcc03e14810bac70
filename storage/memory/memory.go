// Package memory is an in-process [socialauth.Storage]: the default in
// tests and the quick start. It is safe for concurrent use; its data lives
// as long as the Store. It keeps every field of [socialauth.User], and passes
// the conformance suite of storage/storagetest.
package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/go-socialauth/socialauth"
)

// Store keeps everything in maps behind one lock.
type Store struct {
	// Now is the clock used for timestamps and expiry; nil means time.Now.
	// Set it before first use.
	Now func() time.Time

	mu         sync.RWMutex
	nextID     int64
	users      map[string]*socialauth.User
	usernames  map[string]string   // username → user id
	emails     map[string][]string // EmailKey → user ids, oldest first
	assocs     map[string]*socialauth.Association
	assocByUID map[assocKey]string // provider+uid → association id
	partials   map[string]*socialauth.Partial
	nonces     map[nonceKey]time.Time
}

type assocKey struct{ provider, uid string }
type nonceKey struct{ scope, value string }

var _ socialauth.Storage = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{
		users:      make(map[string]*socialauth.User),
		usernames:  make(map[string]string),
		emails:     make(map[string][]string),
		assocs:     make(map[string]*socialauth.Association),
		assocByUID: make(map[assocKey]string),
		partials:   make(map[string]*socialauth.Partial),
		nonces:     make(map[nonceKey]time.Time),
	}
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Store) id() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}

func cloneUser(u *socialauth.User) *socialauth.User { c := *u; return &c }

func cloneAssoc(a *socialauth.Association) *socialauth.Association {
	c := *a
	c.ExtraData = maps.Clone(a.ExtraData)
	return &c
}

// olderFirst orders records by creation time, then by ID (IDs grow).
func olderFirst(at time.Time, aID string, bt time.Time, bID string) int {
	if c := at.Compare(bt); c != 0 {
		return c
	}
	ai, _ := strconv.Atoi(aID)
	bi, _ := strconv.Atoi(bID)
	return ai - bi
}

func notFound(what string) error { return fmt.Errorf("%s: %w", what, socialauth.ErrNotFound) }

// GetUser implements socialauth.UserStore.
func (s *Store) GetUser(_ context.Context, id string) (*socialauth.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[id]
	if !ok {
		return nil, notFound("user")
	}
	return cloneUser(u), nil
}

// UsersByEmail implements socialauth.UserStore.
func (s *Store) UsersByEmail(_ context.Context, email string) ([]*socialauth.User, error) {
	out := []*socialauth.User{}
	if email == "" {
		return out, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, id := range s.emails[socialauth.EmailKey(email)] {
		out = append(out, cloneUser(s.users[id]))
	}
	// The index is in the order users got the email; oldest first is by age.
	slices.SortFunc(out, func(a, b *socialauth.User) int { return olderFirst(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return out, nil
}

// UsernameExists implements socialauth.UserStore.
func (s *Store) UsernameExists(_ context.Context, username string) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.usernames[username]
	return ok, nil
}

// CreateUser implements socialauth.UserStore.
func (s *Store) CreateUser(_ context.Context, u *socialauth.User) (*socialauth.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUserLocked(u, socialauth.CreateOptions{}); err != nil {
		return nil, err
	}
	return s.insertUserLocked(u), nil
}

func (s *Store) checkUserLocked(u *socialauth.User, opts socialauth.CreateOptions) error {
	if _, taken := s.usernames[u.Username]; taken {
		return fmt.Errorf("username: %w", socialauth.ErrAlreadyExists)
	}
	if opts.UniqueEmail && u.Email != "" && len(s.emails[socialauth.EmailKey(u.Email)]) > 0 {
		return socialauth.ErrEmailTaken
	}
	return nil
}

func (s *Store) insertUserLocked(u *socialauth.User) *socialauth.User {
	c := cloneUser(u)
	c.ID = s.id()
	c.CreatedAt = s.now()
	c.UpdatedAt = c.CreatedAt
	s.users[c.ID] = c
	s.usernames[c.Username] = c.ID
	if c.Email != "" {
		k := socialauth.EmailKey(c.Email)
		s.emails[k] = append(s.emails[k], c.ID)
	}
	return cloneUser(c)
}

// UpdateUser implements socialauth.UserStore.
func (s *Store) UpdateUser(_ context.Context, u *socialauth.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.users[u.ID]
	if !ok {
		return notFound("user")
	}
	if u.Username != old.Username {
		if _, taken := s.usernames[u.Username]; taken {
			return fmt.Errorf("username: %w", socialauth.ErrAlreadyExists)
		}
		delete(s.usernames, old.Username)
		s.usernames[u.Username] = u.ID
	}
	if ok, nk := socialauth.EmailKey(old.Email), socialauth.EmailKey(u.Email); ok != nk {
		s.emails[ok] = slices.DeleteFunc(s.emails[ok], func(id string) bool { return id == u.ID })
		if len(s.emails[ok]) == 0 {
			delete(s.emails, ok)
		}
		if nk != "" {
			s.emails[nk] = append(s.emails[nk], u.ID)
		}
	}
	c := cloneUser(u)
	c.CreatedAt = old.CreatedAt
	c.UpdatedAt = s.now()
	s.users[u.ID] = c
	return nil
}

// GetAssociation implements socialauth.AssociationStore.
func (s *Store) GetAssociation(_ context.Context, provider, uid string) (*socialauth.Association, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.assocByUID[assocKey{provider, uid}]
	if !ok {
		return nil, notFound("association")
	}
	return cloneAssoc(s.assocs[id]), nil
}

// AssociationsForUser implements socialauth.AssociationStore.
func (s *Store) AssociationsForUser(_ context.Context, userID string) ([]*socialauth.Association, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []*socialauth.Association{}
	for _, a := range s.assocs {
		if a.UserID == userID {
			out = append(out, cloneAssoc(a))
		}
	}
	slices.SortFunc(out, func(a, b *socialauth.Association) int { return olderFirst(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return out, nil
}

// CreateAssociation implements socialauth.AssociationStore.
func (s *Store) CreateAssociation(_ context.Context, a *socialauth.Association) (*socialauth.Association, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[a.UserID]; !ok {
		return nil, notFound("user")
	}
	if err := s.checkAssocLocked(a); err != nil {
		return nil, err
	}
	return s.insertAssocLocked(a), nil
}

func (s *Store) checkAssocLocked(a *socialauth.Association) error {
	if a.Provider == "" || a.UID == "" {
		return fmt.Errorf("association needs a provider and a uid: %w", socialauth.ErrInvalidRequest)
	}
	if _, dup := s.assocByUID[assocKey{a.Provider, a.UID}]; dup {
		return fmt.Errorf("association: %w", socialauth.ErrAlreadyExists)
	}
	return nil
}

func (s *Store) insertAssocLocked(a *socialauth.Association) *socialauth.Association {
	c := cloneAssoc(a)
	c.ID = s.id()
	c.CreatedAt = s.now()
	c.ModifiedAt = c.CreatedAt
	s.assocs[c.ID] = c
	s.assocByUID[assocKey{c.Provider, c.UID}] = c.ID
	return cloneAssoc(c)
}

// CreateUserWithAssociation implements socialauth.LoginStore: both records
// are checked, then both inserted, under one lock.
func (s *Store) CreateUserWithAssociation(_ context.Context, u *socialauth.User, a *socialauth.Association, opts socialauth.CreateOptions) (*socialauth.User, *socialauth.Association, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkAssocLocked(a); err != nil {
		return nil, nil, err
	}
	if err := s.checkUserLocked(u, opts); err != nil {
		return nil, nil, err
	}
	nu := s.insertUserLocked(u)
	c := *a
	c.UserID = nu.ID
	return nu, s.insertAssocLocked(&c), nil
}

// UpdateAssociation implements socialauth.AssociationStore.
func (s *Store) UpdateAssociation(_ context.Context, a *socialauth.Association) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.assocs[a.ID]
	if !ok {
		return notFound("association")
	}
	c := cloneAssoc(old)
	c.ExtraData = maps.Clone(a.ExtraData)
	c.ModifiedAt = s.now()
	s.assocs[a.ID] = c
	return nil
}

// DeleteAssociation implements socialauth.AssociationStore.
func (s *Store) DeleteAssociation(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.assocs[id]
	if !ok {
		return notFound("association")
	}
	delete(s.assocByUID, assocKey{a.Provider, a.UID})
	delete(s.assocs, id)
	return nil
}

// SavePartial implements socialauth.PartialStore.
func (s *Store) SavePartial(_ context.Context, p *socialauth.Partial) error {
	if p.Token == "" {
		return fmt.Errorf("partial token: %w", socialauth.ErrInvalidRequest)
	}
	c := *p
	c.Data = slices.Clone(p.Data)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partials[p.Token] = &c
	return nil
}

// LoadPartial implements socialauth.PartialStore.
func (s *Store) LoadPartial(_ context.Context, token string) (*socialauth.Partial, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.partials[token]
	if !ok || !s.now().Before(p.Expires) {
		return nil, notFound("partial")
	}
	c := *p
	c.Data = slices.Clone(p.Data)
	return &c, nil
}

// DeletePartial implements socialauth.PartialStore.
func (s *Store) DeletePartial(_ context.Context, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.partials, token)
	return nil
}

// UseNonce implements socialauth.NonceStore. Expired nonces are swept as
// new ones are recorded.
func (s *Store) UseNonce(_ context.Context, scope, value string, expires time.Time) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	k := nonceKey{scope, value}
	if exp, ok := s.nonces[k]; ok && now.Before(exp) {
		return fmt.Errorf("nonce: %w", socialauth.ErrAlreadyExists)
	}
	if len(s.nonces) > 0 && len(s.nonces)%1024 == 0 {
		for k, exp := range s.nonces {
			if !now.Before(exp) {
				delete(s.nonces, k)
			}
		}
	}
	s.nonces[k] = expires
	return nil
}
