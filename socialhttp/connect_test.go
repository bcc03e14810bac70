package socialhttp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
)

// TestJSONConnectAndDisconnect: the JSON flow's connect and disconnect,
// for the user the app's own credentials name (here an X-User header).
func TestJSONConnectAndDisconnect(t *testing.T) {
	e := newEnv(t, nil)
	e.cfg.DisconnectPipeline = pipeline.DefaultDisconnect()
	me := func(r *http.Request) (*socialauth.User, error) {
		id := r.Header.Get("X-User")
		if id == "" {
			return nil, nil
		}
		return e.store.GetUser(r.Context(), id)
	}
	o := socialhttp.Options{Mint: mintToken, CurrentUser: me}
	mux := http.NewServeMux()
	login := socialauth.Handler(e.cfg)
	mux.Handle("/api/login/social/{backend}/", login(socialhttp.Exchange(o)))
	mux.Handle("/api/social/{backend}/connect/", login(socialhttp.Connect(o)))
	mux.Handle("/api/social/{backend}/disconnect/", login(socialhttp.Disconnect(socialhttp.Options{CurrentUser: me})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	as := func(user, path, body string) answer { return doAs(t, srv, user, path, body) }

	require.Equal(t, 200, do(t, srv, "POST", "/api/login/social/dev/", "application/json", `{"access_token":"dev-alice"}`).status)
	require.Equal(t, 200, do(t, srv, "POST", "/api/login/social/dev/", "application/json", `{"access_token":"dev-bob"}`).status)
	alice, err := e.store.GetAssociation(context.Background(), "dev", "dev-alice")
	require.NoError(t, err)
	bob, err := e.store.GetAssociation(context.Background(), "dev", "dev-bob")
	require.NoError(t, err)

	a := as("", "/api/social/dev/connect/", `{"access_token":"dev-alice-work"}`)
	assert.Equal(t, 403, a.status, "nobody logged in")
	assert.Equal(t, "forbidden", a.errors["code"])

	a = as(alice.UserID, "/api/social/dev/connect/", `{"access_token":"dev-alice-work"}`)
	require.Equal(t, 200, a.status, a.body)
	links, err := e.store.AssociationsForUser(context.Background(), alice.UserID)
	require.NoError(t, err)
	require.Len(t, links, 2)

	a = as(alice.UserID, "/api/social/dev/connect/", `{"access_token":"dev-bob"}`)
	assert.Equal(t, 409, a.status, "Bob's account is not Alice's to connect")
	assert.Equal(t, "already_associated", a.errors["code"])
	a = as(alice.UserID, "/api/social/dev/connect/", `{"access_token":"dev-x","admin":true}`)
	assert.Equal(t, 400, a.status)

	a = as(alice.UserID, "/api/social/dev/disconnect/", `{"association_id":"`+bob.ID+`"}`)
	assert.Equal(t, 404, a.status, "not hers")
	a = as(alice.UserID, "/api/social/dev/disconnect/", `{"association_id":"`+alice.ID+`"}`)
	require.Equal(t, 204, a.status, a.body)
	a = as(alice.UserID, "/api/social/dev/disconnect/", `{}`)
	assert.Equal(t, 409, a.status, "never the last way in")
	assert.Equal(t, "not_allowed_to_disconnect", a.errors["code"])
	a = as("", "/api/social/dev/disconnect/", `{}`)
	assert.Equal(t, 403, a.status)

	assert.Panics(t, func() { socialhttp.Connect(socialhttp.Options{Mint: mintToken}) })
	assert.Panics(t, func() { socialhttp.Disconnect(socialhttp.Options{}) })
}

// doAs POSTs body as JSON to path as user ("" for nobody).
func doAs(t *testing.T, srv *httptest.Server, user, path, body string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("X-User", user)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, header: resp.Header, body: strings.TrimSpace(string(raw))}
	var out struct {
		Errors map[string]string `json:"errors"`
	}
	if json.Unmarshal(raw, &out) == nil {
		a.errors = out.Errors
	}
	return a
}
