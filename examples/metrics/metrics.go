package main

import (
	"context"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/go-socialauth/socialauth"
	"github.com/go-socialauth/socialauth/socialhttp"
)

// codeOK is the outcome label of an operation that succeeded.
const codeOK = "ok"

// otherBackend labels an operation called with a backend name the service
// does not have, so that made-up names cannot grow the label set.
const otherBackend = "other"

// loginMetrics turns socialauth.Config.OnLogin events into Prometheus
// metrics:
//
//	socialauth_logins_total{backend, operation, code}        counter
//	socialauth_new_users_total{backend}                      counter
//	socialauth_login_duration_seconds{backend, operation}    histogram
//
// operation is LoginEvent.Operation ("login", "login_id_token", "connect",
// "resume", "disconnect"); code is "ok" or the opaque error code
// socialhttp.ErrorCode gives the API client ("invalid_token",
// "provider_unavailable", ...). No label holds a user id or anything the
// client sent but a configured backend's name.
type loginMetrics struct {
	backends []string
	logins   *prometheus.CounterVec
	newUsers *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newLoginMetrics registers the metrics with reg, for a service whose
// backends are named backends.
func newLoginMetrics(reg prometheus.Registerer, backends []string) *loginMetrics {
	m := &loginMetrics{
		backends: slices.Clone(backends),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "socialauth_logins_total",
			Help: "Operations of the social login service (login, connect, resume, disconnect), by backend, operation and outcome code.",
		}, []string{"backend", "operation", "code"}),
		newUsers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "socialauth_new_users_total",
			Help: "Users created by a social login, by backend.",
		}, []string{"backend"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "socialauth_login_duration_seconds",
			Help: "Time an operation of the social login service took, provider calls and storage included, by backend and operation.",
			// From a returning user's few milliseconds to a slow provider's timeout.
			Buckets: []float64{.0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"backend", "operation"}),
	}
	reg.MustRegister(m.logins, m.newUsers, m.duration)
	return m
}

// observe is the service's Config.OnLogin. It runs on the request's
// goroutine and only updates counters.
func (m *loginMetrics) observe(_ context.Context, e socialauth.LoginEvent) {
	backend := e.Backend
	if !slices.Contains(m.backends, backend) {
		backend = otherBackend
	}
	code := codeOK
	if e.Err != nil {
		code, _ = socialhttp.ErrorCode(e.Err)
	}
	m.logins.WithLabelValues(backend, e.Operation, code).Inc()
	if e.Err == nil && e.IsNew {
		m.newUsers.WithLabelValues(backend).Inc()
	}
	m.duration.WithLabelValues(backend, e.Operation).Observe(e.Duration.Seconds())
}
