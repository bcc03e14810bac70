package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-socialauth/socialauth"
)

// sweepEvery paces the removal of expired partials and nonces: one write in
// sweepEvery sweeps, so the tables stay small without a background job.
const sweepEvery = 256

// SavePartial implements socialauth.PartialStore.
func (s *Store) SavePartial(ctx context.Context, p *socialauth.Partial) error {
	if p.Token == "" {
		return fmt.Errorf("sqlstore: partial token: %w", socialauth.ErrInvalidRequest)
	}
	data := []byte(p.Data)
	if data == nil {
		data = []byte{}
	}
	_, err := s.exec(ctx, `INSERT INTO socialauth_partials (token, backend, next_step, data, expires)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (token) DO UPDATE SET backend = excluded.backend, next_step = excluded.next_step,
			data = excluded.data, expires = excluded.expires`,
		p.Token, p.Backend, p.Step, data, ts(s.dialect, p.Expires))
	if err != nil {
		return err
	}
	s.maybeSweep(ctx)
	return nil
}

// LoadPartial implements socialauth.PartialStore.
func (s *Store) LoadPartial(ctx context.Context, token string) (*socialauth.Partial, error) {
	p := &socialauth.Partial{Token: token}
	var data []byte
	err := s.q.QueryRowContext(ctx, `SELECT backend, next_step, data, expires FROM socialauth_partials
		WHERE token = $1 AND expires > $2`, token, ts(s.dialect, s.clock())).
		Scan(&p.Backend, &p.Step, &data, dbTime{&p.Expires})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("partial")
	}
	if err != nil {
		return nil, err
	}
	p.Data = slices.Clone(data)
	return p, nil
}

// DeletePartial implements socialauth.PartialStore.
func (s *Store) DeletePartial(ctx context.Context, token string) error {
	_, err := s.exec(ctx, `DELETE FROM socialauth_partials WHERE token = $1`, token)
	return err
}

// UseNonce implements socialauth.NonceStore with one statement: an insert
// that, on a conflict, takes over only an expired row. The database's row
// lock on the key makes it atomic: of concurrent callers exactly one
// changes a row, and the others see the row it wrote.
func (s *Store) UseNonce(ctx context.Context, scope, value string, expires time.Time) error {
	changed, err := affected(s.exec(ctx, `INSERT INTO socialauth_nonces (scope, value, expires) VALUES ($1, $2, $3)
		ON CONFLICT (scope, value) DO UPDATE SET expires = excluded.expires
		WHERE socialauth_nonces.expires <= $4`,
		scope, value, ts(s.dialect, expires), ts(s.dialect, s.clock())))
	if err != nil {
		return err
	}
	if !changed {
		return alreadyExists("nonce")
	}
	s.maybeSweep(ctx)
	return nil
}

// maybeSweep deletes expired partials and nonces on every sweepEvery-th
// write. It is housekeeping: a failure leaves the rows for the next sweep
// and does not fail the caller, whose own write succeeded.
func (s *Store) maybeSweep(ctx context.Context) {
	if s.writes.Add(1)%sweepEvery != 0 {
		return
	}
	now := ts(s.dialect, s.clock())
	_, _ = s.exec(ctx, `DELETE FROM socialauth_nonces WHERE expires <= $1`, now)
	_, _ = s.exec(ctx, `DELETE FROM socialauth_partials WHERE expires <= $1`, now)
}
