// Command load drives the token exchange with many concurrent clients and
// reports requests per second, latency percentiles (p50, p95, p99, max; of
// new and returning users apart), allocations per request and resident
// memory over time.
//
// By default it serves the exchange itself, in this process, as the
// exchange example does: the development provider on a loopback port, and
// socialauth.Handler + socialhttp.Exchange over a SQLite store in a new
// temporary file (-db names another database: sqlite:<path> or
// postgres://...). Its clients log in through the "dev" backend with
// static dev-<name> tokens: a new name each time for a new user, one of a
// pool of names, logged in once before the run, for a returning one.
//
//	go run ./examples/load -clients 16 -new 1 -duration 30s
//	go run ./examples/load -clients 16 -new 0.1 -duration 5m -sample 30s
//	go run ./examples/load -db postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable
//
// With -url it drives a server that already runs (one that serves
// POST /api/login/social/dev/ with the development provider's backend, as
// the exchange example does), and with -pid it samples that process's
// resident memory.
//
// The run ends after -duration or -requests, whichever comes first. It
// exits with status 1 if any request failed.
//
// Allocations per request count the whole process: the server, the
// development provider and the clients. The floor beside them is the same
// load against a handler that does by hand, with net/http and
// encoding/json, the least any token exchange does (decode the body, one
// userinfo call to the same provider, answer a token); the difference is
// the library's share: its backend, pipeline, storage and handler.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-socialauth/socialauth/storage/sqlstore"
)

