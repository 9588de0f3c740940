//! Embeds the translations: every `locales/<tag>/horrors.ftl` becomes one entry of
//! `LOCALES` (English first, then by tag), so a translator adds a language by adding a
//! folder, without touching Rust. `src/i18n.rs` includes the generated table.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut tags: Vec<String> = std::fs::read_dir(&root)
        .expect("the locales/ folder")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("horrors.ftl").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    tags.sort_by_key(|tag| (tag != "en", tag.clone()));
    assert!(
        tags.first().is_some_and(|t| t == "en"),
        "locales/en/horrors.ftl is the fallback and must exist"
    );
    let mut out =
        String::from("/// Every embedded locale: its tag and its messages (English first).\n");
    out.push_str("pub const LOCALES: &[(&str, &str)] = &[\n");
    for tag in &tags {
        let file = root.join(tag).join("horrors.ftl");
        println!("cargo:rerun-if-changed={}", file.display());
        let _ = writeln!(
            out,
            "    ({tag:?}, include_str!({:?})),",
            file.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("locales.rs");
    std::fs::write(dest, out).expect("writing locales.rs");
}
