package main

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/socialhttp"
)

// gorillaRoutes: gorilla/mux keeps route variables in its own context
// value, so Config.BackendName reads {backend} with mux.Vars. Its
// middleware (Router.Use) runs after matching, like a wrapped handler.
func gorillaRoutes(cfg socialauth.Config, o socialhttp.Options) http.Handler {
	cfg.BackendName = func(r *http.Request) string { return mux.Vars(r)["backend"] }
	social := socialauth.Handler(cfg)
	r := mux.NewRouter()
	r.Handle("/api/login/social/{backend}/", social(socialhttp.Exchange(o))).Methods(http.MethodPost)

	v2 := r.PathPrefix("/api/v2/login/social").Subrouter()
	v2.Use(social)
	v2.Handle("/{backend}/", socialhttp.Exchange(o)).Methods(http.MethodPost)
	return r
}
