//! Charts of the ranking and trend (SPEC §9): pareto, cost, trend, compare and matrix, as SVG
//! or PNG. Each chart is laid out once as a list of shapes and painted by plotters; text is
//! measured and drawn with embedded fonts (glyph outlines in SVG, pixels in PNG), so every
//! script renders on any host, with or without fonts. [`crate::fonts::web_fonts`] gives HTML
//! the same fonts.

mod compare;
mod control;
mod cost;
mod draw;
mod layout;
mod matrix;
mod pareto;
mod pareto_groups;
mod scales;
mod trend;

#[cfg(test)]
mod tests;

use std::fmt;

use crate::catalogue::Horror;
use crate::fonts as text;
use crate::money::{Currency, Minor};
use crate::ranking::{RankedItem, Ranking, Tier};

pub use draw::scope_ids;

use draw::{Rgb, Shape};
use layout::{Frame, BLUE_GREY, ORANGE, VERMILLION};

pub const MIN_SIZE: u32 = 300;
pub const MAX_SIZE: u32 = 3000;
pub const DEFAULT_WIDTH: u32 = 960;
pub const DEFAULT_HEIGHT: u32 = 540;

/// The charts there are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChartName {
    Pareto,
    Cost,
    Trend,
    Compare,
    Matrix,
    /// The control chart (SPEC §18); drawn on request, not among the exported five.
    Control,
}

impl ChartName {
    pub const ALL: [ChartName; 5] = [
        ChartName::Pareto,
        ChartName::Cost,
        ChartName::Trend,
        ChartName::Compare,
        ChartName::Matrix,
    ];

    /// Every chart, the control chart included.
    pub const EVERY: [ChartName; 6] = [
        ChartName::Pareto,
        ChartName::Cost,
        ChartName::Trend,
        ChartName::Compare,
        ChartName::Matrix,
        ChartName::Control,
    ];

    /// The charts as [`ChartName::parse`]'s error lists them: [`ChartName::EVERY`] in order
    /// (a test keeps the two together).
    pub const ALLOWED: &'static str = "one of pareto, cost, trend, compare, matrix, control";

    /// Parses `pareto`, `cost`, `trend`, `compare`, `matrix` or `control`.
    pub fn parse(text: &str) -> Result<Self, crate::text::NotAllowed> {
        Self::EVERY
            .into_iter()
            .find(|c| c.as_str() == text)
            .ok_or_else(|| crate::text::NotAllowed::new("chart", Self::ALLOWED, text))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChartName::Pareto => "pareto",
            ChartName::Cost => "cost",
            ChartName::Trend => "trend",
            ChartName::Compare => "compare",
            ChartName::Matrix => "matrix",
            ChartName::Control => "control",
        }
    }
}

impl fmt::Display for ChartName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The image formats a chart renders to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    /// Parses `svg` or `png`.
    pub fn parse(text: &str) -> Result<Self, crate::text::NotAllowed> {
        match text {
            "svg" => Ok(Format::Svg),
            "png" => Ok(Format::Png),
            _ => Err(crate::text::NotAllowed::new(
                "format",
                "one of svg, png",
                text,
            )),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }
}

/// Who the chart is for and how big it is (the caller validates the size).
#[derive(Clone, Debug)]
pub struct ChartContext {
    pub organization: String,
    /// The language of titles, axes, legends and notices (names are drawn as written).
    pub lang: crate::i18n::Lang,
    pub currency: Currency,
    pub width: u32,
    pub height: u32,
}

