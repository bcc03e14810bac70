// Package socialauth is social login for net/http servers: it checks a token
// that a provider (Google, Apple, GitHub, Facebook, ...) gave your front end,
// maps the person behind it onto your users, and tells you who logged in, so
// that you can issue your own session or API token.
//
// The work hangs on one type, [Service], built from a [Config]. Each
// operation is a method that names the backend ("google-oauth2", "github",
// ...) explicitly:
//
//	svc, err := socialauth.New(socialauth.Config{
//		Backends: []socialauth.Backend{backends.GitHub(settings)},
//		Storage:  memory.New(),
//		Pipeline: pipeline.Default(),
//	})
//	res, err := svc.Login(ctx, "github", accessToken)
//	// res.User.ID is the user to issue your own token for
//
// The pieces, in the order a login meets them:
//
//   - A [Backend] checks the token with its provider, including that it was
//     issued to this app, and returns a [Profile]: the provider's immutable
//     user id and the person's [Details]. The package backends has one for
//     each supported provider.
//   - The [Pipeline], an ordered list of [Step]s over a [State], maps the
//     profile onto a [User]: find the user by the provider id, or create one,
//     then link the two with an [Association] and refresh the stored profile.
//     The package pipeline has the stock steps (pipeline.Default); a host adds
//     its own steps anywhere, and a step may [Pause] the login to ask the
//     client for more.
//   - The steps read and write [Storage], a set of small role interfaces
//     ([UserStore], [AssociationStore], [LoginStore], [PartialStore],
//     [NonceStore]); storage/memory and storage/sqlstore implement it.
//   - The method returns a [Result] with the user, whether it is new and its
//     association. A failure is an [*Error] that names the backend and the
//     step and wraps one of the package's sentinel errors.
//
// For HTTP routes, [Handler] (or [Service.Middleware]) resolves the backend
// named by the route's {backend} wildcard and puts it in the request context,
// where [DoAuth] finds it; the package socialhttp has ready-made JSON
// handlers (token exchange, resume, connect, disconnect).
//
// A web app's server-side login, the authorization-code flow, goes through
// backends with the power [CodeFlowBackend]: [Service.AuthCodeURL] begins
// it (PKCE, state and nonce sealed in a flow the browser keeps) and
// [Service.LoginCode] ends it; socialhttp.Browser has the handlers.
// [Service.AccessToken] keeps a stored provider token fresh.
//
// The model and the persisted names (backend names, step names, extra-data
// keys) follow Python Social Auth, so that a Django project can move its
// users over. One deliberate difference: Google's user id is its "sub"
// claim, never the email (PSA's default, a known account-takeover hazard).
package socialauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Config configures a [Service]. It is copied when handed over; changing it
// afterwards has no effect. Zero values are documented on each field.
type Config struct {
	// Backends are the providers this app accepts, each under its Name(). Two
	// backends with one name are a programmer error.
	Backends []Backend

	// Storage keeps users, associations, paused logins and used nonces.
	// Required.
	Storage Storage

	// Pipeline is the login pipeline. Required: write pipeline.Default(), or
	// your edit of it.
	Pipeline Pipeline

	// DisconnectPipeline runs on [Service.Disconnect]. Nil means Disconnect
	// fails; write pipeline.DefaultDisconnect().
	DisconnectPipeline Pipeline

	// HTTPClient sends every request to providers. Nil means a client with a
	// 10-second timeout over a clone of http.DefaultTransport (keep-alive,
	// HTTPS_PROXY/NO_PROXY, the system's CA roots).
	HTTPClient *http.Client

	// Logger receives one line per failed login (never a secret). Nil means
	// slog.Default().
	Logger *slog.Logger

	// Now is the clock. Nil means time.Now.
	Now func() time.Time

	// BackendName extracts the backend name from a request, for [Handler].
	// Nil means r.PathValue("backend"). It is called again when a handler
	// calls [DoAuth] if the name was not yet known when the middleware ran
	// (routers such as chi run r.Use middleware before routing).
	BackendName func(r *http.Request) string

	// NotFound answers a request that names an unknown backend. Nil means a
	// 404 with the JSON body {"errors":{"code":"unknown_backend",...}}.
	NotFound http.Handler

	// PartialTTL is how long a paused login may be resumed. Zero means 30
	// minutes.
	PartialTTL time.Duration

	// AllowInactiveUsers lets a login that resolves to an inactive user
	// succeed. False (the default) fails it with ErrAuthForbidden.
	AllowInactiveUsers bool

	// TokenKeys seal the provider tokens the library stores (the access,
	// refresh and id tokens in an association's ExtraData, and the saved
	// State of a paused login) with AES-256-GCM. Each key is 32 random
	// bytes. The first key seals and every key opens, so a key is rotated by
	// putting the new one first; remove the old one once no stored row uses
	// it. Values stored before keys were set are read as they are. Read
	// stored tokens through [Service.Associations] (a store read directly
	// gives them sealed). Nil stores tokens as the provider sent them.
	//
	// Keys derived from them (HKDF-SHA256) also seal the flows of browser
	// logins ([Service.AuthCodeURL]), which rotate with them. Nil seals
	// those with a random key made by [New]: a browser login must then
	// begin and end in one process, and a restart ends logins in progress;
	// set keys when several processes serve logins.
	TokenKeys [][]byte

	// DiscardTokens stores no provider token at all: once the provider has
	// vouched for the login, the tokens are dropped from the pipeline's
	// State, and so from associations and paused logins. Use it when the
	// app never calls the provider's API on the user's behalf.
	DiscardTokens bool

	// OnLogin, when set, is called once at the end of every operation of the
	// Service (login, connect, resume, disconnect), successful or not, with
	// what a metrics counter or an audit log needs. It never sees a token.
	// It runs on the request's goroutine: keep it fast.
	OnLogin func(ctx context.Context, e LoginEvent)
}

