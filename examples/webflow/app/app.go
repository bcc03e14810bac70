// Package app is the web app of examples/webflow: the server-side browser
// login of socialhttp.Browser on one page. Signed out, the page has a
// "Sign in with …" button per provider; signed in, it shows the user, their
// connected accounts with a "Disconnect" button each, and a "Connect"
// button for every provider not connected yet. A first login pauses at a
// pipeline step ("webflow.welcome") until the person picks a display name
// and accepts the terms, in a form that posts to the Browser's Resume.
//
// The app's own session is a cookie holding a random id, signed with a
// random key, that names a user in memory; it gets a new id at every
// login. examples/webflow serves the app with two development providers;
// examples/browsertest drives it in Chromium.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
)

// Config is what the app is made of.
type Config struct {
	// BaseURL is the app's address as browsers reach it, with no trailing
	// slash ("http://127.0.0.1:8000"). A provider's callback is
	// CallbackURL(BaseURL, backend), registered at that provider.
	BaseURL string
	// Providers are the backends people sign in with, in the page's order;
	// each has a browser login (socialauth.CodeFlowBackend).
	Providers []Provider
	// Storage keeps the users, their accounts and the paused logins.
	Storage socialauth.Storage
	// HTTPClient reaches the providers. Nil means the library's default.
	HTTPClient *http.Client
	// Logger receives a line per failed login. Nil means slog.Default().
	Logger *slog.Logger
}

// Provider is a backend and the name the page shows for it.
type Provider struct {
	Backend socialauth.Backend
	Label   string
}

// CallbackURL is the redirect URI of backend for an app at base.
func CallbackURL(base, backend string) string {
	return strings.TrimRight(base, "/") + "/auth/complete/" + backend + "/"
}

// DevProviders serves two development providers on loopback ports, "dev"
// and "dev-work", each with the app at base registered as a client, and
// returns them with a function that stops them.
func DevProviders(base string) ([]Provider, func(), error) {
	var (
		providers []Provider
		servers   []*http.Server
	)
	stop := func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}
	for _, p := range []struct{ name, label string }{
		{"dev", "Development provider"},
		{"dev-work", "Work development provider"},
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			stop()
			return nil, nil, err
		}
		issuer := "http://" + ln.Addr().String()
		client := devprovider.Client{ID: "webflow", Secret: rand.Text(), RedirectURIs: []string{CallbackURL(base, p.name)}}
		srv := &http.Server{
			Handler:           devprovider.New(devprovider.Config{Issuer: issuer, Title: p.label, Clients: []devprovider.Client{client}}),
			ReadHeaderTimeout: 5 * time.Second,
		}
		go func() { _ = srv.Serve(ln) }()
		servers = append(servers, srv)
		providers = append(providers, Provider{Backend: devprovider.ClientBackend(p.name, issuer, client), Label: p.label})
	}
	return providers, stop, nil
}

// welcome is the answer to the welcome form, kept in the paused login.
var welcome = socialauth.NewKey[welcomeAnswer]("webflow.welcome")

type welcomeAnswer struct {
	DisplayName   string `json:"display_name"`
	AcceptedTerms bool   `json:"accepted_terms"`
}

// welcomeStep, before create_user, pauses a first login until the person
// has answered the welcome form: the terms must be accepted, and a display
// name, if given, becomes the new user's full name.
func welcomeStep(_ context.Context, s *socialauth.State) error {
	if s.User != nil { // a returning user, or a connect
		return nil
	}
	a, answered := welcome.Get(s)
	switch {
	case !answered:
		return socialauth.Pause("welcome")
	case !a.AcceptedTerms:
		return fmt.Errorf("%w: the terms were not accepted", socialauth.ErrAuthForbidden)
	}
	if a.DisplayName != "" {
		s.Details.FullName = a.DisplayName
	}
	return nil
}

// welcomeForm reads the welcome form into the paused login (the Browser's
// ResumeForm).
func welcomeForm(r *http.Request, s *socialauth.State) error {
	name := strings.TrimSpace(r.PostForm.Get("display_name"))
	if utf8.RuneCountInString(name) > 64 || !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return fmt.Errorf("%w: a display name is at most 64 printable characters", socialauth.ErrInvalidRequest)
	}
	welcome.Set(s, welcomeAnswer{DisplayName: name, AcceptedTerms: r.PostForm.Get("accept_terms") == "yes"})
	return nil
}

