package catalog

// The outbox and back- and front-channel logout.
const (
	// Outbox deliveries (any kind).
	OutboxGaveUp         Name = "outbox_delivery_gave_up"
	OutboxKindUnknown    Name = "outbox_kind_unknown"
	OutboxDeliveryFailed Name = "outbox_delivery_failed"
)
