// Package socialauth brings Python Social Auth's model of social login to
// net/http: backends that check a provider's token, a configurable pipeline
// that maps the provider identity onto the host's users, and pluggable
// storage.
//
// Its headline use is the token exchange of a JSON API. A front end signs the
// user in with a provider and POSTs the provider's token; the back end checks
// the token with the provider, finds or creates the user and mints its own
// token:
//
//	mux.Handle("POST /api/login/social/{backend}/", socialauth.Handler(cfg)(
//		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			res, err := socialauth.DoAuth(r.Context(), accessTokenFromBody(r))
//			// on success: mint the app's token for res.User.ID
//		})))
//
// The pieces, in the order a request meets them:
//
//   - [Handler] (or [Service.Middleware]) resolves the backend named by the
//     route's {backend} wildcard among Config.Backends, answers 404 for an
//     unknown one, and puts it in the request context ([BackendFromContext]).
//   - [DoAuth] asks the [Backend] to check the token with the provider
//     ([Backend.Authenticate]) and gets a [Profile]: the provider's immutable
//     user id and the person's [Details].
//   - It then runs Config.Pipeline, a [Pipeline] of [Step]s over a [State]:
//     PSA's social_details, social_uid, auth_allowed, social_user,
//     get_username, create_user, associate_user, load_extra_data and
//     user_details, which the package pipeline provides (pipeline.Default).
//     A host inserts its own steps anywhere, and a step may [Pause].
//   - The steps read and write Config.Storage, a [Storage] made of small role
//     interfaces ([UserStore], [AssociationStore], [LoginStore], ...);
//     storage/memory and storage/sql implement it.
//   - DoAuth returns a [Result] with the [User], whether it is new and its
//     [Association]; failures are errors wrapping the sentinels in this
//     package, and [ErrorCode] turns them into opaque codes for clients.
//
// [ExchangeHandler] is a ready-made handler for the exchange endpoint;
// DoAuth stays the primitive that hosts wrap.
//
// One deliberate difference from PSA: Google's uid is its "sub" claim, never
// the email (PSA's default, a known account-takeover hazard).
package socialauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Config configures a [Service]. It is copied when handed over; changing it
// afterwards has no effect. Zero values are documented on each field.
type Config struct {
	// Backends are the providers this app accepts, each under its Name(). Two
	// backends with one name are a programmer error (Handler panics).
	Backends []Backend

	// Storage keeps users, associations, partials and nonces. Required.
	Storage Storage

	// Pipeline is the login pipeline. Required: write pipeline.Default(),
	// as PSA's settings spell out SOCIAL_AUTH_PIPELINE.
	Pipeline Pipeline

	// HTTPClient sends every request to providers. Nil means a client with a
	// 10-second timeout over a clone of http.DefaultTransport (keep-alive,
	// HTTPS_PROXY/NO_PROXY, the system's CA roots).
	HTTPClient *http.Client

	// Logger receives one line per failed login (no secrets). Nil means
	// slog.Default().
	Logger *slog.Logger

	// Now is the clock. Nil means time.Now.
	Now func() time.Time

	// BackendName extracts the backend name from a request. Nil means
	// r.PathValue("backend").
	BackendName func(r *http.Request) string

	// NotFound answers a request that names an unknown backend. Nil means a
	// 404 with the JSON body {"errors":{"code":"unknown_backend",...}}.
	NotFound http.Handler

	// DisconnectPipeline runs on [Disconnect]. Nil means Disconnect fails;
	// write pipeline.DefaultDisconnect().
	DisconnectPipeline Pipeline

	// PartialTTL is how long a paused pipeline may be resumed. Zero means
	// 30 minutes.
	PartialTTL time.Duration

	// AllowInactiveUsers lets a login that resolves to an inactive user
	// succeed. False (the default) fails it with ErrAuthForbidden.
	AllowInactiveUsers bool
}

// Service is a validated Config: the engine behind Handler and DoAuth. It is
// safe for concurrent use.
type Service struct {
	cfg      Config
	backends map[string]Backend
	client   *http.Client
	log      *slog.Logger
}

