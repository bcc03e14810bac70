package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/backends/devprovider"
	"github.com/go-socialauth/socialauth/pipeline"
	"github.com/go-socialauth/socialauth/storage/memory"
)

// login posts accessToken to the exchange of backend and returns the
// status.
func login(t *testing.T, base, backend, accessToken string) int {
	t.Helper()
	resp, err := http.Post(base+"/api/login/social/"+backend+"/", "application/json",
		strings.NewReader(`{"access_token":"`+accessToken+`"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// scrape reads /metrics as Prometheus does and returns its families by
// name, and the raw text.
func scrape(t *testing.T, base string) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(raw)))
	require.NoError(t, err)
	return fams, string(raw)
}

// find returns the metric of family name whose labels are exactly labels.
func find(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	fam, ok := fams[name]
	require.True(t, ok, "no family %s", name)
	for _, m := range fam.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		if assert.ObjectsAreEqual(labels, got) {
			return m
		}
	}
	t.Fatalf("no %s%v", name, labels)
	return nil
}

// Logins through the exchange show up at /metrics: counted by backend,
// operation and outcome code, new users apart, and every one of them in the
// latency histogram. No token reaches a label.
func TestMetricsCountLogins(t *testing.T) {
	dev := httptest.NewServer(devprovider.Handler())
	defer dev.Close()
	app := httptest.NewServer(newApp(dev.URL, nil))
	defer app.Close()

	for _, tok := range []string{"dev-ada", "dev-bob", "dev-cyd"} {
		require.Equal(t, http.StatusOK, login(t, app.URL, "dev", tok), "first login")
	}
	for range 2 {
		require.Equal(t, http.StatusOK, login(t, app.URL, "dev", "dev-ada"), "returning login")
	}
	for range 4 {
		require.Equal(t, http.StatusUnauthorized, login(t, app.URL, "dev", "not-a-dev-token"), "a token the provider refuses")
	}
	// Refused by the middleware before the service runs: not counted.
	require.Equal(t, http.StatusNotFound, login(t, app.URL, "nope", "dev-ada"))

	fams, raw := scrape(t, app.URL)
	ok := find(t, fams, "socialauth_logins_total", map[string]string{"backend": "dev", "operation": "login", "code": "ok"})
	assert.Equal(t, 5.0, ok.GetCounter().GetValue(), "successful logins")
	refused := find(t, fams, "socialauth_logins_total", map[string]string{"backend": "dev", "operation": "login", "code": "invalid_token"})
	assert.Equal(t, 4.0, refused.GetCounter().GetValue(), "refused logins")
	assert.Len(t, fams["socialauth_logins_total"].GetMetric(), 2, "no other outcome")
	created := find(t, fams, "socialauth_new_users_total", map[string]string{"backend": "dev"})
	assert.Equal(t, 3.0, created.GetCounter().GetValue(), "new users")

	h := find(t, fams, "socialauth_login_duration_seconds", map[string]string{"backend": "dev", "operation": "login"}).GetHistogram()
	assert.EqualValues(t, 9, h.GetSampleCount(), "every login is in the histogram")
	assert.Positive(t, h.GetSampleSum())
	buckets := h.GetBucket()
	require.NotEmpty(t, buckets)
	for i := 1; i < len(buckets); i++ {
		assert.GreaterOrEqual(t, buckets[i].GetCumulativeCount(), buckets[i-1].GetCumulativeCount(), "cumulative")
	}
	assert.EqualValues(t, 9, buckets[len(buckets)-1].GetCumulativeCount(), "a loopback login takes under 10 s")

	for _, secret := range []string{"dev-ada", "not-a-dev-token"} {
		assert.NotContains(t, raw, secret)
	}
	assert.Contains(t, raw, "go_goroutines", "the Go runtime's metrics are there too")
}

// A backend name the service does not have is labelled "other", so that
// callers cannot grow the label set; each operation is labelled as the
// service names it.
func TestMetricsLabelUnknownBackendAsOther(t *testing.T) {
	dev := httptest.NewServer(devprovider.Handler())
	defer dev.Close()
	reg := prometheus.NewRegistry()
	m := newLoginMetrics(reg, []string{devprovider.BackendName})
	svc, err := socialauth.New(socialauth.Config{
		Backends: []socialauth.Backend{devprovider.Backend(dev.URL)},
		Storage:  memory.New(),
		Pipeline: pipeline.Default(),
		Logger:   slog.New(slog.DiscardHandler),
		OnLogin:  m.observe,
	})
	require.NoError(t, err)
	ctx := context.Background()
	for _, name := range []string{"made-up-1", "made-up-2"} {
		_, err := svc.Login(ctx, name, "dev-ada")
		require.ErrorIs(t, err, socialauth.ErrUnknownBackend)
	}
	_, err = svc.LoginIDToken(ctx, devprovider.BackendName, "not.an.id-token", "")
	require.Error(t, err)

	fams, err := reg.Gather()
	require.NoError(t, err)
	byName := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		byName[f.GetName()] = f
	}
	other := find(t, byName, "socialauth_logins_total", map[string]string{"backend": "other", "operation": "login", "code": "unknown_backend"})
	assert.Equal(t, 2.0, other.GetCounter().GetValue())
	idToken := find(t, byName, "socialauth_login_duration_seconds", map[string]string{"backend": "dev", "operation": "login_id_token"})
	assert.EqualValues(t, 1, idToken.GetHistogram().GetSampleCount())
	assert.Len(t, byName["socialauth_logins_total"].GetMetric(), 2, "one series for every made-up name")
}
