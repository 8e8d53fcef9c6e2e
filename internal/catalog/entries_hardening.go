package catalog

import "slices"

// hardeningEntries are the failures that keep Lucid standing under abuse,
// outages and operator mistakes, one slice per area so that each is read
// next to the code that raises it.
var hardeningEntries = slices.Concat(signInLoadEntries, failureRecordingEntries, overloadEntries, authzHardeningEntries, operatorEntries)