// New validates cfg and returns a Service. It reports configuration errors
// (no storage, no pipeline, duplicate or nameless backends).
func New(cfg Config) (*Service, error) {
	if cfg.Storage == nil {
		return nil, errors.New("socialauth: Config.Storage is nil")
	}
	if err := cfg.Pipeline.validate(); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, backends: make(map[string]Backend, len(cfg.Backends))}
	s.cfg.Backends = append([]Backend(nil), cfg.Backends...)
	s.cfg.Pipeline = append(Pipeline(nil), cfg.Pipeline...)
	if cfg.DisconnectPipeline != nil {
		if err := cfg.DisconnectPipeline.validate(); err != nil {
			return nil, fmt.Errorf("DisconnectPipeline: %w", err)
		}
		s.cfg.DisconnectPipeline = append(Pipeline(nil), cfg.DisconnectPipeline...)
	}
	for _, b := range cfg.Backends {
		if b == nil {
			return nil, errors.New("socialauth: Config.Backends holds a nil backend")
		}
		name := b.Name()
		if name == "" {
			return nil, fmt.Errorf("socialauth: backend %T has an empty name", b)
		}
		if _, dup := s.backends[name]; dup {
			return nil, fmt.Errorf("socialauth: two backends are named %q", name)
		}
		s.backends[name] = b
	}
	s.client = cfg.HTTPClient
	if s.client == nil {
		s.client = defaultClient()
	}
	s.log = cfg.Logger
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.cfg.Now == nil {
		s.cfg.Now = time.Now
	}
	if s.cfg.PartialTTL <= 0 {
		s.cfg.PartialTTL = 30 * time.Minute
	}
	if s.cfg.BackendName == nil {
		s.cfg.BackendName = func(r *http.Request) string { return r.PathValue("backend") }
	}
	if s.cfg.NotFound == nil {
		s.cfg.NotFound = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			WriteError(w, ErrUnknownBackend, http.StatusNotFound)
		})
	}
	return s, nil
}

// Handler returns middleware that resolves the backend named in the route
// and puts it, with the Service built from cfg, in the request context, where
// [DoAuth] finds it. A request naming an unknown backend gets Config.NotFound.
//
// Handler panics when cfg is invalid (see [New]): that is a programmer error
// found at start-up.
func Handler(cfg Config) func(http.Handler) http.Handler {
	s, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return s.Middleware
}

// Middleware is [Handler] for an existing Service.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := s.backends[s.cfg.BackendName(r)]
		if !ok {
			s.cfg.NotFound.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bindingKey, &binding{s, b})))
	})
}

// Backend returns the configured backend called name.
func (s *Service) Backend(name string) (Backend, bool) {
	b, ok := s.backends[name]
	return b, ok
}

// WithBackend returns ctx carrying the backend called name, as Handler does
// for a request: for callers that are not net/http handlers (a gRPC method, a
// job, a test). An unknown name wraps ErrUnknownBackend.
func (s *Service) WithBackend(ctx context.Context, name string) (context.Context, error) {
	b, ok := s.backends[name]
	if !ok {
		return ctx, fmt.Errorf("%w: %q", ErrUnknownBackend, name)
	}
	return context.WithValue(ctx, bindingKey, &binding{s, b}), nil
}

// defaultTimeout bounds every provider call made with the default client.
const defaultTimeout = 10 * time.Second

// defaultClient is the client used when Config.HTTPClient is nil: a clone of
// http.DefaultTransport (so HTTPS_PROXY/NO_PROXY, the system's CA roots and
// keep-alive behave as in any Go program) with a total timeout.
func defaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16 // a handful of providers, many logins each
	return &http.Client{Transport: t, Timeout: defaultTimeout}
}

type contextKey struct{ name string }

var (
	bindingKey = &contextKey{"socialauth.backend"}
	detailsKey = &contextKey{"socialauth.details"}
)

// WithDetails returns ctx carrying details the client sent beside the token,
// such as the name Apple sends only on the first authorization and never in
// its id_token. DoAuth, DoAuthIDToken and Connect start the pipeline's
// State.Details from them, and social_details keeps them over the
// provider's. They are the client's word: EmailVerified is dropped, and an
// email that differs from the provider's is never marked verified.
func WithDetails(ctx context.Context, d Details) context.Context {
	d.EmailVerified = false
	return context.WithValue(ctx, detailsKey, d)
}

