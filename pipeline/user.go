package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// UsernameOptions shape the usernames get_username picks for new users.
// Each field names the PSA setting it stands for.
type UsernameOptions struct {
	// MaxLength bounds usernames. Zero means 150 (Django's).
	MaxLength int
	// IsFullEmail uses the whole email as the username (PSA's USERNAME_IS_FULL_EMAIL).
	IsFullEmail bool
	// SuffixLength is the length of the random hex suffix that makes a taken
	// username unique (PSA's UUID_LENGTH). Zero means 16.
	SuffixLength int
	// NoClean keeps the username as the provider sent it. False (the
	// default) keeps only ASCII letters, digits and ". @ + _ -" (PSA's
	// CLEAN_USERNAMES).
	NoClean bool
	// Clean replaces the default cleaning (PSA's CLEAN_USERNAME_FUNCTION).
	Clean func(string) string
}

// maxUsernameTries bounds the uniquifying loop: with a 16-hex-digit suffix a
// second collision is already astronomically unlikely.
const maxUsernameTries = 8

// GetUsername is "get_username": for a login without a user yet it picks the
// new user's username: the email (IsFullEmail), else the provider's username,
// else random hex; cleaned, cut to MaxLength, and made unique with a random
// suffix while UsernameExists says it is taken. For a resolved user it keeps
// that user's username.
func GetUsername(o UsernameOptions) socialauth.PipelineStep {
	if o.MaxLength <= 0 {
		o.MaxLength = 150
	}
	if o.SuffixLength <= 0 {
		o.SuffixLength = 16
	}
	if o.SuffixLength > o.MaxLength {
		o.SuffixLength = o.MaxLength
	}
	clean := o.Clean
	if clean == nil {
		clean = CleanUsername
		if o.NoClean {
			clean = func(s string) string { return s }
		}
	}
	return socialauth.PipelineStep{Name: "get_username", Step: socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
		if s.User != nil {
			s.Username = s.User.Username
			return nil
		}
		name, err := uniqueUsername(ctx, s, o, clean)
		if err != nil {
			return err
		}
		s.Username = name
		return nil
	})}
}

func uniqueUsername(ctx context.Context, s *socialauth.State, o UsernameOptions, clean func(string) string) (string, error) {
	base := s.Details.Username
	if o.IsFullEmail && s.Details.Email != "" {
		base = s.Details.Email
	}
	if base == "" {
		base = randomHex(32)
	}
	short := cut(base, o.MaxLength-o.SuffixLength)
	name := clean(cut(base, o.MaxLength))
	for range maxUsernameTries {
		if name != "" {
			taken, err := s.Storage.UsernameExists(ctx, name)
			if err != nil {
				return "", err
			}
			if !taken {
				return name, nil
			}
		}
		name = clean(cut(short+randomHex(o.SuffixLength), o.MaxLength))
	}
	return "", fmt.Errorf("%w: no free username after %d tries", socialauth.ErrAuthFailed, maxUsernameTries)
}

// CleanUsername keeps the ASCII letters, digits and ". @ + _ -" of s and
// drops everything else ("Foo Bar" → "FooBar", "José" → "Jos"). PSA's
// clean_username first folds Unicode to ASCII; this does not.
func CleanUsername(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(".@+_-", r):
			return r
		}
		return -1
	}, s)
}

// cut returns the first n runes of s.
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)[:n]
}

// CreateUser is "create_user": when no user is resolved it makes the new
// user from State.Username and State.Details (active, with the email's
// verified flag) and sets State.User and State.IsNew. It writes nothing:
// associate_user stores the user together with its association, atomically.
func CreateUser() socialauth.PipelineStep {
	return socialauth.PipelineStep{Name: "create_user", Step: socialauth.StepFunc(func(_ context.Context, s *socialauth.State) error {
		if s.User != nil {
			return nil
		}
		if s.Username == "" {
			return fmt.Errorf("%w: no username for the new user (is get_username in the pipeline?)", socialauth.ErrAuthFailed)
		}
		d := s.Details
		s.User = &socialauth.User{
			Username: s.Username, Email: d.Email, EmailVerified: d.EmailVerified && d.Email != "",
			FullName: d.FullName, FirstName: d.FirstName, LastName: d.LastName, AvatarURL: d.AvatarURL, IsActive: true,
		}
		s.IsNew = true
		return nil
	})}
}

