-- 10: sign-in with the identity provider (OpenID Connect): sign-ins on their way to the
-- provider (by the hash of their state; one use, ten minutes), and which token stands for
-- which person at the provider.
CREATE TABLE oidc_logins (
    state_hash BYTEA PRIMARY KEY,
    verifier   TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    next       TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE oidc_accounts (
    subject  TEXT PRIMARY KEY,
    token_id BIGINT NOT NULL REFERENCES tokens(id)
);
