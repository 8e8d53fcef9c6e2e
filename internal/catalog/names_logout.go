package catalog

// The outbox and back- and front-channel logout.
const (
	// Outbox deliveries (any kind).
	OutboxGaveUp         Name = "outbox_delivery_gave_up"
	OutboxKindUnknown    Name = "outbox_kind_unknown"
	OutboxDeliveryFailed Name = "outbox_delivery_failed"
	// The operator's retry of a dead item.
	OutboxNotDead Name = "outbox_item_not_dead"

	// Back-channel logout deliveries.
	BackchannelLogoutRejected       Name = "backchannel_logout_rejected"
	BackchannelLogoutUnreachable    Name = "backchannel_logout_unreachable"
	BackchannelLogoutAddressRefused Name = "backchannel_logout_address_refused"
)
