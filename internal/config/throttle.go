package config

// Throttle says where the limits on what clients may do are counted: the
// failed sign-ins per network (lockout.network_per_hour), the failed
// sign-ins of usernames that have no account, and open registrations per
// network (registration.open_per_hour). By default each replica counts in
// memory, so N replicas allow N times the limit; Shared counts in the
// database (one conditional write per counted event), so that the limits
// hold across replicas. A replica whose database does not answer counts in
// memory meanwhile.
type Throttle struct {
	// Shared counts the limits in the database, so that they hold across
	// replicas.
	Shared bool `yaml:"shared"` // default false
}
