//! The catalogue: the five to eight horrors an organization counts, their pain and unit cost.

use crate::money::Minor;

/// One horror as stored: active or retired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Horror {
    pub key: crate::keys::HorrorKey,
    pub name: String,
    pub description: Option<String>,
    /// Customer pain, 1..=10.
    pub pain: u8,
    /// Cost of one occurrence in minor units.
    pub unit_cost_minor: Minor,
    pub operational: bool,
    /// Order in the configured list.
    pub position: u32,
    pub retired: bool,
    /// How to answer a complaint about it, by language (empty: none written).
    pub playbook: crate::playbook::Playbook,
}