type binding struct {
	svc     *Service
	backend Backend
}

func bindingFrom(ctx context.Context) (*binding, error) {
	b, ok := ctx.Value(bindingKey).(*binding)
	if !ok {
		return nil, ErrNoBackend
	}
	return b, nil
}

// BackendFromContext returns the backend Handler resolved for this request.
func BackendFromContext(ctx context.Context) (Backend, bool) {
	b, err := bindingFrom(ctx)
	if err != nil {
		return nil, false
	}
	return b.backend, true
}

// ServiceFromContext returns the Service Handler put in the context.
func ServiceFromContext(ctx context.Context) (*Service, bool) {
	b, err := bindingFrom(ctx)
	if err != nil {
		return nil, false
	}
	return b.svc, true
}

// Result is the outcome of a successful login.
type Result struct {
	User        *User
	Association *Association
	// IsNew: this login created User.
	IsNew bool
	// NewAssociation: this login created Association.
	NewAssociation bool
	// State is the pipeline's final state, where host steps leave their values.
	State *State
}

// DoAuth checks accessToken with the backend in ctx (put there by Handler),
// runs the pipeline and returns the user. Errors wrap the package's
// sentinels (ErrInvalidToken, ErrProviderUnavailable, ErrAuthForbidden, ...)
// inside an [*Error] that names the backend and step; a paused pipeline is a
// [*PausedError]. The error text never contains the token.
func DoAuth(ctx context.Context, accessToken string) (*Result, error) {
	b, err := bindingFrom(ctx)
	if err != nil {
		return nil, err
	}
	return b.svc.login(ctx, b.backend, nil, func(c *http.Client) (*Profile, error) {
		if accessToken == "" {
			return nil, fmt.Errorf("%w: access token", ErrMissingParameter)
		}
		return b.backend.Authenticate(ctx, c, accessToken)
	})
}

// DoAuthIDToken is DoAuth for an OpenID Connect id_token, as mobile sign-in
// SDKs hand one to a back end. nonce, when not empty, must match the token's
// and is then spent: the same nonce again fails with ErrInvalidToken. A
// backend that cannot verify id_tokens fails with ErrInvalidToken.
func DoAuthIDToken(ctx context.Context, idToken, nonce string) (*Result, error) {
	b, err := bindingFrom(ctx)
	if err != nil {
		return nil, err
	}
	return b.svc.login(ctx, b.backend, nil, func(c *http.Client) (*Profile, error) {
		if idToken == "" {
			return nil, fmt.Errorf("%w: id_token", ErrMissingParameter)
		}
		v, ok := b.backend.(IDTokenAuthenticator)
		if !ok {
			return nil, fmt.Errorf("%w: this backend does not accept id_tokens", ErrInvalidToken)
		}
		p, err := v.AuthenticateIDToken(ctx, c, idToken, nonce)
		if err != nil || nonce == "" {
			return p, err
		}
		// A nonce is single-use (OIDC Core §3.1.3.7): a replayed id_token
		// with its nonce is refused, in every process sharing the storage.
		scope := "id_token_nonce:" + b.backend.Name()
		if err := b.svc.cfg.Storage.UseNonce(ctx, scope, nonce, b.svc.cfg.Now().Add(nonceTTL)); err != nil {
			if errors.Is(err, ErrAlreadyExists) {
				return nil, fmt.Errorf("%w: the nonce was already used", ErrInvalidToken)
			}
			return nil, err
		}
		return p, nil
	})
}

// nonceTTL is how long a used id_token nonce is remembered: longer than any
// id_token the backends accept lives (their iat max age is 10 minutes).
const nonceTTL = time.Hour

// Connect links the provider identity behind accessToken to user, who is
// already logged in (PSA's association of a second provider). The identity
// must not belong to another user: that fails with ErrAlreadyAssociated.
func Connect(ctx context.Context, user *User, accessToken string) (*Result, error) {
	b, err := bindingFrom(ctx)
	if err != nil {
		return nil, err
	}
	if user == nil || user.ID == "" {
		return nil, fmt.Errorf("%w: user to connect", ErrMissingParameter)
	}
	return b.svc.login(ctx, b.backend, user, func(c *http.Client) (*Profile, error) {
		if accessToken == "" {
			return nil, fmt.Errorf("%w: access token", ErrMissingParameter)
		}
		return b.backend.Authenticate(ctx, c, accessToken)
	})
}