// maxAssociateTries bounds retries after a lost race.
const maxAssociateTries = 4

// AssociateUser is "associate_user": it links State.User to the backend and
// State.UID, the provider tokens and the backend's keys already kept as
// load_extra_data keeps them. A new user (no ID yet) is stored with the association in one
// atomic step. When a concurrent login of the same identity won the race,
// the winner's user and association are taken, and nothing of the loser is
// left behind. When the identity belongs to another user, the login fails
// with ErrAlreadyAssociated.
func AssociateUser() socialauth.PipelineStep {
	return socialauth.PipelineStep{Name: "associate_user", Step: socialauth.StepFunc(associateUser)}
}

func associateUser(ctx context.Context, s *socialauth.State) error {
	if s.Association != nil {
		return nil
	}
	if s.User == nil {
		return fmt.Errorf("%w: no user to associate (is create_user in the pipeline?)", socialauth.ErrAuthFailed)
	}
	// The new association carries the provider tokens and the backend's
	// own keys from the start, so that load_extra_data has nothing left to
	// write unless keys are configured.
	tokens := make(map[string]any, 4)
	putTokens(tokens, s.Profile.Token)
	putBackendData(tokens, s)
	for range maxAssociateTries {
		a := &socialauth.Association{Provider: s.BackendName(), UID: s.UID, ExtraData: tokens}
		var err error
		if s.User.ID == "" {
			var u *socialauth.User
			u, a, err = s.Storage.CreateUserWithAssociation(ctx, s.User, a, socialauth.CreateOptions{UniqueEmail: s.UniqueEmail})
			if err == nil {
				s.User, s.Association, s.IsNew, s.NewAssociation = u, a, true, true
				return nil
			}
		} else {
			a.UserID = s.User.ID
			if a, err = s.Storage.CreateAssociation(ctx, a); err == nil {
				s.Association, s.NewAssociation = a, true
				return nil
			}
		}
		switch {
		case errors.Is(err, socialauth.ErrEmailTaken):
			// A concurrent first login of the same email through another
			// provider created the user: link to it instead.
			u, lerr := userByVerifiedEmail(ctx, s.Storage, s.User.Email)
			switch {
			case lerr == nil:
				s.User, s.IsNew, s.UniqueEmail = u, false, false
			case errors.Is(lerr, socialauth.ErrNotFound):
				// The user who took it cannot be linked to (unverified,
				// inactive): this login gets a user of its own after all.
				s.UniqueEmail = false
			default:
				return fmt.Errorf("the email was taken concurrently: %w", lerr)
			}
		case errors.Is(err, socialauth.ErrAlreadyExists):
			won, lerr := s.Storage.GetAssociation(ctx, s.BackendName(), s.UID)
			if errors.Is(lerr, socialauth.ErrNotFound) {
				if s.User.ID != "" {
					return err
				}
				// Not the association but the username was taken since get_username.
				s.User.Username = cut(s.User.Username, 150-16) + randomHex(16)
				s.Username = s.User.Username
				continue
			}
			if lerr != nil {
				return lerr
			}
			if s.User.ID != "" && s.User.ID != won.UserID {
				return socialauth.ErrAlreadyAssociated
			}
			u, lerr := s.Storage.GetUser(ctx, won.UserID)
			if lerr != nil {
				return lerr
			}
			s.User, s.Association, s.IsNew, s.NewAssociation = u, won, false, false
			return nil
		default:
			return err
		}
	}
	return fmt.Errorf("%w: could not associate after %d tries", socialauth.ErrAuthFailed, maxAssociateTries)
}
