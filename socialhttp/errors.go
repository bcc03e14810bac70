package socialhttp

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"

	"github.com/go-socialauth/socialauth"
)

// Codes are the stable, opaque strings the handlers show API clients in
// {"errors": {"code": ..., "message": ...}}. They say what kind of failure
// happened and nothing of its detail, which belongs in the server's log.
const (
	CodeInvalidRequest      = "invalid_request"
	CodeMethodNotAllowed    = "method_not_allowed"
	CodeUnknownBackend      = "unknown_backend"
	CodeInvalidToken        = "invalid_token"
	CodeForbidden           = "forbidden"
	CodeAlreadyAssociated   = "already_associated"
	CodeProviderUnavailable = "provider_unavailable"
	CodeNotAllowed          = "not_allowed_to_disconnect"
	CodePaused              = "pipeline_paused"
	CodePartialNotFound     = "partial_not_found"
	CodeAuthFailed          = "auth_failed"
	CodeAuthCanceled        = "auth_canceled"
	CodeStateMismatch       = "state_mismatch"
	CodeNotFound            = "not_found"
	CodeInternal            = "internal_error"
)

var errorClasses = []struct {
	err    error
	code   string
	status int
}{
	{socialauth.ErrStateMismatch, CodeStateMismatch, http.StatusBadRequest},
	{socialauth.ErrAuthCanceled, CodeAuthCanceled, http.StatusUnauthorized},
	{socialauth.ErrInvalidRequest, CodeInvalidRequest, http.StatusBadRequest},
	{socialauth.ErrUnknownBackend, CodeUnknownBackend, http.StatusNotFound},
	{socialauth.ErrInvalidToken, CodeInvalidToken, http.StatusUnauthorized},
	{socialauth.ErrAuthForbidden, CodeForbidden, http.StatusForbidden},
	{socialauth.ErrAlreadyAssociated, CodeAlreadyAssociated, http.StatusConflict},
	{socialauth.ErrProviderUnavailable, CodeProviderUnavailable, http.StatusBadGateway},
	{socialauth.ErrNotAllowedToDisconnect, CodeNotAllowed, http.StatusConflict},
	{socialauth.ErrPartialNotFound, CodePartialNotFound, http.StatusNotFound},
	{socialauth.ErrAuthFailed, CodeAuthFailed, http.StatusUnauthorized},
	{socialauth.ErrNotFound, CodeNotFound, http.StatusNotFound}, // last: the other outcomes may wrap a storage miss
}

var messages = map[string]string{
	CodeInvalidRequest:      "The request is malformed or lacks a required field.",
	CodeMethodNotAllowed:    "This endpoint does not answer this method.",
	CodeUnknownBackend:      "This backend is not configured.",
	CodeInvalidToken:        "The provider did not accept the token.",
	CodeForbidden:           "This account may not log in.",
	CodeAlreadyAssociated:   "This social account belongs to another user.",
	CodeProviderUnavailable: "The provider could not be reached; try again later.",
	CodeNotAllowed:          "Disconnecting would leave the account without a way to log in.",
	CodePaused:              "The login needs more information.",
	CodePartialNotFound:     "The paused login is unknown, expired or already resumed; start again.",
	CodeAuthFailed:          "The login failed.",
	CodeAuthCanceled:        "The login was canceled at the provider.",
	CodeStateMismatch:       "This login was not begun in this browser, or it expired; start again.",
	CodeNotFound:            "No such record.",
	CodeInternal:            "Internal error.",
}

// ErrorCode maps err to an opaque code and an HTTP status for API clients:
// for example socialauth.ErrInvalidToken → ("invalid_token", 401),
// socialauth.ErrProviderUnavailable → ("provider_unavailable", 502, or 504
// when the provider timed out), a [*socialauth.PausedError] →
// ("pipeline_paused", 202). Anything it does not recognise (a database
// failure, a bug) is ("internal_error", 500).
func ErrorCode(err error) (code string, status int) {
	var paused *socialauth.PausedError
	if errors.As(err, &paused) {
		return CodePaused, http.StatusAccepted
	}
	for _, c := range errorClasses {
		if errors.Is(err, c.err) {
			if c.code == CodeProviderUnavailable && isTimeout(err) {
				return c.code, http.StatusGatewayTimeout
			}
			return c.code, c.status
		}
	}
	return CodeInternal, http.StatusInternalServerError
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// WriteError writes {"errors":{"code":...,"message":...}} for err with the
// given status (0 means ErrorCode's). The body holds only the opaque code and
// a fixed message, never err's text. A paused login's body also carries the
// "partial_token" to resume with and the step's "reason".
func WriteError(w http.ResponseWriter, err error, status int) {
	code, st := ErrorCode(err)
	if status == 0 {
		status = st
	}
	body := map[string]string{"code": code, "message": messages[code]}
	var paused *socialauth.PausedError
	if errors.As(err, &paused) {
		body["partial_token"], body["reason"] = paused.Token, paused.Reason
	}
	writeJSON(w, status, map[string]map[string]string{"errors": body})
}

func writeCode(w http.ResponseWriter, code string, status int) {
	writeJSON(w, status, map[string]map[string]string{"errors": {"code": code, "message": messages[code]}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