// LoginEvent is what [Config.OnLogin] receives.
type LoginEvent struct {
	// Backend is the backend name the operation was called with.
	Backend string
	// Operation is "login", "login_id_token", "connect", "login_code",
	// "connect_code", "resume" or "disconnect".
	Operation string
	// Err is nil on success; otherwise the error returned (its text holds
	// no secret). socialhttp.ErrorCode turns it into an outcome code.
	Err error
	// UserID is the logged-in user's ID on success ("" otherwise).
	UserID string
	// IsNew: the operation created the user.
	IsNew bool
	// Duration is the time the operation took.
	Duration time.Duration
}

// Service is a validated Config: the front door of the library. Each method
// runs one operation for the backend it names. It is safe for concurrent use.
type Service struct {
	cfg       Config
	backends  map[string]Backend
	client    *http.Client
	log       *slog.Logger
	flows     *sealer // seals browser flows (codeflow.go)
	refreshes flights // one refresh per association at a time (refresh.go)
}

// New validates cfg and returns a Service. It reports configuration errors:
// no storage, no pipeline, a nil, nameless or duplicate backend.
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
		s.cfg.NotFound = http.HandlerFunc(notFound)
	}
	if len(cfg.TokenKeys) > 0 || cfg.DiscardTokens {
		ts := &tokenStorage{Storage: cfg.Storage, discard: cfg.DiscardTokens}
		if len(cfg.TokenKeys) > 0 && !cfg.DiscardTokens {
			sl, err := newSealer(cfg.TokenKeys)
			if err != nil {
				return nil, err
			}
			ts.sealer = sl
		}
		s.cfg.Storage = ts
	}
	fs, err := newFlowSealer(cfg.TokenKeys)
	if err != nil {
		return nil, err
	}
	s.flows = fs
	s.cfg.TokenKeys = nil // the sealers hold what they need
	return s, nil
}

