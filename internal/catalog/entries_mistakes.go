package catalog

import "slices"

// mistakeEntries tell apart the mistakes people make most (issue "Errors,
// second pass"), one slice per area so that each is read next to the code
// that raises it.
var mistakeEntries = slices.Concat(credentialKindEntries, corsEntries, clientSecretMistakeEntries, signInReportEntries, resourceLibraryEntries)
