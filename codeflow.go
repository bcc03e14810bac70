package socialauth

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// The authorization-code flow of a browser login (RFC 6749 §4.1, done as
// RFC 9700 asks). [Service.AuthCodeURL] makes the login's secrets (a
// state, a PKCE verifier, a nonce) and seals them, with the backend's name,
// the redirect URI and the caller's data, into one opaque value: the flow.
// The caller keeps the flow in the browser that began the login (socialhttp
// keeps it in a cookie), so no server-side session is needed; the callback
// hands it back with the authorization response to [Service.LoginCode] or
// [Service.ConnectCode], which redeem the code only once every check has
// passed.

const (
	// flowTTL is how long a browser login may take between AuthCodeURL and
	// its callback (signing in at the provider may need a second factor).
	flowTTL = 15 * time.Minute
	// flowSkew is how far in the future a flow's start may be (the clocks
	// of processes behind one load balancer differ a little).
	flowSkew = time.Minute
	// maxFlowData bounds the caller's data, so that a flow fits in a cookie.
	maxFlowData = 2 << 10
	// maxFlowBytes bounds a sealed flow handed back before it is opened.
	maxFlowBytes = 4 << 10
	// maxCodeBytes bounds an authorization code.
	maxCodeBytes = 4 << 10
	// flowContext starts the additional data a flow is sealed with; the
	// backend's name follows, so a flow opens only for its own backend.
	flowContext = "socialauth flow\x00"
	// flowKeyInfo separates the flow keys derived from Config.TokenKeys
	// from the keys that seal stored tokens.
	flowKeyInfo = "socialauth browser flow v1"
	// stateScope is the NonceStore scope of used states.
	stateScope = "code_state"
)

// newFlowSealer returns the sealer of browser flows: keys derived from
// each of keys (HKDF-SHA256), first sealing and all opening; with no keys,
// one random key of this process alone.
func newFlowSealer(keys [][]byte) (*sealer, error) {
	if len(keys) == 0 {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		keys = [][]byte{k}
	}
	derived := make([][]byte, len(keys))
	for i, k := range keys {
		if len(k) != 32 {
			return nil, fmt.Errorf("socialauth: Config.TokenKeys[%d] is %d bytes; want 32", i, len(k))
		}
		d, err := hkdf.Key(sha256.New, k, nil, flowKeyInfo, 32)
		if err != nil {
			return nil, err
		}
		derived[i] = d
	}
	return newSealer(derived)
}

// flowRecord is what a sealed flow holds.
type flowRecord struct {
	issued   time.Time
	backend  string
	state    string
	verifier string
	nonce    string
	redirect string
	data     []byte
}

const flowVersion = 1

