package devprovider

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// maxForm bounds the body of every form this provider reads.
const maxForm = 64 << 10

// oauthError is an RFC 6749 §5.2 error response.
type oauthError struct {
	status      int
	code        string
	description string
}

func (e *oauthError) write(w http.ResponseWriter, basic bool) {
	if e.code == "invalid_client" && basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="devprovider"`)
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.description})
}

func badRequest(code, desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: code, description: desc}
}

var errInvalidClient = &oauthError{status: http.StatusUnauthorized, code: "invalid_client",
	description: "client authentication failed"}

// readForm parses a POST body, refusing repeated parameters (RFC 6749 §3.2).
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauthError) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return nil, badRequest("invalid_request", "unreadable form body")
	}
	for k, vs := range r.PostForm {
		if len(vs) > 1 {
			return nil, badRequest("invalid_request", "parameter "+k+" is repeated")
		}
	}
	return r.PostForm, nil
}

// authenticate finds the calling client: client_secret_basic, or
// client_secret_post, or a public client's bare client_id. basic says
// whether the Authorization header was used.
func (s *Server) authenticate(r *http.Request, form url.Values) (cl Client, basic bool, e *oauthError) {
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: the id and secret are form-encoded inside Basic.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return Client{}, true, errInvalidClient
		}
		if _, inForm := form["client_secret"]; inForm {
			return Client{}, true, badRequest("invalid_request", "more than one client authentication method")
		}
		if fid, ok := form["client_id"]; ok && fid[0] != id {
			return Client{}, true, badRequest("invalid_request", "client_id differs from the authenticated client")
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	cl, ok := s.clients[id]
	if !ok {
		return Client{}, basic, errInvalidClient
	}
	if cl.Secret == "" {
		if secret != "" {
			return Client{}, basic, errInvalidClient
		}
		return cl, basic, nil
	}
	want, got := sha256.Sum256([]byte(cl.Secret)), sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
		return Client{}, basic, errInvalidClient
	}
	return cl, basic, nil
}

// tokenResponse is RFC 6749 §5.1's successful response.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// token is the token endpoint: authorization_code and refresh_token grants.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	form, e := readForm(w, r)
	if e != nil {
		e.write(w, false)
		return
	}
	cl, basic, e := s.authenticate(r, form)
	if e != nil {
		e.write(w, basic)
		return
	}
	var resp *tokenResponse
	switch form.Get("grant_type") {
	case "authorization_code":
		resp, e = s.redeemCode(r, cl, form)
	case "refresh_token":
		resp, e = s.refreshGrant(r, cl, form)
	case "":
		e = badRequest("invalid_request", "grant_type is required")
	default:
		e = badRequest("unsupported_grant_type", "grant types are authorization_code and refresh_token")
	}
	if e != nil {
		e.write(w, basic)
		return
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

// redeemCode is RFC 6749 §4.1.3 with RFC 7636 §4.6. Any attempt by an
// authenticated client spends the code, so a stolen code gets one guess at
// the verifier; a spent code that comes back revokes what it was redeemed for.
func (s *Server) redeemCode(r *http.Request, cl Client, form url.Values) (*tokenResponse, *oauthError) {
	code := form.Get("code")
	if code == "" {
		return nil, badRequest("invalid_request", "code is required")
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.codes[digestOf(code)]
	invalid := badRequest("invalid_grant", "the code is unknown, expired, spent, or was issued to another client or redirect_uri")
	switch {
	case c == nil:
		return nil, invalid
	case c.spent:
		if c.issued != nil {
			c.issued.revoked = true
		}
		return nil, invalid
	}
	c.spent = true
	switch {
	case !now.Before(c.expires):
		return nil, invalid
	case c.clientID != cl.ID:
		return nil, invalid
	case form.Get("redirect_uri") != c.redirectURI:
		return nil, invalid
	}
	verifier := form.Get("code_verifier")
	if verifier == "" {
		return nil, badRequest("invalid_request", "code_verifier is required (PKCE)")
	}
	if !isVerifier(verifier) {
		return nil, badRequest("invalid_grant", "code_verifier is malformed")
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(got), []byte(c.challenge)) != 1 {
		return nil, badRequest("invalid_grant", "code_verifier does not match the code_challenge")
	}
	g := &grant{clientID: cl.ID, name: c.name, authTime: c.authTime}
	c.issued = g
	return s.issueLocked(r, g, c.scope, c.scope, c.nonce, now)
}

// isVerifier reports whether v is 43 to 128 unreserved characters (RFC 7636 §4.1).
func isVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			return false
		}
	}
	return true
}

// refreshGrant is RFC 6749 §6 with rotation: the refresh token used is
// retired, and if it ever comes back, its whole sign-in is revoked.
func (s *Server) refreshGrant(r *http.Request, cl Client, form url.Values) (*tokenResponse, *oauthError) {
	rt := form.Get("refresh_token")
	if rt == "" {
		return nil, badRequest("invalid_request", "refresh_token is required")
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.refresh[digestOf(rt)]
	invalid := badRequest("invalid_grant", "the refresh token is unknown, expired, revoked, or was issued to another client")
	switch {
	case t == nil || t.g.clientID != cl.ID:
		return nil, invalid
	case t.rotated:
		t.g.revoked = true // a retired token came back: someone holds a copy
		return nil, invalid
	case t.g.revoked || !now.Before(t.expires):
		return nil, invalid
	}
	scope := t.scope
	if sc := form.Get("scope"); sc != "" {
		granted := strings.Fields(t.scope)
		for _, x := range strings.Fields(sc) {
			if !slices.Contains(granted, x) {
				return nil, badRequest("invalid_scope", "a refresh may narrow the scope, never widen it")
			}
		}
		scope = strings.Join(strings.Fields(sc), " ")
	}
	t.rotated = true
	// The new refresh token keeps the old one's scope (RFC 6749 §6).
	return s.issueLocked(r, t.g, scope, t.scope, "", now)
}

// issueLocked mints an access token, a refresh token and, for the openid
// scope, an id_token in sign-in g. s.mu is held.
func (s *Server) issueLocked(r *http.Request, g *grant, scope, refreshScope, nonce string, now time.Time) (*tokenResponse, *oauthError) {
	s.sweepLocked(now)
	resp := &tokenResponse{
		AccessToken:  newSecret(),
		TokenType:    "Bearer",
		ExpiresIn:    int64(s.accessTTL / time.Second),
		RefreshToken: newSecret(),
		Scope:        scope,
	}
	if slices.Contains(strings.Fields(scope), "openid") {
		idt, err := s.idToken(r, g, scope, nonce, resp.AccessToken, now)
		if err != nil {
			return nil, &oauthError{status: http.StatusInternalServerError, code: "server_error", description: "signing the id_token failed"}
		}
		resp.IDToken = idt
	}
	s.access[digestOf(resp.AccessToken)] = &accessToken{g: g, scope: scope, expires: now.Add(s.accessTTL)}
	s.refresh[digestOf(resp.RefreshToken)] = &refreshToken{g: g, scope: refreshScope, expires: now.Add(s.refreshTTL)}
	return resp, nil
}

// idToken signs the OIDC Core §2 id_token: nonce as the authorization
// request gave it (none on refresh, §12.2), at_hash (§3.3.2.11), and the
// claims the scope grants.
func (s *Server) idToken(r *http.Request, g *grant, scope, nonce, accessToken string, now time.Time) (string, error) {
	c := claims(g.name, scope)
	c["iss"] = s.issuerFor(r)
	c["aud"] = g.clientID
	c["iat"] = now.Unix()
	c["exp"] = now.Add(s.accessTTL).Unix()
	c["auth_time"] = g.authTime.Unix()
	sum := sha256.Sum256([]byte(accessToken))
	c["at_hash"] = base64.RawURLEncoding.EncodeToString(sum[:sha256.Size/2])
	if nonce != "" {
		c["nonce"] = nonce
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	jws, err := s.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// revoke is RFC 7009: a client revokes its own access or refresh token;
// revoking a refresh token revokes its whole sign-in. An unknown token is
// not an error (§2.2), nor is a static dev-<name> token, which stays good.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	form, e := readForm(w, r)
	if e != nil {
		e.write(w, false)
		return
	}
	cl, basic, e := s.authenticate(r, form)
	if e != nil {
		e.write(w, basic)
		return
	}
	tok := form.Get("token")
	if tok == "" {
		badRequest("invalid_request", "token is required").write(w, basic)
		return
	}
	d := digestOf(tok)
	s.mu.Lock()
	defer s.mu.Unlock()
	if at := s.access[d]; at != nil {
		if at.g.clientID != cl.ID {
			badRequest("unauthorized_client", "the token was issued to another client").write(w, basic)
			return
		}
		delete(s.access, d)
	}
	if rt := s.refresh[d]; rt != nil {
		if rt.g.clientID != cl.ID {
			badRequest("unauthorized_client", "the token was issued to another client").write(w, basic)
			return
		}
		rt.g.revoked = true
	}
	w.WriteHeader(http.StatusOK)
}

// sweepLocked drops what has expired, at most once a minute. s.mu is held.
func (s *Server) sweepLocked(now time.Time) {
	if now.Sub(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = now
	for k, c := range s.codes {
		if !now.Before(c.expires) {
			delete(s.codes, k)
		}
	}
	for k, t := range s.access {
		if t.g.revoked || !now.Before(t.expires) {
			delete(s.access, k)
		}
	}
	for k, t := range s.refresh {
		if t.g.revoked || !now.Before(t.expires) {
			delete(s.refresh, k)
		}
	}
}
