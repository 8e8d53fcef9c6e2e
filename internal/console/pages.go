package console

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

func (c *Console) routes() {
	m := c.mux
	m.HandleFunc("GET /console/{$}", c.overview)
	m.HandleFunc("GET /console/clients", c.clients)
	m.HandleFunc("POST /console/clients", c.createClient)
	m.HandleFunc("GET /console/clients/{id}", c.client)
	m.HandleFunc("POST /console/clients/{id}", c.updateClient)
	m.HandleFunc("POST /console/clients/{id}/rotate", c.rotateSecret)
	m.HandleFunc("POST /console/clients/{id}/disabled", c.setClientDisabled)
	m.HandleFunc("POST /console/clients/{id}/secrets/{sid}/remove", c.removeSecret)
	m.HandleFunc("GET /console/users", c.users)
	m.HandleFunc("POST /console/users", c.createUser)
	m.HandleFunc("GET /console/users/{id}", c.user)
	m.HandleFunc("POST /console/users/{id}/{action}", c.userAction)
	m.HandleFunc("POST /console/users/{id}/consents/{client}", c.withdrawConsent)
	m.HandleFunc("GET /console/apis", c.apis)
	m.HandleFunc("POST /console/apis", c.createAPI)
	m.HandleFunc("POST /console/apis/delete", c.deleteAPI)
	m.HandleFunc("GET /console/keys", c.keys)
	m.HandleFunc("POST /console/keys/rotate", c.rotateKeys)
	m.HandleFunc("GET /console/failures", c.failures)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.refuse(w, r, catalog.New(catalog.PageNotFound, "path", r.URL.Path))
	})
}

// fields splits a form value on white space and commas; nil when empty,
// so that manage applies its defaults.
func fields(s string) []string {
	out := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	if len(out) == 0 {
		return nil
	}
	return out
}

func back(w http.ResponseWriter, r *http.Request, path, done string) {
	http.Redirect(w, r, path+"?done="+done, http.StatusSeeOther)
}

// ---- Clients ----

type clientsData struct {
	Clients []manage.ClientView
	Form    url.Values
}

func (c *Console) clients(w http.ResponseWriter, r *http.Request) {
	c.clientsPage(w, r, http.StatusOK, nil, nil)
}

func (c *Console) clientsPage(w http.ResponseWriter, r *http.Request, status int, form url.Values, pr *problem) {
	cs, err := c.o.Service.ListClients(r.Context())
	if err != nil {
		c.refuse(w, r, err)
		return
	}
	d := clientsData{Form: form}
	for _, cl := range cs {
		d.Clients = append(d.Clients, manage.ViewClient(cl))
	}
	c.render(w, r, status, "clients", "Clients", "clients", d, pr)
}

type secretData struct {
	ClientID   string
	ClientName string
	Secret     string
	Created    bool
}

func (c *Console) createClient(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	spec := manage.ClientSpec{
		Name:         strings.TrimSpace(f.Get("client_name")),
		AuthMethod:   f.Get("token_endpoint_auth_method"),
		GrantTypes:   f["grant_types"],
		RedirectURIs: fields(f.Get("redirect_uris")),
		Scopes:       fields(f.Get("scopes")),
		Audiences:    fields(f.Get("audiences")),
	}
	cl, plain, err := c.o.Service.CreateClient(r.Context(), spec)
	if err != nil {
		e := c.problemOf(r, err)
		c.clientsPage(w, r, e.Status(), f, c.describe(r, e))
		return
	}
	c.o.Log.InfoContext(r.Context(), "console: client created", "client_id", cl.ID, "by", who(r).user.ID)
	c.render(w, r, http.StatusCreated, "secret", "Client created", "clients", secretData{ClientID: cl.ID, ClientName: cl.Name, Secret: plain, Created: true}, nil)
}

type clientData struct {
	Client manage.ClientView
	// Console marks the console's own client: disabling it from here
	// would lock every administrator out.
	Console bool
}

func (c *Console) client(w http.ResponseWriter, r *http.Request) {
	c.clientPage(w, r, http.StatusOK, r.PathValue("id"), nil)
}

func (c *Console) clientPage(w http.ResponseWriter, r *http.Request, status int, id string, pr *problem) {
	cl, err := c.o.Service.GetClient(r.Context(), id)
	if err != nil {
		c.refuse(w, r, err)
		return
	}
	c.render(w, r, status, "client", cl.Name, "clients", clientData{Client: manage.ViewClient(cl), Console: cl.ID == ClientID}, pr)
}

func (c *Console) updateClient(w http.ResponseWriter, r *http.Request) {
	id, f := r.PathValue("id"), r.PostForm
	name := strings.TrimSpace(f.Get("client_name"))
	redirects, scopes, grants, auds := fields(f.Get("redirect_uris")), fields(f.Get("scopes")), fields(f.Get("grant_types")), fields(f.Get("audiences"))
	p := manage.ClientPatch{Name: &name, RedirectURIs: &redirects, Scopes: &scopes, GrantTypes: &grants, Audiences: &auds}
	if _, err := c.o.Service.UpdateClient(r.Context(), id, p); err != nil {
		e := c.problemOf(r, err)
		c.clientPage(w, r, e.Status(), id, c.describe(r, e))
		return
	}
	back(w, r, "/console/clients/"+url.PathEscape(id), "saved")
}

