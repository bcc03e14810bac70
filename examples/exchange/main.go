// Command exchange is the token exchange of a JSON API: a front end signs
// the user in with a provider and POSTs the provider's access token; this
// server checks it with the provider, finds or creates the user, and answers
// the app's own token.
//
//	POST /api/login/social/{backend}/  {"access_token": "..."}  → 200 {"token": "..."} | 4xx/5xx {"errors": {...}}
//	GET  /api/me                       Authorization: Token <token> → the user
//
// Real providers are enabled by their settings: SOCIAL_AUTH_GOOGLE_OAUTH2_KEY,
// SOCIAL_AUTH_GITHUB_KEY and _SECRET, and so on; they are checked at
// start-up (socialauth.Service.Check), and a problem stops the program.
// With none set, it needs no provider account: it runs the development
// provider on loopback, as backend "dev", which logs anyone in as <name>
// for the access token "dev-<name>". -dev turns it on beside real
// providers. While it is on, the server says so and listens on loopback
// only.
//
// Users live in SQLite, in a file created on first run (it prints where;
// -db moves it); SOCIAL_AUTH_DATABASE_URL=postgres://... switches to
// PostgreSQL.
//
//	go run ./examples/exchange [-addr 127.0.0.1:8000] [-db socialauth-exchange.db] [-dev]
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/dburl"
)

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:8000", "address to listen on")
	flag.StringVar(&o.db, "db", "socialauth-exchange.db", "SQLite file for users (ignored when SOCIAL_AUTH_DATABASE_URL is set)")
	flag.BoolVar(&o.dev, "dev", false, "run the development provider (backend \"dev\") even when a real provider is configured")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.LookupEnv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "exchange:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	addr string // where to listen
	db   string // the SQLite file
	dev  bool   // the development provider even beside real providers
}

// run serves until ctx ends, printing how to try it to out.
func run(ctx context.Context, o options, env func(string) (string, bool), out io.Writer) error {
	enabled, err := backends.FromEnv(env)
	if err != nil {
		return err
	}
	// The development provider logs anyone in: only on a developer's
	// machine, when nothing real is configured or when asked for.
	dev := o.dev || len(enabled) == 0
	if dev && !isLoopback(o.addr) {
		return fmt.Errorf("-addr %s is not a loopback address: the development provider is served on loopback only (127.0.0.1, [::1], localhost)", o.addr)
	}

	abs, err := filepath.Abs(o.db)
	if err != nil {
		return err
	}
	store, err := dburl.Open(ctx, dburl.FromEnv(env, "sqlite:"+abs), sqlstore.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	where := "SQLite at " + abs
	if store.Dialect() == sqlstore.PostgreSQL {
		where = "PostgreSQL (" + dburl.EnvVar + ")"
	}

	if dev {
		devLn, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		devSrv := &http.Server{Handler: devprovider.Handler(), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = devSrv.Serve(devLn) }()
		defer devSrv.Close()
		enabled = append([]socialauth.Backend{devprovider.Backend("http://" + devLn.Addr().String())}, enabled...)
	}

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); dev && (!ok || !tcp.IP.IsLoopback()) { // localhost resolved elsewhere
		ln.Close()
		return fmt.Errorf("%s is not a loopback address: the development provider is served on loopback only", ln.Addr())
	}
	sealKey, err := tokenKey(env)
	if err != nil {
		ln.Close()
		return err
	}
	cfg := appConfig{backends: enabled, storage: store}
	if sealKey != nil {
		cfg.sealKeys = [][]byte{sealKey}
	}
	app, err := newApp(cfg)
	if err != nil {
		ln.Close()
		return err
	}
	// A missing secret, an unreachable or misnamed issuer: found now, not
	// at the first login.
	checkCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = app.svc.Check(checkCtx)
	cancel()
	if err != nil {
		ln.Close()
		return fmt.Errorf("the providers' configuration does not work:\n%w", err)
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 5 * time.Second}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "exchange: listening on %s (backends: %s)\n", base, strings.Join(app.backends, ", "))
	fmt.Fprintf(out, "users: %s\n", where)
	if sealKey == nil {
		fmt.Fprintln(out, "WARNING: "+envTokenKey+" is not set: provider tokens are stored unencrypted. Set it to the base64 of 32 random bytes (openssl rand -base64 32).")
	}
	if dev {
		fmt.Fprintln(out, "WARNING: the development provider is on: backend \"dev\" logs anyone in as <name> for the token dev-<name>. Never use it outside your machine.")
		fmt.Fprintf(out, "try:\n  curl -s -X POST %s/api/login/social/dev/ -H 'Content-Type: application/json' -d '{\"access_token\":\"dev-alice\"}'\n", base)
	} else {
		fmt.Fprintf(out, "try:\n  curl -s -X POST %s/api/login/social/%s/ -H 'Content-Type: application/json' -d '{\"access_token\":\"<a token from the provider>\"}'\n", base, app.backends[0])
	}
	fmt.Fprintf(out, "then:\n  curl -s %s/api/me -H 'Authorization: Token <the token from above>'\n", base)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}

