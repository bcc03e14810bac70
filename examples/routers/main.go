// Command routers serves the token exchange of examples/exchange under a
// third-party router: chi, gorilla/mux, gin or echo. Each file of this
// folder wires socialauth.Handler and socialhttp.Exchange into one router,
// the way that router is usually written; the tests run a real exchange
// through each.
//
// It is a module of its own, so that the library's go.mod names no router.
// It serves on loopback only, with the development provider (backend "dev",
// tokens dev-<name>) and users in memory:
//
//	cd examples/routers && go run . [-router chi|gorilla|gin|echo] [-addr 127.0.0.1:8000]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"time"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// routers builds the app under each router from the socialauth
// configuration and the exchange handler's options.
var routers = map[string]func(socialauth.Config, socialhttp.Options) http.Handler{
	"chi":     chiRoutes,
	"gorilla": gorillaRoutes,
	"gin":     ginRoutes,
	"echo":    echoRoutes,
}

func main() {
	router := flag.String("router", "chi", "chi, gorilla, gin or echo")
	addr := flag.String("addr", "127.0.0.1:8000", "loopback address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *router, *addr, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "routers:", err)
		os.Exit(1)
	}
}

// run serves the app under router on addr until ctx ends.
func run(ctx context.Context, router, addr string, out io.Writer) error {
	routes, ok := routers[router]
	if !ok {
		return fmt.Errorf("unknown router %q (chi, gorilla, gin or echo)", router)
	}
	// The development provider accepts anyone's name as a token: it must
	// never be reachable from another machine.
	if !isLoopback(addr) {
		return fmt.Errorf("%q is not a loopback address: the development provider is served on loopback only (-addr 127.0.0.1:PORT)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	dev := httptest.NewServer(devprovider.Handler())
	defer dev.Close()
	srv := &http.Server{Handler: routes(config(dev.URL), exchangeOptions()), ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(out, "routers: %s on http://%s, development provider on (tokens dev-<name>)\n", router, ln.Addr())
	fmt.Fprintf(out, "try:\n  curl -s -X POST http://%s/api/login/social/dev/ -H 'Content-Type: application/json' -d '{\"access_token\":\"dev-alice\"}'\n", ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}

// isLoopback reports whether addr ("host:port") names a loopback host:
// localhost or an address in 127.0.0.0/8 or ::1. An empty host (":8000")
// means every interface, so it is not.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// config is the socialauth configuration every router shares: the
// development provider at devURL, users in memory. A router that keeps
// route parameters to itself sets BackendName (see gorilla.go).
func config(devURL string) socialauth.Config {
	return socialauth.Config{
		Backends: []socialauth.Backend{devprovider.Backend(devURL)},
		Storage:  memory.New(),
		Pipeline: pipeline.Default(),
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	}
}

// exchangeOptions mint the app's own credentials. A real app would issue a
// session or a signed token here (examples/exchange shows one).
func exchangeOptions() socialhttp.Options {
	return socialhttp.Options{Mint: mint}
}

func mint(_ context.Context, res *socialauth.Result) (any, error) {
	return map[string]any{"user_id": res.User.ID, "username": res.User.Username, "is_new": res.IsNew}, nil
}
