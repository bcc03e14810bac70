package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/go-socialauth/socialauth"
)

// ExtraKey names one top-level field of the provider's user JSON for
// load_extra_data to keep in the association's ExtraData: the field Name,
// kept under Alias (Name when empty); DiscardEmpty skips null, "" and absent
// values instead of storing null. It is one entry of PSA's EXTRA_DATA.
type ExtraKey struct {
	Name         string
	Alias        string
	DiscardEmpty bool
}

// ExtraDataOptions configure load_extra_data.
type ExtraDataOptions struct {
	// Keys are the provider fields to keep (PSA's EXTRA_DATA).
	Keys []ExtraKey
}

// extraDataBackend is the optional power of a backend that says what
// Python Social Auth keeps in extra_data for it beside the tokens (the
// backend's EXTRA_DATA): ExtraData returns those values for one login,
// keyed by the name they are kept under, as JSON values in the form a
// decode with UseNumber gives (json.Number, string, bool, nil, []any,
// map[string]any). The backends of package backends have it.
type extraDataBackend interface {
	ExtraData(p *socialauth.Profile) map[string]any
}

// LoadExtraData is "load_extra_data": it keeps in the association's
// ExtraData what PSA keeps there, so that a user base migrating from PSA
// finds its keys:
//
//   - the provider tokens: access_token; token_type, only when the provider
//     sent one; refresh_token (one the provider did not send again is kept,
//     RFC 9700 §4.14); and expires, the access token's expiry as an
//     absolute time in Unix seconds, which PSA's storage reads as such
//     (PSA keeps expires_in, relative to an auth_time that is not kept
//     here). A new access token replaces the token_type and expiry of the
//     old one: kept when known, removed when not, with PSA's expires_in and
//     expires_on. id_tokens are not kept.
//   - the backend's own keys, PSA's EXTRA_DATA for it (GitHub's id and
//     login, Facebook's id, ...), when the backend says which (the backends
//     of package backends do, through a method ExtraData(*Profile)
//     map[string]any);
//   - the configured Keys of the provider's user JSON, which win.
//
// It writes only when something changed, so a returning user whose data
// is the same costs no UPDATE; PSA's auth_time is not kept for that reason.
func LoadExtraData(o ExtraDataOptions) socialauth.PipelineStep {
	keys := slices.Clone(o.Keys)
	return socialauth.PipelineStep{Name: "load_extra_data", Step: socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
		a := s.Association
		if a == nil {
			return nil
		}
		extra := maps.Clone(a.ExtraData)
		if extra == nil {
			extra = make(map[string]any, 4+len(keys))
		}
		putTokens(extra, s.Profile.Token)
		putBackendData(extra, s)
		if len(keys) > 0 && len(s.Profile.Raw) > 0 {
			var raw map[string]any
			dec := json.NewDecoder(bytes.NewReader(s.Profile.Raw))
			dec.UseNumber()
			if err := dec.Decode(&raw); err == nil {
				for _, k := range keys {
					v, ok := raw[k.Name]
					if k.DiscardEmpty && (!ok || v == nil || v == "") {
						continue
					}
					alias := k.Alias
					if alias == "" {
						alias = k.Name
					}
					extra[alias] = v
				}
			}
		}
		if reflect.DeepEqual(extra, a.ExtraData) || (len(extra) == 0 && len(a.ExtraData) == 0) {
			return nil
		}
		updated := *a
		updated.ExtraData = extra
		if err := s.Storage.UpdateAssociation(ctx, &updated); err != nil {
			return err
		}
		s.Association = &updated
		return nil
	})}
}

