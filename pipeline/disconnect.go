package pipeline

import (
	"context"
	"fmt"

	"github.com/go-socialauth/socialauth"
)

// DefaultDisconnect returns the stock disconnect pipeline: allowed_to_disconnect
// (refuse to leave the user without a way to log in), get_entries (the
// associations to remove) and disconnect (remove them). It revokes no
// provider token (PSA's REVOKE_TOKENS_ON_DISCONNECT step is not included).
func DefaultDisconnect() socialauth.Pipeline {
	return socialauth.Pipeline{AllowedToDisconnect(DisconnectOptions{}), GetEntries(), Disconnect()}
}

// DisconnectOptions configure allowed_to_disconnect.
type DisconnectOptions struct {
	// HasOtherLogin reports whether the user can log in without social
	// accounts (a usable password, a passkey). Nil means no: the user must
	// keep at least one association.
	HasOtherLogin func(ctx context.Context, u *socialauth.User) (bool, error)
}

// AllowedToDisconnect is "allowed_to_disconnect": it refuses, with
// ErrNotAllowedToDisconnect, a disconnect that would leave the user with no
// association and no other way to log in.
func AllowedToDisconnect(o DisconnectOptions) socialauth.PipelineStep {
	return socialauth.PipelineStep{Name: "allowed_to_disconnect", Step: socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
		all, err := s.Storage.AssociationsForUser(ctx, s.User.ID)
		if err != nil {
			return err
		}
		remaining := 0
		for _, a := range all {
			if !removes(s, a) {
				remaining++
			}
		}
		if remaining > 0 {
			return nil
		}
		if o.HasOtherLogin != nil {
			ok, err := o.HasOtherLogin(ctx, s.User)
			if err != nil || ok {
				return err
			}
		}
		return socialauth.ErrNotAllowedToDisconnect
	})}
}

// removes reports whether a disconnect of s removes a.
func removes(s *socialauth.State, a *socialauth.Association) bool {
	if a.Provider != s.BackendName() {
		return false
	}
	return s.Association == nil || s.Association.ID == a.ID
}

// GetEntries is "get_entries": it sets State.Entries to the associations to
// remove (the one named, or all of the user's with this backend). An
// association that is not the user's with this backend wraps ErrNotFound.
func GetEntries() socialauth.PipelineStep {
	return socialauth.PipelineStep{Name: "get_entries", Step: socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
		all, err := s.Storage.AssociationsForUser(ctx, s.User.ID)
		if err != nil {
			return err
		}
		s.Entries = s.Entries[:0]
		for _, a := range all {
			if removes(s, a) {
				s.Entries = append(s.Entries, a)
			}
		}
		if len(s.Entries) == 0 {
			return fmt.Errorf("association to disconnect: %w", socialauth.ErrNotFound)
		}
		return nil
	})}
}

// Disconnect is "disconnect": it deletes State.Entries.
func Disconnect() socialauth.PipelineStep {
	return socialauth.PipelineStep{Name: "disconnect", Step: socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
		for _, a := range s.Entries {
			if err := s.Storage.DeleteAssociation(ctx, a.ID); err != nil {
				return err
			}
		}
		return nil
	})}
}
