package socialauth_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// A login: the backend checks the token with its provider (here a
// development provider on loopback), the pipeline finds or creates the user.
func ExampleService_Login() {
	provider := httptest.NewServer(devprovider.Handler()) // a provider on loopback
	defer provider.Close()

	svc, err := socialauth.New(socialauth.Config{
		Backends:   []socialauth.Backend{devprovider.Backend(provider.URL)},
		Storage:    memory.New(),
		Pipeline:   pipeline.Default(),
		HTTPClient: provider.Client(),
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	first, _ := svc.Login(ctx, "dev", "dev-ada")
	again, _ := svc.Login(ctx, "dev", "dev-ada")
	fmt.Println(first.User.Username, first.IsNew, again.IsNew, first.User.ID == again.User.ID)

	_, err = svc.Login(ctx, "dev", "a-token-the-provider-refuses")
	fmt.Println(errors.Is(err, socialauth.ErrInvalidToken))
	// Output:
	// ada true false true
	// true
}

// A host's own step, inserted by name: it may read and change the State,
// keep typed data, or stop the login with its own error.
func ExamplePipeline_InsertBefore() {
	tier := socialauth.NewKey[string]("myapp.tier")
	p := pipeline.Default().InsertBefore("create_user", socialauth.PipelineStep{
		Name: "myapp.tier",
		Step: socialauth.StepFunc(func(ctx context.Context, s *socialauth.State) error {
			if s.Details.EmailVerified {
				tier.Set(s, "trusted")
			}
			return nil
		}),
	})
	fmt.Println(p.Index("myapp.tier"), p.Index("create_user"))
	// Output: 5 6
}
