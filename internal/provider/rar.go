package provider

// Rich authorization requests (RFC 9396). authorization_details is read at
// the authorization endpoint (and so in pushed requests and request
// objects, which go through checkAuthorization) and at the token endpoint:
//
//   - Each detail's type must be registered by an API (store.API
//     DetailTypes, with a JSON Schema compiled once per registration in
//     apiCache), allowed to the client (its authorization_details_types)
//     and valid against the schema; the first failure is the answer.
//   - A detail's API joins the request's resources: the access token is
//     for the APIs whose details it carries (RFC 9396 §9.1).
//   - The checked details, in canonical form, travel on the pending
//     request, the code and the token family; the consent records those the
//     user approved, and any other detail asks again.
//   - At the token endpoint (code or refresh) the client may name a subset
//     of the grant's details, each exactly as authorized (RFC 9396 §6);
//     the access token, the token response and introspection carry the
//     details of the token's audience.

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/rar"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/ui"
)

// detailsParam is the request parameter of RFC 9396 §2.
const detailsParam = "authorization_details"

// requestDetails parses and checks the authorization_details of a request
// by client; it returns the details and the APIs they are for.
func (p *Provider) requestDetails(ctx context.Context, client *store.Client, param string) ([]rar.Detail, []string, *catalog.Error) {
	ds, e := rar.Parse(param)
	if e != nil {
		return nil, nil, e
	}
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Type
	}
	apis, e := p.apis.detailRegistry(ctx, names).Check(ds, client.ID, client.AuthorizationDetailsTypes)
	if e != nil {
		return nil, nil, e
	}
	return ds, apis, nil
}

// authorizeDetails checks an authorization request's details and adds
// their APIs to its resources.
func (p *Provider) authorizeDetails(ctx context.Context, client *store.Client, params map[string]string, resources []string) ([]rar.Detail, []string, *catalog.Error) {
	param, ok := params[detailsParam]
	if !ok {
		return nil, resources, nil
	}
	ds, apis, e := p.requestDetails(ctx, client, param)
	if e != nil {
		return nil, nil, e
	}
	for _, a := range apis {
		if !slices.Contains(resources, a) {
			resources = append(slices.Clone(resources), a)
		}
	}
	return ds, resources, nil
}

// narrowDetails returns the details a token request gets from a grant
// holding granted: all of them, or the subset the request names, each
// exactly as authorized (RFC 9396 §6.1).
func (p *Provider) narrowDetails(ctx context.Context, client *store.Client, params map[string]string, granted json.RawMessage) ([]rar.Detail, *catalog.Error) {
	all, err := rar.Decode(granted)
	if err != nil {
		return nil, catalog.New(catalog.ServerError).Wrap(err)
	}
	param, ok := params[detailsParam]
	if !ok {
		return all, nil
	}
	asked, _, e := p.requestDetails(ctx, client, param)
	if e != nil {
		return nil, e
	}
	for i, d := range asked {
		if !rar.Contains(all, d) {
			return nil, catalog.New(catalog.RARNotGranted, "index", i+1, "type", d.Type).Internal("granted", string(granted))
		}
	}
	return asked, nil
}

// exchangeDetails are the details a token exchange passes on from the
// subject token's (held): all of them, or the subset the request names,
// each exactly as the subject token carries it (RFC 9396 §6, applied to
// RFC 8693: the new token never gains anything).
func (p *Provider) exchangeDetails(ctx context.Context, client *store.Client, params map[string]string, held json.RawMessage) ([]rar.Detail, *catalog.Error) {
	var all []rar.Detail
	if len(held) > 0 && string(held) != "null" {
		var err error
		if all, err = rar.Decode(held); err != nil {
			return nil, catalog.New(catalog.ServerError).Wrap(err)
		}
	}
	param, ok := params[detailsParam]
	if !ok {
		return all, nil
	}
	asked, _, e := p.requestDetails(ctx, client, param)
	if e != nil {
		return nil, e
	}
	for i, d := range asked {
		if rar.Contains(all, d) {
			continue
		}
		reason := "the subject token carries no authorization details"
		switch {
		case len(all) == 0:
		case !slices.ContainsFunc(all, func(x rar.Detail) bool { return x.Type == d.Type }):
			reason = "the subject token carries no detail of that type"
		default:
			reason = "the subject token's details of that type differ from it in their fields"
		}
		return nil, catalog.New(catalog.RARNotInSubject, "index", i+1, "type", d.Type, "reason", reason)
	}
	return asked, nil
}

