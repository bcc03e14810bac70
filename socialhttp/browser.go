package socialhttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// Browser is the server-side login of a web app: the authorization-code
// flow of RFC 6749 §4.1, done as RFC 9700 asks, for every backend with the
// power socialauth.CodeFlowBackend. Its handlers run behind
// socialauth.Handler, which resolves the backend named in the route:
//
//	login := socialauth.Handler(cfg)
//	b := socialhttp.Browser{
//		RedirectURL: func(backend string) string { return "https://app.example.com/auth/complete/" + backend + "/" },
//		CurrentUser: currentUser, // from the app's session
//		Success:     startSession,
//	}
//	mux.Handle("POST /auth/login/{backend}/", login(b.Begin()))
//	mux.Handle("/auth/complete/{backend}/", login(b.Callback()))
//	mux.Handle("POST /auth/resume/{backend}/", login(b.Resume()))
//	mux.Handle("POST /auth/disconnect/{backend}/", login(b.Disconnect()))
//
// A login begins with a POST from the app's own pages (a cross-origin
// request is refused, see http.CrossOriginProtection) and sends the browser
// to the provider. The login's state, PKCE verifier and nonce travel sealed
// ([socialauth.Service.AuthCodeURL]) in an HttpOnly, Secure, "__Host-"
// cookie of that backend, SameSite=Lax, or SameSite=None for a provider
// that answers with a cross-site POST (Apple's response_mode=form_post),
// so that no server-side session is needed; the callback deletes it
// whatever happens and hands it to [socialauth.Service.LoginCode], which
// redeems the code only for the browser, backend and state it was made
// for, once.
//
// A logged-in user (CurrentUser) who begins a login connects the provider
// to their account instead, as Python Social Auth does; the callback
// completes it only for that same user. A login that a pipeline step
// pauses continues, through Resume, only in the browser that began it: the
// paused login's token is kept in a cookie, never in a URL or a page.
type Browser struct {
	// RedirectURL returns the callback address of backend, exactly as
	// registered at the provider (the Callback route). It comes from
	// configuration, never from the request: the Host and
	// X-Forwarded-Host headers are the client's to choose. Required.
	RedirectURL func(backend string) string

	// CurrentUser says who is logged in to the app: nil (with a nil error)
	// when nobody is. When someone is, Begin connects the provider to
	// them rather than logging in, and Disconnect needs someone. Nil means
	// nobody ever is.
	CurrentUser func(r *http.Request) (*socialauth.User, error)

	// Success is called when a login, connect or resumed login succeeds.
	// It starts the app's session for res.User under a new session id
	// (never the one the request came with: session fixation), and may
	// choose where the browser goes: to is where it would go (see the
	// redirects below), and a non-empty return replaces it, as it is. An
	// error goes to the error path instead. Required.
	Success func(w http.ResponseWriter, r *http.Request, res *socialauth.Result, to string) (string, error)

	// Error, when set, answers every failure. err wraps one of socialauth's
	// sentinels (ErrorCode gives its opaque code): ErrAuthCanceled when the
	// person declined at the provider (its text ends with the provider's
	// error_description, restricted to the characters RFC 6749 allows there
	// and HTML-escaped); ErrStateMismatch for a
	// callback that is not this browser's login; ErrAlreadyAssociated when
	// the account being connected belongs to another user. Nil means a
	// redirect to ErrorURL, or a short page.
	Error func(w http.ResponseWriter, r *http.Request, err error)
	// ErrorURL (PSA's LOGIN_ERROR_URL) is where failures go when Error is
	// nil, with "error=<code>" added to its query. Empty means a short
	// HTML page with ErrorCode's status and the code's fixed message.
	ErrorURL string

	// Paused is called when a pipeline step paused the login: the app
	// shows the page that asks for what the step needs (reason is the
	// step's), whose form POSTs to Resume for backend. Nil means a paused
	// login fails.
	Paused func(w http.ResponseWriter, r *http.Request, backend, reason string)
	// ResumeForm applies what the browser posted to Resume to the paused
	// login's State before the paused step runs again; typically it stores
	// a form value under a socialauth.Key. An error fails the resume. Nil
	// ignores the form.
	ResumeForm func(r *http.Request, st *socialauth.State) error

	// LoginRedirect is where a login goes when the request named no safe
	// "next" (PSA's LOGIN_REDIRECT_URL). Empty means "/".
	LoginRedirect string
	// NewUserRedirect, when set, is where a login that created its user
	// goes, whatever "next" said (PSA's NEW_USER_REDIRECT_URL).
	NewUserRedirect string
	// NewAssociationRedirect, when set, is where a login or connect that
	// linked a new provider account to an existing user goes (PSA's
	// NEW_ASSOCIATION_REDIRECT_URL).
	NewAssociationRedirect string
	// DisconnectRedirect is where Disconnect goes without a safe "next".
	// Empty means LoginRedirect.
	DisconnectRedirect string
	// AllowedHosts are the hosts (with port, if not the default) that an
	// absolute https "next" may name (PSA's ALLOWED_REDIRECT_HOSTS). A
	// "next" that is neither a path on this site nor such a URL is ignored.
	AllowedHosts []string

	// LoginOnGET lets a GET begin a login. A login begun by any link or
	// image of another site is login CSRF; leave it false and begin with a
	// POST from a form of the app.
	LoginOnGET bool

	// MaxBodyBytes bounds a form or callback body; zero means 64 KiB.
	MaxBodyBytes int64
}

