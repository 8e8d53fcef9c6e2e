package manage

// UsesSecret reports whether a client with this token endpoint
// authentication method holds a client secret, for front ends that must
// say so (dynamic registration's client_secret_expires_at) or issue one
// after a change of method.
func UsesSecret(method string) bool { return secretMethod(method) }
