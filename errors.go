package socialauth

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Callers branch on them with [errors.Is]; every error the
// library returns wraps at most one of the outcomes below (and possibly
// [ErrNotFound] or [ErrAlreadyExists] from storage).
var (
	// ErrNotFound is what storage returns, wrapped, when a record does not exist.
	ErrNotFound = errors.New("socialauth: not found")
	// ErrAlreadyExists is what storage returns, wrapped, when a create would
	// break a uniqueness rule (an association's provider+uid, a username).
	ErrAlreadyExists = errors.New("socialauth: already exists")
	// ErrEmailTaken is what storage returns, wrapped, when a user created with
	// CreateOptions.UniqueEmail would share its email with an existing user.
	ErrEmailTaken = errors.New("socialauth: email already belongs to a user")

	// ErrUnknownBackend: no backend of that name is configured (or, for
	// DoAuth, the context holds none).
	ErrUnknownBackend = errors.New("socialauth: unknown backend")
	// ErrInvalidRequest: a required input is empty or malformed (an empty,
	// oversized or non-bearer token, a missing user). Nothing was sent to the
	// provider.
	ErrInvalidRequest = errors.New("socialauth: invalid request")
	// ErrInvalidToken: the provider refused the token, it was issued to
	// another app, or it was already used.
	ErrInvalidToken = errors.New("socialauth: invalid token")
	// ErrAuthFailed: the provider's answer lacks what a login needs (for
	// instance the user id), or a login ended without a user.
	ErrAuthFailed = errors.New("socialauth: authentication failed")
	// ErrAuthForbidden: a rule of this app refused the login (allowed emails or
	// domains, an inactive user, an email shared by several users, a host
	// step's veto).
	ErrAuthForbidden = errors.New("socialauth: authentication forbidden")
	// ErrProviderUnavailable: the provider could not be reached, timed out,
	// answered 429 or 5xx, or answered something that is not its protocol.
	ErrProviderUnavailable = errors.New("socialauth: provider unavailable")
	// ErrAlreadyAssociated: the social account belongs to another user.
	ErrAlreadyAssociated = errors.New("socialauth: social account already associated with another user")
	// ErrNotAllowedToDisconnect: disconnecting would leave the user no way to log in.
	ErrNotAllowedToDisconnect = errors.New("socialauth: not allowed to disconnect")
	// ErrPartialNotFound: the paused login to resume is unknown, expired,
	// already resumed or another backend's.
	ErrPartialNotFound = errors.New("socialauth: paused login not found")
	// ErrAuthCanceled: the person declined at the provider (the
	// authorization response said error=access_denied).
	ErrAuthCanceled = errors.New("socialauth: authentication canceled")
	// ErrStateMismatch: a browser login's callback does not belong to a
	// login this browser began through this backend: its state is missing,
	// altered, expired, already used or another backend's, or the browser
	// kept no login in progress. Nothing was sent to the provider.
	ErrStateMismatch = errors.New("socialauth: state mismatch")
)

// Error is the typed error of a failed login: it names the backend and the
// pipeline step (empty when the failure happened before the pipeline, in the
// backend itself) and unwraps to the cause.
type Error struct {
	Backend string
	Step    string
	Err     error
}

func (e *Error) Error() string {
	inner := strings.TrimPrefix(e.Err.Error(), "socialauth: ")
	switch {
	case e.Step != "":
		return fmt.Sprintf("socialauth: backend %s: step %s: %s", e.Backend, e.Step, inner)
	case e.Backend != "":
		return fmt.Sprintf("socialauth: backend %s: %s", e.Backend, inner)
	}
	return "socialauth: " + inner
}

func (e *Error) Unwrap() error { return e.Err }

// PausedError is returned when a step paused the pipeline with [Pause]
// (find it with [errors.As]). The pipeline's state was saved in storage
// under Token, which the client needs to continue; [Service.Resume]
// continues it. Reason is the step's own value (for
// instance "need_email"); it is safe to show to a client.
type PausedError struct {
	Token  string
	Step   string
	Reason string
}

func (e *PausedError) Error() string {
	return "socialauth: pipeline paused at step " + e.Step + ": " + e.Reason
}