func (c *Console) rotateSecret(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	hours, _ := strconv.Atoi(r.PostForm.Get("grace_hours"))
	if hours < 0 || hours > 24*30 {
		e := c.problemOf(r, catalog.New(catalog.AdminInvalid, "field", "grace_hours", "reason", "must be between 0 and 720"))
		c.clientPage(w, r, e.Status(), id, c.describe(r, e))
		return
	}
	_, plain, err := c.o.Service.RotateClientSecret(r.Context(), id, time.Duration(hours)*time.Hour, nil)
	if err != nil {
		e := c.problemOf(r, err)
		c.clientPage(w, r, e.Status(), id, c.describe(r, e))
		return
	}
	c.o.Log.InfoContext(r.Context(), "console: client secret rotated", "client_id", id, "by", who(r).user.ID)
	c.render(w, r, http.StatusOK, "secret", "New client secret", "clients", secretData{ClientID: id, Secret: plain}, nil)
}

// removeSecret retires one secret at once (a leaked one, or the old one
// after a rotation with grace).
func (c *Console) removeSecret(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := c.o.Service.RemoveClientSecret(r.Context(), id, r.PathValue("sid")); err != nil {
		e := c.problemOf(r, err)
		c.clientPage(w, r, e.Status(), id, c.describe(r, e))
		return
	}
	c.o.Log.InfoContext(r.Context(), "console: client secret removed", "client_id", id, "secret_id", r.PathValue("sid"), "by", who(r).user.ID)
	back(w, r, "/console/clients/"+url.PathEscape(id), "secret")
}

func (c *Console) setClientDisabled(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	disabled := r.PostForm.Get("disabled") == "true"
	if _, err := c.o.Service.UpdateClient(r.Context(), id, manage.ClientPatch{Disabled: &disabled}); err != nil {
		e := c.problemOf(r, err)
		c.clientPage(w, r, e.Status(), id, c.describe(r, e))
		return
	}
	back(w, r, "/console/clients/"+url.PathEscape(id), map[bool]string{true: "disabled", false: "enabled"}[disabled])
}

// ---- Users ----

type usersData struct {
	Query string
	Users []manage.UserView
	Form  url.Values
}

func (c *Console) users(w http.ResponseWriter, r *http.Request) {
	c.usersPage(w, r, http.StatusOK, nil, nil)
}

