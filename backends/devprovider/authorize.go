package devprovider

import (
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// authRequest is a checked authorization request (RFC 6749 §4.1.1, RFC 7636
// §4.3, OIDC Core §3.1.2.1).
type authRequest struct {
	client                         Client
	redirectURI, state, nonce      string
	scope, challenge, responseMode string
}

// authError is a refused authorization request. Until the client and its
// redirect_uri are known good the refusal is shown on the page, never sent
// to the redirect_uri (RFC 6749 §4.1.2.1); after, it is redirected.
type authError struct {
	code, description string
	redirect          bool
}

// authParams are the parameters the login form carries through, in order.
var authParams = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
	"code_challenge", "code_challenge_method", "response_mode"}

// parseAuthRequest checks an authorization request's parameters.
func (s *Server) parseAuthRequest(v url.Values) (authRequest, *authError) {
	for k, vs := range v {
		if len(vs) > 1 {
			return authRequest{}, &authError{code: "invalid_request", description: "parameter " + k + " is repeated"}
		}
	}
	cl, ok := s.clients[v.Get("client_id")]
	if !ok {
		return authRequest{}, &authError{code: "invalid_client", description: "unknown client_id"}
	}
	req := authRequest{
		client:       cl,
		redirectURI:  v.Get("redirect_uri"),
		state:        v.Get("state"),
		nonce:        v.Get("nonce"),
		scope:        v.Get("scope"),
		challenge:    v.Get("code_challenge"),
		responseMode: v.Get("response_mode"),
	}
	if !slices.Contains(cl.RedirectURIs, req.redirectURI) {
		return authRequest{}, &authError{code: "invalid_request", description: "redirect_uri is not one registered for this client"}
	}
	fail := func(code, desc string) (authRequest, *authError) {
		return req, &authError{code: code, description: desc, redirect: true}
	}
	switch req.responseMode {
	case "", "query", "form_post":
	default:
		req.responseMode = ""
		return fail("invalid_request", "unsupported response_mode")
	}
	if v.Get("response_type") != "code" {
		return fail("unsupported_response_type", "only response_type=code is supported")
	}
	switch m := v.Get("code_challenge_method"); {
	case req.challenge == "" || m == "":
		return fail("invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256")
	case m != "S256":
		return fail("invalid_request", "transform algorithm not supported: code_challenge_method must be S256")
	case !isChallenge(req.challenge):
		return fail("invalid_request", "code_challenge is not a base64url SHA-256")
	}
	if req.scope == "" {
		req.scope = defaultScope
	}
	for _, sc := range strings.Fields(req.scope) {
		if sc != "openid" && sc != "profile" && sc != "email" {
			return fail("invalid_scope", "supported scopes are openid, profile and email")
		}
	}
	req.scope = strings.Join(strings.Fields(req.scope), " ")
	if len(req.state) > 2048 || len(req.nonce) > 512 {
		return fail("invalid_request", "state or nonce is too long")
	}
	return req, nil
}

// isChallenge reports whether c has the shape of an S256 code_challenge:
// 43 base64url characters, the unpadded encoding of 32 bytes.
func isChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil && len(b) == 32
}

// loginPage is what the login form shows.
type loginPage struct {
	Title, ClientID, RedirectHost, Name, Problem string
	Hidden                                       []hiddenField
	Nonce                                        string
}

type hiddenField struct{ Name, Value string }

var loginTemplate = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}: sign in</title>
<style nonce="{{.Nonce}}">
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
.note { color: #555; font-size: .9rem; }
#problem { color: #a00; }
label, input, button { font-size: 1rem; }
input { padding: .3rem; margin: .3rem 0 1rem; width: 100%; box-sizing: border-box; }
button { padding: .4rem 1rem; margin-right: .5rem; }
</style>
</head>
<body>
<main>
<h1 id="heading">{{.Title}}</h1>
<p><strong id="client">{{.ClientID}}</strong> at {{.RedirectHost}} asks you to sign in.</p>
<p class="note">For development only: there is no password, and the name you type is who you are.</p>
{{if .Problem}}<p id="problem" role="alert">{{.Problem}}</p>{{end}}
<form method="post" action="authorize">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="name">Name</label>
<input id="name" name="name" value="{{.Name}}" required pattern="[A-Za-z0-9._\-]{1,64}" autocomplete="username" autofocus>
<button type="submit" id="allow" name="action" value="allow">Sign in</button>
<button type="submit" id="deny" name="action" value="deny" formnovalidate>Deny</button>
</form>
</main>
</body>
</html>
`))

// formPostTemplate answers with response_mode=form_post: a form that the
// browser posts to the redirect_uri (OAuth 2.0 Form Post Response Mode).
var formPostTemplate = template.Must(template.New("form_post").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Signing in…</title></head>
<body>
<form id="response" method="post" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><button type="submit">Continue</button></noscript>
</form>
<script nonce="{{.Nonce}}">document.getElementById("response").submit();</script>
</body>
</html>
`))

