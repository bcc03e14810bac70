package backends

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-socialauth/socialauth"
)

// Reading a provider's user JSON: every mapper decodes it with decode,
// reads ids with idString and booleans with flexBool.

// decode unmarshals a provider's JSON; malformed JSON is the provider's
// failure (ErrProviderUnavailable), never a crash.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: malformed user JSON", socialauth.ErrProviderUnavailable)
	}
	return nil
}

// userJSON is a provider's user JSON, decoded: it says who the user is.
type userJSON interface {
	user() (uid string, d socialauth.Details, err error)
}

// mapJSON is the Provider.User mapper of the user JSON type T.
func mapJSON[T userJSON](body []byte) (string, socialauth.Details, error) {
	var u T
	if err := decode(body, &u); err != nil {
		return "", socialauth.Details{}, err
	}
	return u.user()
}

// mapUser runs a mapper over body: the profile, or the mapper's error.
func mapUser(f func([]byte) (string, socialauth.Details, error), body []byte) (*socialauth.Profile, error) {
	uid, d, err := f(body)
	if err != nil {
		return nil, err
	}
	return &socialauth.Profile{UID: uid, Details: d, Raw: body}, nil
}

// profile does c and maps the answer with f.
func (c call) profile(ctx context.Context, client *http.Client, f func([]byte) (string, socialauth.Details, error)) (*socialauth.Profile, error) {
	body, err := c.do(ctx, client)
	if err != nil {
		return nil, err
	}
	return mapUser(f, body)
}

// mapFirst maps the first of a provider's list of users (Helix's "data",
// Stack Exchange's "items", VK's "response"); the profile's Raw is that
// user alone. An empty list is a profile without uid, which the backend
// refuses.
func mapFirst(f func([]byte) (string, socialauth.Details, error), items []json.RawMessage) (*socialauth.Profile, error) {
	if len(items) == 0 {
		return &socialauth.Profile{}, nil
	}
	return mapUser(f, items[0])
}

// idString renders a JSON id (a string or a number) exactly as sent;
// null or absent gives "".
func idString(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return ""
	}
	if s[0] == '"' {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return ""
		}
		return v
	}
	if s[0] == '-' || (s[0] >= '0' && s[0] <= '9') {
		return s
	}
	return "" // objects, arrays, booleans are not ids
}

// flexBool reads a JSON boolean that some providers send as a string
// ("true"/"false", Apple and Google's tokeninfo do).
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(strings.ToLower(string(data)), `"`) {
	case "true", "1":
		*b = true
	default:
		*b = false
	}
	return nil
}

// localPart is the part of an email before the '@'.
func localPart(email string) string {
	l, _, _ := strings.Cut(email, "@")
	return l
}

// pictureURL is raw when it is an absolute http or https URL, else "": a
// picture's address comes from the provider's answer, and hosts put it
// into pages.
func pictureURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return raw
}

// lastSegment is what follows the last '/' of s (all of s when there is none).
func lastSegment(s string) string {
	return s[strings.LastIndexByte(s, '/')+1:]
}
