package socialauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// checker is the optional power of a backend that can tell, before any
// login, what would keep it from working.
type checker interface {
	Check(ctx context.Context, client *http.Client) error
}

// Check checks every configured backend, to find at start-up the
// misconfiguration that would otherwise fail the first login: a host calls
// it after [New] and refuses to start on an error.
//
// It calls, for each backend that has it, the method
//
//	Check(ctx context.Context, client *http.Client) error
//
// with Config.HTTPClient, all backends at once. Such a method reports
// every problem it finds (errors.Join), each naming the setting to fix;
// it may ask the provider (an OpenID provider's discovery document and
// keys) but sends no token. The backends of the package backends have it:
// client ids, secrets and the provider's own settings present, and for an
// OpenID provider its discovery document reachable and naming the
// configured issuer, its JWKS reachable and holding a key. A backend
// without the method is taken as it is.
//
// The result joins every problem of every backend, in the order of
// Config.Backends, each prefixed with its backend's name; nil means none
// was found.
func (s *Service) Check(ctx context.Context) error {
	problems := make([][]error, len(s.cfg.Backends))
	var wg sync.WaitGroup
	for i, b := range s.cfg.Backends {
		c, ok := b.(checker)
		if !ok {
			continue
		}
		wg.Go(func() {
			err := c.Check(ctx, s.client)
			if err == nil {
				return
			}
			each := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				each = j.Unwrap()
			}
			for _, e := range each {
				problems[i] = append(problems[i], fmt.Errorf("socialauth: backend %s: %w", b.Name(), e))
			}
		})
	}
	wg.Wait()
	var all []error
	for _, p := range problems {
		all = append(all, p...)
	}
	return errors.Join(all...)
}
