//! What every test crate shares: the real binary started on port 0 and read up to its
//! "listening" line ([`server`]), replies read once ([`reply`]), and the test identity
//! provider ([`oidc_mock`]). `tests/cli.rs`, `tests/postgres.rs` and `tests/readme.rs` say
//! `mod common;`; the crates in folders (`tests/api`, `tests/browser`) include it by path.

// Each test crate uses its own part of these helpers; the rest is not dead, only unused there.
#![allow(dead_code)]

pub mod oidc_mock;
pub mod reply;
pub mod server;