func main() {
	var o options
	flag.StringVar(&o.url, "url", "", "base URL of a running exchange server to drive (default: serve one in this process)")
	flag.IntVar(&o.pid, "pid", 0, "with -url: the server's process id, to sample its resident memory")
	flag.StringVar(&o.db, "db", "", "database of the in-process server: sqlite:<path> or postgres://... (default: a new SQLite file in a temporary directory)")
	flag.IntVar(&o.clients, "clients", 16, "concurrent clients")
	flag.Float64Var(&o.newShare, "new", 1, "share of logins by new users, 0 to 1 (the rest are returning users)")
	flag.IntVar(&o.pool, "returning", 200, "how many returning users the run logs in again (each logged in once before it)")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long the measured run lasts at most")
	flag.IntVar(&o.requests, "requests", 0, "how many requests the measured run sends at most (0: no bound but -duration)")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before the run")
	flag.DurationVar(&o.sample, "sample", 5*time.Second, "interval between resident memory samples")
	flag.BoolVar(&o.floor, "floor", true, "in-process: also measure the hand-written floor")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	if rep.Errors > 0 {
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	url      string
	pid      int
	db       string
	clients  int
	newShare float64
	pool     int
	duration time.Duration
	requests int
	warmup   time.Duration
	sample   time.Duration
	floor    bool
}

// report is what a run measured.
type report struct {
	Requests, Errors uint64
	Elapsed          time.Duration
	All, New, Old    latencies // every request's latency, new users', returning users'
	// ErrorSamples are up to five distinct failures (status and error
	// code, or the transport's error).
	ErrorSamples []string
	// AllocsPerRequest and BytesPerRequest are the process's heap
	// allocations over the run divided by its requests; zero when the
	// server is not in this process.
	AllocsPerRequest, BytesPerRequest float64
	// Floor is the hand-written floor's run, when measured.
	Floor *report
	// Memory are the samples taken during the run.
	Memory []memSample
	// DB is how the in-process server's connection pool was used.
	DB *dbUse
}

// dbUse is how a run used the server's database connection pool.
type dbUse struct {
	Open       int   // connections open at the end
	IdleClosed int64 // connections closed because more than MaxIdleConns were idle
	Waits      int64 // times a query waited for a connection (MaxOpenConns)
}

// memSample is the memory seen at one time of the run.
type memSample struct {
	At       time.Duration
	Requests uint64
	RSS      uint64 // resident memory of the server's process; 0 when unknown
	Heap     uint64 // live heap of this process (in-process runs only)
}

func (r *report) rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

func run(ctx context.Context, o options, out io.Writer) (*report, error) {
	if o.clients < 1 || o.newShare < 0 || o.newShare > 1 || o.pool < 1 && o.newShare < 1 || o.duration <= 0 || o.sample <= 0 {
		return nil, errors.New("want -clients ≥ 1, 0 ≤ -new ≤ 1, -returning ≥ 1 when -new < 1, -duration > 0 and -sample > 0")
	}
	base, pid, inProcess := strings.TrimSuffix(o.url, "/"), o.pid, o.url == ""
	where := base
	var (
		devURL string
		store  *sqlstore.Store
	)
	if inProcess {
		db := o.db
		if db == "" {
			dir, err := os.MkdirTemp("", "socialauth-load-")
			if err != nil {
				return nil, err
			}
			defer os.RemoveAll(dir)
			db = "sqlite:" + filepath.Join(dir, "load.db")
		}
		srv, err := startServer(ctx, db, os.Stderr)
		if err != nil {
			return nil, err
		}
		defer srv.Close()
		base, devURL, store = srv.URL, srv.devURL, srv.Store
		where = fmt.Sprintf("in-process server on %s", srv.Store.Dialect())
		if strings.HasPrefix(db, "sqlite:") {
			where += " (" + strings.TrimPrefix(db, "sqlite:") + ")"
		}
	}
	fmt.Fprintf(out, "load: %d clients, %.0f%% new users, at most %s", o.clients, 100*o.newShare, o.duration)
	if o.requests > 0 {
		fmt.Fprintf(out, " or %d requests", o.requests)
	}
	fmt.Fprintf(out, ", against %s\n", where)

	hc := newClient(o.clients)
	defer hc.CloseIdleConnections()
	runID := randomID()
	d := &driver{hc: hc, url: base + exchangePath, runID: runID, newShare: o.newShare, pool: o.pool}

	var floor *report
	if inProcess && o.floor {
		floorURL, stopFloor, err := startFloor(devURL)
		if err != nil {
			return nil, err
		}
		// The floor keeps nothing: every login costs it the same.
		fd := &driver{hc: hc, url: floorURL + exchangePath, runID: runID, newShare: 1}
		floor = fd.load(ctx, o.clients, min(o.duration, 5*time.Second), 0, true)
		stopFloor()
		fmt.Fprintf(out, "floor:    %s\n", floor.summary())
	}

	if o.newShare < 1 {
		// The returning users' first logins, unmeasured.
		pre := &driver{hc: hc, url: d.url, pool: o.pool, poolNext: new(atomic.Int64)}
		r := pre.load(ctx, o.clients, time.Hour, 0, false)
		if r.Errors > 0 {
			return r, fmt.Errorf("creating the returning users: %d of %d logins failed: %s", r.Errors, r.Requests, strings.Join(r.ErrorSamples, "; "))
		}
	}
	if o.warmup > 0 {
		d.load(ctx, o.clients, o.warmup, 0, false)
	}

	d.sample, d.pid, d.out = o.sample, pid, out
	var dbBefore sql.DBStats
	if store != nil {
		dbBefore = store.DB().Stats()
	}
	rep := d.load(ctx, o.clients, o.duration, o.requests, inProcess)
	rep.Floor = floor
	if store != nil {
		after := store.DB().Stats()
		rep.DB = &dbUse{Open: after.OpenConnections, IdleClosed: after.MaxIdleClosed - dbBefore.MaxIdleClosed,
			Waits: after.WaitCount - dbBefore.WaitCount}
	}
	rep.print(out)
	return rep, ctx.Err()
}

// newClient is an HTTP client that keeps a connection per client alive.
func newClient(clients int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = clients
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

func randomID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// driver sends logins to one exchange URL.
type driver struct {
	hc       *http.Client
	url      string
	runID    string // makes this run's new users' names its own
	newShare float64
	pool     int
	seq      atomic.Int64
	poolNext *atomic.Int64 // set: returning users are taken in order, each once

	// With out set, load samples memory every sample (of the process pid,
	// 0: this one) and prints each sample there.
	sample time.Duration
	pid    int
	out    io.Writer
}

// token is the development provider's static token for a new user (a
// name never used before) or a returning one (a name of the pool). ok is
// false when a driver that takes the pool in order has taken all of it.
func (d *driver) token(rng *mrand.Rand) (tok string, isNew, ok bool) {
	switch {
	case d.poolNext != nil:
		n := d.poolNext.Add(1) - 1
		return fmt.Sprintf("dev-load-%d", n), false, n < int64(d.pool)
	case rng.Float64() < d.newShare:
		return fmt.Sprintf("dev-new-%s-%d", d.runID, d.seq.Add(1)), true, true
	default:
		return fmt.Sprintf("dev-load-%d", rng.IntN(d.pool)), false, true
	}
}

// load runs clients concurrent clients until duration has passed or limit
// requests (0: no limit) were sent. With inProcess it counts the process's
// allocations.
//
// Requests in flight when duration ends run to their end: cutting them off
// would make the server see cancelled logins. Only ctx's end (an
// interrupt) cuts them off.
func (d *driver) load(ctx context.Context, clients int, duration time.Duration, limit int, inProcess bool) *report {
	var (
		sent  atomic.Int64
		done  atomic.Uint64
		wg    sync.WaitGroup
		mu    sync.Mutex
		total = &report{}
	)
	var before runtime.MemStats
	if inProcess {
		runtime.GC()
		runtime.ReadMemStats(&before)
	}
	start := time.Now()
	deadline := start.Add(duration)
	stopSampling := func() {}
	if d.out != nil {
		stopSampling = d.sampleMemory(total, &done, start, inProcess)
	}
	for range clients {
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(mrand.Uint64(), mrand.Uint64()))
			mine := &report{}
			var body bytes.Buffer
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if limit > 0 && sent.Add(1) > int64(limit) {
					break
				}
				tok, isNew, ok := d.token(rng)
				if !ok {
					break
				}
				t0 := time.Now()
				failure := d.post(ctx, &body, tok)
				took := time.Since(t0)
				if failure != "" && ctx.Err() != nil {
					break // cut off by an interrupt: not the server's failure
				}
				mine.Requests++
				done.Add(1)
				mine.All.add(took)
				if isNew {
					mine.New.add(took)
				} else {
					mine.Old.add(took)
				}
				if failure != "" {
					mine.Errors++
					if len(mine.ErrorSamples) < 5 && !slices.Contains(mine.ErrorSamples, failure) {
						mine.ErrorSamples = append(mine.ErrorSamples, failure)
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			total.Requests += mine.Requests
			total.Errors += mine.Errors
			total.All.merge(&mine.All)
			total.New.merge(&mine.New)
			total.Old.merge(&mine.Old)
			for _, s := range mine.ErrorSamples {
				if len(total.ErrorSamples) < 5 && !slices.Contains(total.ErrorSamples, s) {
					total.ErrorSamples = append(total.ErrorSamples, s)
				}
			}
		})
	}
	wg.Wait()
	total.Elapsed = time.Since(start)
	stopSampling()
	if inProcess && total.Requests > 0 {
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		total.AllocsPerRequest = float64(after.Mallocs-before.Mallocs) / float64(total.Requests)
		total.BytesPerRequest = float64(after.TotalAlloc-before.TotalAlloc) / float64(total.Requests)
	}
	return total
}

// post sends one login and returns "" on a 200, else what went wrong (the
// status and the body's error code, never the token).
func (d *driver) post(ctx context.Context, body *bytes.Buffer, tok string) string {
	body.Reset()
	body.WriteString(`{"access_token":"`)
	body.WriteString(tok)
	body.WriteString(`"}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body.Bytes()))
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.hc.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) && ue.Unwrap() != nil {
			err = ue.Unwrap() // without the URL
		}
		return err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Sprintf("%d %s", resp.StatusCode, errorCode(b))
}

// errorCode is the "code" of an {"errors": {"code": ...}} body.
func errorCode(b []byte) string {
	_, after, ok := bytes.Cut(b, []byte(`"code":"`))
	if !ok {
		return "(no error code)"
	}
	code, _, _ := bytes.Cut(after, []byte(`"`))
	return string(code)
}

// sampleMemory records and prints a memory sample every interval until the
// returned function is called, which takes a last one.
func (d *driver) sampleMemory(r *report, done *atomic.Uint64, start time.Time, inProcess bool) func() {
	take := func() {
		s := memSample{At: time.Since(start).Round(time.Second), Requests: done.Load()}
		if d.pid != 0 || inProcess {
			s.RSS, _ = rss(d.pid)
		}
		if inProcess {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			s.Heap = m.HeapAlloc
		}
		r.Memory = append(r.Memory, s)
		fmt.Fprintf(d.out, "  %6s  %8d requests  rss %s  heap %s\n", s.At, s.Requests, mib(s.RSS), mib(s.Heap))
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(d.sample)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				take()
			case <-stop:
				take()
				return
			}
		}
	}()
	return func() { close(stop); <-stopped }
}

