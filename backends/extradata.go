package backends

import (
	"bytes"
	"encoding/json"

	"github.com/go-socialauth/socialauth"
)

// What Python Social Auth keeps in an association's extra_data for each
// backend, beside the tokens: the entries of its EXTRA_DATA (social-core's
// social_core/backends/<module>.py), so that a user base migrating from PSA
// finds the keys it reads. pipeline's load_extra_data stores them (through
// the ExtraData method of OAuth2 and OIDC) and keeps the tokens itself:
// access_token, token_type when the provider sent one, refresh_token, and
// expires as an absolute time where PSA keeps expires_in relative to an
// auth_time this package does not store.
//
// Left out, because a token exchange never has them: values PSA takes from
// the token endpoint's answer or the login request (Bitbucket's scopes,
// Facebook's granted_scopes and denied_scopes, Salesforce's instance_url,
// issued_at and signature, Azure AD's not_before), Atlassian's resources
// (a call this backend does not make), PSA's OpenID Connect id_token (a
// credential this package does not store), and Slack's real_name (PSA read
// it from a field Slack never sent, so it was always null).
//
// A backend absent from the table keeps only the tokens. The table is
// keyed by the persisted backend name, so a backend a host builds under
// one of these names keeps the same keys.
var psaExtraData = map[string][]extraKey{
	"amazon":                   {kept("user_id"), kept("postal_code")},
	"auth0":                    {kept("picture")},
	"azuread-tenant-oauth2":    {kept("first_name", "given_name"), kept("last_name", "family_name")},
	"azuread-v2-tenant-oauth2": {kept("first_name", "given_name"), kept("last_name", "family_name")},
	"box":                      {kept("id")},
	"facebook":                 {kept("id")},
	"gitea":                    {kept("id")},
	"github":                   {kept("id"), kept("login")},
	"gitlab":                   {kept("id")},
	"kakao":                    {kept("properties")},
	// PSA's picture_url and status_message never matched LINE's camel-case
	// fields; they are read from the fields LINE documents.
	"line":                   {kept("id", "userId"), kept("picture_url", "pictureUrl"), kept("status_message", "statusMessage")},
	"linkedin-oauth2":        {kept("id"), kept("first_name", "firstName"), kept("last_name", "lastName")},
	"linkedin-openidconnect": {kept("id", "sub")},
	"naver":                  {kept("id", "response", "id")},
	"oidc":                   {kept("id", "sub")},
	"patreon":                {kept("id", "data", "id")},
	"reddit":                 {kept("id"), kept("username", "name"), kept("link_karma"), kept("comment_karma")},
	// PSA's id is the identity URL, which the userinfo answer calls sub.
	"salesforce-oauth2": {kept("id", "sub")},
	"slack":             {kept("id", "sub"), kept("name")},
	// PSA's id was always null: Stack Exchange's user has user_id.
	"stackoverflow": {kept("id", "user_id")},
	// PSA reads X's data object; its fullname, first_name and last_name
	// come from the details, and its "proteted" (sic) is read as protected.
	"twitter-oauth2": {
		kept("id", "data", "id"), kept("username", "data", "username"), kept("fullname", "data", "fullname"),
		kept("first_name", "data", "first_name"), kept("last_name", "data", "last_name"),
		kept("created_at", "data", "created_at"), kept("verified", "data", "verified"),
		kept("verified_type", "data", "verified_type"), kept("protected", "data", "protected"),
		kept("description", "data", "description"), kept("url", "data", "url"),
		kept("profile_image_url", "data", "profile_image_url"), kept("pinned_tweet_id", "data", "pinned_tweet_id"),
		kept("public_metrics", "data", "public_metrics"),
	},
	"vk-oauth2":    {kept("id")},
	"yahoo-oauth2": {kept("id", "sub")},
}

// extraKey is one EXTRA_DATA entry: the value at path in the provider's
// user JSON, kept under key (PSA's alias).
type extraKey struct {
	key  string
	path []string
}

