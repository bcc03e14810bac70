// Command customstep shows a host's own pipeline steps around the default
// pipeline, with no network and no provider account:
//
//   - "myapp.invite_only" refuses new users whose verified email is not in an
//     invited domain, with the host's own error (existing users still log in);
//
//   - "myapp.accept_terms" pauses a first login until the client accepts the
//     terms, then resumes it with the answer;
//
//   - "myapp.plan" keeps typed data in the State for the host to read in the
//     Result of Login.
//
//     go run ./examples/customstep
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
	"github.com/go-socialauth/socialauth/storage/sqlstore"
	"github.com/go-socialauth/socialauth/storage/sqlstore/dburl"
)

var (
	errNotInvited = errors.New("myapp: not invited")
	terms         = socialauth.NewKey[bool]("myapp.terms_accepted")
	plan          = socialauth.NewKey[string]("myapp.plan")
)

// hostPipeline is the default pipeline with the host's steps inserted by
// the names of the stock steps.
func hostPipeline(invited ...string) socialauth.Pipeline {
	inviteOnly := socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
		if s.User != nil { // a returning user: already in
			return nil
		}
		_, domain, _ := strings.Cut(s.Details.Email, "@")
		for _, d := range invited {
			if s.Details.EmailVerified && domain == d {
				return nil
			}
		}
		return fmt.Errorf("%w: %w", socialauth.ErrAuthForbidden, errNotInvited)
	})
	acceptTerms := socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
		if !s.IsNew {
			return nil
		}
		accepted, answered := terms.Get(s)
		switch {
		case !answered:
			return socialauth.Pause("accept_terms")
		case !accepted:
			return fmt.Errorf("%w: the terms were declined", socialauth.ErrAuthForbidden)
		}
		return nil
	})
	choosePlan := socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
		p := "free"
		if strings.HasSuffix(s.Details.Email, "@bigcorp.example") {
			p = "enterprise"
		}
		plan.Set(s, p)
		return nil
	})
	return pipeline.Default().
		InsertAfter("social_user", socialauth.PipelineStep{Name: "myapp.invite_only", Step: inviteOnly}).
		InsertBefore("create_user", socialauth.PipelineStep{Name: "myapp.accept_terms", Step: acceptTerms}).
		InsertAfter("user_details", socialauth.PipelineStep{Name: "myapp.plan", Step: choosePlan})
}

func main() {
	db := flag.String("db", "", "SQLite file to use (default: a new file in a temporary directory)")
	flag.Parse()
	path := *db
	if path == "" {
		dir, err := os.MkdirTemp("", "customstep")
		if err != nil {
			fmt.Fprintln(os.Stderr, "customstep:", err)
			os.Exit(1)
		}
		path = filepath.Join(dir, "app.db")
	}
	store, err := dburl.Open(context.Background(), dburl.FromEnv(os.LookupEnv, "sqlite:"+path), sqlstore.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "customstep:", err)
		os.Exit(1)
	}
	defer store.Close()
	if store.Dialect() == sqlstore.SQLite {
		fmt.Printf("database: %s\n", path)
	}
	if err := run(os.Stdout, store); err != nil {
		fmt.Fprintln(os.Stderr, "customstep:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, store socialauth.Storage) error {
	provider := httptest.NewServer(devprovider.Handler()) // the development provider on loopback
	defer provider.Close()
	newService := func(p socialauth.Pipeline) (*socialauth.Service, error) {
		return socialauth.New(socialauth.Config{
			Backends:   []socialauth.Backend{devprovider.Backend(provider.URL)},
			Storage:    store,
			Pipeline:   p,
			HTTPClient: provider.Client(),
			Logger:     slog.New(slog.DiscardHandler),
		})
	}
	svc, err := newService(hostPipeline("example.com"))
	if err != nil {
		return err
	}
	ctx := context.Background()

	// 1. A first login pauses for the terms.
	_, err = svc.Login(ctx, "dev", "dev-ada")
	var paused *socialauth.PausedError
	if !errors.As(err, &paused) {
		return fmt.Errorf("expected a pause, got %v", err)
	}
	fmt.Fprintf(out, "first login of ada paused at %s: %s\n", paused.Step, paused.Reason)

	// 2. The client accepts; the login resumes where it paused.
	res, err := svc.Resume(ctx, "dev", paused.Token, func(s *socialauth.State) error {
		terms.Set(s, true)
		return nil
	})
	if err != nil {
		return err
	}
	p, _ := plan.Get(res.State)
	fmt.Fprintf(out, "resumed: user %s created=%v plan=%s\n", res.User.Username, res.IsNew, p)

	// 3. Returning: no pause, no new user.
	res, err = svc.Login(ctx, "dev", "dev-ada")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "second login of ada: created=%v\n", res.IsNew)

	// 4. Not invited: the host's own error comes back, wrapped.
	svc2, err := newService(hostPipeline("bigcorp.example"))
	if err != nil {
		return err
	}
	_, err = svc2.Login(ctx, "dev", "dev-mallory")
	code, status := socialhttp.ErrorCode(err)
	fmt.Fprintf(out, "mallory refused: not invited=%v, client sees %s (%d)\n", errors.Is(err, errNotInvited), code, status)
	return nil
}
