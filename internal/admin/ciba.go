package admin

import (
	"context"
	"net/http"

	"github.com/lucid-auth/lucid/internal/provider"
)

// Backchannel is what the admin API needs of CIBA (the provider): the
// requests waiting for a person, and the decisions an external notifier
// reports.
type Backchannel interface {
	PendingBackchannel(ctx context.Context, userID string) ([]provider.BackchannelView, error)
	DecideBackchannel(ctx context.Context, id, decision string, amr []string, reason string) (*provider.BackchannelView, error)
}

// WithBackchannel serves the CIBA notifier API: an external notifier (a
// push service, a call-centre tool) lists the pending backchannel
// authentication requests, puts each to its person, and reports the
// decision.
//
//	GET  /admin/backchannel?user_id=ID       pending requests, oldest expiry first
//	POST /admin/backchannel/{id}/decision    {"decision": "approve"|"deny"|"fail", "amr": [...], "reason": "..."}
func WithBackchannel(b Backchannel) Option {
	return func(a *api) {
		a.routes = append(a.routes, func(mux *routeMux) {
			a.route(mux, "/admin/backchannel", map[string]http.HandlerFunc{"GET": func(w http.ResponseWriter, r *http.Request) {
				list, err := b.PendingBackchannel(r.Context(), r.URL.Query().Get("user_id"))
				if err != nil {
					a.fail(w, r, err)
					return
				}
				writeJSON(w, http.StatusOK, map[string]any{"requests": list})
			}})
			a.route(mux, "/admin/backchannel/{id}/decision", map[string]http.HandlerFunc{"POST": func(w http.ResponseWriter, r *http.Request) {
				var req struct {
					Decision string   `json:"decision"`
					AMR      []string `json:"amr"`
					Reason   string   `json:"reason"`
				}
				if err := decode(w, r, &req, false); err != nil {
					a.fail(w, r, err)
					return
				}
				v, err := b.DecideBackchannel(r.Context(), r.PathValue("id"), req.Decision, req.AMR, req.Reason)
				if err != nil {
					a.fail(w, r, err)
					return
				}
				a.log.InfoContext(r.Context(), "admin: backchannel request decided", "trace_id", traceID(r), "request_id", v.ID, "status", v.Status)
				writeJSON(w, http.StatusOK, v)
			}})
		})
	}
}
