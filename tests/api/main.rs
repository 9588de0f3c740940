//! Integration tests over real HTTP: one test binary so it builds once.

#[path = "../common/mod.rs"]
mod common;
mod helpers;

mod alerts;
mod auth;
mod bad_input;
mod catalogue;
mod charts;
mod control;
mod cycles;
mod devices;
mod exports;
mod languages;
mod method;
mod metrics;
mod oidc;
mod openapi;
mod ranking;
mod rev2;
mod robustness;
mod sheets;
mod simulation;
mod sites;
mod ticks;
mod volume;