// Cookie names: "__Host-" makes the browser keep a cookie only if it is
// Secure, for the whole site ("Path=/") and of this host alone (no Domain).
const (
	flowCookiePrefix = "__Host-socialauth-flow-"
	partialCookie    = "__Host-socialauth-partial"
	// cookieMaxAge is the life of the flow cookie: the Service's flow TTL.
	cookieMaxAge = 15 * 60
)

// browser is a validated Browser.
type browser struct {
	Browser
	origin *http.CrossOriginProtection
}

func (b Browser) init() *browser {
	switch {
	case b.RedirectURL == nil:
		panic("socialhttp: Browser.RedirectURL is nil")
	case b.Success == nil:
		panic("socialhttp: Browser.Success is nil")
	}
	if b.LoginRedirect == "" {
		b.LoginRedirect = "/"
	}
	if b.DisconnectRedirect == "" {
		b.DisconnectRedirect = b.LoginRedirect
	}
	if b.MaxBodyBytes <= 0 {
		b.MaxBodyBytes = 64 << 10
	}
	b.AllowedHosts = append([]string(nil), b.AllowedHosts...)
	return &browser{Browser: b, origin: http.NewCrossOriginProtection()}
}

// Begin is the login button's target: it begins a login (or, for a
// logged-in user, a connect) through the backend in the route and
// redirects the browser to the provider. The form's "next" is where to go
// afterwards, if it is safe (see AllowedHosts). It answers POST (and GET
// with LoginOnGET).
func (b Browser) Begin() http.Handler { return http.HandlerFunc(b.init().begin) }

// Callback is the redirect URI registered at the provider: it ends the
// login the browser began, as GET (the query) or POST (a form_post body),
// and calls Success, Paused or the error path.
func (b Browser) Callback() http.Handler { return http.HandlerFunc(b.init().callback) }

// Resume continues a login that a step paused, in the browser that began
// it, with what the browser posts (see ResumeForm). It answers POST.
func (b Browser) Resume() http.Handler { return http.HandlerFunc(b.init().resume) }

// Disconnect unlinks the backend in the route from the logged-in user
// (socialauth.Service.Disconnect: never their last way to log in; the
// provider's tokens are revoked where it can), the association named by the
// form's "association_id" or, without it, all of theirs with this backend,
// then redirects to the form's safe "next" or DisconnectRedirect. It
// answers POST.
func (b Browser) Disconnect() http.Handler { return http.HandlerFunc(b.init().disconnect) }

// flowData is what Begin keeps in the flow, for the callback.
type flowData struct {
	connectUser string // the user a connect is for ("" for a login)
	next        string // the safe "next", or ""
}

func (d flowData) encode() []byte {
	v := url.Values{}
	if d.connectUser != "" {
		v.Set("u", d.connectUser)
	}
	if d.next != "" {
		v.Set("n", d.next)
	}
	return []byte(v.Encode())
}

func decodeFlowData(b []byte) flowData {
	v, _ := url.ParseQuery(string(b)) // sealed by us: it parses
	return flowData{connectUser: v.Get("u"), next: v.Get("n")}
}

// service finds the Service and backend socialauth.Handler resolved.
func (b *browser) service(w http.ResponseWriter, r *http.Request) (*socialauth.Service, string, bool) {
	svc, be, ok := socialauth.FromContext(r.Context())
	if !ok {
		b.fail(w, r, nil, &socialauth.Error{Err: socialauth.ErrUnknownBackend})
		return nil, "", false
	}
	return svc, be.Name(), true
}

// post admits a POST from the app's own pages, with a bounded form.
func (b *browser) post(w http.ResponseWriter, r *http.Request, alsoGET bool) bool {
	switch {
	case r.Method == http.MethodGet && alsoGET:
	case r.Method == http.MethodPost:
		if err := b.origin.Check(r); err != nil {
			b.fail(w, r, nil, fmt.Errorf("%w: a cross-origin request", socialauth.ErrAuthForbidden))
			return false
		}
	default:
		allow := http.MethodPost
		if alsoGET {
			allow = "GET, POST"
		}
		w.Header().Set("Allow", allow)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, b.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		b.fail(w, r, nil, fmt.Errorf("%w: the form could not be read", socialauth.ErrInvalidRequest))
		return false
	}
	return true
}

