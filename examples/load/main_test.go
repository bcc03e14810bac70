package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A short in-process run: every request succeeds, new and returning users
// are both measured, the new ones are in the database, and the report has
// its allocations, floor and memory samples.
func TestInProcessRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "load.db")
	var out bytes.Buffer
	rep, err := run(context.Background(), options{db: "sqlite:" + db, clients: 4, newShare: 0.5, pool: 10,
		duration: time.Minute, requests: 120, sample: 50 * time.Millisecond, floor: true}, &out)
	require.NoError(t, err, out.String())
	assert.EqualValues(t, 120, rep.Requests, "the request bound ends the run")
	assert.Zero(t, rep.Errors, "%v", rep.ErrorSamples)
	assert.Equal(t, rep.Requests, rep.New.n+rep.Old.n)
	assert.Positive(t, rep.New.n)
	assert.Positive(t, rep.Old.n)
	assert.Positive(t, rep.AllocsPerRequest)
	require.NotNil(t, rep.Floor)
	assert.Positive(t, rep.Floor.Requests)
	assert.Zero(t, rep.Floor.Errors)
	require.NotEmpty(t, rep.Memory)
	if _, err := os.Stat("/proc/self/statm"); err == nil {
		assert.Positive(t, rep.Memory[len(rep.Memory)-1].RSS)
	}
	for _, want := range []string{"floor:", "requests: 120 in", "new users  n=", "returning  n=", "allocs:", "p99"} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), "dev-", "a token in the report")
}

// With -url it drives a server it did not start, and with -pid samples
// that process; the time bound ends the run.
func TestRunAgainstURL(t *testing.T) {
	srv, err := startServer(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "url.db"), os.Stderr)
	require.NoError(t, err)
	defer srv.Close()
	var out bytes.Buffer
	rep, err := run(context.Background(), options{url: srv.URL + "/", pid: os.Getpid(), clients: 2, newShare: 1,
		duration: 300 * time.Millisecond, sample: 100 * time.Millisecond}, &out)
	require.NoError(t, err, out.String())
	assert.Positive(t, rep.Requests)
	assert.Zero(t, rep.Errors, "%v", rep.ErrorSamples)
	assert.Zero(t, rep.AllocsPerRequest, "allocations are counted only for a server in this process")
	assert.Nil(t, rep.Floor)
	var users int
	require.NoError(t, srv.Store.DB().QueryRow(`SELECT count(*) FROM socialauth_users`).Scan(&users))
	assert.EqualValues(t, rep.Requests, users, "each new-user login created a user")
}

// Failures are counted, with their status and error code.
func TestRunCountsFailures(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(`{"errors":{"code":"provider_unavailable","message":"x"}}`))
	}))
	defer failing.Close()
	var out bytes.Buffer
	rep, err := run(context.Background(), options{url: failing.URL, clients: 2, newShare: 1, duration: time.Minute,
		requests: 10, sample: time.Second}, &out)
	require.NoError(t, err)
	assert.EqualValues(t, 10, rep.Requests)
	assert.EqualValues(t, 10, rep.Errors)
	assert.Equal(t, []string{"502 provider_unavailable"}, rep.ErrorSamples)
	assert.Contains(t, out.String(), "10 errors")
}

func TestOptionsChecked(t *testing.T) {
	for name, o := range map[string]options{
		"no clients":            {clients: 0, newShare: 1, duration: time.Second, sample: time.Second},
		"share above one":       {clients: 1, newShare: 1.5, duration: time.Second, sample: time.Second},
		"no returning users":    {clients: 1, newShare: 0.5, pool: 0, duration: time.Second, sample: time.Second},
		"no duration":           {clients: 1, newShare: 1, sample: time.Second},
		"no sampling interval":  {clients: 1, newShare: 1, duration: time.Second},
		"negative share of new": {clients: 1, newShare: -0.1, pool: 1, duration: time.Second, sample: time.Second},
	} {
		_, err := run(context.Background(), o, &bytes.Buffer{})
		assert.Error(t, err, name)
	}
}

// Percentiles are within the histogram's resolution (1/64) of the exact
// ones, never below them, and the maximum is exact.
func TestLatencies(t *testing.T) {
	var l latencies
	for i := 1; i <= 10000; i++ {
		l.add(time.Duration(i) * 10 * time.Microsecond) // 10 µs .. 100 ms
	}
	for _, c := range []struct {
		q     float64
		exact time.Duration
	}{{.5, 50 * time.Millisecond}, {.95, 95 * time.Millisecond}, {.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		got := l.quantile(c.q)
		assert.GreaterOrEqual(t, got, c.exact, "q%v", c.q)
		assert.LessOrEqual(t, float64(got), float64(c.exact)*(1+1.0/64), "q%v", c.q)
	}
	assert.Equal(t, 100*time.Millisecond, l.max)
	var small latencies
	small.add(37 * time.Microsecond)
	assert.Equal(t, 37*time.Microsecond, small.quantile(.5), "exact below 128 µs")
	var empty latencies
	assert.Zero(t, empty.quantile(.99))
	for v := uint64(0); v < 1<<20; v += 7 {
		i := bucket(v)
		require.GreaterOrEqual(t, upper(i), v, "bucket %d of %d", i, v)
		if i > 0 {
			require.Less(t, upper(i-1), v, "bucket %d of %d", i, v)
		}
	}
}
