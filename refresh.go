package socialauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// refreshEarly: a stored access token that expires within this margin is
// refreshed rather than handed out.
const refreshEarly = 30 * time.Second

// AccessToken returns a usable provider token of the association a (as
// [Result.Association] or [Service.Associations] give it): the stored
// access token while it has not expired, else a fresh one that the
// provider's token endpoint answers for the stored refresh token, through
// golang.org/x/oauth2. The fresh tokens are stored in the association, the
// old refresh token kept when the provider sends no new one. An id_token in
// the answer is checked by the backend's AuthenticateTokens with the new
// access token and must name the association's user (OIDC Core §12.2: same
// iss, same sub); otherwise nothing is stored and the call fails with
// [ErrInvalidToken].
//
// Concurrent calls for one association refresh once in this process; the
// others wait for that refresh. The association is read again from
// storage before refreshing, so that a refresh another process stored is
// used rather than repeated.
//
// An expired token with no refresh token, or a backend without the power
// [CodeFlowBackend], fails with [ErrInvalidToken]; a provider that refuses
// the refresh token gives an error wrapping ErrInvalidToken.
func (s *Service) AccessToken(ctx context.Context, a *Association) (Token, error) {
	if a == nil || a.Provider == "" || a.UID == "" {
		return Token{}, &Error{Err: fmt.Errorf("%w: no association", ErrInvalidRequest)}
	}
	if t := storedToken(a); t.usableAt(s.cfg.Now()) {
		return t, nil
	}
	return s.refreshes.do(ctx, a.Provider+"\x00"+a.UID, func() (Token, error) {
		t, err := s.refresh(ctx, a.Provider, a.UID)
		if err != nil {
			return Token{}, s.fail(ctx, &Error{Backend: a.Provider, Err: err})
		}
		return t, nil
	})
}

