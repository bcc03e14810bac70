package socialauth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"strings"
)

// sealPrefix starts every sealed value: "sealed:v1:<key id>:<base64url of
// nonce and ciphertext>".
const sealPrefix = "sealed:v1:"

// sealer encrypts provider tokens with AES-256-GCM. The first key seals;
// every key opens, found by its id (the first 8 hex digits of its SHA-256),
// so keys rotate by putting a new one first.
type sealer struct {
	ids   []string
	aeads map[string]cipher.AEAD
}

func newSealer(keys [][]byte) (*sealer, error) {
	s := &sealer{aeads: make(map[string]cipher.AEAD, len(keys))}
	for i, k := range keys {
		if len(k) != 32 {
			return nil, fmt.Errorf("socialauth: Config.TokenKeys[%d] is %d bytes; want 32", i, len(k))
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(k)
		id := hex.EncodeToString(sum[:4])
		if _, dup := s.aeads[id]; dup {
			return nil, fmt.Errorf("socialauth: Config.TokenKeys[%d] repeats a key", i)
		}
		s.ids = append(s.ids, id)
		s.aeads[id] = aead
	}
	return s, nil
}

// seal encrypts plain, bound to context (where the value lives).
func (s *sealer) seal(plain []byte, context string) (string, error) {
	id := s.ids[0]
	aead := s.aeads[id]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, plain, []byte(context))
	return sealPrefix + id + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

var errSealed = errors.New("socialauth: a sealed token cannot be opened")

// open decrypts a value seal wrote. A value that is not sealed (stored
// before keys were configured) comes back as it is.
func (s *sealer) open(v, context string) ([]byte, error) {
	rest, ok := strings.CutPrefix(v, sealPrefix)
	if !ok {
		return []byte(v), nil
	}
	id, data, ok := strings.Cut(rest, ":")
	aead := s.aeads[id]
	if !ok || aead == nil {
		return nil, fmt.Errorf("%w: no configured key has id %q", errSealed, id)
	}
	raw, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, fmt.Errorf("%w: malformed", errSealed)
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(context))
	if err != nil {
		return nil, fmt.Errorf("%w: it was altered or belongs elsewhere", errSealed)
	}
	return plain, nil
}

// tokenStorage is the Storage a Service uses when Config.TokenKeys or
// Config.DiscardTokens is set: it seals (or drops) the provider tokens in
// associations' ExtraData and the saved State of paused logins on the way
// in, and opens them on the way out, so that steps and hosts reading
// through the State see them as the provider sent them.
type tokenStorage struct {
	Storage
	sealer  *sealer // nil: no keys
	discard bool
}

func extraContext(a *Association, key string) string {
	return "extra_data\x00" + a.Provider + "\x00" + a.UID + "\x00" + key
}

func (t *tokenStorage) sealAssociation(a *Association) (*Association, error) {
	if a == nil || len(a.ExtraData) == 0 {
		return a, nil
	}
	c := *a
	c.ExtraData = maps.Clone(a.ExtraData)
	for k, v := range c.ExtraData {
		s, isString := v.(string)
		if !secretKey(k) || !isString {
			continue
		}
		if t.discard || t.sealer == nil {
			delete(c.ExtraData, k)
			continue
		}
		sealed, err := t.sealer.seal([]byte(s), extraContext(a, k))
		if err != nil {
			return nil, err
		}
		c.ExtraData[k] = sealed
	}
	return &c, nil
}

func (t *tokenStorage) openAssociation(a *Association) (*Association, error) {
	if a == nil || t.sealer == nil || len(a.ExtraData) == 0 {
		return a, nil
	}
	for k, v := range a.ExtraData {
		if s, ok := v.(string); ok && strings.HasPrefix(s, sealPrefix) {
			plain, err := t.sealer.open(s, extraContext(a, k))
			if err != nil {
				return nil, fmt.Errorf("association %s, %s: %w", a.ID, k, err)
			}
			a.ExtraData[k] = string(plain)
		}
	}
	return a, nil
}

func (t *tokenStorage) GetAssociation(ctx context.Context, provider, uid string) (*Association, error) {
	a, err := t.Storage.GetAssociation(ctx, provider, uid)
	if err != nil {
		return nil, err
	}
	return t.openAssociation(a)
}

func (t *tokenStorage) AssociationsForUser(ctx context.Context, userID string) ([]*Association, error) {
	as, err := t.Storage.AssociationsForUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if _, err := t.openAssociation(a); err != nil {
			return nil, err
		}
	}
	return as, nil
}

func (t *tokenStorage) CreateAssociation(ctx context.Context, a *Association) (*Association, error) {
	sealed, err := t.sealAssociation(a)
	if err != nil {
		return nil, err
	}
	stored, err := t.Storage.CreateAssociation(ctx, sealed)
	if err != nil {
		return nil, err
	}
	return t.openAssociation(stored)
}

func (t *tokenStorage) UpdateAssociation(ctx context.Context, a *Association) error {
	sealed, err := t.sealAssociation(a)
	if err != nil {
		return err
	}
	return t.Storage.UpdateAssociation(ctx, sealed)
}

func (t *tokenStorage) CreateUserWithAssociation(ctx context.Context, u *User, a *Association, opts CreateOptions) (*User, *Association, error) {
	sealed, err := t.sealAssociation(a)
	if err != nil {
		return nil, nil, err
	}
	su, sa, err := t.Storage.CreateUserWithAssociation(ctx, u, sealed, opts)
	if err != nil {
		return nil, nil, err
	}
	sa, err = t.openAssociation(sa)
	return su, sa, err
}

func partialContext(p *Partial) string { return "partial\x00" + p.Backend + "\x00" + p.Token }

func (t *tokenStorage) SavePartial(ctx context.Context, p *Partial) error {
	if t.sealer == nil {
		return t.Storage.SavePartial(ctx, p)
	}
	sealed, err := t.sealer.seal(p.Data, partialContext(p))
	if err != nil {
		return err
	}
	c := *p
	c.Data = []byte(`"` + sealed + `"`) // still a JSON value, for stores that keep JSON
	return t.Storage.SavePartial(ctx, &c)
}

func (t *tokenStorage) LoadPartial(ctx context.Context, token string) (*Partial, error) {
	p, err := t.Storage.LoadPartial(ctx, token)
	if err != nil || t.sealer == nil {
		return p, err
	}
	s := strings.Trim(string(p.Data), `"`)
	if !strings.HasPrefix(s, sealPrefix) {
		return p, nil
	}
	plain, err := t.sealer.open(s, partialContext(p))
	if err != nil {
		return nil, fmt.Errorf("paused login: %w", err)
	}
	p.Data = plain
	return p, nil
}