// notFound is the default Config.NotFound: the JSON error shape of the
// socialhttp handlers, with the code unknown_backend.
func notFound(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"errors":{"code":"unknown_backend","message":"This backend is not configured."}}` + "\n"))
}

// Backend returns the configured backend called name.
func (s *Service) Backend(name string) (Backend, bool) {
	b, ok := s.backends[name]
	return b, ok
}

// Logger is Config.Logger (slog.Default() when it was nil), for handlers
// built on the Service that log in the same place.
func (s *Service) Logger() *slog.Logger { return s.log }

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

// Token limits: what a login accepts as a provider token before any call to
// the provider.
const maxTokenBytes = 8 << 10

// checkToken refuses, before any provider call, a token that is empty,
// longer than 8 KiB, or made of characters outside RFC 6750's b64token
// grammar (letters, digits, "-._~+/", trailing "="), plus "!", which
// Salesforce's tokens carry. The error never holds the token.
func checkToken(kind, tok string) error {
	if strings.TrimSpace(tok) == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalidRequest, kind)
	}
	if len(tok) > maxTokenBytes {
		return fmt.Errorf("%w: %s is longer than %d bytes", ErrInvalidRequest, kind, maxTokenBytes)
	}
	end := len(tok)
	for end > 0 && tok[end-1] == '=' {
		end--
	}
	if end == 0 {
		return fmt.Errorf("%w: %s is not a bearer token", ErrInvalidRequest, kind)
	}
	for i := 0; i < end; i++ {
		c := tok[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '+', c == '/', c == '!':
		default:
			return fmt.Errorf("%w: %s has a character outside the bearer-token grammar at byte %d", ErrInvalidRequest, kind, i)
		}
	}
	return nil
}

// Login checks accessToken with the backend called backend, runs the
// pipeline and returns the user: the JSON API's token exchange.
//
// Errors are an [*Error] naming the backend and step that wraps one of the
// sentinels: [ErrInvalidRequest] (empty, oversized or malformed token,
// refused before any provider call), [ErrUnknownBackend], [ErrInvalidToken],
// [ErrProviderUnavailable], [ErrAuthForbidden], ...; a paused pipeline is a
// [*PausedError]. No error text contains the token.
//
// A backend that verifies the token as an id_token (Sign in with Apple)
// spends it: the same id_token logs in at most once.
func (s *Service) Login(ctx context.Context, backend, accessToken string) (res *Result, err error) {
	defer s.observe(ctx, "login", backend, time.Now())(&res, &err)
	b, err := s.backendFor(backend)
	if err != nil {
		return nil, err
	}
	return s.login(ctx, b, nil, func() (*Profile, error) {
		if err := checkToken("access token", accessToken); err != nil {
			return nil, err
		}
		p, err := b.Authenticate(ctx, s.client, accessToken)
		if err != nil {
			return nil, err
		}
		if p.Token.IDToken != "" && p.Token.IDToken == accessToken {
			return p, s.spendIDToken(ctx, p, accessToken)
		}
		return p, nil
	})
}

// LoginIDToken is Login for an OpenID Connect id_token, as the mobile
// sign-in SDKs of Google, Apple and Microsoft hand one to a back end. nonce,
// when not empty, must match the token's. An id_token logs in at most once,
// through any backend and whether or not a nonce is sent: a replay fails with
// [ErrInvalidToken]. A backend that cannot verify id_tokens fails with
// ErrInvalidToken.
func (s *Service) LoginIDToken(ctx context.Context, backend, idToken, nonce string) (res *Result, err error) {
	defer s.observe(ctx, "login_id_token", backend, time.Now())(&res, &err)
	b, err := s.backendFor(backend)
	if err != nil {
		return nil, err
	}
	return s.login(ctx, b, nil, func() (*Profile, error) {
		if err := checkToken("id_token", idToken); err != nil {
			return nil, err
		}
		v, ok := b.(IDTokenAuthenticator)
		if !ok {
			return nil, fmt.Errorf("%w: this backend does not accept id_tokens", ErrInvalidToken)
		}
		p, err := v.AuthenticateIDToken(ctx, s.client, idToken, nonce)
		if err != nil {
			return nil, err
		}
		return p, s.spendIDToken(ctx, p, idToken)
	})
}

// idTokenTTL is how long a used id_token is remembered when it says nothing
// shorter: longer than any id_token the backends accept lives (their iat max
// age is at most an hour).
const idTokenTTL = time.Hour

// spendIDToken records the id_token as used, in every process sharing the
// storage and for every backend (one token verified by two backends of one
// provider is still one login). The record is the token's SHA-256, never the
// token; it lasts until the token expires, and at least idTokenTTL.
func (s *Service) spendIDToken(ctx context.Context, p *Profile, idToken string) error {
	now := s.cfg.Now()
	expires := now.Add(idTokenTTL)
	if p.Token.Expiry.After(expires) {
		expires = p.Token.Expiry
	}
	sum := sha256.Sum256([]byte(idToken))
	if err := s.cfg.Storage.UseNonce(ctx, "id_token", hex.EncodeToString(sum[:]), expires); err != nil {
		if errors.Is(err, ErrAlreadyExists) {
			return fmt.Errorf("%w: this id_token was already used", ErrInvalidToken)
		}
		return err
	}
	return nil
}

// Connect links the provider identity behind accessToken to user, who is
// already logged in: a second way for them to log in. An identity that
// belongs to another user fails with [ErrAlreadyAssociated].
func (s *Service) Connect(ctx context.Context, backend string, user *User, accessToken string) (res *Result, err error) {
	defer s.observe(ctx, "connect", backend, time.Now())(&res, &err)
	b, err := s.backendFor(backend)
	if err != nil {
		return nil, err
	}
	if user == nil || user.ID == "" {
		return nil, &Error{Backend: backend, Err: fmt.Errorf("%w: no user to connect", ErrInvalidRequest)}
	}
	return s.login(ctx, b, user, func() (*Profile, error) {
		if err := checkToken("access token", accessToken); err != nil {
			return nil, err
		}
		return b.Authenticate(ctx, s.client, accessToken)
	})
}

// Disconnect unlinks backend from user: the association with
// associationID, or, when it is empty, all of user's associations with this
// backend. It runs Config.DisconnectPipeline, whose stock steps refuse, with
// [ErrNotAllowedToDisconnect], to leave the user without a way to log in. An
// association that is not the user's and this backend's wraps [ErrNotFound].
//
// When the pipeline has removed associations (State.Entries) and the
// backend can revoke tokens (see [CodeFlowBackend]), their stored provider
// tokens are then revoked, best effort: a provider that fails is logged and
// the disconnect still succeeds.
func (s *Service) Disconnect(ctx context.Context, backend string, user *User, associationID string) (err error) {
	var none *Result
	defer s.observe(ctx, "disconnect", backend, time.Now())(&none, &err)
	b, err := s.backendFor(backend)
	if err != nil {
		return err
	}
	if user == nil || user.ID == "" {
		return &Error{Backend: backend, Err: fmt.Errorf("%w: no user to disconnect", ErrInvalidRequest)}
	}
	if s.cfg.DisconnectPipeline == nil {
		return &Error{Backend: backend, Err: errors.New("Config.DisconnectPipeline is nil; use pipeline.DefaultDisconnect()")}
	}
	st := s.newState(b)
	u := *user
	st.User = &u
	if associationID != "" {
		st.Association = &Association{ID: associationID}
	}
	if i, err := s.cfg.DisconnectPipeline.run(ctx, st, 0); err != nil {
		return s.fail(ctx, &Error{Backend: backend, Step: s.cfg.DisconnectPipeline[i].Name, Err: err})
	}
	s.revoke(ctx, b, st.Entries)
	return nil
}

// Resume continues a login that a step paused. partialToken is the
// [PausedError]'s Token; it is single-use. update, when not nil, may change
// the restored State (for instance store what the client supplied under a
// [Key]) before the paused step runs again; when it fails, the token is not
// spent, so the client can correct its input and try again. A token that is unknown,
// expired, already used or belongs to another backend fails with
// [ErrPartialNotFound].
func (s *Service) Resume(ctx context.Context, backend, partialToken string, update func(*State) error) (res *Result, err error) {
	defer s.observe(ctx, "resume", backend, time.Now())(&res, &err)
	b, err := s.backendFor(backend)
	if err != nil {
		return nil, err
	}
	return s.resume(ctx, b, partialToken, update)
}

// NewState returns a State for a login through backend, attached to the
// Service's storage, HTTP client, logger and clock, with the profile p (may
// be nil). Logins make their own; this is for running a step directly, as
// in the tests of a host's own step.
func (s *Service) NewState(backend string, p *Profile) (*State, error) {
	b, err := s.backendFor(backend)
	if err != nil {
		return nil, err
	}
	st := s.newState(b)
	if p != nil {
		st.Profile = *p
	}
	return st, nil
}

// observe returns what reports an operation to Config.OnLogin when it ends.
func (s *Service) observe(ctx context.Context, op, backend string, start time.Time) func(**Result, *error) {
	return func(res **Result, err *error) {
		if s.cfg.OnLogin == nil {
			return
		}
		e := LoginEvent{Backend: backend, Operation: op, Err: *err, Duration: time.Since(start)}
		if r := *res; r != nil && r.User != nil {
			e.UserID, e.IsNew = r.User.ID, r.IsNew
		}
		s.cfg.OnLogin(ctx, e)
	}
}

// Associations returns user's associations, oldest first, with their
// stored provider tokens opened (see Config.TokenKeys).
func (s *Service) Associations(ctx context.Context, userID string) ([]*Association, error) {
	return s.cfg.Storage.AssociationsForUser(ctx, userID)
}

func (s *Service) newState(b Backend) *State {
	return &State{Backend: b, Storage: s.cfg.Storage, Client: s.client, Logger: s.log, now: s.cfg.Now}
}

func (s *Service) backendFor(name string) (Backend, error) {
	b, ok := s.backends[name]
	if !ok {
		return nil, &Error{Backend: name, Err: ErrUnknownBackend}
	}
	return b, nil
}

func (s *Service) login(ctx context.Context, b Backend, user *User, authenticate func() (*Profile, error)) (*Result, error) {
	p, err := authenticate()
	if err != nil {
		return nil, s.fail(ctx, &Error{Backend: b.Name(), Err: err})
	}
	st := s.newState(b)
	st.Profile = *p
	if s.cfg.DiscardTokens {
		// Kept nowhere, so not compared with what is stored either: a
		// returning login writes nothing.
		st.Profile.Token = Token{}
	}
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
	if s.cfg.DiscardTokens {
		st.Profile.Token = Token{Expiry: st.Profile.Token.Expiry, TokenType: st.Profile.Token.TokenType}
	}
	data, err := st.encode()
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

func (s *Service) resume(ctx context.Context, b Backend, token string, update func(*State) error) (*Result, error) {
	name := b.Name()
	if err := checkToken("partial token", token); err != nil {
		return nil, &Error{Backend: name, Err: err}
	}
	p, err := s.cfg.Storage.LoadPartial(ctx, token)
	if errors.Is(err, ErrNotFound) {
		err = ErrPartialNotFound
	}
	if err != nil {
		return nil, s.fail(ctx, &Error{Backend: name, Err: err})
	}
	if p.Backend != name || p.Step < 0 || p.Step >= len(s.cfg.Pipeline) {
		return nil, s.fail(ctx, &Error{Backend: name, Err: ErrPartialNotFound})
	}
	st := s.newState(b)
	if err := st.decode(p.Data); err != nil {
		return nil, s.fail(ctx, &Error{Backend: name, Err: fmt.Errorf("paused login: corrupt state: %w", err)})
	}
	// The client's input is applied before the token is spent, so that
	// input the host refuses can be corrected and sent again.
	if update != nil {
		if err := update(st); err != nil {
			return nil, s.fail(ctx, &Error{Backend: name, Step: s.cfg.Pipeline[p.Step].Name, Err: err})
		}
	}
	// Single use, even under concurrent resumes: exactly one caller wins the nonce.
	if err := s.cfg.Storage.UseNonce(ctx, "partial", token, p.Expires); err != nil {
		if errors.Is(err, ErrAlreadyExists) {
			err = ErrPartialNotFound
		}
		return nil, s.fail(ctx, &Error{Backend: name, Err: err})
	}
	if err := s.cfg.Storage.DeletePartial(ctx, token); err != nil {
		return nil, s.fail(ctx, &Error{Backend: name, Err: err})
	}
	return s.runFrom(ctx, st, p.Step)
}

func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// String describes the result without tokens, for %v.
func (r Result) String() string {
	userID, assocID := "", ""
	if r.User != nil {
		userID = r.User.ID
	}
	if r.Association != nil {
		assocID = r.Association.ID
	}
	return fmt.Sprintf("socialauth.Result{UserID:%q AssociationID:%q IsNew:%t NewAssociation:%t}", userID, assocID, r.IsNew, r.NewAssociation)
}

// GoString is String, for %#v.
func (r Result) GoString() string { return r.String() }

// LogValue implements [slog.LogValuer]: ids and flags, never tokens.
func (r Result) LogValue() slog.Value {
	var attrs []slog.Attr
	if r.User != nil {
		attrs = append(attrs, slog.String("user_id", r.User.ID))
	}
	if r.Association != nil {
		attrs = append(attrs, slog.Any("association", *r.Association))
	}
	return slog.GroupValue(append(attrs, slog.Bool("is_new", r.IsNew), slog.Bool("new_association", r.NewAssociation))...)
}

// MarshalJSON writes the user, the association (its tokens redacted) and
// the flags; the State is left out.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		User           *User        `json:"user"`
		Association    *Association `json:"association"`
		IsNew          bool         `json:"is_new"`
		NewAssociation bool         `json:"new_association"`
	}{r.User, r.Association, r.IsNew, r.NewAssociation})
}
