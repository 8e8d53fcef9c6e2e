package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
)

// migrations are applied in order; migrations[i] brings the schema from
// version i to i+1. Never edit one that has shipped: append a new one.
// data is the model as json (not jsonb, which cannot hold the \u0000 escape
// a Go string may need). Key columns collate bytewise.
var migrations = []string{
	`
CREATE TABLE clients (
	id         text COLLATE "C" PRIMARY KEY,
	created_at timestamptz NOT NULL,
	data       json NOT NULL
);

CREATE TABLE users (
	id           text COLLATE "C" PRIMARY KEY,
	username_key text COLLATE "C" NOT NULL UNIQUE, -- lower-cased username
	email_key    text COLLATE "C" UNIQUE,          -- lower-cased email, NULL when empty
	created_at   timestamptz NOT NULL,
	data         json NOT NULL
);

CREATE TABLE signing_keys (
	id         text COLLATE "C" PRIMARY KEY,
	created_at timestamptz NOT NULL,
	data       json NOT NULL
);

CREATE TABLE auth_requests (
	id         text COLLATE "C" PRIMARY KEY,
	expires_at timestamptz,
	data       json NOT NULL
);
CREATE INDEX auth_requests_expires ON auth_requests (expires_at);

CREATE TABLE auth_codes (
	hash           text COLLATE "C" PRIMARY KEY,
	expires_at     timestamptz,
	redeemed_at    timestamptz,
	family_id      text COLLATE "C",
	invalidated_at timestamptz,
	invalid_reason text,
	data           json NOT NULL
);
CREATE INDEX auth_codes_expires ON auth_codes (expires_at);

CREATE TABLE token_families (
	id            text COLLATE "C" PRIMARY KEY,
	user_id       text COLLATE "C" NOT NULL,
	client_id     text COLLATE "C" NOT NULL,
	revoked_at    timestamptz,
	revoke_reason text,
	data          json NOT NULL
);
CREATE INDEX token_families_user ON token_families (user_id, client_id);

CREATE TABLE refresh_tokens (
	hash       text COLLATE "C" PRIMARY KEY,
	family_id  text COLLATE "C" NOT NULL,
	expires_at timestamptz, -- the earlier of absolute and idle expiry
	rotated_at timestamptz,
	data       json NOT NULL
);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

CREATE TABLE access_tokens (
	hash       text COLLATE "C" PRIMARY KEY,
	expires_at timestamptz,
	revoked_at timestamptz,
	data       json NOT NULL
);
CREATE INDEX access_tokens_expires ON access_tokens (expires_at);

CREATE TABLE denied_jtis (
	jti        text COLLATE "C" PRIMARY KEY,
	expires_at timestamptz NOT NULL
);
CREATE INDEX denied_jtis_expires ON denied_jtis (expires_at);

CREATE TABLE apis (
	id         text COLLATE "C" PRIMARY KEY,
	created_at timestamptz NOT NULL,
	data       json NOT NULL
);

CREATE TABLE consents (
	user_id   text COLLATE "C" NOT NULL,
	client_id text COLLATE "C" NOT NULL,
	data      json NOT NULL,
	PRIMARY KEY (user_id, client_id)
);

CREATE TABLE sessions (
	hash       text COLLATE "C" PRIMARY KEY,
	expires_at timestamptz,
	data       json NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE jtis (
	issuer     text COLLATE "C" NOT NULL,
	jti        text COLLATE "C" NOT NULL,
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (issuer, jti)
);
CREATE INDEX jtis_expires ON jtis (expires_at);

CREATE TABLE failures (
	trace_id   text COLLATE "C" PRIMARY KEY,
	created_at timestamptz NOT NULL,
	data       json NOT NULL
);
CREATE INDEX failures_created ON failures (created_at);
`,
	`
ALTER TABLE token_families ADD COLUMN parent_id text COLLATE "C";
CREATE INDEX token_families_parent ON token_families (parent_id) WHERE parent_id IS NOT NULL;
`,
	`
ALTER TABLE refresh_tokens ADD COLUMN successor bytea, ADD COLUMN successor_until timestamptz;
CREATE INDEX refresh_tokens_successor ON refresh_tokens (successor_until) WHERE successor_until IS NOT NULL;
`,
	`
CREATE TABLE key_check (
	id         integer PRIMARY KEY CHECK (id = 1), -- one row
	sealed     bytea NOT NULL,
	created_at timestamptz NOT NULL
);
`,
	// Failure stories get a class, so that each class is bounded on its own;
	// stories recorded before name no client when they have none.
	`
ALTER TABLE failures ADD COLUMN unattributed boolean NOT NULL DEFAULT false;
UPDATE failures SET unattributed = true WHERE COALESCE(data->>'client_id', '') = '';
CREATE INDEX failures_class ON failures (unattributed, created_at);
`,
	// Sessions by their public id (GetSessionByID) and by user
	// (DeleteSessionsFor), as columns: ->> on a json document refuses one
	// that holds an escaped NUL, so an expression index would refuse to
	// store it. Rows from before fill the columns where they can.
	`
ALTER TABLE sessions ADD COLUMN id text COLLATE "C", ADD COLUMN user_id text COLLATE "C";
UPDATE sessions SET id = data->>'id', user_id = data->>'user_id' WHERE strpos(data::text, '\u0000') = 0;
CREATE INDEX sessions_id ON sessions (id);
CREATE INDEX sessions_user ON sessions (user_id);
`,
	// Pushed authorization requests (RFC 9126).
	`
CREATE TABLE pushed_requests (
	hash       text COLLATE "C" PRIMARY KEY,
	client_id  text COLLATE "C" NOT NULL,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz,
	data       json NOT NULL
);
CREATE INDEX pushed_requests_expires ON pushed_requests (expires_at);
`,
	// The outbox: durable deliveries, claimed with a lease.
	`
CREATE TABLE outbox (
	id           text COLLATE "C" PRIMARY KEY,
	state        text NOT NULL, -- pending, delivered, dead
	next_attempt timestamptz NOT NULL,
	attempts     integer NOT NULL DEFAULT 0,
	lease        text COLLATE "C",
	lease_until  timestamptz,
	last_error   text,
	last_trace   text,
	finished_at  timestamptz,
	created_at   timestamptz NOT NULL,
	data         json NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE state = 'pending';
CREATE INDEX outbox_finished ON outbox (state, finished_at) WHERE state <> 'pending';
`,
	// Device authorizations (RFC 8628): data holds what the client asked
	// for, the columns what changes (the decision, the redemption).
	`
CREATE TABLE device_codes (
	hash           text COLLATE "C" PRIMARY KEY,
	user_code_hash text COLLATE "C" NOT NULL UNIQUE,
	client_id      text COLLATE "C" NOT NULL,
	expires_at     timestamptz NOT NULL,
	decided_at     timestamptz,
	decision       json,
	redeemed_at    timestamptz,
	family_id      text COLLATE "C",
	data           json NOT NULL
);
CREATE INDEX device_codes_expires ON device_codes (expires_at);
`,
	// Backchannel authentication requests (OpenID CIBA Core 1.0). The
	// request is data; what changes (the decision, the redemption) are
	// columns, so that each change is one conditional UPDATE.
	`
CREATE TABLE backchannel_requests (
	hash        text COLLATE "C" PRIMARY KEY,
	id          text COLLATE "C" NOT NULL UNIQUE,
	client_id   text COLLATE "C" NOT NULL,
	user_id     text COLLATE "C" NOT NULL,
	expires_at  timestamptz NOT NULL,
	status      text NOT NULL,
	decision    json,
	redeemed_at timestamptz,
	family_id   text COLLATE "C",
	data        json NOT NULL
);
CREATE INDEX backchannel_requests_user ON backchannel_requests (user_id, status, expires_at);
CREATE INDEX backchannel_requests_expires ON backchannel_requests (expires_at);
`,
	// The change feed (changes.go): every write to these tables, by any
	// replica, the CLI or a hand-written statement, tells the listening
	// replicas what changed, on one channel. The payload names the schema
	// (one database may hold several Lucids); an id too long for a
	// notification (8000 bytes) is sent as "flush". Only the revocation of a
	// family notifies, not its other updates, and no hot write (codes,
	// rotations, jtis) notifies at all: a notifying commit takes a
	// database-wide lock. Throttles (throttle.shared) are GCRA buckets and
	// failure counts in Unix microseconds.
	`
CREATE FUNCTION lucid_notify_change() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
	kind text := TG_ARGV[0];
	id   text;
BEGIN
	IF TG_OP = 'DELETE' THEN
		id := OLD.id;
	ELSE
		id := NEW.id;
	END IF;
	IF octet_length(id) > 7000 THEN
		kind := 'flush';
		id := '';
	END IF;
	PERFORM pg_notify('lucid_changes', json_build_object('s', TG_TABLE_SCHEMA, 'k', kind, 'id', id)::text);
	RETURN NULL;
END
$f$;
CREATE FUNCTION lucid_notify_jti() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
	IF octet_length(NEW.jti) > 7000 THEN
		PERFORM pg_notify('lucid_changes', json_build_object('s', TG_TABLE_SCHEMA, 'k', 'flush', 'id', '')::text);
	ELSE
		PERFORM pg_notify('lucid_changes', json_build_object('s', TG_TABLE_SCHEMA, 'k', 'denied_jti', 'id', NEW.jti)::text);
	END IF;
	RETURN NULL;
END
$f$;
CREATE TRIGGER clients_changed AFTER INSERT OR UPDATE OR DELETE ON clients
	FOR EACH ROW EXECUTE FUNCTION lucid_notify_change('client');
CREATE TRIGGER apis_changed AFTER INSERT OR UPDATE OR DELETE ON apis
	FOR EACH ROW EXECUTE FUNCTION lucid_notify_change('api');
CREATE TRIGGER signing_keys_changed AFTER INSERT OR UPDATE OR DELETE ON signing_keys
	FOR EACH ROW EXECUTE FUNCTION lucid_notify_change('key');
CREATE TRIGGER token_families_revoked AFTER UPDATE OF revoked_at ON token_families
	FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
	EXECUTE FUNCTION lucid_notify_change('family');
CREATE TRIGGER denied_jtis_added AFTER INSERT ON denied_jtis
	FOR EACH ROW EXECUTE FUNCTION lucid_notify_jti();
CREATE INDEX token_families_revoked_at ON token_families (revoked_at) WHERE revoked_at IS NOT NULL;

CREATE TABLE throttles (
	key          text COLLATE "C" PRIMARY KEY,
	tat          bigint NOT NULL DEFAULT 0,
	failed       integer NOT NULL DEFAULT 0,
	locked_until bigint NOT NULL DEFAULT 0,
	touched_at   bigint NOT NULL
);
CREATE INDEX throttles_touched ON throttles (touched_at);
`,
	// Single-use links sent by e-mail (password reset, verification),
	// keyed by the SHA-256 of their secret.
	`
CREATE TABLE user_tokens (
	hash       text COLLATE "C" PRIMARY KEY,
	purpose    text NOT NULL,
	user_id    text COLLATE "C" NOT NULL,
	email      text NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose) WHERE used_at IS NULL;
CREATE INDEX user_tokens_expires ON user_tokens (expires_at);
`,
	// Links between accounts and their upstream identities (keyed by the
	// upstream, its issuer and the subject; never by e-mail), and the
	// upstream subjects an operator blocked.
	`
CREATE TABLE identity_links (
	upstream_id  text COLLATE "C" NOT NULL,
	issuer       text COLLATE "C" NOT NULL,
	subject      text COLLATE "C" NOT NULL,
	user_id      text COLLATE "C" NOT NULL,
	email        text NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL,
	last_used_at timestamptz,
	PRIMARY KEY (upstream_id, issuer, subject)
);
CREATE INDEX identity_links_user ON identity_links (user_id);

CREATE TABLE subject_blocks (
	upstream_id text COLLATE "C" NOT NULL,
	subject     text COLLATE "C" NOT NULL,
	reason      text NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL,
	PRIMARY KEY (upstream_id, subject)
);
`,
	// Second factors and passkeys: what changes on use is a column, so
	// that each use is one conditional UPDATE.
	`
CREATE TABLE totp_factors (
	user_id   text COLLATE "C" PRIMARY KEY,
	last_step bigint NOT NULL DEFAULT 0,
	data      json NOT NULL
);
CREATE TABLE recovery_codes (
	user_id    text COLLATE "C" NOT NULL,
	hash       text COLLATE "C" NOT NULL,
	used_at    timestamptz,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (user_id, hash)
);
CREATE TABLE passkeys (
	id           text COLLATE "C" PRIMARY KEY,
	user_id      text COLLATE "C" NOT NULL,
	sign_count   bigint NOT NULL DEFAULT 0,
	last_used_at timestamptz,
	created_at   timestamptz NOT NULL,
	data         json NOT NULL
);
CREATE INDEX passkeys_user ON passkeys (user_id, created_at);
`,
	// Each person's latest sign-ins, for the account page.
	`
CREATE TABLE sign_ins (
	id      bigserial PRIMARY KEY,
	user_id text COLLATE "C" NOT NULL,
	at      timestamptz NOT NULL,
	data    json NOT NULL
);
CREATE INDEX sign_ins_user ON sign_ins (user_id, at);
`,
}

