package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/go-socialauth/socialauth"
)

const assocColumns = `id, user_id, provider, uid, extra_data, created_at, modified_at`

func scanAssoc(row scanner) (*socialauth.Association, error) {
	var (
		a     socialauth.Association
		id    int64
		extra []byte
	)
	if err := row.Scan(&id, &a.UserID, &a.Provider, &a.UID, &extra, dbTime{&a.CreatedAt}, dbTime{&a.ModifiedAt}); err != nil {
		return nil, err
	}
	a.ID = strconv.FormatInt(id, 10)
	var err error
	if a.ExtraData, err = decodeExtra(extra); err != nil {
		return nil, fmt.Errorf("sqlstore: association %s: extra_data: %w", a.ID, err)
	}
	return &a, nil
}

// decodeExtra reads stored ExtraData with numbers as json.Number, the types
// load_extra_data compares with.
func decodeExtra(b []byte) (map[string]any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// encodeExtra is ExtraData as stored: JSON text, or NULL when empty.
func encodeExtra(m map[string]any) (any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: extra_data: %w", err)
	}
	return string(b), nil
}

// GetAssociation implements socialauth.AssociationStore.
func (s *Store) GetAssociation(ctx context.Context, provider, uid string) (*socialauth.Association, error) {
	a, err := scanAssoc(s.q.QueryRowContext(ctx,
		`SELECT `+assocColumns+` FROM socialauth_associations WHERE provider = $1 AND uid = $2`, provider, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("association")
	}
	return a, err
}

// AssociationsForUser implements socialauth.AssociationStore.
func (s *Store) AssociationsForUser(ctx context.Context, userID string) ([]*socialauth.Association, error) {
	rows, err := s.q.QueryContext(ctx,
		`SELECT `+assocColumns+` FROM socialauth_associations WHERE user_id = $1 ORDER BY created_at, id`, userID)
	return scanAll(rows, err, scanAssoc)
}

// CreateAssociation implements socialauth.AssociationStore. The user's
// existence is checked in the same transaction as the insert.
func (s *Store) CreateAssociation(ctx context.Context, a *socialauth.Association) (*socialauth.Association, error) {
	if err := checkAssoc(a); err != nil {
		return nil, err
	}
	var out *socialauth.Association
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.users.GetUser(ctx, tx, a.UserID); err != nil {
			return err
		}
		var err error
		out, err = s.insertAssoc(ctx, tx, a, a.UserID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func checkAssoc(a *socialauth.Association) error {
	if a.Provider == "" || a.UID == "" {
		return fmt.Errorf("sqlstore: association needs a provider and a uid: %w", socialauth.ErrInvalidRequest)
	}
	return nil
}

func (s *Store) insertAssoc(ctx context.Context, q Querier, a *socialauth.Association, userID string) (*socialauth.Association, error) {
	extra, err := encodeExtra(a.ExtraData)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO socialauth_associations
		(user_id, provider, uid, extra_data, created_at, modified_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
		userID, a.Provider, a.UID, extra, ts(s.dialect, now)).Scan(&id)
	if isUniqueViolation(err) {
		return nil, alreadyExists("association")
	}
	if err != nil {
		return nil, err
	}
	// What is returned is what a read gives back: ExtraData through JSON.
	c := *a
	c.ID, c.UserID, c.CreatedAt, c.ModifiedAt = strconv.FormatInt(id, 10), userID, now, now
	if extra != nil {
		c.ExtraData, _ = decodeExtra([]byte(extra.(string)))
	} else {
		c.ExtraData = nil
	}
	return &c, nil
}

// CreateUserWithAssociation implements socialauth.LoginStore in one
// transaction: the association's uniqueness, the email's (with
// opts.UniqueEmail), then the user, then the association. Any failure rolls
// everything back. In PostgreSQL concurrent UniqueEmail creators of one
// email queue on a transaction advisory lock keyed by the email's key; in
// SQLite every write transaction already holds the database's write lock.
func (s *Store) CreateUserWithAssociation(ctx context.Context, u *socialauth.User, a *socialauth.Association, opts socialauth.CreateOptions) (*socialauth.User, *socialauth.Association, error) {
	if err := checkAssoc(a); err != nil {
		return nil, nil, err
	}
	var (
		nu *socialauth.User
		na *socialauth.Association
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM socialauth_associations WHERE provider = $1 AND uid = $2`,
			a.Provider, a.UID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return alreadyExists("association")
		}
		if opts.UniqueEmail && u.Email != "" {
			if s.dialect == PostgreSQL {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('socialauth.email:' || $1::text))`,
					socialauth.EmailKey(u.Email)); err != nil {
					return err
				}
			}
			same, err := s.users.UsersByEmail(ctx, tx, u.Email)
			if err != nil {
				return err
			}
			if len(same) > 0 {
				return fmt.Errorf("sqlstore: %w", socialauth.ErrEmailTaken)
			}
		}
		var err error
		if nu, err = s.createUser(ctx, tx, u); err != nil {
			return err
		}
		na, err = s.insertAssoc(ctx, tx, a, nu.ID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return nu, na, nil
}

// UpdateAssociation implements socialauth.AssociationStore.
func (s *Store) UpdateAssociation(ctx context.Context, a *socialauth.Association) error {
	id, ok := parseID(a.ID)
	if !ok {
		return notFound("association")
	}
	extra, err := encodeExtra(a.ExtraData)
	if err != nil {
		return err
	}
	res, err := s.exec(ctx, `UPDATE socialauth_associations SET extra_data = $1, modified_at = $2 WHERE id = $3`,
		extra, ts(s.dialect, s.clock()), id)
	return affectedOne(res, err, "association")
}

// DeleteAssociation implements socialauth.AssociationStore.
func (s *Store) DeleteAssociation(ctx context.Context, id string) error {
	n, ok := parseID(id)
	if !ok {
		return notFound("association")
	}
	res, err := s.exec(ctx, `DELETE FROM socialauth_associations WHERE id = $1`, n)
	return affectedOne(res, err, "association")
}
