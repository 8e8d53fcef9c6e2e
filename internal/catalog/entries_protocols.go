package catalog

import "slices"

// protocolEntries are the failures of the protocols beyond the core: the
// FAPI 2.0 profile, encrypted responses, the device flow, CIBA, rich
// authorization requests and logout across applications, one slice (and
// one names_*.go file) per area.
var protocolEntries = slices.Concat(fapiEntries, encryptionEntries, deviceEntries, cibaEntries, rarEntries, logoutEntries, gapsEntries)