/// What a chart is drawn from, computed once by the ranking and trend modules.
pub enum ChartData<'a> {
    /// A ranking ordered by priority.
    Pareto(&'a Ranking),
    Cost(&'a Ranking),
    /// The trend, and the horrors it was built from.
    Trend(&'a crate::trend::Trend, &'a [Horror]),
    /// `a` is the window before, `b` the window after.
    Compare {
        a: &'a Ranking,
        b: &'a Ranking,
    },
    Matrix(&'a Ranking),
    /// A control chart and the name of what it charts.
    Control(&'a crate::control::ControlChart, &'a str),
    /// One small Pareto per group (SPEC §16).
    ParetoGroups(&'a crate::ranking::GroupedRanking),
}

impl ChartData<'_> {
    pub fn name(&self) -> ChartName {
        match self {
            ChartData::Pareto(_) | ChartData::ParetoGroups(_) => ChartName::Pareto,
            ChartData::Cost(_) => ChartName::Cost,
            ChartData::Trend(..) => ChartName::Trend,
            ChartData::Compare { .. } => ChartName::Compare,
            ChartData::Matrix(_) => ChartName::Matrix,
            ChartData::Control(..) => ChartName::Control,
        }
    }
}

/// A chart could not be drawn (a genuine drawing failure, never bad data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartError(pub(crate) String);

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ChartError {}

impl From<crate::fonts::FontError> for ChartError {
    fn from(e: crate::fonts::FontError) -> ChartError {
        ChartError(e.0)
    }
}

/// Renders one chart as SVG or PNG bytes.
pub fn render(
    ctx: &ChartContext,
    data: &ChartData<'_>,
    format: Format,
) -> Result<Vec<u8>, ChartError> {
    let (width, height) = (
        ctx.width.clamp(MIN_SIZE, MAX_SIZE),
        ctx.height.clamp(MIN_SIZE, MAX_SIZE),
    );
    let shapes = layout(ctx, data, width, height)?;
    match format {
        Format::Svg => draw::svg(width, height, &shapes),
        Format::Png => draw::png(width, height, &shapes),
    }
}

/// Lays a chart out as shapes on a `width` × `height` canvas.
fn layout(
    ctx: &ChartContext,
    data: &ChartData<'_>,
    width: u32,
    height: u32,
) -> Result<Vec<Shape>, ChartError> {
    let organization = text::clean(&ctx.organization);
    let mut frame = Frame::new(text::fonts()?, width, height, ctx.lang, &organization);
    match data {
        ChartData::Pareto(ranking) => pareto::draw(&mut frame, ranking),
        ChartData::Cost(ranking) => cost::draw(&mut frame, ctx.currency, ranking),
        ChartData::Trend(trend, _) => trend::draw(&mut frame, trend),
        ChartData::Compare { a, b } => compare::draw(&mut frame, a, b),
        ChartData::Matrix(ranking) => matrix::draw(&mut frame, ctx.currency, ranking),
        ChartData::Control(chart, horror) => control::draw(&mut frame, chart, &text::clean(horror)),
        ChartData::ParetoGroups(grouped) => pareto_groups::draw(&mut frame, grouped),
    }
    Ok(frame.shapes)
}

/// The colour of a tier: worst vermillion, worse orange, bad blue-grey.
fn tier_color(tier: Tier) -> Rgb {
    match tier {
        Tier::Worst => VERMILLION,
        Tier::Worse => ORANGE,
        Tier::Bad => BLUE_GREY,
    }
}

/// Legend entries for the three tiers, named in `lang`.
fn tier_keys(lang: crate::i18n::Lang) -> Vec<(layout::Key, String)> {
    [Tier::Worst, Tier::Worse, Tier::Bad]
        .into_iter()
        .map(|t| {
            let name = crate::i18n::t(lang, &format!("tier-{}", t.as_str()));
            (layout::Key::Box(tier_color(t)), name)
        })
        .collect()
}

/// "2026-01-01 – 2026-01-30".
fn window_text(ranking: &Ranking) -> String {
    format!("{} – {}", ranking.window.from, ranking.window.to)
}

/// The cost axis of the cost and matrix charts, in the currency's major units.
struct CostAxis {
    currency: Currency,
    /// Minor units per major unit.
    minor_per_major: f64,
    top: f64,
    ticks: Vec<(f64, String)>,
}

impl CostAxis {
    /// Round ticks across `width` up to `headroom` times the greatest of `items`' costs.
    fn new(
        frame: &Frame<'_>,
        currency: Currency,
        items: &[&RankedItem],
        headroom: f64,
        width: f64,
    ) -> CostAxis {
        let minor_per_major = 10f64.powi(currency.minor_digits() as i32);
        let max = items
            .iter()
            .map(|i| i.cost_minor.get().max(0))
            .max()
            .unwrap_or(0) as f64
            / minor_per_major;
        let (top, ticks) = layout::across_ticks(frame, max * headroom, width);
        CostAxis {
            currency,
            minor_per_major,
            top,
            ticks,
        }
    }

    /// `cost` in major units (nothing below zero).
    fn major(&self, cost: Minor) -> f64 {
        cost.get().max(0) as f64 / self.minor_per_major
    }

    /// How far the last tick's label reaches past the axis's end.
    fn overhang(&self, frame: &Frame<'_>) -> f64 {
        frame.width(self.ticks.last().map_or("", |t| t.1.as_str()), frame.small) / 2.0
    }

    /// Draws the axis under `area`; returns its scale.
    fn draw(&self, frame: &mut Frame<'_>, area: layout::Area) -> layout::Scale {
        let x = layout::Scale::across(area, self.top);
        let title = crate::tr!(
            frame.lang,
            "chart-axis-cost",
            currency = self.currency.code()
        );
        frame.x_axis(area, x, &self.ticks, &title);
        x
    }
}
