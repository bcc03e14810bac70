package main

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/socialhttp"
)

// ginPathValue copies gin's route parameter name into the request's
// net/http path values, where socialauth.Handler looks by default: gin keeps
// parameters in its own gin.Context, out of the *http.Request's reach.
func ginPathValue(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Request.SetPathValue(name, c.Param(name))
		c.Next()
	}
}

// ginRoutes wraps the net/http handlers with gin.WrapH and gin.WrapF after
// ginPathValue. The second route is a host's own handler that calls
// socialauth.DoAuth.
func ginRoutes(cfg socialauth.Config, o socialhttp.Options) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	social := socialauth.Handler(cfg)
	r := gin.New()
	r.POST("/api/login/social/:backend/", ginPathValue("backend"), gin.WrapH(social(socialhttp.Exchange(o))))
	r.POST("/api/v2/login/social/:backend/", ginPathValue("backend"), gin.WrapF(social(ownLogin(o)).ServeHTTP))
	return r
}

// ownLogin is a hand-written exchange handler, for a host that wants its
// own request shape: {"token": "..."}.
func ownLogin(o socialhttp.Options) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Token string }
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&body); err != nil {
			socialhttp.WriteError(w, socialauth.ErrInvalidRequest, 0)
			return
		}
		res, err := socialauth.DoAuth(r.Context(), body.Token)
		if err != nil {
			socialhttp.WriteError(w, err, 0) // an opaque code; err is in the log
			return
		}
		out, err := o.Mint(r.Context(), res)
		if err != nil {
			socialhttp.WriteError(w, err, 0)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}
}
