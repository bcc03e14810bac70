package socialauth_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// A login outside an HTTP handler: WithBackend prepares the context the way
// Handler does for a request, and DoAuth runs the backend and the pipeline.
func ExampleDoAuth() {
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
	ctx, _ := svc.WithBackend(context.Background(), "dev")

	first, _ := socialauth.DoAuth(ctx, "dev:ada")
	again, _ := socialauth.DoAuth(ctx, "dev:ada")
	fmt.Println(first.User.Username, first.IsNew, again.IsNew, first.User.ID == again.User.ID)

	_, err = socialauth.DoAuth(ctx, "a token the provider refuses")
	code, status := socialauth.ErrorCode(err)
	fmt.Println(code, status)
	// Output:
	// ada true false true
	// invalid_token 401
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
