package provider

import (
	"context"

	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// notifyPing tells a ping-mode client that its request was decided
// (OpenID CIBA Core §10.2).
func (p *Provider) notifyPing(ctx context.Context, br *store.BackchannelRequest) {
	p.log.WarnContext(ctx, "ciba: ping notification not sent: no outbox", "trace_id", trace.ID(ctx), "client_id", br.ClientID, "request_id", br.ID)
}