func (c *Console) usersPage(w http.ResponseWriter, r *http.Request, status int, form url.Values, pr *problem) {
	us, err := c.o.Service.ListUsers(r.Context())
	if err != nil {
		c.refuse(w, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := usersData{Query: q, Form: form}
	lq := strings.ToLower(q)
	for _, u := range us {
		if q == "" || strings.Contains(strings.ToLower(u.Username+" "+u.Email+" "+u.Name+" "+u.ID), lq) {
			d.Users = append(d.Users, manage.ViewUser(u))
		}
	}
	c.render(w, r, status, "users", "Users", "users", d, pr)
}

func (c *Console) createUser(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	u, err := c.o.Service.CreateUser(r.Context(), manage.UserSpec{
		Username: strings.TrimSpace(f.Get("username")), Email: strings.TrimSpace(f.Get("email")),
		Name: strings.TrimSpace(f.Get("name")), Password: f.Get("password"),
	})
	if err != nil {
		e := c.problemOf(r, err)
		f.Del("password")
		c.usersPage(w, r, e.Status(), f, c.describe(r, e))
		return
	}
	c.o.Log.InfoContext(r.Context(), "console: user created", "user_id", u.ID, "by", who(r).user.ID)
	back(w, r, "/console/users/"+url.PathEscape(u.ID), "created")
}

type userData struct {
	User     manage.UserView
	Factors  *manage.FactorsView
	Consents []*store.Consent
	Self     bool
}

func (c *Console) user(w http.ResponseWriter, r *http.Request) {
	c.userPage(w, r, http.StatusOK, r.PathValue("id"), nil)
}

func (c *Console) userPage(w http.ResponseWriter, r *http.Request, status int, id string, pr *problem) {
	ctx := r.Context()
	u, err := c.o.Service.GetUser(ctx, id)
	if err != nil {
		c.refuse(w, r, err)
		return
	}
	fv, err := c.o.Service.Factors(ctx, u.ID)
	if err != nil {
		c.refuse(w, r, err)
		return
	}
	cs, err := c.o.Service.Consents(ctx, u.ID)
	if err != nil {
		c.refuse(w, r, err)
		return
	}
	c.render(w, r, status, "user", u.Username, "users", userData{User: manage.ViewUser(u), Factors: fv, Consents: cs, Self: u.ID == who(r).user.ID}, pr)
}

// userAction runs one of the user page's buttons, each an operation of
// manage.
func (c *Console) userAction(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.PathValue("id")
	var (
		err  error
		done = r.PathValue("action")
	)
	switch done {
	case "disable":
		_, err = c.o.Service.SetDisabled(ctx, id, true)
		done = "disabled"
	case "enable":
		_, err = c.o.Service.SetDisabled(ctx, id, false)
		done = "enabled"
	case "reset-factors":
		_, err = c.o.Service.ResetFactors(ctx, id)
		done = "factors"
	case "end-sessions":
		_, err = c.o.Service.EndSessions(ctx, id)
		done = "sessions"
	case "grant-admin", "revoke-admin":
		_, err = c.o.Service.SetAdmin(ctx, id, done == "grant-admin")
		done = "admin"
	case "profile":
		name, email := strings.TrimSpace(r.PostForm.Get("name")), strings.TrimSpace(r.PostForm.Get("email"))
		_, err = c.o.Service.UpdateUser(ctx, id, manage.UserPatch{Name: &name, Email: &email})
		done = "saved"
	case "set-password":
		// The policy and the ending of sessions are manage's, as for the
		// CLI's set-password; the password itself is never logged.
		err = c.o.Service.SetPassword(ctx, id, r.PostForm.Get("password"))
		done = "password"
	default:
		c.refuse(w, r, catalog.New(catalog.PageNotFound, "path", r.URL.Path))
		return
	}
	if err != nil {
		e := c.problemOf(r, err)
		if errors.Is(err, store.ErrNotFound) || e.Name() == catalog.AdminNotFound {
			c.refuse(w, r, e)
			return
		}
		c.userPage(w, r, e.Status(), id, c.describe(r, e))
		return
	}
	c.o.Log.InfoContext(ctx, "console: user changed", "user", id, "action", r.PathValue("action"), "by", who(r).user.ID)
	back(w, r, "/console/users/"+url.PathEscape(id), done)
}

func (c *Console) withdrawConsent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := c.o.Service.WithdrawConsent(r.Context(), id, r.PathValue("client")); err != nil {
		e := c.problemOf(r, err)
		c.userPage(w, r, e.Status(), id, c.describe(r, e))
		return
	}
	back(w, r, "/console/users/"+url.PathEscape(id), "consent")
}

// ---- APIs ----

type apisData struct {
	APIs []*store.API
	Form url.Values
}

func (c *Console) apis(w http.ResponseWriter, r *http.Request) {
	c.apisPage(w, r, http.StatusOK, nil, nil)
}

func (c *Console) apisPage(w http.ResponseWriter, r *http.Request, status int, form url.Values, pr *problem) {
	as, err := c.o.Service.ListAPIs(r.Context())
	if err != nil {
		c.refuse(w, r, err)
		return
	}
	c.render(w, r, status, "apis", "APIs and scopes", "apis", apisData{APIs: as, Form: form}, pr)
}

func (c *Console) createAPI(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	_, err := c.o.Service.CreateAPI(r.Context(), manage.APISpec{
		ID: strings.TrimSpace(f.Get("id")), Name: strings.TrimSpace(f.Get("name")),
		Scopes: fields(f.Get("scopes")), TokenFormat: f.Get("token_format"),
	})
	if err != nil {
		e := c.problemOf(r, err)
		c.apisPage(w, r, e.Status(), f, c.describe(r, e))
		return
	}
	back(w, r, "/console/apis", "created")
}

// deleteAPI is POST /console/apis/delete with the API's identifier in the
// form (identifiers are URLs, awkward in a path).
func (c *Console) deleteAPI(w http.ResponseWriter, r *http.Request) {
	id := r.PostForm.Get("id")
	if err := c.o.Service.DeleteAPI(r.Context(), id); err != nil {
		e := c.problemOf(r, err)
		c.apisPage(w, r, e.Status(), nil, c.describe(r, e))
		return
	}
	c.o.Log.InfoContext(r.Context(), "console: API deleted", "api", id, "by", who(r).user.ID)
	back(w, r, "/console/apis", "deleted")
}

// ---- Signing keys ----

type keysData struct {
	Keys    []keys.KeyInfo
	Publish time.Duration
}

func (c *Console) keys(w http.ResponseWriter, r *http.Request) {
	ks, err := keys.List(r.Context(), c.o.Service.Store, c.o.Now())
	if err != nil {
		c.refuse(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "keys", "Signing keys", "keys", keysData{Keys: ks, Publish: c.o.Service.PublishFor()}, nil)
}

func (c *Console) rotateKeys(w http.ResponseWriter, r *http.Request) {
	if c.o.Keys == nil {
		c.refuse(w, r, errors.New("console: no signing key manager"))
		return
	}
	if err := c.o.Keys.Rotate(r.Context(), c.o.Now(), c.o.Service.PublishFor()); err != nil {
		c.refuse(w, r, err)
		return
	}
	c.o.Log.InfoContext(r.Context(), "console: signing keys rotated", "by", who(r).user.ID)
	back(w, r, "/console/keys", "rotated")
}

// sortedKeys lists a map's keys in order, for stable tables.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