func mib(n uint64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

// line is one histogram's percentiles.
func line(l *latencies) string {
	if l.n == 0 {
		return "-"
	}
	return fmt.Sprintf("n=%d  p50 %s  p95 %s  p99 %s  max %s  (p99/p50 %.1f)", l.n,
		ms(l.quantile(.50)), ms(l.quantile(.95)), ms(l.quantile(.99)), ms(l.max),
		float64(l.quantile(.99))/math.Max(1, float64(l.quantile(.50))))
}

func (r *report) summary() string {
	s := fmt.Sprintf("%d requests in %s, %.0f/s, %d errors; %s", r.Requests, r.Elapsed.Round(time.Millisecond), r.rate(), r.Errors, line(&r.All))
	if r.AllocsPerRequest > 0 {
		s += fmt.Sprintf("; %.0f allocs, %.1f KiB per request", r.AllocsPerRequest, r.BytesPerRequest/1024)
	}
	return s
}

func (r *report) print(out io.Writer) {
	fmt.Fprintf(out, "requests: %d in %s: %.0f/s, %d errors\n", r.Requests, r.Elapsed.Round(time.Millisecond), r.rate(), r.Errors)
	for _, e := range r.ErrorSamples {
		fmt.Fprintf(out, "  error:  %s\n", e)
	}
	fmt.Fprintf(out, "latency:  all        %s\n", line(&r.All))
	fmt.Fprintf(out, "          new users  %s\n", line(&r.New))
	fmt.Fprintf(out, "          returning  %s\n", line(&r.Old))
	if r.AllocsPerRequest > 0 {
		fmt.Fprintf(out, "allocs:   %.0f per request, %.1f KiB (the whole process: server, provider, clients)\n", r.AllocsPerRequest, r.BytesPerRequest/1024)
		if f := r.Floor; f != nil && f.AllocsPerRequest > 0 {
			fmt.Fprintf(out, "          floor %.0f per request, %.1f KiB: the library's share is %.0f allocs, %.1f KiB\n",
				f.AllocsPerRequest, f.BytesPerRequest/1024, r.AllocsPerRequest-f.AllocsPerRequest, (r.BytesPerRequest-f.BytesPerRequest)/1024)
		}
	}
	if r.DB != nil {
		fmt.Fprintf(out, "database: %d connections open at the end; %d closed during the run as surplus idle ones, %d waits for one\n",
			r.DB.Open, r.DB.IdleClosed, r.DB.Waits)
	}
	if len(r.Memory) > 1 && r.Memory[0].RSS > 0 {
		first, last := r.Memory[0], r.Memory[len(r.Memory)-1]
		peak := slices.MaxFunc(r.Memory, func(a, b memSample) int { return int(int64(a.RSS) - int64(b.RSS)) })
		fmt.Fprintf(out, "memory:   rss %s at %s, %s at the end (peak %s); heap %s → %s\n",
			mib(first.RSS), first.At, mib(last.RSS), mib(peak.RSS), mib(first.Heap), mib(last.Heap))
	}
}
