package socialauth

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"
)

// User is the library's view of an account. A host with its own users table
// implements [UserStore] over that table and loads its full record by ID.
type User struct {
	// ID is opaque to the library and assigned by the store on create.
	ID       string `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
	// EmailVerified: a provider verified Email when the user was created (or
	// the host's own sign-up did). associate_by_email only matches users
	// whose email is verified, against pre-account-hijacking.
	EmailVerified bool   `json:"email_verified"`
	FullName      string `json:"fullname,omitempty"`
	FirstName     string `json:"first_name,omitempty"`
	LastName      string `json:"last_name,omitempty"`
	// AvatarURL is the address of the person's picture at the provider.
	AvatarURL string    `json:"avatar_url,omitempty"`
	IsActive  bool      `json:"is_active"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Association links a provider identity (Provider + UID) to a user (Python
// Social Auth's UserSocialAuth). Printed, logged or marshalled to JSON it
// shows no token or secret from ExtraData.
type Association struct {
	// ID is opaque and assigned by the store on create.
	ID       string `json:"id"`
	UserID   string `json:"user_id"`
	Provider string `json:"provider"`
	// UID is compared byte-exactly: "Abc" and "abc" are two identities.
	UID string `json:"uid"`
	// ExtraData holds what load_extra_data keeps: the provider tokens and the
	// configured profile keys. Values are JSON values; treat them as immutable.
	ExtraData  map[string]any `json:"extra_data,omitempty"`
	CreatedAt  time.Time      `json:"created_at,omitzero"`
	ModifiedAt time.Time      `json:"modified_at,omitzero"`
}

// AccessToken returns the stored provider access token, if any.
func (a *Association) AccessToken() string { s, _ := a.ExtraData["access_token"].(string); return s }

// RefreshToken returns the stored provider refresh token, if any.
func (a *Association) RefreshToken() string {
	s, _ := a.ExtraData["refresh_token"].(string)
	return s
}

// EmailKey is the form in which stores compare emails: ASCII letters
// lower-cased, every other byte kept. Unicode case folding is deliberately
// not applied, so that "mıke@x" (dotless i) never matches "mike@x".
func EmailKey(email string) string {
	for i := 0; i < len(email); i++ {
		if c := email[i]; c >= 'A' && c <= 'Z' {
			b := []byte(email)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return email
}

// UserStore is the users role. Implementations are safe for concurrent use.
//
// Not found is an error wrapping [ErrNotFound], never a nil record with a nil
// error. Returned records are copies: changing them changes nothing stored.
type UserStore interface {
	// GetUser returns the user with id.
	GetUser(ctx context.Context, id string) (*User, error)
	// UsersByEmail returns the users whose email has the same [EmailKey] as
	// email (ASCII letters compared case-insensitively, everything else
	// exactly), oldest first; an empty slice when there is none. An empty
	// email matches nobody.
	UsersByEmail(ctx context.Context, email string) ([]*User, error)
	// UsernameExists reports whether a user has exactly this username.
	UsernameExists(ctx context.Context, username string) (bool, error)
	// CreateUser stores u with a fresh ID and returns the stored record.
	// A taken username is an error wrapping [ErrAlreadyExists].
	CreateUser(ctx context.Context, u *User) (*User, error)
	// UpdateUser overwrites the stored user that has u.ID with u (all fields
	// but ID and CreatedAt; UpdatedAt is set by the store). A missing user
	// wraps [ErrNotFound].
	UpdateUser(ctx context.Context, u *User) error
}

// AssociationStore is the social-associations role. Implementations are safe
// for concurrent use; not found wraps [ErrNotFound]; returned records are copies.
type AssociationStore interface {
	// GetAssociation returns the association for provider and uid, with uid
	// compared byte-exactly.
	GetAssociation(ctx context.Context, provider, uid string) (*Association, error)
	// AssociationsForUser returns the user's associations, oldest first (an
	// empty slice when there is none).
	AssociationsForUser(ctx context.Context, userID string) ([]*Association, error)
	// CreateAssociation stores a for the existing user a.UserID and returns the
	// stored record. An existing association with the same provider and uid
	// wraps [ErrAlreadyExists]; a missing user wraps [ErrNotFound].
	CreateAssociation(ctx context.Context, a *Association) (*Association, error)
	// UpdateAssociation replaces the ExtraData of the association that has a.ID.
	UpdateAssociation(ctx context.Context, a *Association) error
	// DeleteAssociation removes the association with id.
	DeleteAssociation(ctx context.Context, id string) error
}

// CreateOptions tune [LoginStore.CreateUserWithAssociation].
type CreateOptions struct {
	// UniqueEmail: refuse, with an error wrapping [ErrEmailTaken], to create
	// the user when a user with the same email (compared as UsersByEmail does)
	// already exists. associate_by_email sets it so that concurrent first
	// logins of one email through two providers end with one user.
	UniqueEmail bool
}

// LoginStore is the role that makes a first login atomic.
type LoginStore interface {
	// CreateUserWithAssociation creates user u and association a (for that
	// user) in one atomic step, and returns both stored records. When an
	// association with a's provider and uid already exists it writes nothing
	// and returns an error wrapping [ErrAlreadyExists]; the same for a taken
	// username. Either both records exist afterwards or neither does.
	CreateUserWithAssociation(ctx context.Context, u *User, a *Association, opts CreateOptions) (*User, *Association, error)
}

// Partial is a paused login: the saved State and the step to run again.
// Printed, logged or marshalled to JSON it shows neither Token nor Data.
type Partial struct {
	// Token is the random handle the client resumes with (unguessable).
	Token   string          `json:"token"`
	Backend string          `json:"backend"`
	Step    int             `json:"next_step"` // the index of the step that paused; it runs again on resume
	Data    json.RawMessage `json:"data"`      // the serialised State
	Expires time.Time       `json:"expires"`
}

// PartialStore keeps paused pipelines.
type PartialStore interface {
	// SavePartial stores p under p.Token, replacing one with the same token.
	SavePartial(ctx context.Context, p *Partial) error
	// LoadPartial returns the partial with token. An expired one is treated as
	// missing and wraps [ErrNotFound].
	LoadPartial(ctx context.Context, token string) (*Partial, error)
	// DeletePartial removes it; deleting a missing partial is not an error.
	DeletePartial(ctx context.Context, token string) error
}

// NonceStore remembers single-use values (OIDC nonces, id_token jti, one-time
// codes) until they expire.
type NonceStore interface {
	// UseNonce records value in scope until expires. It returns an error
	// wrapping [ErrAlreadyExists] when value was already used in scope and has
	// not expired: it is atomic, so of concurrent callers exactly one succeeds.
	UseNonce(ctx context.Context, scope, value string, expires time.Time) error
}

// Storage is everything the library keeps. storage/memory and storage/sqlstore
// implement it; both pass storage/storagetest.
type Storage interface {
	UserStore
	AssociationStore
	LoginStore
	PartialStore
	NonceStore
}

// secretKey reports whether an extra-data key holds a secret: a token
// ("access_token", "refresh_token", "id_token", "oauth_token") or a secret
// ("oauth_token_secret").
func secretKey(k string) bool {
	return strings.HasSuffix(k, "token") || strings.Contains(k, "secret")
}

func (a Association) extraDataKeys() []string {
	keys := make([]string, 0, len(a.ExtraData))
	for k := range a.ExtraData {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// LogValue implements [slog.LogValuer]: ids and the names of the extra-data
// keys, never their values (they hold provider tokens).
func (a Association) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", a.ID), slog.String("user_id", a.UserID),
		slog.String("provider", a.Provider), slog.String("uid", a.UID), slog.Any("extra_data_keys", a.extraDataKeys()))
}

// String describes the association without its extra-data values, for %v.
func (a Association) String() string {
	return fmt.Sprintf("socialauth.Association{ID:%q UserID:%q Provider:%q UID:%q ExtraData:%v}", a.ID, a.UserID, a.Provider, a.UID, a.extraDataKeys())
}

// GoString is String, for %#v.
func (a Association) GoString() string { return a.String() }

// MarshalJSON writes the association with every token and secret in
// ExtraData replaced by "REDACTED". Stores keep ExtraData by marshalling the
// map itself, not the Association.
func (a Association) MarshalJSON() ([]byte, error) {
	extra := make(map[string]any, len(a.ExtraData))
	for k, v := range a.ExtraData {
		if secretKey(k) {
			v = "REDACTED"
		}
		extra[k] = v
	}
	r := associationRecord(a)
	r.ExtraData = extra
	return json.Marshal(r)
}

// LogValue implements [slog.LogValuer]: never the token or the saved state.
func (p Partial) LogValue() slog.Value {
	return slog.GroupValue(slog.String("backend", p.Backend), slog.Int("step", p.Step), slog.Time("expires", p.Expires))
}

// String describes the partial without its token or saved state, for %v.
func (p Partial) String() string {
	return fmt.Sprintf("socialauth.Partial{Backend:%q Step:%d Expires:%s}", p.Backend, p.Step, p.Expires.Format(time.RFC3339))
}

// GoString is String, for %#v.
func (p Partial) GoString() string { return p.String() }

// MarshalJSON writes the partial without its token or saved state.
func (p Partial) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Backend string    `json:"backend"`
		Step    int       `json:"next_step"`
		Expires time.Time `json:"expires"`
	}{p.Backend, p.Step, p.Expires})
}
