package config

import (
	"fmt"
	"time"
)

// Device settings: the device authorization grant (RFC 8628). A client
// uses it once its registration lists the grant type.
type Device struct {
	// CodeLifetime is how long a device code and its user code can be
	// used; the person has that long to enter the code and decide.
	CodeLifetime time.Duration `yaml:"code_lifetime"` // LUCID_DEVICE_CODE_LIFETIME, default 10m, 1m to 30m
	// Interval is the polling interval handed to devices (whole seconds);
	// a device that polls faster gets slow_down and 5 s more.
	Interval time.Duration `yaml:"interval"` // LUCID_DEVICE_INTERVAL, default 5s, 1s to 60s
	// UserCodeNetworkPerHour bounds the wrong user codes one client
	// network may enter an hour; UserCodeServerPerHour those of every
	// network together. Each replica counts on its own; 0 turns a limit off.
	UserCodeNetworkPerHour int `yaml:"user_code_network_per_hour"` // default 20
	UserCodeServerPerHour  int `yaml:"user_code_server_per_hour"`  // default 1000
}

// DefaultDevice are the device flow defaults. With 20^8 user codes, 1000
// wrong codes an hour against, say, 1000 codes waiting at once give a
// guesser about one chance in 25,000 an hour.
var DefaultDevice = Device{CodeLifetime: 10 * time.Minute, Interval: 5 * time.Second, UserCodeNetworkPerHour: 20, UserCodeServerPerHour: 1000}

// MaxDeviceCodeLifetime bounds Device.CodeLifetime: the longer codes
// live, the more of them wait at once for a guesser.
const MaxDeviceCodeLifetime = 30 * time.Minute

func (c *Config) checkDevice() []error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("device.%s: "+format, append([]any{key}, a...)...))
	}
	d := c.Device
	if d.CodeLifetime < time.Minute || d.CodeLifetime > MaxDeviceCodeLifetime {
		bad("code_lifetime", "is %s; use between 1m and %s", d.CodeLifetime, MaxDeviceCodeLifetime)
	}
	if d.Interval < time.Second || d.Interval > time.Minute || d.Interval%time.Second != 0 {
		bad("interval", "is %s; use whole seconds between 1s and 1m (RFC 8628 gives it in seconds)", d.Interval)
	}
	if d.UserCodeNetworkPerHour < 0 {
		bad("user_code_network_per_hour", "is %d; use 0 (off) or more", d.UserCodeNetworkPerHour)
	}
	if d.UserCodeServerPerHour < 0 {
		bad("user_code_server_per_hour", "is %d; use 0 (off) or more", d.UserCodeServerPerHour)
	}
	return errs
}
