// Command webflow is the server-side browser login (socialhttp.Browser) of
// a small web app, with no provider account: it runs two development
// providers on loopback, backends "dev" and "dev-work", whose login pages
// take any name (no password). Open the printed address and:
//
//   - sign in with one of them: a first login pauses on a welcome form
//     (a display name, the terms), which resumes the login;
//   - see the signed-in user and the connected accounts;
//   - connect the other provider, and disconnect it (the last account
//     cannot be: the page says why);
//   - press "Deny" at a provider's login page: the page says you declined.
//
// Users live in memory. The app and the providers listen on loopback only.
//
//	go run ./examples/webflow [-addr 127.0.0.1:8000]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/go-socialauth/socialauth/examples/webflow/app"
	"github.com/go-socialauth/socialauth/storage/memory"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "address to listen on: loopback only (127.0.0.1, [::1], localhost)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *addr, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webflow:", err)
		os.Exit(1)
	}
}

// run serves the app on addr until ctx ends, printing where to out.
func run(ctx context.Context, addr string, out io.Writer) error {
	// The development providers log anyone in: never beyond this machine.
	if !isLoopback(addr) {
		return fmt.Errorf("-addr %s is not a loopback address: the development providers are served on loopback only (127.0.0.1, [::1], localhost)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() { // localhost resolved elsewhere
		ln.Close()
		return fmt.Errorf("%s is not a loopback address: the development providers are served on loopback only", ln.Addr())
	}
	// The callbacks registered at the providers are made from this address:
	// open the app at it, not under another name for the same host.
	base := "http://" + ln.Addr().String()

	providers, stopProviders, err := app.DevProviders(base)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopProviders()
	h, err := app.New(app.Config{
		BaseURL:   base,
		Providers: providers,
		Storage:   memory.New(),
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(out, "webflow: open %s/\n", base)
	fmt.Fprintln(out, "WARNING: the development providers log anyone in, as any name. Never use them outside your machine.")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
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
