// Package socialhttp has ready-made net/http handlers for the JSON API of a
// social login: the token exchange (a front end posts the provider's token,
// the handler answers the app's own credentials), the resumption of a login
// that a pipeline step paused, and the connect and disconnect of a
// logged-in user's providers. [Browser] has the handlers of the server-side
// browser login (begin, callback, resume, disconnect).
//
// The handlers run behind [socialauth.Handler], which resolves the backend
// named in the route:
//
//	login := socialauth.Handler(cfg)
//	mux.Handle("/api/login/social/{backend}/", login(socialhttp.Exchange(socialhttp.Options{Mint: mint})))
//	mux.Handle("/api/login/social/{backend}/resume/", login(socialhttp.Resume(socialhttp.Options{Mint: mint, ResumeData: ask})))
//	mux.Handle("/api/social/{backend}/connect/", login(socialhttp.Connect(socialhttp.Options{Mint: mint, CurrentUser: me})))
//	mux.Handle("/api/social/{backend}/disconnect/", login(socialhttp.Disconnect(socialhttp.Options{CurrentUser: me})))
//
// They accept only POST with a JSON body of at most Options.MaxBodyBytes,
// decode it strictly (exact field names, no unknown or repeated fields, no
// trailing data), and answer failures as {"errors": {"code": ..., "message":
// ...}} with one of the opaque codes below; the detail goes to the log.
package socialhttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/go-socialauth/socialauth"
)

// Options configure the handlers.
type Options struct {
	// Mint makes the app's own credentials for a logged-in user; its value is
	// written as the 200 JSON body. Required.
	Mint func(ctx context.Context, res *socialauth.Result) (any, error)

	// MaxBodyBytes limits the request body; a larger one is answered 413.
	// Zero means 16 KiB.
	MaxBodyBytes int64

	// ErrorStatus chooses the HTTP status of a failure from its code and the
	// status [ErrorCode] suggests. Nil keeps ErrorCode's.
	ErrorStatus func(code string, status int) int

	// ResumeData, for [Resume], applies what the client sent in the body's
	// "data" member (raw JSON, absent means null) to the paused login's State
	// before the paused step runs again; typically it stores it under a
	// socialauth.Key that the step reads. An error fails the resume; wrap
	// socialauth.ErrInvalidRequest for a 400. Nil ignores "data".
	ResumeData func(ctx context.Context, st *socialauth.State, data json.RawMessage) error

	// CurrentUser, for [Connect] and [Disconnect], says who is logged in,
	// from the request's own credentials (the app's token): nil (with a
	// nil error) when nobody is, which is answered 403 forbidden. Required
	// by those two.
	CurrentUser func(r *http.Request) (*socialauth.User, error)
}

func (o *Options) init() {
	if o.Mint == nil {
		panic("socialhttp: Options.Mint is nil")
	}
	o.defaults()
}

func (o *Options) defaults() {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 16 << 10
	}
}

// fail answers err: its code, and the status ErrorCode (or ErrorStatus) gives.
func (o *Options) fail(w http.ResponseWriter, err error) {
	code, st := ErrorCode(err)
	if errors.Is(err, errTooLarge) {
		st = http.StatusRequestEntityTooLarge
	}
	if o.ErrorStatus != nil {
		st = o.ErrorStatus(code, st)
	}
	WriteError(w, err, st)
}

// Exchange is the token-exchange endpoint. Its body is
//
//	{"access_token": "..."}                   a provider access token
//	{"id_token": "...", "nonce": "..."}       an OpenID Connect id_token (nonce optional)
//
// plus, beside Sign in with Apple's first id_token, the "user" object Apple
// gave the client, {"name": {"firstName": ..., "lastName": ...}}, whose name
// reaches the new user (Apple sends it only once and never in the token).
// It calls [socialauth.Service.Login] or [socialauth.Service.LoginIDToken]
// for the backend in the request context and answers Mint's value.
func Exchange(o Options) http.Handler {
	o.init()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc, backend, ok := o.begin(w, r)
		if !ok {
			return
		}
		var req exchangeRequest
		if err := o.decode(w, r, &req); err != nil {
			o.fail(w, err)
			return
		}
		ctx := r.Context()
		if req.user != nil {
			ctx = req.user.withName(ctx)
		}
		var (
			res *socialauth.Result
			err error
		)
		switch {
		case req.accessToken != nil && req.idToken != nil:
			err = fmt.Errorf("%w: send access_token or id_token, not both", socialauth.ErrInvalidRequest)
		case req.idToken != nil:
			res, err = svc.LoginIDToken(ctx, backend, *req.idToken, req.nonce)
		case req.accessToken != nil:
			res, err = svc.Login(ctx, backend, *req.accessToken)
		default:
			err = fmt.Errorf("%w: access_token or id_token is required", socialauth.ErrInvalidRequest)
		}
		o.finish(w, r, svc, res, err)
	})
}

