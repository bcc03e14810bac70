package backends

import (
	"encoding/json"
	"fmt"

	"github.com/go-socialauth/socialauth"
)

// ClaimKeys name the claims (or userinfo fields) an [OIDC] backend reads
// the user from. An empty field means the OpenID Connect standard claim in
// brackets (OIDC Core §5.1). PSA's ID_KEY, USERNAME_KEY, EMAIL_KEY,
// FIRST_NAME_KEY, LAST_NAME_KEY and FULLNAME_KEY are the same settings.
type ClaimKeys struct {
	UID           string // ["sub"]; prefer it: OIDC Core §5.7 makes only iss+sub an identity
	Username      string // ["preferred_username"]
	Email         string // ["email"]
	EmailVerified string // ["email_verified"], a boolean or the string "true"
	FullName      string // ["name"]
	FirstName     string // ["given_name"]
	LastName      string // ["family_name"]
	AvatarURL     string // ["picture"]
}

func (k ClaimKeys) withDefaults() ClaimKeys {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&k.UID, "sub")
	def(&k.Username, "preferred_username")
	def(&k.Email, "email")
	def(&k.EmailVerified, "email_verified")
	def(&k.FullName, "name")
	def(&k.FirstName, "given_name")
	def(&k.LastName, "family_name")
	def(&k.AvatarURL, "picture")
	return k
}

// Map reads the user from an OpenID Connect claims object (an id_token's
// payload or a userinfo answer) by the names k gives, the standard claims
// where a field is empty: the uid and the Details, the email counting as
// verified only when the EmailVerified claim says so. It fits
// [Provider].User and [OIDCConfig].User.
func (k ClaimKeys) Map(body []byte) (string, socialauth.Details, error) {
	return k.withDefaults().user(body)
}

// user maps the claims k names (k has its defaults filled in); the email
// counts as verified only when the EmailVerified claim says so. It scans
// the object once and decodes only the members it reads.
func (k ClaimKeys) user(body []byte) (string, socialauth.Details, error) {
	var (
		uid, picture string
		d            socialauth.Details
		verified     flexBool
	)
	str := func(v []byte) string {
		s, _ := jsonString(v)
		return s
	}
	err := errClaims
	if json.Valid(body) {
		err = eachMember(body, func(name, value []byte) error {
			n, ok := memberName(name)
			if !ok {
				return nil
			}
			// One member may stand for several keys: no switch.
			if n == k.UID {
				uid = idString(value)
			}
			if n == k.Username {
				d.Username = str(value)
			}
			if n == k.Email {
				d.Email = str(value)
			}
			if n == k.EmailVerified {
				_ = verified.UnmarshalJSON(value)
			}
			if n == k.FullName {
				d.FullName = str(value)
			}
			if n == k.FirstName {
				d.FirstName = str(value)
			}
			if n == k.LastName {
				d.LastName = str(value)
			}
			if n == k.AvatarURL {
				picture = str(value)
			}
			return nil
		})
	}
	if err != nil {
		return "", socialauth.Details{}, fmt.Errorf("%w: malformed user JSON", socialauth.ErrProviderUnavailable)
	}
	d.AvatarURL = pictureURL(picture)
	d.EmailVerified = bool(verified) && d.Email != ""
	return uid, d, nil
}

func (k ClaimKeys) fromClaims(m map[string]json.RawMessage) (string, socialauth.Details) {
	var verified flexBool
	if raw, ok := m[k.EmailVerified]; ok {
		_ = verified.UnmarshalJSON(raw)
	}
	d := socialauth.Details{
		Username: claimString(m, k.Username), Email: claimString(m, k.Email),
		FullName: claimString(m, k.FullName), FirstName: claimString(m, k.FirstName), LastName: claimString(m, k.LastName),
		AvatarURL: pictureURL(claimString(m, k.AvatarURL)),
	}
	d.EmailVerified = bool(verified) && d.Email != ""
	return idString(m[k.UID]), d
}

// claimString is the string claim k of m ("" when absent or not a string).
func claimString(m map[string]json.RawMessage, k string) string {
	var s string
	if json.Unmarshal(m[k], &s) != nil {
		return ""
	}
	return s
}

// userinfoUser maps an OpenID Connect userinfo answer read with an access
// token (Yahoo's, Salesforce's): the standard claims, and "nickname" as
// the username when preferred_username is absent.
func userinfoUser(body []byte) (string, socialauth.Details, error) {
	var m map[string]json.RawMessage
	if err := decode(body, &m); err != nil {
		return "", socialauth.Details{}, err
	}
	uid, d := ClaimKeys{}.withDefaults().fromClaims(m)
	if d.Username == "" {
		d.Username = claimString(m, "nickname")
	}
	return uid, d, nil
}
