-- 10: sign-in with the identity provider (OpenID Connect): sign-ins on their way to the
-- provider (by the hash of their state; one use, ten minutes), and which token stands for
-- which person at the provider.
CREATE TABLE oidc_logins (
    state_hash BLOB PRIMARY KEY,
    verifier   TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    next       TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE oidc_accounts (
    subject  TEXT PRIMARY KEY,
    token_id INTEGER NOT NULL REFERENCES tokens(id)
) WITHOUT ROWID;
