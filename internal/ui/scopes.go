package ui

// ScopeText says in plain words what granting a scope lets the application
// do. An unknown scope is shown by its own name, with no description.
func ScopeText(scope string) (title, description string) {
	switch scope {
	case "openid":
		return "Confirm who you are", "Learn that it is you, through an identifier for your account that never changes."
	case "profile":
		return "See your profile", "Your name, username, picture and other basic profile details."
	case "email":
		return "See your email address", "Your email address and whether it has been verified."
	case "address":
		return "See your postal address", "The postal address saved in your account."
	case "phone":
		return "See your phone number", "Your phone number and whether it has been verified."
	case "groups":
		return "See your groups", "The groups and teams your account belongs to."
	case "offline_access":
		return "Keep access while you are away", "Keep this access after you close the application, until it is withdrawn."
	default:
		return scope, ""
	}
}

// APIScopeText describes a scope an API defines, granted for delegated
// access: the application may use the API as the person, within the scope.
func APIScopeText(scope, api string) (title, description string) {
	return "Use " + api + " as you", "Call this API on your behalf, within what the scope " + scope + " allows."
}

// Detail is one authorization detail (RFC 9396) on the consent page.
type Detail struct {
	Type string
	// Sentence is the type's description filled in with the detail's
	// fields, or a line naming the type when it has none.
	Sentence string
	API      string   // the API's name and identifier
	Fields   []string // "name: value", one per field
}

// DetailFallback is the sentence of a detail whose type has no description.
func DetailFallback(typ string) string {
	return "Make a request of type " + typ + " for you, with these details:"
}
