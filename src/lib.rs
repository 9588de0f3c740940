//! horrors: tally, rank and chart the few failures that hurt customers most
//! (FedEx's "Hierarchy of Horrors"). The binary is a thin CLI over this library.

pub mod alerts;
pub mod app;
pub mod auth;
pub mod calendar;
pub mod catalogue;
pub mod charts;
pub mod cli;
pub mod clock;
pub mod config;
pub mod control;
pub mod cycles;
pub mod demo;
pub mod doctor;
pub mod error;
pub mod export;
pub mod fonts;
pub mod html;
pub mod http;
pub mod i18n;
pub mod keys;
pub mod location;
pub mod metrics;
pub mod money;
pub mod nominations;
pub mod oidc;
pub mod outbox;
pub mod output;
pub mod pages;
pub mod parallel;
pub mod playbook;
pub mod ranking;
pub mod reading;
pub mod report;
pub mod series;
pub mod sheets;
pub mod sites;
pub mod stamp;
pub mod stats;
pub mod store;
pub mod text;
pub mod ticks;
pub mod trend;
pub mod volume;

pub use error::{Error, Result};
