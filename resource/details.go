package resource

import (
	"encoding/json"
	"fmt"
)

// Details returns the token's authorization details (RFC 9396) of type
// typ, each decoded into a T: the API's own struct for the type, with
// json tags for its fields. A token without details of that type gives
// an empty slice and no error. Lucid checked each detail against the
// type's registered JSON Schema before the user saw it, so an error here
// means T does not fit the schema.
//
//	type Payment struct {
//		Actions         []string `json:"actions"`
//		CreditorName    string   `json:"creditorName"`
//		InstructedAmount struct {
//			Currency string `json:"currency"`
//			Amount   string `json:"amount"`
//		} `json:"instructedAmount"`
//	}
//	payments, err := resource.Details[Payment](claims, "payment_initiation")
func Details[T any](c *Claims, typ string) ([]T, error) {
	if c == nil || len(c.AuthorizationDetails) == 0 {
		return nil, nil
	}
	var all []json.RawMessage
	if err := json.Unmarshal(c.AuthorizationDetails, &all); err != nil {
		return nil, fmt.Errorf("resource: authorization_details is not a JSON array: %w", err)
	}
	var out []T
	for i, raw := range all {
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, fmt.Errorf("resource: authorization detail %d is not an object with a type: %w", i+1, err)
		}
		if head.Type != typ {
			continue
		}
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("resource: authorization detail %d (type %s): %w", i+1, typ, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// DetailTypes lists the types of the token's authorization details, in
// order, each once.
func (c *Claims) DetailTypes() []string {
	if c == nil || len(c.AuthorizationDetails) == 0 {
		return nil
	}
	var all []struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(c.AuthorizationDetails, &all) != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, d := range all {
		if !seen[d.Type] {
			seen[d.Type] = true
			out = append(out, d.Type)
		}
	}
	return out
}
