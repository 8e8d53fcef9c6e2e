package config

import (
	"fmt"
	"time"
)

// Console settings: the web admin console at /console/, open to users
// with the admin role (`lucid user grant-admin`).
type Console struct {
	// Enabled serves the console; when false /console/ is not found.
	Enabled bool `yaml:"enabled"` // LUCID_CONSOLE_ENABLED, default true
	// Idle is how long a console tab may go without a request before the
	// next one asks for the password again (1m to 12h).
	Idle time.Duration `yaml:"idle"` // LUCID_CONSOLE_IDLE, default 15m
}

// DefaultConsole are the console defaults: on, 15 minutes idle.
var DefaultConsole = Console{Enabled: true, Idle: 15 * time.Minute}

func (c *Config) checkConsole() []error {
	if c.Console.Idle < time.Minute || c.Console.Idle > 12*time.Hour {
		return []error{fmt.Errorf("console.idle: is %s; use between 1m and 12h", c.Console.Idle)}
	}
	return nil
}