// isLoopback reports whether addr ("host:port") names a loopback host:
// localhost or an address in 127.0.0.0/8 or ::1. An empty host (":8000")
// means every interface, so it is not.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

type appConfig struct {
	backends []socialauth.Backend
	storage  socialauth.Storage
	key      []byte   // signs the app's tokens; nil means a random one
	sealKeys [][]byte // seal stored provider tokens; nil stores them unsealed
	now      func() time.Time
	client   *http.Client // to reach providers; nil means the library's default
}

// app is the example's HTTP API.
type app struct {
	http.Handler
	svc      *socialauth.Service
	store    socialauth.Storage
	tokens   tokenSigner
	backends []string
}

func newApp(c appConfig) (*app, error) {
	if c.key == nil {
		c.key = make([]byte, 32)
		if _, err := rand.Read(c.key); err != nil {
			return nil, err
		}
	}
	if c.now == nil {
		c.now = time.Now
	}
	a := &app{store: c.storage, tokens: tokenSigner{key: c.key, now: c.now, ttl: 24 * time.Hour}}
	for _, b := range c.backends {
		a.backends = append(a.backends, b.Name())
	}

	svc, err := socialauth.New(socialauth.Config{
		TokenKeys:  c.sealKeys,
		Backends:   c.backends,
		Storage:    c.storage,
		Pipeline:   pipeline.Default(),
		HTTPClient: c.client,
		Logger:     slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		return nil, err
	}
	a.svc = svc
	login := socialhttp.Exchange(socialhttp.Options{
		Mint: func(_ context.Context, res *socialauth.Result) (any, error) {
			return map[string]any{"token": a.tokens.mint(res.User.ID), "is_new": res.IsNew}, nil
		},
		// As in the tutorial, every failure the client caused is a 400;
		// an unreachable provider stays a 502 and our own faults a 500.
		ErrorStatus: func(code string, status int) int {
			if status < 500 && status != http.StatusNotFound {
				return http.StatusBadRequest
			}
			return status
		},
	})
	mux := http.NewServeMux()
	mux.Handle("/api/login/social/{backend}/", svc.Middleware(login))
	mux.HandleFunc("GET /api/me", a.me)
	a.Handler = mux
	return a, nil
}

// me answers the user that the Authorization: Token header names.
func (a *app) me(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Token ")
	id, valid := a.tokens.verify(strings.TrimSpace(tok))
	if !ok || !valid {
		w.Header().Set("WWW-Authenticate", "Token")
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": map[string]string{"code": "not_authenticated", "message": "Send Authorization: Token <token>."}})
		return
	}
	u, err := a.store.GetUser(r.Context(), id)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, socialauth.ErrNotFound) {
			status = http.StatusUnauthorized
		}
		socialhttp.WriteError(w, err, status)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": u.ID, "username": u.Username, "email": u.Email,
		"first_name": u.FirstName, "last_name": u.LastName,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// tokenSigner mints the app's own tokens: "<user id>.<expiry>.<HMAC>", a
// stand-in for whatever a real host uses (sessions, JWTs, DRF tokens).
type tokenSigner struct {
	key []byte
	now func() time.Time
	ttl time.Duration
}

func (s tokenSigner) mint(userID string) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(userID)) + "." + strconv.FormatInt(s.now().Add(s.ttl).Unix(), 10)
	return payload + "." + s.sign(payload)
}

func (s tokenSigner) sign(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify checks the signature in constant time, then the expiry.
func (s tokenSigner) verify(tok string) (userID string, ok bool) {
	i := strings.LastIndexByte(tok, '.')
	if i < 0 || len(tok) > 512 {
		return "", false
	}
	payload, sig := tok[:i], tok[i+1:]
	if !hmac.Equal([]byte(sig), []byte(s.sign(payload))) {
		return "", false
	}
	rawID, exp, found := strings.Cut(payload, ".")
	expiry, err := strconv.ParseInt(exp, 10, 64)
	if !found || err != nil || s.now().Unix() >= expiry {
		return "", false
	}
	id, err := base64.RawURLEncoding.DecodeString(rawID)
	if err != nil {
		return "", false
	}
	return string(id), true
}

// envTokenKey names the variable that holds the key sealing stored provider
// tokens: the base64 of 32 random bytes.
const envTokenKey = "SOCIAL_AUTH_TOKEN_KEY"

// tokenKey reads envTokenKey; nil when it is unset.
func tokenKey(env func(string) (string, bool)) ([]byte, error) {
	v, ok := env(envTokenKey)
	if !ok || strings.TrimSpace(v) == "" {
		return nil, nil
	}
	v = strings.TrimSpace(v)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(v); err == nil && len(k) == 32 {
			return k, nil
		}
	}
	return nil, fmt.Errorf("%s must be the base64 of 32 bytes", envTokenKey)
}
