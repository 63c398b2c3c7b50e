package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type userDoc struct {
	Name         string    `bson:"_id"`
	Role         string    `bson:"role"`
	Unit         string    `bson:"unit"`
	PasswordHash string    `bson:"passwordHash"`
	FailedLogins int       `bson:"failedLogins"`
	LockedUntil  time.Time `bson:"lockedUntil"`
	Locks        int       `bson:"locks"` // locks in a row, for the back-off
	Disabled     bool      `bson:"disabled"`
	CreatedAt    time.Time `bson:"createdAt"`
}

// CreateUser inserts a user; an existing name is a conflict.
func (s *Store) CreateUser(ctx context.Context, u *pinggu.User) error {
	_, err := s.db.Collection(colUsers).InsertOne(ctx, userDoc{Name: u.Name, Role: string(u.Role), Unit: u.Unit,
		PasswordHash: u.PasswordHash, CreatedAt: u.CreatedAt})
	return mapErr(err, pinggu.ObjUser, u.Name)
}

// User returns one user.
func (s *Store) User(ctx context.Context, name string) (*pinggu.User, error) {
	var d userDoc
	if err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&d); err != nil {
		return nil, mapErr(err, pinggu.ObjUser, name)
	}
	u := &pinggu.User{Name: d.Name, Role: pinggu.Role(d.Role), Unit: d.Unit, PasswordHash: d.PasswordHash,
		FailedLogins: d.FailedLogins, LockedUntil: utc(d.LockedUntil), Locks: d.Locks, Disabled: d.Disabled, CreatedAt: d.CreatedAt.UTC()}
	return u, nil
}

// Users lists every account by name.
func (s *Store) Users(ctx context.Context) ([]pinggu.User, error) {
	return findAll(ctx, s.db.Collection(colUsers), pinggu.ObjUser, bson.D{}, func(d *userDoc) pinggu.User {
		return pinggu.User{Name: d.Name, Role: pinggu.Role(d.Role), Unit: d.Unit, Disabled: d.Disabled,
			LockedUntil: utc(d.LockedUntil), CreatedAt: d.CreatedAt.UTC()}
	}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}

// SetUserRole changes an account's role and unit.
func (s *Store) SetUserRole(ctx context.Context, name string, role pinggu.Role, unit string) error {
	res, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: name}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "role", Value: string(role)}, {Key: "unit", Value: unit}}}})
	if err == nil && res.MatchedCount == 0 {
		return pinggu.Missing(pinggu.ObjUser, name)
	}
	return mapErr(err, pinggu.ObjUser, name)
}

// SetUserDisabled disables or enables an account.
func (s *Store) SetUserDisabled(ctx context.Context, name string, disabled bool) error {
	res, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: name}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "disabled", Value: disabled}}}})
	if err == nil && res.MatchedCount == 0 {
		return pinggu.Missing(pinggu.ObjUser, name)
	}
	return mapErr(err, pinggu.ObjUser, name)
}

// DeleteSessionsOf ends every session of a user.
func (s *Store) DeleteSessionsOf(ctx context.Context, user string) (int, error) {
	res, err := s.db.Collection(colSessions).DeleteMany(ctx, bson.D{{Key: "user", Value: user}})
	if err != nil {
		return 0, mapErr(err, pinggu.ObjSession)
	}
	return int(res.DeletedCount), nil
}

// TakeLoginAttempt counts a sign-in attempt before its password is
// checked, in one conditional update that matches only while the account
// is not locked and fewer than maxFailures attempts have failed in a row:
// of any number of concurrent guesses, at most maxFailures are ever
// checked. When it does not match, the account is locked until the time
// returned (now, while the lock is being written).
func (s *Store) TakeLoginAttempt(ctx context.Context, name string, maxFailures int, now time.Time) (ok bool, until time.Time, err error) {
	res, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: name},
		{Key: "failedLogins", Value: bson.D{{Key: "$lt", Value: maxFailures}}},
		{Key: "lockedUntil", Value: bson.D{{Key: "$lte", Value: now}}}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "failedLogins", Value: 1}}}})
	if err != nil {
		return false, time.Time{}, mapErr(err, pinggu.ObjUser, name)
	}
	if res.MatchedCount == 1 {
		return true, time.Time{}, nil
	}
	u, err := s.User(ctx, name)
	if err != nil {
		return false, time.Time{}, err
	}
	if u.LockedUntil.After(now) {
		return false, u.LockedUntil, nil
	}
	return false, now, nil
}

// LoginFailed settles a counted attempt whose password was wrong: once
// maxFailures have failed in a row, the account is locked for lockFor(the
// number of locks in a row) and counting starts again. One conditional
// update on the count read, so concurrent failures lock once.
func (s *Store) LoginFailed(ctx context.Context, name string, maxFailures int, lockFor func(locks int) time.Duration, now time.Time) (time.Time, error) {
	u, err := s.User(ctx, name)
	if err != nil || u.FailedLogins < maxFailures {
		return time.Time{}, err
	}
	until := now.Add(lockFor(u.Locks))
	res, err := s.db.Collection(colUsers).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: name}, {Key: "failedLogins", Value: u.FailedLogins}, {Key: "locks", Value: u.Locks}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "failedLogins", Value: 0}, {Key: "lockedUntil", Value: until}}},
			{Key: "$inc", Value: bson.D{{Key: "locks", Value: 1}}}})
	if err != nil {
		return time.Time{}, mapErr(err, pinggu.ObjUser, name)
	}
	if res.MatchedCount == 0 { // another failure locked it meanwhile
		return s.lockedUntil(ctx, name)
	}
	return until, nil
}