func (b *browser) currentUser(r *http.Request) (*socialauth.User, error) {
	if b.CurrentUser == nil {
		return nil, nil
	}
	u, err := b.CurrentUser(r)
	if err != nil || u == nil || u.ID == "" {
		return nil, err
	}
	return u, nil
}

func (b *browser) begin(w http.ResponseWriter, r *http.Request) {
	if !b.post(w, r, b.LoginOnGET) {
		return
	}
	svc, name, ok := b.service(w, r)
	if !ok {
		return
	}
	user, err := b.currentUser(r)
	if err != nil {
		b.fail(w, r, svc, err)
		return
	}
	d := flowData{}
	if user != nil {
		d.connectUser = user.ID
	}
	d.next, _ = safeNext(r.Form.Get("next"), b.AllowedHosts)
	authURL, flow, err := svc.AuthCodeURL(r.Context(), name, b.RedirectURL(name), d.encode())
	if err != nil {
		b.fail(w, r, svc, err)
		return
	}
	setCookie(w, flowCookie(name), flow, cookieMaxAge, formPost(authURL))
	redirect(w, authURL)
}

// formPost: the provider answers with a cross-site POST (OAuth 2.0 Form
// Post Response Mode), which SameSite=Lax cookies do not follow.
func formPost(authURL string) bool {
	u, err := url.Parse(authURL)
	return err == nil && u.Query().Get("response_mode") == "form_post"
}