// Resume continues a login that a step paused, whose failure answer carried
// a "partial_token". Its body is {"partial_token": "...", "data": ...};
// Options.ResumeData applies "data". It calls [socialauth.Service.Resume]
// and answers Mint's value, or the next failure (another pause included).
// An unknown, expired or already used token is a 404 partial_not_found.
func Resume(o Options) http.Handler {
	o.init()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc, backend, ok := o.begin(w, r)
		if !ok {
			return
		}
		var req resumeRequest
		if err := o.decode(w, r, &req); err != nil {
			o.fail(w, err)
			return
		}
		ctx := r.Context()
		var update func(*socialauth.State) error
		if o.ResumeData != nil {
			update = func(st *socialauth.State) error { return o.ResumeData(ctx, st, req.data) }
		}
		res, err := svc.Resume(ctx, backend, req.partialToken, update)
		o.finish(w, r, svc, res, err)
	})
}

// Connect links another provider to the logged-in user (Options.CurrentUser):
// its body is {"access_token": "..."} of that provider, checked as Exchange
// checks it ([socialauth.Service.Connect]), and the answer is Mint's value.
// A provider account that belongs to another user is a 409
// already_associated.
func Connect(o Options) http.Handler {
	o.init()
	if o.CurrentUser == nil {
		panic("socialhttp: Options.CurrentUser is nil")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc, backend, ok := o.begin(w, r)
		if !ok {
			return
		}
		var req connectRequest
		user, ok := o.userRequest(w, r, &req)
		if !ok {
			return
		}
		res, err := svc.Connect(r.Context(), backend, user, req.accessToken)
		o.finish(w, r, svc, res, err)
	})
}

// Disconnect unlinks the backend from the logged-in user
// (Options.CurrentUser): its body is {"association_id": "..."}, or {} for
// all of the user's associations with this backend
// ([socialauth.Service.Disconnect]: never their last way to log in, a 409
// not_allowed_to_disconnect; the provider's tokens are revoked where it
// can). Success is 204 No Content. Options.Mint is not used.
func Disconnect(o Options) http.Handler {
	o.defaults()
	if o.CurrentUser == nil {
		panic("socialhttp: Options.CurrentUser is nil")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc, backend, ok := o.begin(w, r)
		if !ok {
			return
		}
		var req disconnectRequest
		user, ok := o.userRequest(w, r, &req)
		if !ok {
			return
		}
		if err := svc.Disconnect(r.Context(), backend, user, req.associationID); err != nil {
			o.fail(w, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	})
}

// userRequest decodes the body of a request made for the logged-in user
// into v and returns that user; otherwise it answers the failure (a
// forbidden error when nobody is logged in) and reports false.
func (o *Options) userRequest(w http.ResponseWriter, r *http.Request, v json.Unmarshaler) (*socialauth.User, bool) {
	if err := o.decode(w, r, v); err != nil {
		o.fail(w, err)
		return nil, false
	}
	u, err := o.CurrentUser(r)
	if err == nil && (u == nil || u.ID == "") {
		err = fmt.Errorf("%w: nobody is logged in", socialauth.ErrAuthForbidden)
	}
	if err != nil {
		o.fail(w, err)
		return nil, false
	}
	return u, true
}

// begin checks the method and finds the Service and backend that
// socialauth.Handler put in the context.
func (o *Options) begin(w http.ResponseWriter, r *http.Request) (*socialauth.Service, string, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeCode(w, CodeMethodNotAllowed, http.StatusMethodNotAllowed)
		return nil, "", false
	}
	svc, b, ok := socialauth.FromContext(r.Context())
	if !ok {
		o.fail(w, socialauth.ErrUnknownBackend)
		return nil, "", false
	}
	return svc, b.Name(), true
}

func (o *Options) finish(w http.ResponseWriter, r *http.Request, svc *socialauth.Service, res *socialauth.Result, err error) {
	if err != nil {
		o.fail(w, err)
		return
	}
	out, err := o.Mint(r.Context(), res)
	if err != nil {
		svc.Logger().LogAttrs(r.Context(), slog.LevelError, "socialhttp: mint failed", slog.String("error", err.Error()))
		o.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// errTooLarge marks a body over MaxBodyBytes (answered 413).
var errTooLarge = fmt.Errorf("%w: request body too large", socialauth.ErrInvalidRequest)

// decode reads the body into v, strictly: a JSON content type, at most
// MaxBodyBytes, one object, nothing after it.
func (o *Options) decode(w http.ResponseWriter, r *http.Request, v json.Unmarshaler) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return fmt.Errorf("%w: content type must be application/json", socialauth.ErrInvalidRequest)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, o.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errTooLarge
		}
		return fmt.Errorf("%w: the body could not be read", socialauth.ErrInvalidRequest)
	}
	// json.Unmarshal refuses trailing data after the object.
	if err := json.Unmarshal(body, v); err != nil {
		if errors.Is(err, socialauth.ErrInvalidRequest) {
			return err
		}
		return fmt.Errorf("%w: malformed JSON body", socialauth.ErrInvalidRequest)
	}
	return nil
}

// withName puts the name of Apple's user object in ctx for the login's
// pipeline (see socialauth.WithDetails), each part trimmed and clipped.
func (u *appleUser) withName(ctx context.Context) context.Context {
	first, last := clipName(u.Name.FirstName), clipName(u.Name.LastName)
	if first == "" && last == "" {
		return ctx
	}
	return socialauth.WithDetails(ctx, socialauth.Details{FirstName: first, LastName: last})
}

// clipName trims a client-sent name and bounds it to 150 runes.
func clipName(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > 150 {
		s = string([]rune(s)[:150])
	}
	return s
}