func (s *Service) login(ctx context.Context, b Backend, user *User, authenticate func(*http.Client) (*Profile, error)) (*Result, error) {
	p, err := authenticate(s.client)
	if err != nil {
		return nil, s.fail(ctx, &Error{Backend: b.Name(), Err: err})
	}
	st := &State{Backend: b, Storage: s.cfg.Storage, Client: s.client, Logger: s.log, now: s.cfg.Now, Profile: *p}
	if d, ok := ctx.Value(detailsKey).(Details); ok {
		st.Details = d
	}
	if user != nil {
		u := *user
		st.User = &u
	}
	return s.runFrom(ctx, st, 0)
}

func (s *Service) runFrom(ctx context.Context, st *State, start int) (*Result, error) {
	name := st.Backend.Name()
	i, err := s.cfg.Pipeline.run(ctx, st, start)
	if err != nil {
		step := s.cfg.Pipeline[i].Name
		var pause *pauseSignal
		if errors.As(err, &pause) {
			perr, serr := s.savePartial(ctx, st, i, pause.reason)
			if serr != nil {
				return nil, s.fail(ctx, &Error{Backend: name, Step: step, Err: serr})
			}
			return nil, &Error{Backend: name, Step: step, Err: perr}
		}
		return nil, s.fail(ctx, &Error{Backend: name, Step: step, Err: err})
	}
	if st.User == nil || st.User.ID == "" || st.Association == nil {
		return nil, s.fail(ctx, &Error{Backend: name, Err: fmt.Errorf("%w: the pipeline ended without a stored user and association", ErrAuthFailed)})
	}
	if !st.User.IsActive && !s.cfg.AllowInactiveUsers {
		return nil, s.fail(ctx, &Error{Backend: name, Err: fmt.Errorf("%w: user is inactive", ErrAuthForbidden)})
	}
	return &Result{User: st.User, Association: st.Association, IsNew: st.IsNew, NewAssociation: st.NewAssociation, State: st}, nil
}

func (s *Service) fail(ctx context.Context, err *Error) error {
	if s.log.Enabled(ctx, slog.LevelWarn) {
		attrs := []slog.Attr{slog.String("backend", err.Backend), slog.String("error", err.Error())}
		if err.Step != "" {
			attrs = append(attrs, slog.String("step", err.Step))
		}
		s.log.LogAttrs(ctx, slog.LevelWarn, "socialauth: login failed", attrs...)
	}
	return err
}

func (s *Service) savePartial(ctx context.Context, st *State, step int, reason string) (*PausedError, error) {
	data, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	tok, err := randomToken()
	if err != nil {
		return nil, err
	}
	p := &Partial{Token: tok, Backend: st.Backend.Name(), Step: step, Data: data, Expires: s.cfg.Now().Add(s.cfg.PartialTTL)}
	if err := s.cfg.Storage.SavePartial(ctx, p); err != nil {
		return nil, err
	}
	return &PausedError{Token: tok, Step: s.cfg.Pipeline[step].Name, Reason: reason}, nil
}

// Resume continues the pipeline that a step paused, for the backend in ctx.
// token is the PausedError's; it is single-use. update, when not nil, may
// change the restored State (for instance store what the client supplied
// under a [Key]) before the paused step runs again. A token that is unknown,
// expired, already used or belongs to another backend wraps ErrNotFound.
func Resume(ctx context.Context, token string, update func(*State) error) (*Result, error) {
	b, err := bindingFrom(ctx)
	if err != nil {
		return nil, err
	}
	return b.svc.resume(ctx, b.backend, token, update)
}

