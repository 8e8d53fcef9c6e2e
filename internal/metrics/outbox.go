package metrics

import "github.com/prometheus/client_golang/prometheus"

// outboxMetrics are the outbox's: attempts by outcome, and the items
// waiting or given up on in the database (all replicas together).
type outboxMetrics struct {
	attempts *prometheus.CounterVec
	items    *prometheus.GaugeVec
}

func (m *Metrics) registerOutbox() {
	m.outbox = outboxMetrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lucid_outbox_attempts_total",
			Help: "Delivery attempts of this process by kind (backchannel_logout, …) and outcome: delivered, failed (to be retried), dead (given up on).",
		}, []string{"kind", "outcome"}),
		items: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "lucid_outbox_items",
			Help: "Outbox items in the database by state: pending (waiting for an attempt) and dead (given up on, kept for the operator; see GET /admin/outbox?state=dead).",
		}, []string{"state"}),
	}
	m.outbox.items.WithLabelValues("pending").Set(0)
	m.outbox.items.WithLabelValues("dead").Set(0)
	m.reg.MustRegister(m.outbox.attempts, m.outbox.items)
}

// OutboxAttempt counts one delivery attempt.
func (m *Metrics) OutboxAttempt(kind, outcome string) {
	if m == nil {
		return
	}
	m.outbox.attempts.WithLabelValues(kind, outcome).Inc()
}

// OutboxBacklog sets the items waiting and given up on.
func (m *Metrics) OutboxBacklog(pending, dead int) {
	if m == nil {
		return
	}
	m.outbox.items.WithLabelValues("pending").Set(float64(pending))
	m.outbox.items.WithLabelValues("dead").Set(float64(dead))
}
