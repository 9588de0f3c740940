//! A grouped ranking (SPEC §16): one ranking per site, department or source, and what
//! it splits ticks by.

use crate::calendar::WindowEcho;
use crate::reading::Tested;
use crate::stats::Exposure;
use crate::volume::VolumeSummary;

use super::{By, RankedItem, Totals};

/// What a grouped ranking splits ticks by (SPEC §16).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Site,
    Department,
    Source,
}

impl Group {
    pub fn parse(text: &str) -> std::result::Result<Group, crate::text::NotAllowed> {
        match text {
            "site" => Ok(Group::Site),
            "department" => Ok(Group::Department),
            "source" => Ok(Group::Source),
            _ => Err(crate::text::NotAllowed::new(
                "group",
                "one of site, department, source",
                text,
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Site => "site",
            Group::Department => "department",
            Group::Source => "source",
        }
    }
}

/// One group of a grouped ranking (SPEC §16).
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RankingGroup {
    /// The site key, department or source; null for ticks without one.
    pub value: Option<String>,
    /// The site's name (the value for departments and sources); null with the value.
    pub name: Option<String>,
    pub exposure: Exposure,
    /// The complete days this group's tests use (a site's own timezone decides).
    pub tested: Tested,
    pub volume: Option<VolumeSummary>,
    pub items: Vec<RankedItem>,
    pub totals: Totals,
}

/// `GET /api/ranking?group=...`: one ranking per group value.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct GroupedRanking {
    pub window: WindowEcho,
    pub by: By,
    pub currency: String,
    pub group: Group,
    /// The complete days of the whole reading (every site in scope).
    pub tested: Tested,
    /// Most ticks first, then by value; the group without a value last.
    pub groups: Vec<RankingGroup>,
}