func (s *Service) resume(ctx context.Context, b Backend, token string, update func(*State) error) (*Result, error) {
	name := b.Name()
	if token == "" {
		return nil, &Error{Backend: name, Err: fmt.Errorf("%w: partial token", ErrMissingParameter)}
	}
	p, err := s.cfg.Storage.LoadPartial(ctx, token)
	if err != nil {
		return nil, s.fail(ctx, &Error{Backend: name, Err: fmt.Errorf("partial pipeline: %w", err)})
	}
	if p.Backend != name || p.Step < 0 || p.Step >= len(s.cfg.Pipeline) {
		return nil, s.fail(ctx, &Error{Backend: name, Err: fmt.Errorf("partial pipeline: %w", ErrNotFound)})
	}
	// Single use, even under concurrent resumes: exactly one caller wins the nonce.
	if err := s.cfg.Storage.UseNonce(ctx, "partial", token, p.Expires); err != nil {
		if errors.Is(err, ErrAlreadyExists) {
			err = ErrNotFound
		}
		return nil, s.fail(ctx, &Error{Backend: name, Err: fmt.Errorf("partial pipeline: %w", err)})
	}
	if err := s.cfg.Storage.DeletePartial(ctx, token); err != nil {
		return nil, s.fail(ctx, &Error{Backend: name, Err: err})
	}
	st := &State{}
	if err := json.Unmarshal(p.Data, st); err != nil {
		return nil, s.fail(ctx, &Error{Backend: name, Err: fmt.Errorf("partial pipeline: corrupt state: %w", err)})
	}
	st.Backend, st.Storage, st.Client, st.Logger, st.now = b, s.cfg.Storage, s.client, s.log, s.cfg.Now
	if update != nil {
		if err := update(st); err != nil {
			return nil, s.fail(ctx, &Error{Backend: name, Step: s.cfg.Pipeline[p.Step].Name, Err: err})
		}
	}
	return s.runFrom(ctx, st, p.Step)
}

// Disconnect unlinks the backend in ctx from user (PSA's disconnect): the
// association with associationID, or, when it is empty, all of user's
// associations with this backend. It runs Config.DisconnectPipeline, whose
// allowed_to_disconnect step refuses, with ErrNotAllowedToDisconnect, to
// leave the user without a way to log in. An association that is not the
// user's and this backend's wraps ErrNotFound.
func Disconnect(ctx context.Context, user *User, associationID string) error {
	b, err := bindingFrom(ctx)
	if err != nil {
		return err
	}
	s, name := b.svc, b.backend.Name()
	if user == nil || user.ID == "" {
		return &Error{Backend: name, Err: fmt.Errorf("%w: user to disconnect", ErrMissingParameter)}
	}
	if s.cfg.DisconnectPipeline == nil {
		return &Error{Backend: name, Err: errors.New("Config.DisconnectPipeline is nil; use pipeline.DefaultDisconnect()")}
	}
	u := *user
	st := &State{Backend: b.backend, Storage: s.cfg.Storage, Client: s.client, Logger: s.log, now: s.cfg.Now, User: &u}
	if associationID != "" {
		st.Association = &Association{ID: associationID}
	}
	if i, err := s.cfg.DisconnectPipeline.run(ctx, st, 0); err != nil {
		return s.fail(ctx, &Error{Backend: name, Step: s.cfg.DisconnectPipeline[i].Name, Err: err})
	}
	return nil
}

func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// ExchangeRequest is the body ExchangeHandler accepts: one of AccessToken or
// IDToken (with the Nonce the client used, if any), and, from Sign in with
// Apple's first authorization, the User object Apple gave the client.
type ExchangeRequest struct {
	AccessToken string        `json:"access_token"`
	IDToken     string        `json:"id_token"`
	Nonce       string        `json:"nonce"`
	User        *ExchangeUser `json:"user,omitempty"`
}

// ExchangeUser is Apple's "user" object: {"name": {"firstName", "lastName"},
// "email"}. The name reaches the pipeline through [WithDetails]; the email
// is ignored, since the id_token's is the one Apple vouches for.
type ExchangeUser struct {
	Name struct {
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	} `json:"name"`
	Email string `json:"email"`
}

// Exchange configures [ExchangeHandler].
type Exchange struct {
	// Mint makes the app's own credentials for a logged-in user; its value is
	// written as the 200 JSON body. Required.
	Mint func(ctx context.Context, res *Result) (any, error)
	// MaxBodyBytes limits the request body. Zero means 16 KiB.
	MaxBodyBytes int64
	// ErrorStatus chooses the HTTP status of a failure from its code and the
	// status ErrorCode suggests. Nil keeps ErrorCode's.
	ErrorStatus func(code string, status int) int
}

