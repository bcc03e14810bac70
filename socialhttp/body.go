package socialhttp

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-socialauth/socialauth"
)

// exchangeRequest is Exchange's body. A nil pointer is an absent member.
type exchangeRequest struct {
	accessToken *string
	idToken     *string
	nonce       string
	user        *appleUser
}

// appleUser is the "user" object Sign in with Apple gives the client on the
// first authorization. Its email is ignored: the id_token's is the one Apple
// vouches for.
type appleUser struct {
	Name struct {
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	} `json:"name"`
	Email string `json:"email"`
}

// resumeRequest is Resume's body.
type resumeRequest struct {
	partialToken string
	data         json.RawMessage
}

// UnmarshalJSON decodes the body with exact member names (encoding/json
// alone would match "ACCESS_TOKEN" too) and refuses unknown and repeated
// members.
func (q *exchangeRequest) UnmarshalJSON(b []byte) error {
	return eachMember(b, func(name string, dec *json.Decoder) error {
		switch name {
		case "access_token":
			q.accessToken = new(string)
			return decodeString(dec, name, q.accessToken)
		case "id_token":
			q.idToken = new(string)
			return decodeString(dec, name, q.idToken)
		case "nonce":
			return decodeString(dec, name, &q.nonce)
		case "user":
			q.user = new(appleUser)
			dec.DisallowUnknownFields()
			if err := dec.Decode(q.user); err != nil {
				return fmt.Errorf("%w: \"user\" must be Apple's user object", socialauth.ErrInvalidRequest)
			}
			return nil
		}
		return unknownMember(name)
	})
}

// UnmarshalJSON decodes the body as exchangeRequest's does.
func (q *resumeRequest) UnmarshalJSON(b []byte) error {
	return eachMember(b, func(name string, dec *json.Decoder) error {
		switch name {
		case "partial_token":
			return decodeString(dec, name, &q.partialToken)
		case "data":
			return dec.Decode(&q.data)
		}
		return unknownMember(name)
	})
}

// connectRequest is Connect's body.
type connectRequest struct{ accessToken string }

// disconnectRequest is Disconnect's body.
type disconnectRequest struct{ associationID string }

// UnmarshalJSON decodes the body as exchangeRequest's does.
func (q *connectRequest) UnmarshalJSON(b []byte) error {
	return eachMember(b, func(name string, dec *json.Decoder) error {
		if name == "access_token" {
			return decodeString(dec, name, &q.accessToken)
		}
		return unknownMember(name)
	})
}

// UnmarshalJSON decodes the body as exchangeRequest's does.
func (q *disconnectRequest) UnmarshalJSON(b []byte) error {
	return eachMember(b, func(name string, dec *json.Decoder) error {
		if name == "association_id" {
			return decodeString(dec, name, &q.associationID)
		}
		return unknownMember(name)
	})
}

func unknownMember(name string) error {
	if len(name) > 64 {
		name = name[:64]
	}
	return fmt.Errorf("%w: unknown member %q", socialauth.ErrInvalidRequest, name)
}

func decodeString(dec *json.Decoder, name string, dst *string) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	s, ok := t.(string)
	if !ok {
		return fmt.Errorf("%w: %q must be a string", socialauth.ErrInvalidRequest, name)
	}
	*dst = s
	return nil
}

// eachMember walks the members of the JSON object b, calling member with
// each name (exactly as sent) and a decoder positioned at its value, which
// member must consume. A repeated member is refused.
func eachMember(b []byte, member func(name string, dec *json.Decoder) error) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("%w: the body must be a JSON object", socialauth.ErrInvalidRequest)
	}
	seen := make(map[string]bool, 4)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name := t.(string) // inside an object, a token before a value is its name
		if seen[name] {
			return fmt.Errorf("%w: member %q appears twice", socialauth.ErrInvalidRequest, name)
		}
		seen[name] = true
		if err := member(name, dec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	return nil
}