func (b *browser) callback(w http.ResponseWriter, r *http.Request) {
	var params url.Values
	switch r.Method {
	case http.MethodGet:
		params = r.URL.Query()
	case http.MethodPost: // form_post: a cross-site POST, so no origin check
		r.Body = http.MaxBytesReader(w, r.Body, b.MaxBodyBytes)
		if err := r.ParseForm(); err != nil {
			b.fail(w, r, nil, fmt.Errorf("%w: the callback's form could not be read", socialauth.ErrInvalidRequest))
			return
		}
		params = r.PostForm
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	svc, name, ok := b.service(w, r)
	if !ok {
		return
	}
	// Single use in this browser whatever happens next.
	setCookie(w, flowCookie(name), "", -1, r.Method == http.MethodPost)
	var flow string
	if c, err := r.Cookie(flowCookie(name)); err == nil {
		flow = c.Value
	}
	data, err := svc.FlowData(name, flow)
	if err != nil {
		svc.Logger().LogAttrs(r.Context(), slog.LevelWarn, "socialhttp: a callback without this browser's login",
			slog.String("backend", name), slog.String("error", err.Error()))
		b.fail(w, r, svc, err)
		return
	}
	d := decodeFlowData(data)
	ctx := r.Context()
	if r.Method == http.MethodPost {
		ctx = withAppleName(ctx, params.Get("user"))
	}
	var res *socialauth.Result
	if d.connectUser != "" {
		user, uerr := b.currentUser(r)
		switch {
		case uerr != nil:
			b.fail(w, r, svc, uerr)
			return
		case user == nil || user.ID != d.connectUser:
			b.fail(w, r, svc, &socialauth.Error{Backend: name, Err: fmt.Errorf("%w: the connect began for another user", socialauth.ErrStateMismatch)})
			return
		}
		res, err = svc.ConnectCode(ctx, name, user, flow, params)
	} else {
		res, err = svc.LoginCode(ctx, name, flow, params)
	}
	b.finish(w, r, svc, name, d, res, err)
}

// withAppleName puts the name from Sign in with Apple's "user" JSON, sent
// beside the code on the first authorization only, in ctx.
func withAppleName(ctx context.Context, raw string) context.Context {
	if raw == "" {
		return ctx
	}
	var u appleUser
	if json.Unmarshal([]byte(raw), &u) != nil {
		return ctx
	}
	return u.withName(ctx)
}

// finish answers the outcome of a login, connect or resume.
func (b *browser) finish(w http.ResponseWriter, r *http.Request, svc *socialauth.Service, name string, d flowData, res *socialauth.Result, err error) {
	var paused *socialauth.PausedError
	if errors.As(err, &paused) && b.Paused != nil {
		v := url.Values{"b": {name}, "t": {paused.Token}}
		if d.next != "" {
			v.Set("n", d.next)
		}
		setCookie(w, partialCookie, v.Encode(), 0, false)
		b.Paused(w, r, name, paused.Reason)
		return
	}
	if err != nil {
		b.fail(w, r, svc, err)
		return
	}
	to := b.destination(res, d.next)
	chosen, err := b.Success(w, r, res, to)
	if err != nil {
		b.fail(w, r, svc, err)
		return
	}
	if chosen != "" {
		to = chosen
	}
	redirect(w, to)
}

// destination is where a successful login goes, as PSA decides: a new
// user to NewUserRedirect, a new association to NewAssociationRedirect,
// each when set; otherwise "next", else LoginRedirect.
func (b *browser) destination(res *socialauth.Result, next string) string {
	switch {
	case res.IsNew && b.NewUserRedirect != "":
		return b.NewUserRedirect
	case !res.IsNew && res.NewAssociation && b.NewAssociationRedirect != "":
		return b.NewAssociationRedirect
	case next != "":
		return next
	}
	return b.LoginRedirect
}

func (b *browser) resume(w http.ResponseWriter, r *http.Request) {
	if !b.post(w, r, false) {
		return
	}
	svc, name, ok := b.service(w, r)
	if !ok {
		return
	}
	var v url.Values
	if c, err := r.Cookie(partialCookie); err == nil {
		v, _ = url.ParseQuery(c.Value)
	}
	if v.Get("b") != name || v.Get("t") == "" {
		b.fail(w, r, svc, &socialauth.Error{Backend: name, Err: fmt.Errorf("%w: this browser has no paused login with this backend", socialauth.ErrPartialNotFound)})
		return
	}
	setCookie(w, partialCookie, "", -1, false) // single use; a new pause sets it again
	var update func(*socialauth.State) error
	if b.ResumeForm != nil {
		update = func(st *socialauth.State) error { return b.ResumeForm(r, st) }
	}
	res, err := svc.Resume(r.Context(), name, v.Get("t"), update)
	next, _ := safeNext(v.Get("n"), b.AllowedHosts)
	b.finish(w, r, svc, name, flowData{next: next}, res, err)
}

func (b *browser) disconnect(w http.ResponseWriter, r *http.Request) {
	if !b.post(w, r, false) {
		return
	}
	svc, name, ok := b.service(w, r)
	if !ok {
		return
	}
	user, err := b.currentUser(r)
	if err != nil {
		b.fail(w, r, svc, err)
		return
	}
	if user == nil {
		b.fail(w, r, svc, &socialauth.Error{Backend: name, Err: fmt.Errorf("%w: nobody is logged in", socialauth.ErrAuthForbidden)})
		return
	}
	if err := svc.Disconnect(r.Context(), name, user, r.PostForm.Get("association_id")); err != nil {
		b.fail(w, r, svc, err)
		return
	}
	to, ok := safeNext(r.PostForm.Get("next"), b.AllowedHosts)
	if !ok {
		to = b.DisconnectRedirect
	}
	redirect(w, to)
}

// fail answers err: the Error hook, else a redirect to ErrorURL with the
// code, else a short page.
func (b *browser) fail(w http.ResponseWriter, r *http.Request, svc *socialauth.Service, err error) {
	if b.Error != nil {
		b.Error(w, r, err)
		return
	}
	code, status := ErrorCode(err)
	if code == CodeInternal && svc != nil {
		svc.Logger().LogAttrs(r.Context(), slog.LevelError, "socialhttp: browser login failed", slog.String("error", err.Error()))
	}
	if b.ErrorURL != "" {
		sep := "?"
		if strings.Contains(b.ErrorURL, "?") {
			sep = "&"
		}
		redirect(w, b.ErrorURL+sep+"error="+url.QueryEscape(code))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!doctype html>\n<title>Login failed</title>\n<p>%s</p>\n", html.EscapeString(messages[code]))
}

// flowCookie is the flow cookie of backend: one per backend, so that
// logins begun at two providers do not overwrite each other's.
func flowCookie(backend string) string {
	return flowCookiePrefix + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, backend)
}

// setCookie sets (maxAge > 0, or 0 for a session cookie) or deletes
// (maxAge < 0) a __Host- cookie: Secure, HttpOnly, Path=/, no Domain,
// SameSite=Lax, or SameSite=None when crossSite.
func setCookie(w http.ResponseWriter, name, value string, maxAge int, crossSite bool) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if crossSite {
		c.SameSite = http.SameSiteNoneMode
	}
	http.SetCookie(w, c)
}

// redirect sends the browser to to with 303 See Other (a GET, also after
// a POST). to is written as it is: a safe "next", the app's own setting
// or the provider's URL.
func redirect(w http.ResponseWriter, to string) {
	w.Header().Set("Location", to)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusSeeOther)
}
