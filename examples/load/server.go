package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/dburl"
)

// exchangePath is the token exchange route of the exchange example, for
// the development provider's backend.
const exchangePath = "/api/login/social/" + devprovider.BackendName + "/"

// server is the token exchange served in this process, as the exchange
// example serves it: the development provider on a loopback port of its
// own, and the exchange (socialauth.Handler + socialhttp.Exchange) over a
// SQL store on another.
type server struct {
	URL    string // the exchange server's base URL
	Store  *sqlstore.Store
	devURL string
	close  func()
}

// listen serves h on a free loopback port and returns its base URL and
// the function that stops it.
func listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// startServer starts the development provider and the exchange over the
// database dbURL names (sqlite:<path> or postgres://...).
func startServer(ctx context.Context, dbURL string, logTo io.Writer) (*server, error) {
	store, err := dburl.Open(ctx, dbURL, sqlstore.Options{})
	if err != nil {
		return nil, err
	}
	devURL, stopDev, err := listen(devprovider.Handler())
	if err != nil {
		store.Close()
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		stopDev()
		store.Close()
		return nil, err
	}
	login := socialauth.Handler(socialauth.Config{
		Backends: []socialauth.Backend{devprovider.Backend(devURL)},
		Storage:  store,
		Pipeline: pipeline.Default(),
		Logger:   slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	exchange := socialhttp.Exchange(socialhttp.Options{
		Mint: func(_ context.Context, res *socialauth.Result) (any, error) {
			return mintReply{Token: mint(key, res.User.ID), IsNew: res.IsNew}, nil
		},
	})
	mux := http.NewServeMux()
	mux.Handle("/api/login/social/{backend}/", login(exchange))
	url, stop, err := listen(mux)
	if err != nil {
		stopDev()
		store.Close()
		return nil, err
	}
	return &server{URL: url, Store: store, devURL: devURL, close: func() {
		stop()
		stopDev()
		store.Close()
	}}, nil
}

func (s *server) Close() { s.close() }

// mintReply is the exchange's answer: the app's own token, as the
// exchange example mints it.
type mintReply struct {
	Token string `json:"token"`
	IsNew bool   `json:"is_new"`
}

// mint is a stand-in for the host's own credentials: the user id and its
// HMAC.
func mint(key []byte, userID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(userID))
	return userID + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// startFloor serves, on the exchange's route, the least work any token
// exchange does, written by hand with net/http and encoding/json: decode
// the body, ask the development provider's userinfo about the token,
// decode its answer and answer a minted token. No library, no database.
// Its allocations and latency are the floor the real exchange is read
// against.
func startFloor(devURL string) (string, func(), error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16 // as the library's default client
	provider := &http.Client{Transport: t, Timeout: 10 * time.Second}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+exchangePath, func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&body); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, devURL+"/userinfo", nil)
		if err != nil {
			http.Error(w, "internal", http.StatusInternalServerError)
			return
		}
		req.Header.Set("Authorization", "Bearer "+body.AccessToken)
		resp, err := provider.Do(req)
		if err != nil {
			http.Error(w, "provider", http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		var info map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || resp.StatusCode != http.StatusOK {
			http.Error(w, "provider", http.StatusBadGateway)
			return
		}
		sub, _ := info["sub"].(string)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(mintReply{Token: mint(key, sub)})
	})
	url, stop, err := listen(mux)
	if err != nil {
		provider.CloseIdleConnections()
		return "", nil, err
	}
	return url, func() { stop(); provider.CloseIdleConnections() }, nil
}

// rss returns the resident memory of the process pid (0: this one), read
// from /proc/<pid>/statm (Linux), or an error where there is none.
func rss(pid int) (uint64, error) {
	path := "/proc/self/statm"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/statm", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var size, resident uint64
	if _, err := fmt.Sscan(string(b), &size, &resident); err != nil {
		return 0, errors.New("load: unexpected " + path)
	}
	return resident * uint64(os.Getpagesize()), nil
}