// marshal encodes f: a version byte, the start in Unix seconds, then each
// string with its length as a uvarint.
func (f *flowRecord) marshal() []byte {
	fields := [...]string{f.backend, f.state, f.verifier, f.nonce, f.redirect, string(f.data)}
	n := 1 + 8
	for _, s := range fields {
		n += binary.MaxVarintLen32 + len(s)
	}
	b := make([]byte, 0, n)
	b = append(b, flowVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(f.issued.Unix()))
	for _, s := range fields {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

var errFlowFormat = errors.New("malformed flow")

func unmarshalFlow(b []byte) (*flowRecord, error) {
	if len(b) < 9 || b[0] != flowVersion {
		return nil, errFlowFormat
	}
	f := &flowRecord{issued: time.Unix(int64(binary.BigEndian.Uint64(b[1:9])), 0)}
	b = b[9:]
	dst := [...]*string{&f.backend, &f.state, &f.verifier, &f.nonce, &f.redirect}
	next := func() ([]byte, error) {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, errFlowFormat
		}
		v := b[k : k+int(n)]
		b = b[k+int(n):]
		return v, nil
	}
	for _, d := range dst {
		v, err := next()
		if err != nil {
			return nil, err
		}
		*d = string(v)
	}
	data, err := next()
	if err != nil || len(b) != 0 {
		return nil, errFlowFormat
	}
	if len(data) > 0 {
		f.data = data
	}
	return f, nil
}

// AuthCodeURL begins a browser login through backend, a backend with the
// power [CodeFlowBackend]. It returns the provider's authorization URL, to
// redirect the browser to, and the flow: the login's secrets (a fresh
// state, PKCE verifier and nonce), the backend's name, redirectURI and
// data, sealed with keys derived from Config.TokenKeys. Keep the flow in the
// browser that began the login, for instance in an HttpOnly cookie, and
// hand it back with the callback's parameters to [Service.LoginCode] or
// [Service.ConnectCode] within 15 minutes; [Service.FlowData] reads data
// back.
//
// redirectURI is the callback address registered at the provider, https
// (http only to a loopback host); take it from configuration, never from
// the request's Host or X-Forwarded-Host headers. The URL asks for response_type=code with the backend's default
// scopes, PKCE S256 and the nonce; opts add parameters (prompt, login_hint,
// ...) but cannot replace those, the state or redirect_uri. data (at most 2
// KiB) is the caller's: socialhttp keeps where to go afterwards in it.
//
// A backend without the power fails with [ErrUnknownBackend]. The flow is
// secret: never log it or put it in a URL.
func (s *Service) AuthCodeURL(ctx context.Context, backend, redirectURI string, data []byte, opts ...oauth2.AuthCodeOption) (authURL, flow string, err error) {
	b, err := s.backendFor(backend)
	if err != nil {
		return "", "", err
	}
	cf, ok := b.(CodeFlowBackend)
	if !ok {
		return "", "", &Error{Backend: backend, Err: fmt.Errorf("%w: this backend has no authorization-code flow", ErrUnknownBackend)}
	}
	if err := checkRedirectURI(redirectURI); err != nil {
		return "", "", &Error{Backend: backend, Err: err}
	}
	if len(data) > maxFlowData {
		return "", "", &Error{Backend: backend, Err: fmt.Errorf("%w: flow data is longer than %d bytes", ErrInvalidRequest, maxFlowData)}
	}
	cfg, err := cf.OAuth2Config(ctx, s.client)
	if err != nil {
		return "", "", &Error{Backend: backend, Err: err}
	}
	state, err := randomToken()
	if err != nil {
		return "", "", err
	}
	nonce, err := randomToken()
	if err != nil {
		return "", "", err
	}
	f := &flowRecord{issued: s.cfg.Now(), backend: backend, state: state, verifier: oauth2.GenerateVerifier(), nonce: nonce, redirect: redirectURI, data: data}
	sealed, err := s.flows.seal(f.marshal(), flowContext+backend)
	if err != nil {
		return "", "", err
	}
	// The caller's options first: those below, applied later, win.
	all := make([]oauth2.AuthCodeOption, 0, len(opts)+4)
	all = append(all, opts...)
	all = append(all,
		oauth2.SetAuthURLParam("state", f.state),
		oauth2.SetAuthURLParam("redirect_uri", redirectURI),
		oauth2.S256ChallengeOption(f.verifier),
		oauth2.SetAuthURLParam("nonce", f.nonce))
	return cfg.AuthCodeURL(f.state, all...), sealed, nil
}

// checkRedirectURI: an absolute https URL without fragment (RFC 6749
// §3.1.2), or http to a loopback host (a development machine; RFC 9700
// §2.6 wants TLS everywhere else).
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Fragment != "" || u.User != nil || (u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) {
		return fmt.Errorf("%w: the redirect URI must be an absolute https URL (http only to a loopback host), without fragment", ErrInvalidRequest)
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// FlowData returns the data sealed into flow by [Service.AuthCodeURL] for
// backend. A flow that is not one this Service sealed for backend, or that
// is older than 15 minutes, fails with [ErrStateMismatch].
func (s *Service) FlowData(backend, flow string) ([]byte, error) {
	f, err := s.openFlow(backend, flow)
	if err != nil {
		return nil, &Error{Backend: backend, Err: err}
	}
	return f.data, nil
}

// openFlow opens a sealed flow for backend and checks its age. Only a
// sealed value is accepted (a sealer opens unsealed values as they are).
func (s *Service) openFlow(backend, sealed string) (*flowRecord, error) {
	if sealed == "" {
		return nil, fmt.Errorf("%w: this browser has no login in progress", ErrStateMismatch)
	}
	if len(sealed) > maxFlowBytes || !strings.HasPrefix(sealed, sealPrefix) {
		return nil, fmt.Errorf("%w: the flow is not one this app sealed", ErrStateMismatch)
	}
	plain, err := s.flows.open(sealed, flowContext+backend)
	if err != nil {
		return nil, fmt.Errorf("%w: the flow was altered, sealed with an unknown key or began at another backend", ErrStateMismatch)
	}
	f, err := unmarshalFlow(plain)
	if err != nil || f.backend != backend {
		return nil, fmt.Errorf("%w: the flow is malformed", ErrStateMismatch)
	}
	now := s.cfg.Now()
	if now.After(f.issued.Add(flowTTL)) || f.issued.After(now.Add(flowSkew)) {
		return nil, fmt.Errorf("%w: the login began too long ago", ErrStateMismatch)
	}
	return f, nil
}

// LoginCode ends a browser login that [Service.AuthCodeURL] began: flow is
// the sealed flow the browser kept, params the authorization response's
// parameters (the callback's query, or its form for response_mode=form_post).
// It logs in as [Service.Login] does, with the identity the provider's
// token endpoint vouches for.
//
// Before anything is sent to the provider, the flow must be one sealed for
// backend less than 15 minutes ago, params must hold exactly its state
// (compared in constant time), and that state must not have been used
// before: it is then spent, in every process sharing the storage. Any
// failure there is [ErrStateMismatch]. An authorization response that
// reports an error is then an error wrapping [ErrAuthCanceled]
// (error=access_denied: the person declined), [ErrProviderUnavailable]
// (server_error, temporarily_unavailable) or [ErrAuthFailed]; its
// Description is the provider's error_description restricted to the
// characters RFC 6749 allows there and HTML-escaped. The "iss" parameter
// must satisfy the backend's CheckIssuer (RFC 9207). Only then is the code
// redeemed, with the flow's PKCE verifier and redirect URI, and the
// answered tokens checked by the backend (the id_token's nonce against the
// flow's).
func (s *Service) LoginCode(ctx context.Context, backend, flow string, params url.Values) (res *Result, err error) {
	defer s.observe(ctx, "login_code", backend, time.Now())(&res, &err)
	b, err := s.backendFor(backend)
	if err != nil {
		return nil, err
	}
	return s.login(ctx, b, nil, func() (*Profile, error) { return s.redeem(ctx, b, flow, params) })
}

// ConnectCode is [Service.LoginCode] for a login that links the provider
// identity to user, who is logged in, as [Service.Connect] does: an
// identity that belongs to another user fails with [ErrAlreadyAssociated].
// Check that user is the one who began the flow (socialhttp keeps the
// user's id in the flow's data).
func (s *Service) ConnectCode(ctx context.Context, backend string, user *User, flow string, params url.Values) (res *Result, err error) {
	defer s.observe(ctx, "connect_code", backend, time.Now())(&res, &err)
	b, err := s.backendFor(backend)
	if err != nil {
		return nil, err
	}
	if user == nil || user.ID == "" {
		return nil, &Error{Backend: backend, Err: fmt.Errorf("%w: no user to connect", ErrInvalidRequest)}
	}
	return s.login(ctx, b, user, func() (*Profile, error) { return s.redeem(ctx, b, flow, params) })
}

// redeem checks an authorization response against its flow, then redeems
// its code and has the backend check the tokens.
func (s *Service) redeem(ctx context.Context, b Backend, sealed string, params url.Values) (*Profile, error) {
	cf, ok := b.(CodeFlowBackend)
	if !ok {
		return nil, fmt.Errorf("%w: this backend has no authorization-code flow", ErrUnknownBackend)
	}
	f, err := s.openFlow(b.Name(), sealed)
	if err != nil {
		return nil, err
	}
	states := params["state"]
	if len(states) != 1 || states[0] == "" {
		return nil, fmt.Errorf("%w: the callback carries no state, or several", ErrStateMismatch)
	}
	if subtle.ConstantTimeCompare([]byte(states[0]), []byte(f.state)) != 1 {
		return nil, fmt.Errorf("%w: the callback's state is not the one this browser's login began with", ErrStateMismatch)
	}
	// Single use, even under concurrent callbacks: exactly one wins.
	sum := sha256.Sum256([]byte(f.state))
	if err := s.cfg.Storage.UseNonce(ctx, stateScope, hex.EncodeToString(sum[:]), f.issued.Add(flowTTL)); err != nil {
		if errors.Is(err, ErrAlreadyExists) {
			return nil, fmt.Errorf("%w: this state was already used", ErrStateMismatch)
		}
		return nil, err
	}
	iss, err := single(params, "iss")
	if err != nil {
		return nil, err
	}
	if err := cf.CheckIssuer(ctx, s.client, iss); err != nil {
		return nil, err
	}
	if _, has := params["error"]; has {
		return nil, authorizationError(params)
	}
	code, err := single(params, "code")
	if err != nil {
		return nil, err
	}
	if err := checkCode(code); err != nil {
		return nil, err
	}
	cfg, err := cf.OAuth2Config(ctx, s.client)
	if err != nil {
		return nil, err
	}
	octx := context.WithValue(ctx, oauth2.HTTPClient, s.client)
	tok, err := cfg.Exchange(octx, code, oauth2.VerifierOption(f.verifier), oauth2.SetAuthURLParam("redirect_uri", f.redirect))
	if err != nil {
		return nil, tokenEndpointError(ctx, err, cfg.Endpoint.TokenURL, code, f.verifier, cfg.ClientSecret)
	}
	return cf.AuthenticateTokens(ctx, s.client, s.tokenOf(tok), f.nonce)
}

// single returns the one value of params[k] ("" when absent); several
// values are a malformed response.
func single(params url.Values, k string) (string, error) {
	switch v := params[k]; len(v) {
	case 0:
		return "", nil
	case 1:
		return v[0], nil
	}
	return "", fmt.Errorf("%w: the callback repeats %q", ErrInvalidRequest, k)
}

// checkCode: present, bounded, and made of RFC 6749's VSCHAR.
func checkCode(code string) error {
	if code == "" {
		return fmt.Errorf("%w: the callback carries no code", ErrInvalidRequest)
	}
	if len(code) > maxCodeBytes {
		return fmt.Errorf("%w: the code is longer than %d bytes", ErrInvalidRequest, maxCodeBytes)
	}
	for i := 0; i < len(code); i++ {
		if c := code[i]; c < 0x20 || c > 0x7e {
			return fmt.Errorf("%w: the code has a character outside RFC 6749's set at byte %d", ErrInvalidRequest, i)
		}
	}
	return nil
}

// tokenOf converts x/oauth2's token, with the id_token of an OpenID
// Connect answer, its expiry counted on the Service's clock.
func (s *Service) tokenOf(t *oauth2.Token) Token {
	idt, _ := t.Extra("id_token").(string)
	exp := t.Expiry
	if t.ExpiresIn > 0 {
		exp = s.cfg.Now().Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	return Token{AccessToken: t.AccessToken, TokenType: t.Type(), RefreshToken: t.RefreshToken, IDToken: idt, Expiry: exp}
}

// authorizationError is the error an authorization response reports.
func authorizationError(params url.Values) error {
	pe := &providerAnswer{code: safeCode(params.Get("error")), text: html.EscapeString(clipText(params.Get("error_description"), 200))}
	switch pe.code {
	case "access_denied":
		pe.kind = ErrAuthCanceled
	case "server_error", "temporarily_unavailable":
		pe.kind = ErrProviderUnavailable
	default:
		pe.kind = ErrAuthFailed
	}
	return pe
}

// clipText keeps the characters RFC 6749 allows in error and
// error_description (%x20-21 / %x23-5B / %x5D-7E: printable ASCII but '"'
// and '\'), drops the others, and keeps at most n bytes.
func clipText(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < n; i++ {
		if c := s[i]; c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// tokenEndpointError maps a failed exchange or refresh: the provider's
// RFC 6749 error code (never its body or description, which may hold
// anything), a transport failure as ErrProviderUnavailable naming the
// host. secrets are redacted from what the provider says.
func tokenEndpointError(ctx context.Context, err error, tokenURL string, secrets ...string) error {
	host := "token endpoint"
	if u, perr := url.Parse(tokenURL); perr == nil && u.Host != "" {
		host = u.Host
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		// The code only, and only when it is a short code that repeats
		// nothing that was sent: the description (and an echoed request)
		// may hold anything.
		pe := &providerAnswer{code: safeCode(redactAll(re.ErrorCode, secrets))}
		if pe.code != re.ErrorCode {
			pe.code = ""
		}
		if re.Response != nil {
			pe.status = re.Response.StatusCode
		}
		switch {
		case pe.status == 429 || pe.status >= 500 || pe.code == "temporarily_unavailable" || pe.code == "server_error":
			pe.kind = ErrProviderUnavailable
		case pe.code == "invalid_grant" || pe.status == 400 || pe.status == 401:
			pe.kind = ErrInvalidToken
		default:
			pe.kind = ErrAuthFailed
		}
		return pe
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%w: %s: %w", ErrProviderUnavailable, host, cerr)
	}
	var ue *url.Error
	if errors.As(err, &ue) { // its text holds the URL
		return fmt.Errorf("%w: %s: %w", ErrProviderUnavailable, host, transportError{ue.Err, redactAll(ue.Err.Error(), secrets)})
	}
	// x/oauth2's own complaints (an answer without access_token, JSON that
	// does not parse) may quote the answer: keep none of it.
	return fmt.Errorf("%w: %s answered something that is not an OAuth 2.0 token response", ErrProviderUnavailable, host)
}

func redactAll(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return s
}

// providerAnswer is a provider's refusal: its HTTP status (0 for an
// authorization response, which reaches the app through the browser), its
// RFC 6749 error code, and, for an authorization response only, its
// error_description clipped and HTML-escaped (the host's error hook may
// show it). It unwraps to kind.
type providerAnswer struct {
	status     int
	code, text string
	kind       error
}

func (e *providerAnswer) Error() string {
	msg := fmt.Sprintf("%v: provider answered", e.kind)
	if e.status != 0 {
		msg += fmt.Sprintf(" %d", e.status)
	}
	if e.code != "" {
		msg += " " + e.code
	}
	if e.text != "" {
		msg += ": " + e.text
	}
	return msg
}

func (e *providerAnswer) Unwrap() error { return e.kind }

// safeCode keeps an error code only when it is one: 1 to 64 of
// [A-Za-z0-9_.-].
func safeCode(s string) string {
	if len(s) == 0 || len(s) > 64 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return ""
		}
	}
	return s
}

// transportError keeps a transport failure's cause (so that a timeout
// stays a timeout to errors.As) under a text with the secrets redacted.
type transportError struct {
	err  error
	text string
}

func (e transportError) Error() string { return e.text }
func (e transportError) Unwrap() error { return e.err }
