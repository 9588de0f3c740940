//! The statistics of docs/statistics.md, as pure functions of their arguments: no I/O,
//! no clock, no project types beyond the small enums here. The callers decide *which*
//! counts and exposures to pass (periods, sites, coverage → [`Exposure`], see
//! `crate::reading`) and turn the results into JSON.
//!
//! * [`special`]: the special functions (incomplete beta and gamma, their inverses),
//!   checked against scipy and mpmath;
//! * [`rev2`]: dispersion, the scaled exact test, Benjamini–Hochberg, cycle verdicts and
//!   control charts with probability limits and an upward CUSUM.

use serde::{Deserialize, Serialize};

pub mod rev2;
pub mod special;

/// Which exposure a comparison or chart uses (docs/statistics.md "Exposure").
///
/// `Volume` when every day of every compared period, from the scope's first day on, is
/// covered for every counted site (exposure = units ÷ 1000), otherwise `Days`
/// (exposure = 1 a day). Serialises as `"volume"` / `"days"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    Volume,
    Days,
}
