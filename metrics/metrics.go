// Package metrics is what an operator watches: requests by route, survey
// submissions by outcome, errors by code, background jobs by type and the
// queue's depth, in Prometheus's text format. The HTTP layer, the worker
// and the scheduler report into it; nothing in the domain knows it.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the product's collectors on a registry of its own.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.HistogramVec
	submissions *prometheus.CounterVec
	errors      *prometheus.CounterVec
	jobs        *prometheus.HistogramVec
	batches     prometheus.Histogram
}

// New makes the collectors, with the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "pinggu_http_request_duration_seconds",
			Help: "HTTP requests by route, method and status class.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)},
			[]string{"route", "method", "status"}),
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pinggu_submissions_total",
			Help: "Survey submissions by outcome: created, duplicate, or the error code (quota_full, closed, invalid…)."},
			[]string{"outcome"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pinggu_errors_total",
			Help: "Errors answered, by code (unavailable: the database or the queue did not answer; internal: a bug)."},
			[]string{"code"}),
		jobs: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "pinggu_job_duration_seconds",
			Help: "Background jobs by type and outcome.", Buckets: prometheus.ExponentialBuckets(0.01, 3, 10)},
			[]string{"type", "outcome"}),
		batches: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "pinggu_submission_batch_size",
			Help: "Responses written per group commit.", Buckets: prometheus.ExponentialBuckets(1, 2, 9)}),
	}
	m.reg.MustRegister(m.requests, m.submissions, m.errors, m.jobs, m.batches,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics (the caller decides who may read them).
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// Request records one HTTP request by its route pattern.
func (m *Metrics) Request(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status/100)+"xx").Observe(d.Seconds())
}

// Submission records a submission's outcome.
func (m *Metrics) Submission(outcome string) {
	if m != nil {
		m.submissions.WithLabelValues(outcome).Inc()
	}
}

// Batch records the size of one group commit of submissions.
func (m *Metrics) Batch(size int) {
	if m != nil {
		m.batches.Observe(float64(size))
	}
}

// Error records an error answered, by its code.
func (m *Metrics) Error(code string) {
	if m != nil {
		m.errors.WithLabelValues(code).Inc()
	}
}

// Job records a background job's run.
func (m *Metrics) Job(typ string, ok bool, d time.Duration) {
	if m == nil {
		return
	}
	outcome := "succeeded"
	if !ok {
		outcome = "failed"
	}
	m.jobs.WithLabelValues(typ, outcome).Observe(d.Seconds())
}

// QueueDepth reports the queue's tasks by state, read when scraped.
func (m *Metrics) QueueDepth(read func() (map[string]int, error)) {
	m.reg.MustRegister(&queueCollector{read: read,
		desc: prometheus.NewDesc("pinggu_queue_tasks", "Tasks in the job queue by state.", []string{"state"}, nil)})
}

type queueCollector struct {
	read func() (map[string]int, error)
	desc *prometheus.Desc
}

func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	sizes, err := q.read()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(q.desc, err)
		return
	}
	for state, n := range sizes {
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(n), state)
	}
}
