// Package metrics holds Lucid's Prometheus metrics: requests by route and
// status, their latency, and failures by catalog entry, so that an
// operator sees which entries are rising before anyone files a ticket.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry and its collectors.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	failures *prometheus.CounterVec
	dropped  *prometheus.CounterVec
	outbox   outboxMetrics
	recent   Recent
}

// New builds the registry with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lucid_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lucid_http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by route pattern.",
			// From well under a millisecond (a token) to a password hash.
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lucid_failures_total",
			Help: "Failed requests by catalog entry (error_code), RFC error and endpoint.",
		}, []string{"name", "error", "endpoint"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lucid_failure_stories_dropped_total",
			Help: "Failed requests whose story was not stored, by reason: queue_full (the database is slower than the failures), repeated (one of many like it, summarised in the log), store_error.",
		}, []string{"reason"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.failures, m.dropped,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.registerOutbox()
	return m
}

// BuildInfo publishes lucid_build_info, always 1, whose labels name the
// build that serves: version, VCS revision and Go version.
func (m *Metrics) BuildInfo(version, revision, goVersion string) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "lucid_build_info",
		Help:        "The build of Lucid serving: always 1, its labels name the version, VCS revision and Go version.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": goVersion},
	})
	g.Set(1)
	m.reg.MustRegister(g)
}

// Failure counts one failed request; name is the catalog entry.
func (m *Metrics) Failure(name, rfcError, endpoint string) {
	if m == nil {
		return
	}
	m.failures.WithLabelValues(name, rfcError, endpoint).Inc()
	m.recent.failure(time.Now())
}

// StoryDropped counts one failure whose story was not stored.
func (m *Metrics) StoryDropped(reason string) {
	if m == nil {
		return
	}
	m.dropped.WithLabelValues(reason).Inc()
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Middleware counts and times every request. The route is the ServeMux
// pattern that matched (known only after next ran), never the raw path,
// so that label values stay few whatever clients send.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.code)).Inc()
		took := time.Since(start)
		m.duration.WithLabelValues(route).Observe(took.Seconds())
		m.recent.request(start, took)
	})
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Gatherer is the registry, for the console's figures.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Recent is the last hour minute by minute, for the console's figures.
func (m *Metrics) Recent() *Recent { return &m.recent }
