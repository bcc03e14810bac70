package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/socialhttp"
)

// chiRoutes: chi sets the route's {backend} as a net/http path value, which
// is where socialauth.Handler looks by default, so no adapter is needed.
//
// r.Use runs the middleware before chi has matched the route: the backend
// name is then read when the handler logs in, and an unknown one is a 404
// from the handler. r.With runs it after matching: an unknown backend never
// reaches the handler.
func chiRoutes(cfg socialauth.Config, o socialhttp.Options) http.Handler {
	social := socialauth.Handler(cfg)
	r := chi.NewRouter()
	r.Route("/api/login/social", func(r chi.Router) {
		r.Use(social)
		r.Post("/{backend}/", socialhttp.Exchange(o).ServeHTTP)
	})
	r.With(social).Post("/api/v2/login/social/{backend}/", socialhttp.Exchange(o).ServeHTTP)
	return r
}
