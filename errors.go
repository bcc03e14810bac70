package socialauth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors. Callers branch on them with [errors.Is]; every error the
// library returns wraps at most one of the authentication outcomes below (and
// possibly [ErrNotFound] or [ErrAlreadyExists] from storage). They mirror PSA's
// exception tree.
var (
	// ErrNotFound is what storage returns, wrapped, when a record does not exist.
	ErrNotFound = errors.New("socialauth: not found")
	// ErrAlreadyExists is what storage returns, wrapped, when a create would
	// break a uniqueness rule (an association's provider+uid, a username).
	ErrAlreadyExists = errors.New("socialauth: already exists")
	// ErrEmailTaken is what storage returns, wrapped, when a user created with
	// CreateOptions.UniqueEmail would share its email with an existing user.
	ErrEmailTaken = errors.New("socialauth: email already belongs to a user")

	// ErrUnknownBackend: the route named a backend that is not configured.
	ErrUnknownBackend = errors.New("socialauth: unknown backend")
	// ErrNoBackend: DoAuth was called with a context that Handler did not prepare.
	ErrNoBackend = errors.New("socialauth: no backend in context")
	// ErrMissingParameter: a required input (the token, a code, the state) is empty.
	ErrMissingParameter = errors.New("socialauth: missing parameter")
	// ErrInvalidToken: the provider refused the token, or it was issued to another app.
	ErrInvalidToken = errors.New("socialauth: invalid token")
	// ErrAuthCanceled: the user declined at the provider.
	ErrAuthCanceled = errors.New("socialauth: authentication canceled")
	// ErrAuthFailed: the provider reported a failure that is not one of the above,
	// or its answer lacks what a login needs (for instance the user id).
	ErrAuthFailed = errors.New("socialauth: authentication failed")
	// ErrAuthForbidden: a rule of this app refused the login (allowed emails or
	// domains, an inactive user, a host step's veto).
	ErrAuthForbidden = errors.New("socialauth: authentication forbidden")
	// ErrProviderUnavailable: the provider could not be reached, timed out,
	// answered 429 or 5xx, or answered something that is not its protocol.
	ErrProviderUnavailable = errors.New("socialauth: provider unavailable")
	// ErrStateMissing: the browser flow's state is not in the request or cookie.
	ErrStateMissing = errors.New("socialauth: state missing")
	// ErrStateMismatch: the browser flow's state does not match.
	ErrStateMismatch = errors.New("socialauth: state mismatch")
	// ErrAlreadyAssociated: the social account belongs to another user.
	ErrAlreadyAssociated = errors.New("socialauth: social account already associated with another user")
	// ErrMultipleUsers: associate_by_email found more than one user with the email.
	ErrMultipleUsers = errors.New("socialauth: several users share this email")
	// ErrNotAllowedToDisconnect: disconnecting would leave the user no way to log in.
	ErrNotAllowedToDisconnect = errors.New("socialauth: not allowed to disconnect")
	// ErrPipelinePaused: a step paused the pipeline; see [PausedError].
	ErrPipelinePaused = errors.New("socialauth: pipeline paused")
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

// ProviderError keeps what a provider said when it refused a request: the
// HTTP status and, when the provider speaks RFC 6749, its error code and
// description. It unwraps to the sentinel the status maps to. It never holds
// the token that was sent.
type ProviderError struct {
	StatusCode  int
	Code        string // RFC 6749 "error", or the provider's own code
	Description string // RFC 6749 "error_description", truncated
	Kind        error  // the sentinel: ErrInvalidToken, ErrProviderUnavailable, ...
}

func (e *ProviderError) Error() string {
	msg := fmt.Sprintf("%v: provider answered %d", e.Kind, e.StatusCode)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

func (e *ProviderError) Unwrap() error { return e.Kind }

// PausedError is returned, wrapping [ErrPipelinePaused], when a step paused the
// pipeline with [Pause]. The pipeline's state was saved in storage under
// Token; [Service.Resume] continues it. Reason is the step's own value (for
// instance "need_email"); it is safe to show to a client.
type PausedError struct {
	Token  string
	Step   string
	Reason string
}

func (e *PausedError) Error() string {
	return "socialauth: pipeline paused at step " + e.Step + ": " + e.Reason
}

func (e *PausedError) Unwrap() error { return ErrPipelinePaused }

// Codes are the stable, opaque strings an API shows its clients. They reveal
// the kind of failure and nothing of its detail, which belongs in the log.
const (
	CodeInvalidRequest      = "invalid_request"
	CodeUnknownBackend      = "unknown_backend"
	CodeInvalidToken        = "invalid_token"
	CodeCanceled            = "canceled"
	CodeForbidden           = "forbidden"
	CodeAlreadyAssociated   = "already_associated"
	CodeProviderUnavailable = "provider_unavailable"
	CodeStateMismatch       = "state_mismatch"
	CodeNotAllowed          = "not_allowed_to_disconnect"
	CodePaused              = "pipeline_paused"
	CodeAuthFailed          = "auth_failed"
	CodeInternal            = "internal_error"
)

var errorClasses = []struct {
	err    error
	code   string
	status int
}{
	{ErrMissingParameter, CodeInvalidRequest, http.StatusBadRequest},
	{ErrUnknownBackend, CodeUnknownBackend, http.StatusNotFound},
	{ErrInvalidToken, CodeInvalidToken, http.StatusUnauthorized},
	{ErrAuthCanceled, CodeCanceled, http.StatusBadRequest},
	{ErrAuthForbidden, CodeForbidden, http.StatusForbidden},
	{ErrAlreadyAssociated, CodeAlreadyAssociated, http.StatusConflict},
	{ErrMultipleUsers, CodeAuthFailed, http.StatusConflict},
	{ErrProviderUnavailable, CodeProviderUnavailable, http.StatusBadGateway},
	{ErrStateMissing, CodeStateMismatch, http.StatusBadRequest},
	{ErrStateMismatch, CodeStateMismatch, http.StatusBadRequest},
	{ErrNotAllowedToDisconnect, CodeNotAllowed, http.StatusConflict},
	{ErrPipelinePaused, CodePaused, http.StatusAccepted},
	{ErrAuthFailed, CodeAuthFailed, http.StatusUnauthorized},
}

// ErrorCode maps err to a stable opaque code and an HTTP status for API
// clients: for example [ErrInvalidToken] → ("invalid_token", 401) and
// [ErrProviderUnavailable] → ("provider_unavailable", 502). Anything it does
// not recognise (a database failure, a bug) is ("internal_error", 500).
func ErrorCode(err error) (code string, status int) {
	for _, c := range errorClasses {
		if errors.Is(err, c.err) {
			return c.code, c.status
		}
	}
	return CodeInternal, http.StatusInternalServerError
}
