//! Exports: CSV for spreadsheets, the annual review ZIP (CSV, XLSX, HTML, charts).

pub mod annual;
pub mod csv;
pub mod xlsx;

use crate::calendar::Window;
use crate::error::Result;
use crate::i18n::Lang;
use crate::store::Store;

/// Every chart of `window` in both formats, named `{prefix}{chart}.{svg|png}`, in the
/// organization's language.
pub fn charts_for(
    store: &Store,
    window: &Window,
    prefix: &str,
    today: chrono::NaiveDate,
) -> Result<Vec<(String, Vec<u8>)>> {
    charts_in(
        store,
        window,
        prefix,
        today,
        None,
        &crate::sites::Scope::ALL,
    )
}

/// [`charts_for`] in `lang` (`None`: the organization's language).
pub fn charts_in(
    store: &Store,
    window: &Window,
    prefix: &str,
    today: chrono::NaiveDate,
    lang: Option<Lang>,
    scope: &crate::sites::Scope,
) -> Result<Vec<(String, Vec<u8>)>> {
    use crate::charts::{ChartName, Format, DEFAULT_HEIGHT, DEFAULT_WIDTH};
    let mut out = Vec::with_capacity(ChartName::ALL.len() * 2);
    for name in ChartName::ALL {
        for format in [Format::Svg, Format::Png] {
            let request = crate::report::ChartRequest {
                name,
                format,
                window: *window,
                compare: None,
                bucket: None,
                width: DEFAULT_WIDTH,
                height: DEFAULT_HEIGHT,
                today,
                lang,
                horror: None,
                laney: true,
                baseline: crate::control::BaselineKind::Before,
                scope: scope.clone(),
                group: None,
            };
            let bytes = crate::report::chart(store, &request)?;
            out.push((
                format!("{prefix}{}.{}", name.as_str(), format.extension()),
                bytes,
            ));
        }
    }
    Ok(out)
}