// ExchangeHandler is a ready-made token-exchange endpoint for use behind
// Handler: it decodes {"access_token": "..."} or {"id_token": "...",
// "nonce": "..."} strictly (unknown fields, trailing data and oversize
// bodies are 400s), calls DoAuth or DoAuthIDToken, and answers Mint's value,
// or {"errors": {"code": ..., "message": ...}} with an opaque code.
func ExchangeHandler(x Exchange) http.Handler {
	if x.Mint == nil {
		panic("socialauth: Exchange.Mint is nil")
	}
	if x.MaxBodyBytes <= 0 {
		x.MaxBodyBytes = 16 << 10
	}
	status := func(err error) (string, int) {
		code, st := ErrorCode(err)
		if x.ErrorStatus != nil {
			st = x.ErrorStatus(code, st)
		}
		return code, st
	}
	fail := func(w http.ResponseWriter, err error) {
		code, st := status(err)
		var paused *PausedError
		if errors.As(err, &paused) {
			// The client needs the handle to resume, and the step's reason.
			writeJSON(w, st, map[string]map[string]string{"errors": {
				"code": code, "message": messages[code], "partial_token": paused.Token, "reason": paused.Reason}})
			return
		}
		writeError(w, code, st)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
				fail(w, fmt.Errorf("%w: content type must be application/json", ErrMissingParameter))
				return
			}
		}
		var req ExchangeRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, x.MaxBodyBytes))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			fail(w, fmt.Errorf("%w: malformed JSON body", ErrMissingParameter))
			return
		}
		if _, err := dec.Token(); err != io.EOF {
			fail(w, fmt.Errorf("%w: trailing data after the JSON body", ErrMissingParameter))
			return
		}
		var (
			res *Result
			err error
		)
		ctx := r.Context()
		if req.User != nil {
			ctx = WithDetails(ctx, Details{FirstName: clipName(req.User.Name.FirstName), LastName: clipName(req.User.Name.LastName)})
		}
		switch {
		case req.AccessToken != "" && req.IDToken != "":
			err = fmt.Errorf("%w: send access_token or id_token, not both", ErrMissingParameter)
		case req.IDToken != "":
			res, err = DoAuthIDToken(ctx, req.IDToken, req.Nonce)
		default:
			res, err = DoAuth(ctx, req.AccessToken)
		}
		if err != nil {
			fail(w, err)
			return
		}
		out, err := x.Mint(r.Context(), res)
		if err != nil {
			if svc, ok := ServiceFromContext(r.Context()); ok {
				svc.log.LogAttrs(r.Context(), slog.LevelError, "socialauth: mint failed", slog.String("error", err.Error()))
			}
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// clipName trims a client-sent name and bounds it to 150 runes.
func clipName(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > 150 {
		s = string([]rune(s)[:150])
	}
	return s
}

var messages = map[string]string{
	CodeInvalidRequest:      "The request is malformed or lacks a required field.",
	CodeUnknownBackend:      "This backend is not configured.",
	CodeInvalidToken:        "The provider did not accept the token.",
	CodeCanceled:            "The login was canceled.",
	CodeForbidden:           "This account may not log in.",
	CodeAlreadyAssociated:   "This social account belongs to another user.",
	CodeProviderUnavailable: "The provider could not be reached; try again later.",
	CodeStateMismatch:       "The login request expired or was tampered with.",
	CodeNotAllowed:          "Disconnecting would leave the account without a way to log in.",
	CodePaused:              "The login needs more information.",
	CodeAuthFailed:          "The login failed.",
	CodeInternal:            "Internal error.",
}

// WriteError writes {"errors":{"code":...,"message":...}} for err with the
// given status (0 means ErrorCode's). The body holds only the opaque code and
// a fixed message, never err's text.
func WriteError(w http.ResponseWriter, err error, status int) {
	code, st := ErrorCode(err)
	if status == 0 {
		status = st
	}
	writeError(w, code, status)
}

func writeError(w http.ResponseWriter, code string, status int) {
	writeJSON(w, status, map[string]map[string]string{"errors": {"code": code, "message": messages[code]}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
