package main

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/socialhttp"
)

// echoPathValue copies echo's route parameter name into the request's
// net/http path values, where socialauth.Handler looks by default: echo
// keeps parameters in its own echo.Context.
func echoPathValue(name string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Request().SetPathValue(name, c.Param(name))
			return next(c)
		}
	}
}

// echoRoutes runs socialauth.Handler as echo middleware
// (echo.WrapMiddleware) after echoPathValue: on a group in front of the
// wrapped exchange handler, and on a route in front of an echo handler of
// the host's own that calls socialauth.DoAuth.
func echoRoutes(cfg socialauth.Config, o socialhttp.Options) http.Handler {
	social := echo.WrapMiddleware(socialauth.Handler(cfg))
	e := echo.New()
	e.HideBanner, e.HidePort = true, true

	g := e.Group("/api/login/social/:backend", echoPathValue("backend"), social)
	g.POST("/", echo.WrapHandler(socialhttp.Exchange(o)))

	e.POST("/api/v2/login/social/:backend/", func(c echo.Context) error {
		var body struct {
			Token string `json:"token"`
		}
		if err := c.Bind(&body); err != nil {
			socialhttp.WriteError(c.Response(), socialauth.ErrInvalidRequest, 0)
			return nil
		}
		res, err := socialauth.DoAuth(c.Request().Context(), body.Token)
		if err == nil {
			var out any
			if out, err = o.Mint(c.Request().Context(), res); err == nil {
				return c.JSON(http.StatusOK, out)
			}
		}
		socialhttp.WriteError(c.Response(), err, 0) // an opaque code; err is in the log
		return nil
	}, echoPathValue("backend"), social)
	return e
}
