package sqlstore_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/backendtest"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
	"github.com/go-socialauth/socialauth/storage/internal/logintest"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/postgres"
)

// processes is how many servers share the database, and logins how many
// first logins race over them.
const (
	processes = 2
	logins    = 50
)

// sharedDatabase opens one new PostgreSQL schema through processes stores,
// each with a *sql.DB pool of its own, as that many server processes
// behind a load balancer would, and a service over each.
func sharedDatabase(t *testing.T, prov *logintest.Provider, pl socialauth.Pipeline) ([]*sqlstore.Store, []*socialauth.Service) {
	t.Helper()
	dsn := newSchema(t)
	var (
		stores []*sqlstore.Store
		svcs   []*socialauth.Service
	)
	for range processes {
		s, err := postgres.Open(context.Background(), dsn, sqlstore.Options{})
		require.NoError(t, err)
		s.DB().SetMaxOpenConns(8) // parallel tests share the server's 100 connections
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
		svcs = append(svcs, prov.Service(t, s, pl))
	}
	return stores, svcs
}

// loginOutcome is what one racing login got.
type loginOutcome struct {
	userID, assocID string
	isNew           bool
}

// raceLogins runs login(i) for i < logins, all at once, and requires each
// to succeed.
func raceLogins(t *testing.T, login func(i int) (loginOutcome, error)) []loginOutcome {
	t.Helper()
	out := make([]loginOutcome, logins)
	errs := make([]error, logins)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range logins {
		wg.Go(func() {
			<-start
			out[i], errs[i] = login(i)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "login %d (server %d)", i, i%processes)
	}
	return out
}

// oneUser asserts that every login got the same user (and, when known, the
// same association), and that exactly one of them created it.
func oneUser(t *testing.T, res []loginOutcome) {
	t.Helper()
	created := 0
	for i, r := range res {
		assert.Equal(t, res[0].userID, r.userID, "login %d (server %d) got another user", i, i%processes)
		assert.Equal(t, res[0].assocID, r.assocID, "login %d (server %d) got another association", i, i%processes)
		if r.isNew {
			created++
		}
	}
	assert.Equal(t, 1, created, "logins that created the user")
}

// Many processes, one database: first logins of one identity, spread over
// two servers that share a PostgreSQL database but nothing in memory (each
// its own connection pool and service), give exactly one user and one
// association, which every login gets, and no half-written login.
func TestManyProcessesOneDatabase(t *testing.T) {
	ids := backendtest.Identity{UID: "5005", Username: "sam", Email: "sam@example.com", EmailVerified: true,
		FirstName: "Sam", LastName: "Roe"}

	t.Run("Service", func(t *testing.T) {
		t.Parallel()
		prov := logintest.NewProvider(t)
		stores, svcs := sharedDatabase(t, prov, pipeline.Default())
		tok := prov.Token(logintest.Google, ids)
		res := raceLogins(t, func(i int) (loginOutcome, error) {
			r, err := svcs[i%processes].Login(context.Background(), logintest.Google, tok)
			if err != nil {
				return loginOutcome{}, err
			}
			return loginOutcome{r.User.ID, r.Association.ID, r.IsNew}, nil
		})
		oneUser(t, res)
		for i, s := range stores {
			assert.Equal(t, logintest.Census{Users: 1, Associations: 1}, census(t, s), "as server %d sees it", i)
		}
	})

	// The same through each server's HTTP token exchange.
	t.Run("HTTP", func(t *testing.T) {
		t.Parallel()
		prov := logintest.NewProvider(t)
		stores, svcs := sharedDatabase(t, prov, pipeline.Default())
		var urls []string
		for _, svc := range svcs {
			mux := http.NewServeMux()
			mux.Handle("/api/login/social/{backend}/", svc.Middleware(socialhttp.Exchange(socialhttp.Options{
				Mint: func(_ context.Context, res *socialauth.Result) (any, error) {
					return map[string]any{"user_id": res.User.ID, "association_id": res.Association.ID, "is_new": res.IsNew}, nil
				},
			})))
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			urls = append(urls, srv.URL+"/api/login/social/"+logintest.Google+"/")
		}
		body, err := json.Marshal(map[string]string{"access_token": prov.Token(logintest.Google, ids)})
		require.NoError(t, err)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: logins}}
		defer client.CloseIdleConnections()
		res := raceLogins(t, func(i int) (loginOutcome, error) {
			resp, err := client.Post(urls[i%processes], "application/json", strings.NewReader(string(body)))
			if err != nil {
				return loginOutcome{}, err
			}
			defer resp.Body.Close()
			var got struct {
				UserID        string `json:"user_id"`
				AssociationID string `json:"association_id"`
				IsNew         bool   `json:"is_new"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				return loginOutcome{}, err
			}
			if resp.StatusCode != http.StatusOK {
				return loginOutcome{}, &statusError{resp.StatusCode}
			}
			return loginOutcome{got.UserID, got.AssociationID, got.IsNew}, nil
		})
		oneUser(t, res)
		require.NotEmpty(t, res[0].userID)
		for i, s := range stores {
			assert.Equal(t, logintest.Census{Users: 1, Associations: 1}, census(t, s), "as server %d sees it", i)
		}
	})
}

type statusError struct{ status int }

func (e *statusError) Error() string { return "status " + http.StatusText(e.status) }