func (s *Store) lockedUntil(ctx context.Context, name string) (time.Time, error) {
	u, err := s.User(ctx, name)
	if err != nil {
		return time.Time{}, err
	}
	return u.LockedUntil, nil
}

// LoginSucceeded clears the failure count and the back-off.
func (s *Store) LoginSucceeded(ctx context.Context, name string) error {
	_, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: name}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "failedLogins", Value: 0}, {Key: "lockedUntil", Value: time.Time{}}, {Key: "locks", Value: 0}}}})
	return mapErr(err, pinggu.ObjUser)
}

type sessionDoc struct {
	ID        string    `bson:"_id"` // SHA-256 of the cookie value
	User      string    `bson:"user"`
	Role      string    `bson:"role"`
	Unit      string    `bson:"unit"`
	CSRF      string    `bson:"csrf"`
	CreatedAt time.Time `bson:"createdAt"`
	LastSeen  time.Time `bson:"lastSeen"`
}

// CreateSession stores a session under the hash of its token.
func (s *Store) CreateSession(ctx context.Context, se *pinggu.Session) error {
	_, err := s.db.Collection(colSessions).InsertOne(ctx, sessionDoc{ID: se.ID, User: se.User, Role: string(se.Role),
		Unit: se.Unit, CSRF: se.CSRF, CreatedAt: se.CreatedAt, LastSeen: se.LastSeen})
	return mapErr(err, pinggu.ObjSession)
}

// Session returns a session by the hash of its token.
func (s *Store) Session(ctx context.Context, id string) (*pinggu.Session, error) {
	var d sessionDoc
	if err := s.db.Collection(colSessions).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, mapErr(err, pinggu.ObjSession)
	}
	return &pinggu.Session{ID: d.ID, User: d.User, Role: pinggu.Role(d.Role), Unit: d.Unit, CSRF: d.CSRF,
		CreatedAt: d.CreatedAt.UTC(), LastSeen: d.LastSeen.UTC()}, nil
}

// TouchSession records activity, which moves the idle expiry.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.Collection(colSessions).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "lastSeen", Value: at}}}})
	return mapErr(err, pinggu.ObjSession)
}

// DeleteSession ends a session; ending one that is gone is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.db.Collection(colSessions).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err == mongo.ErrNoDocuments {
		return nil
	}
	return mapErr(err, pinggu.ObjSession)
}

// DeleteSessionsBefore removes a user's sessions created before t (expired ones).
func (s *Store) DeleteSessionsBefore(ctx context.Context, user string, t time.Time) error {
	_, err := s.db.Collection(colSessions).DeleteMany(ctx, bson.D{{Key: "user", Value: user}, {Key: "createdAt", Value: bson.D{{Key: "$lt", Value: t}}}})
	return mapErr(err, pinggu.ObjSession)
}

// AddAPIToken records a personal API token (its hash) of a user.
func (s *Store) AddAPIToken(ctx context.Context, hash, user, name string, at time.Time) error {
	_, err := s.db.Collection(colAPITokens).InsertOne(ctx, bson.D{{Key: "_id", Value: hash}, {Key: "user", Value: user},
		{Key: "name", Value: name}, {Key: "createdAt", Value: at}})
	return mapErr(err, pinggu.ObjAPIToken)
}

type apiTokenDoc struct {
	ID        string    `bson:"_id"` // the token's hash
	User      string    `bson:"user"`
	Name      string    `bson:"name"`
	CreatedAt time.Time `bson:"createdAt"`
}

// APITokenUser returns the user of a token hash.
func (s *Store) APITokenUser(ctx context.Context, hash string) (string, error) {
	var t apiTokenDoc
	if err := s.db.Collection(colAPITokens).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&t); err != nil {
		return "", mapErr(err, pinggu.ObjAPIToken)
	}
	return t.User, nil
}

// APITokens lists a user's tokens.
func (s *Store) APITokens(ctx context.Context, user string) ([]pinggu.APIToken, error) {
	return findAll(ctx, s.db.Collection(colAPITokens), pinggu.ObjAPIToken, bson.D{{Key: "user", Value: user}},
		func(d *apiTokenDoc) pinggu.APIToken {
			return pinggu.APIToken{ID: d.ID, User: d.User, Name: d.Name, CreatedAt: d.CreatedAt.UTC()}
		})
}

// RevokeAPIToken deletes a user's token.
func (s *Store) RevokeAPIToken(ctx context.Context, user, hash string) error {
	res, err := s.db.Collection(colAPITokens).DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}, {Key: "user", Value: user}})
	if err != nil {
		return mapErr(err, pinggu.ObjAPIToken)
	}
	if res.DeletedCount == 0 {
		return pinggu.Missing(pinggu.ObjAPIToken, "")
	}
	return nil
}