func (s *Service) refresh(ctx context.Context, provider, uid string) (Token, error) {
	b, err := s.backendFor(provider)
	if err != nil {
		return Token{}, err
	}
	cur, err := s.cfg.Storage.GetAssociation(ctx, provider, uid)
	if err != nil {
		return Token{}, err
	}
	old := storedToken(cur)
	if old.usableAt(s.cfg.Now()) {
		return old, nil // refreshed meanwhile
	}
	if old.RefreshToken == "" {
		return Token{}, fmt.Errorf("%w: the stored access token expired and there is no refresh token", ErrInvalidToken)
	}
	cf, ok := b.(CodeFlowBackend)
	if !ok {
		return Token{}, fmt.Errorf("%w: this backend cannot refresh tokens", ErrInvalidToken)
	}
	cfg, err := cf.OAuth2Config(ctx, s.client)
	if err != nil {
		return Token{}, err
	}
	octx := context.WithValue(ctx, oauth2.HTTPClient, s.client)
	tok, err := cfg.TokenSource(octx, &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
	if err != nil {
		return Token{}, tokenEndpointError(ctx, err, cfg.Endpoint.TokenURL, old.RefreshToken, cfg.ClientSecret)
	}
	t := s.tokenOf(tok)
	if t.AccessToken == "" {
		return Token{}, fmt.Errorf("%w: the refresh answer has no access token", ErrProviderUnavailable)
	}
	if t.RefreshToken == "" { // RFC 6749 §6: the old one stays valid
		t.RefreshToken = old.RefreshToken
	}
	if t.IDToken != "" {
		// With the new access token: OIDC backends check at_hash, and a
		// plain OAuth 2.0 backend, which cannot verify id_tokens, asks the
		// user info instead. Either way the user must be the association's.
		p, err := cf.AuthenticateTokens(ctx, s.client, Token{AccessToken: t.AccessToken, TokenType: t.TokenType, IDToken: t.IDToken}, "")
		if err != nil {
			return Token{}, err
		}
		if p.UID != cur.UID {
			return Token{}, fmt.Errorf("%w: the id_token of the refresh names another user", ErrInvalidToken)
		}
	}
	upd := *cur
	upd.ExtraData = maps.Clone(cur.ExtraData)
	if upd.ExtraData == nil {
		upd.ExtraData = make(map[string]any, 4)
	}
	upd.ExtraData["access_token"] = t.AccessToken
	upd.ExtraData["refresh_token"] = t.RefreshToken
	if t.TokenType != "" {
		upd.ExtraData["token_type"] = t.TokenType
	}
	if t.Expiry.IsZero() {
		delete(upd.ExtraData, "expires")
	} else {
		upd.ExtraData["expires"] = json.Number(strconv.FormatInt(t.Expiry.Unix(), 10))
	}
	if err := s.cfg.Storage.UpdateAssociation(ctx, &upd); err != nil {
		return Token{}, err
	}
	t.IDToken = "" // verified, not kept: the association keeps none either
	return t, nil
}

// storedToken reads the provider tokens load_extra_data keeps.
func storedToken(a *Association) Token {
	t := Token{AccessToken: a.AccessToken(), RefreshToken: a.RefreshToken()}
	t.TokenType, _ = a.ExtraData["token_type"].(string)
	if exp, ok := unixSeconds(a.ExtraData["expires"]); ok {
		t.Expiry = time.Unix(exp, 0)
	}
	return t
}

// unixSeconds reads "expires" as the stores give it back: json.Number
// (memory), float64 (JSON decoded into any), an integer, or a string.
func unixSeconds(v any) (int64, bool) {
	switch v := v.(type) {
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case float64:
		return int64(v), true
	case int64:
		return v, true
	case int:
		return int64(v), true
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// usableAt: an access token that will not expire within refreshEarly (a
// token without a known expiry is taken as usable).
func (t Token) usableAt(now time.Time) bool {
	return t.AccessToken != "" && (t.Expiry.IsZero() || now.Add(refreshEarly).Before(t.Expiry))
}

// flights runs one refresh per key at a time; callers that come while it
// runs wait for its outcome.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	done chan struct{}
	tok  Token
	err  error
}

func (g *flights) do(ctx context.Context, key string, fn func() (Token, error)) (Token, error) {
	g.mu.Lock()
	if f, ok := g.m[key]; ok {
		g.mu.Unlock()
		select {
		case <-f.done:
			return f.tok, f.err
		case <-ctx.Done():
			return Token{}, fmt.Errorf("%w: waiting for a refresh: %w", ErrProviderUnavailable, ctx.Err())
		}
	}
	if g.m == nil {
		g.m = make(map[string]*flight)
	}
	f := &flight{done: make(chan struct{}), err: errors.New("socialauth: the refresh did not finish")}
	g.m[key] = f
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.m, key)
		g.mu.Unlock()
		close(f.done)
	}()
	f.tok, f.err = fn()
	return f.tok, f.err
}

// revoker is the optional method of backends whose provider revokes
// tokens (RFC 7009); see [CodeFlowBackend].
type revoker interface {
	Revoke(ctx context.Context, client *http.Client, t Token) error
}

// revoke asks the provider to revoke the tokens of the removed
// associations, the refresh token (which ends the whole grant) when there
// is one. It is best effort: the associations are gone whatever the
// provider says, and a failure is logged (never the token).
func (s *Service) revoke(ctx context.Context, b Backend, removed []*Association) {
	rv, ok := b.(revoker)
	if !ok {
		return
	}
	for _, a := range removed {
		t := Token{AccessToken: a.AccessToken(), RefreshToken: a.RefreshToken()}
		if t.AccessToken == "" && t.RefreshToken == "" {
			continue
		}
		if err := rv.Revoke(ctx, s.client, t); err != nil && !errors.Is(err, errors.ErrUnsupported) {
			s.log.LogAttrs(ctx, slog.LevelWarn, "socialauth: token revocation failed",
				slog.String("backend", b.Name()), slog.String("association", a.ID), slog.String("error", err.Error()))
		}
	}
}
