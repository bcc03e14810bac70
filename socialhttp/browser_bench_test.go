package socialhttp_test

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// The pair below reads as a ratio: one browser login round of a returning
// user (Begin, the provider's authorization endpoint, Callback: the code
// exchange, the user info, the default pipeline over memory storage, the
// session hook) against the least any Go server must do for the same round
// with x/oauth2 alone: the same HTTP calls to the same provider on a
// loopback socket (authorize, token, userinfo), a state and PKCE verifier
// in a plain cookie compared in constant time, a typed JSON decode.

var benchID = backendtest.Identity{UID: "bench-1", Username: "bench", Email: "bench@example.com", EmailVerified: true, Name: "Bench Mark"}

func BenchmarkCodeFlowRound(b *testing.B) {
	as := backendtest.NewAuthorizationServer(b, backendtest.AuthorizationServerOptions{})
	login := socialauth.Handler(socialauth.Config{
		Backends:   []socialauth.Backend{as.OAuth2("plain")},
		Storage:    memory.New(),
		Pipeline:   pipeline.Default(),
		HTTPClient: as.Client(),
		Logger:     slog.New(slog.DiscardHandler),
	})
	br := socialhttp.Browser{
		RedirectURL: func(backend string) string { return appURL + "/auth/complete/" + backend + "/" },
		Success: func(w http.ResponseWriter, _ *http.Request, res *socialauth.Result, _ string) (string, error) {
			http.SetCookie(w, &http.Cookie{Name: "app-session", Value: "s-" + res.User.ID, Path: "/", Secure: true, HttpOnly: true})
			return "", nil
		},
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/login/{backend}/", login(br.Begin()))
	mux.Handle("/auth/complete/{backend}/", login(br.Callback()))
	round := func() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, form("/auth/login/plain/", nil))
		if rec.Code != http.StatusSeeOther {
			b.Fatal(rec.Code, rec.Body.String())
		}
		flow := rec.Result().Cookies()[0]
		resp, err := as.Approve(rec.Header().Get("Location"), benchID)
		if err != nil {
			b.Fatal(err)
		}
		r := resp.Request()
		r.AddCookie(&http.Cookie{Name: flow.Name, Value: flow.Value})
		rec = httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
	round() // the first login creates the user
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		round()
	}
}

func BenchmarkFloorCodeFlowRound(b *testing.B) {
	as := backendtest.NewAuthorizationServer(b, backendtest.AuthorizationServerOptions{})
	set := as.Settings()
	cfg := &oauth2.Config{ClientID: set.Key, ClientSecret: set.Secret, Scopes: []string{"profile"},
		RedirectURL: appURL + "/auth/complete/plain/",
		Endpoint:    oauth2.Endpoint{AuthURL: as.URL() + "/authorize", TokenURL: as.URL() + "/token", AuthStyle: oauth2.AuthStyleInHeader}}
	client := as.Client()
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, client)
	type userinfo struct {
		Sub               string `json:"sub"`
		PreferredUsername string `json:"preferred_username"`
		Email             string `json:"email"`
		EmailVerified     bool   `json:"email_verified"`
		Name              string `json:"name"`
	}
	begin := func(w http.ResponseWriter, r *http.Request) {
		state, verifier := rand.Text(), oauth2.GenerateVerifier()
		http.SetCookie(w, &http.Cookie{Name: "__Host-flow", Value: state + "." + verifier, Path: "/", MaxAge: 900, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), http.StatusSeeOther)
	}
	callback := func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("__Host-flow")
		if err != nil {
			http.Error(w, "no flow", http.StatusBadRequest)
			return
		}
		state, verifier, _ := strings.Cut(c.Value, ".")
		if subtle.ConstantTimeCompare([]byte(state), []byte(r.URL.Query().Get("state"))) != 1 {
			http.Error(w, "state", http.StatusBadRequest)
			return
		}
		tok, err := cfg.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, as.URL()+"/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		var u userinfo
		err = json.NewDecoder(resp.Body).Decode(&u)
		resp.Body.Close()
		if err != nil || u.Sub != benchID.UID {
			http.Error(w, "userinfo", http.StatusBadGateway)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "__Host-flow", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "app-session", Value: "s-" + u.Sub, Path: "/", Secure: true, HttpOnly: true})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		begin(rec, form("/auth/login/plain/", nil))
		flow := rec.Result().Cookies()[0]
		resp, err := as.Approve(rec.Header().Get("Location"), benchID)
		if err != nil {
			b.Fatal(err)
		}
		u, _ := url.Parse(resp.URL())
		r := httptest.NewRequest(http.MethodGet, u.String(), nil)
		r.AddCookie(&http.Cookie{Name: flow.Name, Value: flow.Value})
		rec = httptest.NewRecorder()
		callback(rec, r)
		if rec.Code != http.StatusSeeOther {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
}
