package catalog

import "net/http"

// healthEntries are the answers of /readyz when this replica should get no
// traffic. A load balancer reads only the status; the entry is for the
// person reading the probe's log.
var healthEntries = []Entry{
	{Name: ServerDraining, Error: "temporarily_unavailable", Status: http.StatusServiceUnavailable, Title: "Replica is shutting down",
		Description: "This Lucid process received a signal to stop and is draining: it keeps answering requests for {drain} after the signal, but reports itself not ready so that the load balancer sends new ones elsewhere.",
		Causes: []string{
			"A deployment, a scale-down or an operator stopped this replica (SIGTERM or Ctrl-C).",
		},
		ClientFix: []string{
			"Nothing: retry against the service address and the load balancer routes to another replica.",
		},
		OperatorFix: []string{
			"Expected during a rollout. If replicas drain for too long, lower `timeouts.drain`; if clients see refused connections during rollouts, raise it above the load balancer's readiness probe period.",
		},
		Spec: "RFC 9110 §15.6.4", SpecURL: "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
		Endpoints: []Endpoint{Other}},
}