// migrationLock is the advisory lock key that serializes migrations of one
// schema: replicas starting at once take turns, and each step runs once.
// Advisory locks span the whole database; the schema name in the key keeps
// Lucid instances in different schemas from waiting on each other.
func migrationLock(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("lucid schema migration\x00" + schema))
	return int64(h.Sum64()) //nolint:gosec // any 64 bits will do as a key
}

// migrate brings the schema to the latest version in one transaction that
// holds the schema's advisory lock, so concurrent Opens apply each step
// once and a failed step leaves nothing behind (PostgreSQL DDL is
// transactional).
func (s *Store) migrate(ctx context.Context) error {
	err := s.write(ctx, func(tx pgx.Tx) error {
		var schema *string
		if err := tx.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return err
		}
		if schema == nil {
			return errors.New("no schema of the search_path exists to create tables in")
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock(*schema)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
			return err
		}
		var v int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
			return err
		}
		if v > len(migrations) {
			return fmt.Errorf("database schema version %d is newer than this binary knows (%d): upgrade Lucid", v, len(migrations))
		}
		if v == len(migrations) {
			return nil
		}
		for i := v; i < len(migrations); i++ {
			if _, err := tx.Exec(ctx, migrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM schema_version`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, len(migrations))
		return err
	})
	if err != nil {
		// Not fail: a duplicate key here is a broken schema, not ErrConflict.
		return wrap(ctx, "migrate schema", err)
	}
	return nil
}
