// Package e2e tests the generic "oidc" backend end to end against a real
// OpenID Provider: zitadel/oidc's example OP, run in-process on loopback.
// The token exchange logs in with the tokens of a code flow done with
// golang.org/x/oauth2; the browser login runs the Service's own code flow
// (AuthCodeURL, the OP's login form, LoginCode).
// It is a module of its own so that the library's go.mod does not depend
// on zitadel. Run it with:
//
//	cd examples/oidc-e2e && go test -race ./...
package e2e
