package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/go-socialauth/socialauth"
)

// Code is a verification code sent to an email address, PSA's Code: the
// host mails Code (in a link or for the user to type) and calls
// [Store.VerifyCode] with what comes back.
type Code struct {
	ID        string
	Email     string
	Code      string
	Verified  bool
	CreatedAt time.Time
	Expires   time.Time
}

// codeBytes is the entropy of a code: 128 bits, shown as 32 hex digits.
const codeBytes = 16

// MakeCode stores a fresh random code for email that can be verified until
// expires, and returns it. An empty email wraps ErrMissingParameter.
func (s *Store) MakeCode(ctx context.Context, email string, expires time.Time) (*Code, error) {
	if email == "" {
		return nil, fmt.Errorf("sqlstore: code email: %w", socialauth.ErrMissingParameter)
	}
	b := make([]byte, codeBytes)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	c := &Code{Email: email, Code: hex.EncodeToString(b), CreatedAt: s.clock(), Expires: expires.UTC().Truncate(time.Microsecond)}
	var id int64
	err := s.q.QueryRowContext(ctx, `INSERT INTO socialauth_codes (email, email_key, code, verified, created_at, expires)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		c.Email, socialauth.EmailKey(email), c.Code, false, ts(s.dialect, c.CreatedAt), ts(s.dialect, c.Expires)).Scan(&id)
	if err != nil {
		return nil, err
	}
	c.ID = strconv.FormatInt(id, 10)
	return c, nil
}

// GetCode returns the unexpired code of email (compared as UsersByEmail
// does) equal to code. Codes are compared in constant time. No such code
// wraps ErrNotFound.
func (s *Store) GetCode(ctx context.Context, email, code string) (*Code, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, email, code, verified, created_at, expires FROM socialauth_codes
		WHERE email_key = $1 AND expires > $2 ORDER BY id`, socialauth.EmailKey(email), ts(s.dialect, s.clock()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var found *Code
	for rows.Next() {
		var (
			c  Code
			id int64
		)
		if err := rows.Scan(&id, &c.Email, &c.Code, &c.Verified, dbTime{&c.CreatedAt}, dbTime{&c.Expires}); err != nil {
			return nil, err
		}
		c.ID = strconv.FormatInt(id, 10)
		// Look at every row, match or not, so the time taken says nothing.
		if subtle.ConstantTimeCompare([]byte(c.Code), []byte(code)) == 1 && code != "" {
			found = &c
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if found == nil {
		return nil, notFound("code")
	}
	return found, nil
}

// VerifyCode marks email's code as verified and returns it. A code is
// verified once: a second call, even concurrent, wraps ErrAlreadyExists.
// An unknown or expired code wraps ErrNotFound.
func (s *Store) VerifyCode(ctx context.Context, email, code string) (*Code, error) {
	c, err := s.GetCode(ctx, email, code)
	if err != nil {
		return nil, err
	}
	id, _ := strconv.ParseInt(c.ID, 10, 64)
	changed, err := affected(s.q.ExecContext(ctx, `UPDATE socialauth_codes SET verified = $1 WHERE id = $2 AND verified = $3`, true, id, false))
	if err != nil {
		return nil, err
	}
	if !changed {
		return nil, alreadyExists("code") // verified before, or just now by a concurrent call
	}
	c.Verified = true
	return c, nil
}