// tokenDetails are the details an access token for aud carries, encoded.
func (p *Provider) tokenDetails(ctx context.Context, aud []string, ds []rar.Detail) json.RawMessage {
	if len(ds) == 0 {
		return nil
	}
	return rar.Encode(p.apis.detailRegistry(ctx, nil).For(aud, ds))
}

// detailsGrantUnsupported refuses authorization_details with a grant that
// does not read them, rather than ignore what the client asked for.
func detailsGrantUnsupported(grantType string, params map[string]string) *catalog.Error {
	if _, ok := params[detailsParam]; !ok || grantType == string(granttype.AuthorizationCode) || grantType == string(granttype.RefreshToken) ||
		grantType == string(granttype.TokenExchange) {
		return nil
	}
	return catalog.New(catalog.RARGrantUnsupported, "grant_type", grantType)
}

// consentedDetails says whether consent covers every detail of the request.
func consentedDetails(requested, approved json.RawMessage) (bool, error) {
	if len(requested) == 0 {
		return true, nil
	}
	want, err := rar.Decode(requested)
	if err != nil {
		return false, err
	}
	have, err := rar.Decode(approved)
	if err != nil {
		return false, err
	}
	return len(rar.Missing(want, have)) == 0, nil
}

// approvedDetails is what a consent records after the user approved
// requested: what it held before and the new details.
func approvedDetails(before, requested json.RawMessage) (json.RawMessage, error) {
	have, err := rar.Decode(before)
	if err != nil {
		// An unreadable record is replaced, not kept: it approves nothing.
		have = nil
	}
	want, err := rar.Decode(requested)
	if err != nil {
		return nil, err
	}
	return rar.Encode(rar.Union(have, want)), nil
}

// discoveryDoc is the metadata as served for one set of registered types.
type discoveryDoc struct {
	types *rar.Registry
	body  []byte
}

// discoveryBody is the metadata with authorization_details_types_supported,
// which changes with the APIs: rendered again only when the registered
// types were reloaded, otherwise the same bytes.
func (p *Provider) discoveryBody(ctx context.Context) []byte {
	reg := p.apis.detailRegistry(ctx, nil)
	if d := p.discoveryTypes.Load(); d != nil && d.types == reg {
		return d.body
	}
	names := reg.Names()
	if names == nil {
		names = []string{}
	}
	list, _ := json.Marshal(names) // strings always encode
	body := slices.Concat(bytes.TrimSuffix(p.discovery, []byte("}")), []byte(`,"authorization_details_types_supported":`), list, []byte("}"))
	p.discoveryTypes.Store(&discoveryDoc{types: reg, body: body})
	return body
}

// consentDetails puts each of the request's details in plain words: its
// type's description filled in, or a line naming the type, and its fields.
func (p *Provider) consentDetails(ctx context.Context, ar *store.AuthRequest) ([]ui.Detail, error) {
	ds, err := rar.Decode(ar.AuthorizationDetails)
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	reg := p.apis.detailRegistry(ctx, nil)
	out := make([]ui.Detail, 0, len(ds))
	for _, d := range ds {
		t, _ := reg.Get(d.Type)
		sentence, fields := t.Text(d)
		if sentence == "" {
			sentence = ui.DetailFallback(d.Type)
		}
		v := ui.Detail{Type: d.Type, Sentence: sentence, Fields: fields}
		if t != nil {
			v.API = t.API
			if api, ok := p.apis.get(ctx, t.API); ok && api.Name != "" && api.Name != api.ID {
				v.API = api.Name + " (" + api.ID + ")"
			}
		}
		out = append(out, v)
	}
	return out, nil
}
