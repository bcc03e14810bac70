// Command metrics is the token exchange with Prometheus metrics: every
// login, connect, resume and disconnect is counted by backend, operation
// and outcome code, with the users it created and a histogram of how long
// it took, all fed by socialauth.Config.OnLogin; GET /metrics serves them.
//
//	POST /api/login/social/{backend}/  {"access_token": "..."}  → 200 {"user_id": ..., "is_new": ...}
//	GET  /metrics                      → Prometheus text format
//
// It needs no provider account: it runs the local development provider on
// loopback, as backend "dev", which accepts any access token "dev-<name>"
// as the verified identity <name>. Users live in memory.
//
//	go run . [-addr 127.0.0.1:8000]
//	curl -s -X POST http://127.0.0.1:8000/api/login/social/dev/ -H 'Content-Type: application/json' -d '{"access_token":"dev-alice"}'
//	curl -s http://127.0.0.1:8000/metrics | grep socialauth_
//
// It is a module of its own so that the library does not depend on the
// Prometheus client.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/socialhttp"
	"github.com/go-socialauth/socialauth/storage/memory"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "address to listen on (loopback: the development provider is for local use only)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *addr, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "metrics:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends.
func run(ctx context.Context, addr string, out io.Writer) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-addr %s: the development provider logs anyone in; serve it on loopback only", addr)
	}
	devLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	dev := &http.Server{Handler: devprovider.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = dev.Serve(devLn) }()
	defer dev.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newApp("http://"+devLn.Addr().String(), nil), ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(out, "metrics: listening on http://%s (POST /api/login/social/dev/, GET /metrics)\n", ln.Addr())
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

// newApp is the exchange for the development provider at devURL, with its
// metrics at /metrics. client reaches the provider; nil means the library's
// default.
func newApp(devURL string, client *http.Client) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	enabled := []socialauth.Backend{devprovider.Backend(devURL)}
	var names []string
	for _, b := range enabled {
		names = append(names, b.Name())
	}
	m := newLoginMetrics(reg, names)

	login := socialauth.Handler(socialauth.Config{
		Backends:   enabled,
		Storage:    memory.New(),
		Pipeline:   pipeline.Default(),
		HTTPClient: client,
		Logger:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		OnLogin:    m.observe,
	})
	exchange := socialhttp.Exchange(socialhttp.Options{
		// A real host mints its own session or API token here.
		Mint: func(_ context.Context, res *socialauth.Result) (any, error) {
			return map[string]any{"user_id": res.User.ID, "is_new": res.IsNew}, nil
		},
	})
	mux := http.NewServeMux()
	mux.Handle("/api/login/social/{backend}/", login(exchange))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}
