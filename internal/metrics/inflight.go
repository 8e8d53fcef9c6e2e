package metrics

import "github.com/prometheus/client_golang/prometheus"

// InFlight publishes one class of endpoints' requests in flight
// (lucid_in_flight_requests{class}, read from inFlight when scraped) and
// its limit (lucid_in_flight_limit{class}, 0 for none), so that an
// operator sees how close to shedding each class runs.
func (m *Metrics) InFlight(class string, limit int, inFlight func() float64) {
	if m == nil {
		return
	}
	labels := prometheus.Labels{"class": class}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "lucid_in_flight_requests", Help: "Requests being served now, by class of endpoint (in_flight settings).", ConstLabels: labels,
		}, inFlight),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "lucid_in_flight_limit", Help: "Most requests served at once per class of endpoint before shedding; 0 is no limit.", ConstLabels: labels,
		}, func() float64 { return float64(limit) }),
	)
}