// kept is the entry kept under key, read at path (key itself when no path
// is given).
func kept(key string, path ...string) extraKey {
	if len(path) == 0 {
		path = []string{key}
	}
	return extraKey{key: key, path: path}
}

// extraData is what PSA keeps in extra_data for backend's login p: each
// entry's value in p.Raw; where the JSON lacks it, the detail of that name
// (PSA falls back to its details: username, email, fullname, first_name,
// last_name); else null, as PSA stores None. Values are JSON values as a
// decode with UseNumber gives them, the form stores return, so an
// unchanged login compares equal to what is stored.
func extraData(backend string, p *socialauth.Profile) map[string]any {
	keys := psaExtraData[backend]
	if len(keys) == 0 || p == nil {
		return nil
	}
	out := make(map[string]any, len(keys))
	found := make([]bool, len(keys))
	// One scan of the user JSON, decoding only the values kept (a login
	// must not pay for a decode of the whole answer). Raw is the answer the
	// backend already decoded, so it is not validated again; should it be
	// malformed all the same, the scan gives up and the details stand in.
	if !scanObject(p.Raw, func(name, value []byte) error {
		n, ok := memberName(name)
		if !ok {
			return nil
		}
		for i, k := range keys {
			if k.path[0] == n {
				if v, ok := valueAt(value, k.path[1:]); ok {
					out[k.key], found[i] = v, true
				}
			}
		}
		return nil
	}) {
		clear(out)
		clear(found)
	}
	for i, k := range keys {
		if found[i] {
			continue
		}
		v, ok := detail(p.Details, k.path[len(k.path)-1])
		if !ok {
			v, _ = detail(p.Details, k.key)
		}
		out[k.key] = v
	}
	return out
}

// valueAt is the value at path inside the valid JSON value raw (raw itself
// for an empty path), as a decode with UseNumber gives it.
func valueAt(raw []byte, path []string) (any, bool) {
	if len(path) > 0 {
		var (
			at    []byte
			found bool
		)
		if !scanObject(raw, func(name, value []byte) error {
			if n, ok := memberName(name); ok && n == path[0] {
				at, found = value, true
			}
			return nil
		}) || !found {
			return nil, false
		}
		return valueAt(at, path[1:])
	}
	switch {
	case string(raw) == "null":
		return nil, true
	case string(raw) == "true":
		return true, true
	case string(raw) == "false":
		return false, true
	case raw[0] == '"':
		return jsonString(raw)
	case (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') && json.Valid(raw):
		return json.Number(raw), true
	}
	if !json.Valid(raw) {
		return nil, false
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil, false
	}
	return v, true
}

// detail is the value of PSA's details entry name, when d has one.
func detail(d socialauth.Details, name string) (any, bool) {
	var v string
	switch name {
	case "username":
		v = d.Username
	case "email":
		v = d.Email
	case "fullname":
		v = d.FullName
	case "first_name":
		v = d.FirstName
	case "last_name":
		v = d.LastName
	}
	if v == "" {
		return nil, false
	}
	return v, true
}

// ExtraData returns what Python Social Auth keeps in extra_data for this
// backend beside the tokens (its EXTRA_DATA), read from p: for "github",
// {"id": ..., "login": ...}. pipeline's load_extra_data stores it. nil
// when PSA keeps nothing more for the backend.
func (o *OAuth2) ExtraData(p *socialauth.Profile) map[string]any { return extraData(o.p.Name, p) }

// ExtraData returns what Python Social Auth keeps in extra_data for this
// backend beside the tokens (for "oidc", {"id": sub}), read from p, as
// [OAuth2.ExtraData] does.
func (o *OIDC) ExtraData(p *socialauth.Profile) map[string]any { return extraData(o.cfg.Name, p) }

// scanObject is eachMember for JSON that was decoded before and is not
// validated again: on malformed input, where the scan may run past the end,
// it reports false instead of panicking.
func scanObject(obj []byte, fn func(name, value []byte) error) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return eachMember(obj, fn) == nil
}
