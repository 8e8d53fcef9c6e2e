package catalog

import "slices"

// senderEntries are the failures of sender-constrained tokens and signed,
// pushed requests (DPoP, PAR, JAR, JARM, mTLS), one slice per area.
var senderEntries = slices.Concat(clientJWTEntries, dpopEntries, parEntries, jarmEntries, mtlsEntries)