// putTokens keeps the provider tokens of t in extra: access_token,
// token_type, refresh_token (an empty one keeps the old) and expires (the
// access token's, as Unix seconds; an id_token's expiry is not kept). A
// new access token drops what described the old one (token_type and
// expiry, PSA's expires_in and expires_on among them) before its own are set.
func putTokens(extra map[string]any, t socialauth.Token) {
	if old, _ := extra["access_token"].(string); t.AccessToken != "" && old != t.AccessToken {
		for _, k := range []string{"token_type", "expires", "expires_in", "expires_on"} {
			delete(extra, k)
		}
	}
	setString(extra, "access_token", t.AccessToken)
	setString(extra, "token_type", t.TokenType)
	setString(extra, "refresh_token", t.RefreshToken)
	if !t.Expiry.IsZero() && t.AccessToken != "" {
		extra["expires"] = json.Number(fmt.Sprint(t.Expiry.Unix()))
	}
}

// putBackendData keeps what the login's backend says PSA keeps for it.
func putBackendData(extra map[string]any, s *socialauth.State) {
	b, ok := s.Backend.(extraDataBackend)
	if !ok {
		return
	}
	for k, v := range b.ExtraData(&s.Profile) {
		extra[k] = v
	}
}

func setString(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// UserDetailsOptions choose which user fields user_details may change, by
// the User's JSON field names ("email", "fullname", "first_name",
// "last_name", "avatar_url", "username"). They are PSA's PROTECTED_USER_FIELDS and
// IMMUTABLE_USER_FIELDS.
type UserDetailsOptions struct {
	// Protected fields are never changed by a login. "username" and "email"
	// are always protected unless NoDefaultProtected is set.
	Protected []string
	// NoDefaultProtected drops the default protection of username and email
	// (PSA's NO_DEFAULT_PROTECTED_USER_FIELDS).
	NoDefaultProtected bool
	// Immutable fields are set only while they are empty.
	Immutable []string
}

// userFieldsKeeper is a store that keeps only some of the User's fields,
// such as a SQL store over a host's users table without name columns.
// UserFields returns the JSON names of the fields it keeps; user_details
// leaves the others alone. A store without the method keeps them all.
type userFieldsKeeper interface{ UserFields() []string }

// UserDetails is "user_details": it copies the login's details onto the user
// (full, first and last name and avatar URL by default), except protected
// fields, immutable fields that already have a value, and fields the store
// does not keep (a store that keeps some only says which with a method
// UserFields() []string returning their JSON names), and writes only when a
// value changed.
func UserDetails(o UserDetailsOptions) socialauth.PipelineStep {
	protected := slices.Clone(o.Protected)
	if !o.NoDefaultProtected {
		protected = append(protected, "username", "email")
	}
	immutable := slices.Clone(o.Immutable)
	return socialauth.PipelineStep{Name: "user_details", Step: socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
		if s.User == nil || s.User.ID == "" {
			return nil
		}
		var kept []string // nil: the store keeps every field
		if k, ok := s.Storage.(userFieldsKeeper); ok {
			if kept = k.UserFields(); kept == nil {
				kept = []string{}
			}
		}
		u := *s.User
		d := s.Details
		fields := []struct {
			name string
			dst  *string
			v    string
		}{
			{"username", &u.Username, s.Username},
			{"email", &u.Email, d.Email},
			{"fullname", &u.FullName, d.FullName},
			{"first_name", &u.FirstName, d.FirstName},
			{"last_name", &u.LastName, d.LastName},
			{"avatar_url", &u.AvatarURL, d.AvatarURL},
		}
		changed := false
		for _, f := range fields {
			if f.v == "" || *f.dst == f.v || slices.Contains(protected, f.name) ||
				(*f.dst != "" && slices.Contains(immutable, f.name)) ||
				(kept != nil && !slices.Contains(kept, f.name)) {
				continue
			}
			*f.dst = f.v
			if f.name == "email" {
				u.EmailVerified = d.EmailVerified
			}
			changed = true
		}
		if !changed {
			return nil
		}
		if err := s.Storage.UpdateUser(ctx, &u); err != nil {
			return err
		}
		s.User = &u
		return nil
	})}
}