// app serves the page and the login routes.
type app struct {
	cfg       Config
	svc       *socialauth.Service
	sessions  *sessions
	origin    *http.CrossOriginProtection
	providers map[string]Provider
}

// New returns the app's handler.
func New(c Config) (http.Handler, error) {
	if c.BaseURL == "" || len(c.Providers) == 0 {
		return nil, errors.New("app: BaseURL and Providers are required")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	a := &app{cfg: c, sessions: newSessions(), origin: http.NewCrossOriginProtection(), providers: map[string]Provider{}}
	var backends []socialauth.Backend
	for _, p := range c.Providers {
		backends = append(backends, p.Backend)
		a.providers[p.Backend.Name()] = p
	}
	svc, err := socialauth.New(socialauth.Config{
		Backends: backends,
		Storage:  c.Storage,
		Pipeline: pipeline.Default().
			InsertBefore("create_user", socialauth.PipelineStep{Name: "webflow.welcome", Step: socialauth.StepFunc(welcomeStep)}).
			// The display name chosen at the first login stays.
			Replace("user_details", pipeline.UserDetails(pipeline.UserDetailsOptions{Protected: []string{"fullname"}})),
		DisconnectPipeline: pipeline.DefaultDisconnect(),
		HTTPClient:         c.HTTPClient,
		Logger:             c.Logger,
	})
	if err != nil {
		return nil, err
	}
	a.svc = svc

	b := socialhttp.Browser{
		RedirectURL: func(backend string) string { return CallbackURL(c.BaseURL, backend) },
		CurrentUser: a.currentUser,
		Success: func(w http.ResponseWriter, r *http.Request, res *socialauth.Result, _ string) (string, error) {
			a.sessions.start(w, r, res.User.ID) // a new session id at every login
			return "", nil
		},
		Error: a.loginFailed,
		Paused: func(w http.ResponseWriter, r *http.Request, backend, _ string) {
			http.Redirect(w, r, "/welcome?backend="+url.QueryEscape(backend), http.StatusSeeOther)
		},
		ResumeForm: welcomeForm,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /welcome", a.welcome)
	mux.HandleFunc("POST /logout", a.logout)
	mux.Handle("POST /auth/login/{backend}/", svc.Middleware(b.Begin()))
	mux.Handle("/auth/complete/{backend}/", svc.Middleware(b.Callback()))
	mux.Handle("POST /auth/resume/{backend}/", svc.Middleware(b.Resume()))
	mux.Handle("POST /auth/disconnect/{backend}/", svc.Middleware(b.Disconnect()))
	return mux, nil
}

// currentUser is the user of the request's session, or nil.
func (a *app) currentUser(r *http.Request) (*socialauth.User, error) {
	id, ok := a.sessions.userID(r)
	if !ok {
		return nil, nil
	}
	u, err := a.cfg.Storage.GetUser(r.Context(), id)
	if errors.Is(err, socialauth.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// loginFailed logs why and shows the page with the failure's message.
func (a *app) loginFailed(w http.ResponseWriter, r *http.Request, err error) {
	code, _ := socialhttp.ErrorCode(err)
	a.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "webflow: login failed", slog.String("code", code), slog.String("error", err.Error()))
	http.Redirect(w, r, "/?error="+url.QueryEscape(code), http.StatusSeeOther)
}

// errorMessages are what the page says for the failures it expects; any
// other code gets a generic line.
var errorMessages = map[string]string{
	socialhttp.CodeAuthCanceled:      "You declined to sign in at the provider.",
	socialhttp.CodeNotAllowed:        "That account is your only way to sign in: connect another one before you disconnect it.",
	socialhttp.CodeAlreadyAssociated: "That account already belongs to another user.",
	socialhttp.CodeStateMismatch:     "That sign-in was not started in this browser, or it expired. Please start again.",
	socialhttp.CodePartialNotFound:   "That sign-in expired. Please start again.",
	socialhttp.CodeForbidden:         "You may not sign in (the terms must be accepted).",
}

// page is what the template shows.
type page struct {
	Nonce     string
	User      *socialauth.User
	Accounts  []account
	Connect   []Provider // signed in: the providers not connected yet
	Providers []Provider // signed out: every provider
	Error     string
	Welcome   *Provider // the provider of a paused first login
}

type account struct {
	ID, Backend, Label, UID string
	Since                   time.Time
}

//go:embed page.html
var pageHTML string

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	p := page{}
	if code := r.URL.Query().Get("error"); code != "" {
		p.Error = "Sign-in failed."
		if m, ok := errorMessages[code]; ok {
			p.Error = m
		}
	}
	user, err := a.currentUser(r)
	if err != nil {
		a.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "webflow: reading the session's user", slog.String("error", err.Error()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if user == nil {
		p.Providers = a.cfg.Providers
		a.render(w, p)
		return
	}
	p.User = user
	assocs, err := a.svc.Associations(r.Context(), user.ID)
	if err != nil {
		a.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "webflow: reading the accounts", slog.String("error", err.Error()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	connected := map[string]bool{}
	for _, as := range assocs {
		connected[as.Provider] = true
		p.Accounts = append(p.Accounts, account{ID: as.ID, Backend: as.Provider, Label: a.providers[as.Provider].Label, UID: as.UID, Since: as.CreatedAt})
	}
	for _, pr := range a.cfg.Providers {
		if !connected[pr.Backend.Name()] {
			p.Connect = append(p.Connect, pr)
		}
	}
	a.render(w, p)
}

// welcome shows the form of a paused first login; it posts to Resume,
// which continues the login only in the browser that began it.
func (a *app) welcome(w http.ResponseWriter, r *http.Request) {
	pr, ok := a.providers[r.URL.Query().Get("backend")]
	if !ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	a.render(w, page{Welcome: &pr})
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if err := a.origin.Check(r); err != nil {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
		return
	}
	a.sessions.end(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// render writes the page under a Content-Security-Policy that runs no
// script and only the page's own style.
func (a *app) render(w http.ResponseWriter, p page) {
	p.Nonce = rand.Text()
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+p.Nonce+"'; img-src https:; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	if err := pageTemplate.Execute(w, p); err != nil {
		a.cfg.Logger.Error("webflow: rendering the page", slog.String("error", err.Error()))
	}
}

// sessions are the app's own logins: a random id, signed, in a cookie,
// naming a user in memory.
type sessions struct {
	key []byte
	mu  sync.Mutex
	ids map[string]session
}

type session struct {
	userID  string
	expires time.Time
}

const (
	sessionCookie = "__Host-webflow-session"
	sessionTTL    = 12 * time.Hour
)

func newSessions() *sessions {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	return &sessions{key: key, ids: map[string]session{}}
}

func (s *sessions) sign(id string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// id is the request's session id, if its cookie is one we signed.
func (s *sessions) id(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	id, sig, ok := strings.Cut(c.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(id))) {
		return "", false
	}
	return id, true
}

func (s *sessions) userID(r *http.Request) (string, bool) {
	id, ok := s.id(r)
	if !ok {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.ids[id]
	if !ok || time.Now().After(sess.expires) {
		return "", false
	}
	return sess.userID, true
}

// start logs userID in under a new session id, ending the request's
// session: an id that someone planted before the login is worth nothing.
func (s *sessions) start(w http.ResponseWriter, r *http.Request, userID string) {
	id := rand.Text()
	now := time.Now()
	s.mu.Lock()
	if old, ok := s.id(r); ok {
		delete(s.ids, old)
	}
	for k, sess := range s.ids {
		if now.After(sess.expires) {
			delete(s.ids, k)
		}
	}
	s.ids[id] = session{userID: userID, expires: now.Add(sessionTTL)}
	s.mu.Unlock()
	setSessionCookie(w, id+"."+s.sign(id), int(sessionTTL/time.Second))
}

func (s *sessions) end(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.id(r); ok {
		s.mu.Lock()
		delete(s.ids, id)
		s.mu.Unlock()
	}
	setSessionCookie(w, "", -1)
}

// setSessionCookie sets the session cookie: HttpOnly (no script reads it),
// SameSite=Lax (no other site's POST carries it), and "__Host-": Secure,
// this host only. Browsers count http://127.0.0.1 and localhost as secure.
func setSessionCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
