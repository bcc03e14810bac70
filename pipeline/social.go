package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// SocialDetails is "social_details": it sets State.Details to the backend's
// details, with any field a host set on State.Details beforehand taking
// precedence (PSA merges incoming details over the backend's). A host-set
// email that differs from the provider's is never marked verified.
func SocialDetails() socialauth.PipelineStep {
	return socialauth.PipelineStep{Name: "social_details", Step: socialauth.StepFunc(socialDetails)}
}

func socialDetails(_ context.Context, s *socialauth.State) error {
	in, d := s.Details, s.Profile.Details
	override := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	override(&d.Username, in.Username)
	override(&d.FullName, in.FullName)
	override(&d.FirstName, in.FirstName)
	override(&d.LastName, in.LastName)
	if in.Email != "" && in.Email != d.Email {
		d.Email, d.EmailVerified = in.Email, false
	}
	d.SplitName()
	s.Details = d
	return nil
}

// SocialUID is "social_uid": it sets State.UID to the provider's user id. A
// missing id is an error wrapping ErrAuthFailed, never the string "None".
func SocialUID() socialauth.PipelineStep {
	return socialauth.PipelineStep{Name: "social_uid", Step: socialauth.StepFunc(func(_ context.Context, s *socialauth.State) error {
		if s.Profile.UID == "" {
			return fmt.Errorf("%w: the provider gave no user id", socialauth.ErrAuthFailed)
		}
		s.UID = s.Profile.UID
		return nil
	})}
}

// AllowedOptions restrict who may log in (auth_allowed): with either list
// set, only its emails or domains. They are PSA's WHITELISTED_EMAILS and
// WHITELISTED_DOMAINS.
type AllowedOptions struct {
	// Emails that may log in (compared case-insensitively).
	Emails []string
	// Domains whose addresses may log in ("example.com": exactly that
	// domain, not its subdomains).
	Domains []string
	// AllowUnverified lets an address the provider did not verify pass the
	// lists. False (the default): with a list set, an unverified email is
	// refused, since anyone can claim an address at a provider that does
	// not check it.
	AllowUnverified bool
}

// AuthAllowed is "auth_allowed": with neither list set every login passes;
// otherwise the email must be on Emails or in one of Domains, else the login
// fails with ErrAuthForbidden. An address that is not exactly one
// local@domain (a list "a@x,b@y", two '@') is refused.
func AuthAllowed(o AllowedOptions) socialauth.PipelineStep {
	emails := lowerAll(o.Emails)
	domains := lowerAll(o.Domains)
	return socialauth.PipelineStep{Name: "auth_allowed", Step: socialauth.StepFunc(func(_ context.Context, s *socialauth.State) error {
		if len(emails) == 0 && len(domains) == 0 {
			return nil
		}
		email := strings.ToLower(s.Details.Email)
		local, domain, ok := strings.Cut(email, "@")
		switch {
		case !ok || local == "" || domain == "" || strings.ContainsAny(email, ",; \t\r\n<>") || strings.Count(email, "@") != 1:
			return fmt.Errorf("%w: no usable email to check against the allowed list", socialauth.ErrAuthForbidden)
		case !s.Details.EmailVerified && !o.AllowUnverified:
			return fmt.Errorf("%w: the provider did not verify the email", socialauth.ErrAuthForbidden)
		case slices.Contains(emails, email) || slices.Contains(domains, domain):
			return nil
		}
		return fmt.Errorf("%w: email not allowed", socialauth.ErrAuthForbidden)
	})}
}

func lowerAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// SocialUser is "social_user": it looks up the association of the backend
// and State.UID. When one exists it sets State.Association and State.User
// (its user); when State.User was already set (a Connect by a logged-in user)
// and the association belongs to somebody else, the login fails with
// ErrAlreadyAssociated. Nothing found leaves State.User as it was.
func SocialUser() socialauth.PipelineStep {
	return socialauth.PipelineStep{Name: "social_user", Step: socialauth.StepFunc(socialUser)}
}

func socialUser(ctx context.Context, s *socialauth.State) error {
	a, err := s.Storage.GetAssociation(ctx, s.BackendName(), s.UID)
	if errors.Is(err, socialauth.ErrNotFound) {
		s.IsNew = s.User == nil
		s.NewAssociation = true
		return nil
	}
	if err != nil {
		return err
	}
	if s.User != nil && s.User.ID != a.UserID {
		return socialauth.ErrAlreadyAssociated
	}
	u, err := s.Storage.GetUser(ctx, a.UserID)
	if err != nil {
		return fmt.Errorf("the association's user: %w", err)
	}
	s.User, s.Association, s.IsNew, s.NewAssociation = u, a, false, false
	return nil
}

// AssociateByEmail is "associate_by_email", not in the default pipeline.
// When no user is resolved yet and the provider says the email is verified,
// it links the login to the one active user whose own email is verified
// and equal (case-insensitively); several such users fail the login with
// ErrAuthForbidden. An unverified email is never matched (PSA matches any,
// the classic account takeover). With no match it asks associate_user to
// create the new user only if the email is still free, so concurrent first
// logins of one email through two providers end with one user.
//
// Insert it after get_username: Default().InsertAfter("get_username", AssociateByEmail()).
func AssociateByEmail() socialauth.PipelineStep {
	return socialauth.PipelineStep{Name: "associate_by_email", Step: socialauth.StepFunc(associateByEmail)}
}

func associateByEmail(ctx context.Context, s *socialauth.State) error {
	if s.User != nil || s.Details.Email == "" || !s.Details.EmailVerified {
		return nil
	}
	users, err := s.Storage.UsersByEmail(ctx, s.Details.Email)
	if err != nil {
		return err
	}
	u, err := linkable(users)
	switch {
	case err == nil:
		s.User, s.IsNew = u, false
	case errors.Is(err, socialauth.ErrNotFound):
		// Only while nobody has the email may the new user claim it; a user
		// that holds it but cannot be linked to (unverified, inactive) does
		// not stop this login from getting a user of its own, as in PSA.
		s.UniqueEmail = len(users) == 0
	default:
		return err
	}
	return nil
}

// userByVerifiedEmail returns the one active user with a verified email
// equal to email; ErrNotFound when none, ErrAuthForbidden when several.
func userByVerifiedEmail(ctx context.Context, st socialauth.UserStore, email string) (*socialauth.User, error) {
	users, err := st.UsersByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	return linkable(users)
}

// linkable returns the one active user with a verified email among users;
// ErrNotFound when none, ErrAuthForbidden when several.
func linkable(users []*socialauth.User) (*socialauth.User, error) {
	var found *socialauth.User
	for _, u := range users {
		if !u.IsActive || !u.EmailVerified {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%w: several users share this verified email", socialauth.ErrAuthForbidden)
		}
		found = u
	}
	if found == nil {
		return nil, socialauth.ErrNotFound
	}
	return found, nil
}