// authorizePage shows the login form for a valid request; it refuses an
// invalid one as RFC 6749 §4.1.2.1 says.
func (s *Server) authorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, aerr := s.parseAuthRequest(q)
	if aerr != nil {
		s.refuseAuth(w, r, req, aerr)
		return
	}
	s.showLogin(w, http.StatusOK, req, q, "", "")
}

// authorizeSubmit is the login form's POST: it checks the request again (the
// hidden fields came back from the browser), then signs in or denies.
func (s *Server) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "devprovider: unreadable form", http.StatusBadRequest)
		return
	}
	form := r.PostForm
	params := url.Values{}
	for _, k := range authParams {
		if vs, ok := form[k]; ok {
			params[k] = vs
		}
	}
	req, aerr := s.parseAuthRequest(params)
	if aerr != nil {
		s.refuseAuth(w, r, req, aerr)
		return
	}
	switch form.Get("action") {
	case "deny":
		s.respond(w, r, req, url.Values{"error": {"access_denied"}, "error_description": {"The person declined to sign in."}})
	case "allow":
		name := form.Get("name")
		if !validName.MatchString(name) {
			s.showLogin(w, http.StatusBadRequest, req, params, name,
				"A name is 1 to 64 letters, digits, dots, dashes or underscores.")
			return
		}
		code := newSecret()
		now := s.now()
		s.mu.Lock()
		s.sweepLocked(now)
		s.codes[digestOf(code)] = &authCode{
			clientID: req.client.ID, redirectURI: req.redirectURI, challenge: req.challenge,
			nonce: req.nonce, scope: req.scope, name: name,
			authTime: now, expires: now.Add(s.codeTTL),
		}
		s.mu.Unlock()
		s.respond(w, r, req, url.Values{"code": {code}})
	default:
		http.Error(w, "devprovider: the form's action is allow or deny", http.StatusBadRequest)
	}
}

func (s *Server) showLogin(w http.ResponseWriter, status int, req authRequest, params url.Values, name, problem string) {
	page := loginPage{Title: s.title, ClientID: req.client.ID, Name: name, Problem: problem, Nonce: newSecret()}
	if u, err := url.Parse(req.redirectURI); err == nil {
		page.RedirectHost = u.Host
	}
	for _, k := range authParams {
		if vs, ok := params[k]; ok {
			page.Hidden = append(page.Hidden, hiddenField{k, vs[0]})
		}
	}
	writePage(w, status, page.Nonce, "", loginTemplate, page)
}

// refuseAuth shows the refusal on the page, or redirects it when the client
// and redirect_uri are good.
func (s *Server) refuseAuth(w http.ResponseWriter, r *http.Request, req authRequest, e *authError) {
	if e.redirect {
		s.respond(w, r, req, url.Values{"error": {e.code}, "error_description": {e.description}})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte("devprovider: " + e.code + ": " + e.description + "\n"))
}

// respond sends an authorization response to the redirect_uri with the
// state and the issuer (RFC 9207), by redirect or by form_post.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, req authRequest, v url.Values) {
	if req.state != "" {
		v.Set("state", req.state)
	}
	v.Set("iss", s.issuerFor(r))
	if req.responseMode == "form_post" {
		type field struct{ Name, Value string }
		data := struct {
			Action, Nonce string
			Fields        []field
		}{Action: req.redirectURI, Nonce: newSecret()}
		for _, k := range []string{"code", "error", "error_description", "state", "iss"} {
			if val := v.Get(k); val != "" {
				data.Fields = append(data.Fields, field{k, val})
			}
		}
		writePage(w, http.StatusOK, "", data.Nonce, formPostTemplate, data)
		return
	}
	u, err := url.Parse(req.redirectURI)
	if err != nil { // registered URIs were parsed by New
		http.Error(w, "devprovider: bad redirect_uri", http.StatusInternalServerError)
		return
	}
	q := u.Query() // a registered URI's own query is kept (RFC 6749 §3.1.2)
	for k, vs := range v {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// writePage renders an HTML page under a strict Content-Security-Policy:
// only the page's own nonce'd style or script runs, and no site frames it.
func writePage(w http.ResponseWriter, status int, styleNonce, scriptNonce string, t *template.Template, data any) {
	csp := "default-src 'none'; base-uri 'none'; frame-ancestors 'none'"
	if styleNonce != "" {
		csp += "; style-src 'nonce-" + styleNonce + "'"
	}
	if scriptNonce != "" {
		csp += "; script-src 'nonce-" + scriptNonce + "'"
	}
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}

// newSecret returns 256 random bits, base64url-encoded: codes, tokens, CSP nonces.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
