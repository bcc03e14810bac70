package socialauth

import (
	"context"
	"net/http"
)

// Handler returns middleware that resolves the backend named in the route
// (Config.BackendName, by default the {backend} path wildcard) and puts it,
// with the Service built from cfg, in the request context, where [DoAuth]
// and the socialhttp handlers find it ([FromContext]). A request naming an
// unknown backend gets Config.NotFound.
//
// The middleware works wherever a router places it. When it runs before the
// route is matched (chi's r.Use, for instance), the name is not known yet;
// it is then read when the handler calls DoAuth, from the request as the
// router handed it on, and an unknown name fails there with
// [ErrUnknownBackend].
//
// Handler panics when cfg is invalid (see [New]): that is a programmer error
// found at start-up.
func Handler(cfg Config) func(http.Handler) http.Handler {
	s, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return s.Middleware
}

// Middleware is [Handler] for an existing Service.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bd := &binding{svc: s}
		if name := s.cfg.BackendName(r); name != "" {
			b, ok := s.backends[name]
			if !ok {
				s.cfg.NotFound.ServeHTTP(w, r)
				return
			}
			bd.backend = b
		}
		r = r.WithContext(context.WithValue(r.Context(), bindingKey, bd))
		// The router may match the route after this point, on this very
		// request (net/http's ServeMux sets path values in place) or on a
		// copy whose context carries the router's values; keep the request
		// so that the name can be read then.
		bd.req = r
		next.ServeHTTP(w, r)
	})
}

type contextKey struct{ name string }

var (
	bindingKey = &contextKey{"socialauth.backend"}
	detailsKey = &contextKey{"socialauth.details"}
)

// binding is what the middleware leaves in a request context.
type binding struct {
	svc     *Service
	backend Backend       // nil until the name is known
	req     *http.Request // the request the middleware handed on
}

// resolve returns the binding's backend, reading the name from the request
// as seen through ctx when the middleware could not.
func (b *binding) resolve(ctx context.Context) (Backend, error) {
	if b.backend != nil {
		return b.backend, nil
	}
	name := ""
	if b.req != nil {
		name = b.svc.cfg.BackendName(b.req.WithContext(ctx))
	}
	be, ok := b.svc.backends[name]
	if !ok {
		return nil, &Error{Backend: name, Err: ErrUnknownBackend}
	}
	return be, nil
}

func bindingFrom(ctx context.Context) (*binding, Backend, error) {
	b, ok := ctx.Value(bindingKey).(*binding)
	if !ok {
		return nil, nil, &Error{Err: ErrUnknownBackend}
	}
	be, err := b.resolve(ctx)
	return b, be, err
}

// FromContext returns the Service and the backend that [Handler] put in the
// request context. ok is false when there is none, or when the route names
// a backend that is not configured.
func FromContext(ctx context.Context) (svc *Service, backend Backend, ok bool) {
	b, be, err := bindingFrom(ctx)
	if err != nil {
		return nil, nil, false
	}
	return b.svc, be, true
}

// DoAuth is [Service.Login] for a handler behind [Handler]: it logs in with
// accessToken through the backend the middleware put in ctx. Without that
// middleware it fails with [ErrUnknownBackend].
func DoAuth(ctx context.Context, accessToken string) (*Result, error) {
	b, be, err := bindingFrom(ctx)
	if err != nil {
		return nil, err
	}
	return b.svc.Login(ctx, be.Name(), accessToken)
}

// WithDetails returns ctx carrying details the client sent beside the token,
// such as the name that Sign in with Apple gives only on the first
// authorization and never in its id_token. A login started with this ctx
// begins the pipeline's State.Details from them, and the stock
// social_details step keeps them over the provider's. They are the
// client's word: EmailVerified is dropped, and an email that differs from
// the provider's is never marked verified.
func WithDetails(ctx context.Context, d Details) context.Context {
	d.EmailVerified = false
	return context.WithValue(ctx, detailsKey, d)
}
