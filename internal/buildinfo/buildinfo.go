// Package buildinfo names the build of Lucid that is running: its module
// version and the VCS revision it was built from, as the Go toolchain
// recorded them (runtime/debug.ReadBuildInfo).
package buildinfo

import "runtime/debug"

// Info is one build.
type Info struct {
	Version   string // module version, "(devel)" for a build from a checkout
	Revision  string // VCS revision, "" when not recorded (go run, go test)
	Modified  bool   // built from a working tree with uncommitted changes
	GoVersion string
}

// Read is the running binary's build.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: "unknown"}
	}
	return From(bi)
}

// From reads a toolchain's build information.
func From(bi *debug.BuildInfo) Info {
	i := Info{Version: bi.Main.Version, GoVersion: bi.GoVersion}
	if i.Version == "" {
		i.Version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Revision = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	return i
}

// ShortRevision is the first 12 digits of the revision, with "+dirty"
// for a modified tree; "" when none is recorded.
func (i Info) ShortRevision() string {
	if i.Revision == "" {
		return ""
	}
	r := i.Revision[:min(12, len(i.Revision))]
	if i.Modified {
		r += "+dirty"
	}
	return r
}

// String is the line `lucid version` prints: "lucid VERSION GOVERSION
// [REVISION]".
func (i Info) String() string {
	out := "lucid " + i.Version + " " + i.GoVersion
	if r := i.ShortRevision(); r != "" {
		out += " " + r
	}
	return out
}
