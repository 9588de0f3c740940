//! Layers only point down (docs/architecture.md). Reads `src/**/*.rs` as text, finds the
//! top-level modules each file names through `crate::…`, and fails when a module imports
//! one in a higher layer, or when the imports between top-level modules form a cycle,
//! beyond the exceptions listed in [`KNOWN`] with their reasons. Unit tests (`mod tests`
//! and `tests.rs` files) are not counted: a test may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every top-level module of `src/`, lowest layer first. A module may import from its own
/// layer or a lower one (and the imports must still form no cycle).
const LAYERS: &[(&str, &[&str])] = &[
    (
        "values and tools",
        &[
            "text",
            "error",
            "clock",
            "stats",
            "i18n",
            "metrics",
            "money",
            "calendar",
            "output",
            "auth",
            "playbook",
            "catalogue",
            "nominations",
            "oidc",
            "location",
            "fonts",
            "html",
            "keys",
            "stamp",
            "parallel",
        ],
    ),
    (
        "settings and domain",
        &[
            "config", "sites", "ticks", "volume", "trend", "reading", "ranking", "sheets", "outbox",
        ],
    ),
    ("store", &["store"]),
    (
        "readings, reports and exports",
        &[
            "series", "control", "report", "alerts", "cycles", "charts", "export", "doctor", "demo",
        ],
    ),
    ("edge", &["http", "pages", "cli", "app"]),
];

/// Imports that break the rules today, each with why it is there and where it should go.
/// Fixing one makes [`every_known_exception_is_still_needed`] fail: then delete its line.
const KNOWN: &[(&str, &str, &str)] = &[];

/// The top-level module a file of `src/` belongs to (`None` for `main.rs` and `lib.rs`).
fn module_of(relative: &Path) -> Option<String> {
    let mut parts = relative.components();
    let first = parts.next()?.as_os_str().to_str()?.to_string();
    let name = match parts.next() {
        None => first.strip_suffix(".rs")?.to_string(),
        Some(_) => first,
    };
    (name != "main" && name != "lib").then_some(name)
}

/// The source without its unit tests and comment lines.
fn code_of(text: &str) -> String {
    let mut kept = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line == "#[cfg(test)]" && lines.peek().is_some_and(|l| l.starts_with("mod tests")) {
            break;
        }
        if !line.trim_start().starts_with("//") {
            kept.push(line);
        }
    }
    kept.join("\n")
}

fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The first segment of every path after `crate::`, braces included (`crate::{a, b::c}`).
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start && depth == 0 => {
                        names.insert(identifier(&group[i..]).to_string());
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(identifier(rest).to_string());
        }
    }
    names
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// from → to → the files of `from` that import `to`.
fn imports() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_of(f.strip_prefix(&src).ok()?))
        .collect();
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("a file under src/");
        let Some(from) = module_of(relative) else {
            continue;
        };
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("a readable source file");
        graph.entry(from.clone()).or_default();
        for to in named_modules(&code_of(&text)) {
            if to != from && modules.contains(&to) {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_default()
                    .insert(format!("src/{}", relative.display()));
            }
        }
    }
    graph
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

fn known(from: &str, to: &str) -> bool {
    KNOWN.iter().any(|(f, t, _)| *f == from && *t == to)
}

#[test]
fn every_module_has_exactly_one_layer() {
    let graph = imports();
    let missing: Vec<&String> = graph.keys().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "give these modules a layer: {missing:?}"
    );
    let mut seen = BTreeSet::new();
    for (_, modules) in LAYERS {
        for module in *modules {
            assert!(seen.insert(module), "{module} is in two layers");
            assert!(
                graph.contains_key(*module),
                "{module} is not a module of src/"
            );
        }
    }
}

#[test]
fn imports_never_point_up() {
    let mut upward = Vec::new();
    for (from, targets) in imports() {
        for (to, files) in targets {
            let (Some(a), Some(b)) = (layer_of(&from), layer_of(&to)) else {
                continue;
            };
            if a < b && !known(&from, &to) {
                upward.push(format!(
                    "{from} ({}) imports {to} ({}) in {files:?}",
                    LAYERS[a].0, LAYERS[b].0
                ));
            }
        }
    }
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}

#[test]
fn top_level_modules_form_no_cycle() {
    let graph = imports();
    // Depth-first search for a back edge, the known exceptions left out.
    fn visit<'a>(
        module: &'a str,
        graph: &'a BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        state: &mut BTreeMap<&'a str, bool>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        state.insert(module, false);
        path.push(module);
        for to in graph.get(module).into_iter().flat_map(|t| t.keys()) {
            if known(module, to) {
                continue;
            }
            match state.get(to.as_str()) {
                Some(false) => {
                    let start = path.iter().position(|m| *m == to).unwrap_or(0);
                    let mut cycle: Vec<String> =
                        path[start..].iter().map(|m| m.to_string()).collect();
                    cycle.push(to.clone());
                    return Some(cycle);
                }
                Some(true) => {}
                None => {
                    if let Some(cycle) = visit(to, graph, state, path) {
                        return Some(cycle);
                    }
                }
            }
        }
        path.pop();
        state.insert(module, true);
        None
    }
    let mut state = BTreeMap::new();
    for module in graph.keys() {
        if !state.contains_key(module.as_str()) {
            if let Some(cycle) = visit(module, &graph, &mut state, &mut Vec::new()) {
                panic!("an import cycle: {}", cycle.join(" → "));
            }
        }
    }
}

#[test]
fn every_known_exception_is_still_needed() {
    let graph = imports();
    for (from, to, why) in KNOWN {
        assert!(
            graph.get(*from).is_some_and(|t| t.contains_key(*to)),
            "{from} no longer imports {to}: delete its line from KNOWN ({why})"
        );
    }
}

#[test]
fn the_reader_finds_braced_and_inline_paths() {
    let code = code_of(
        "use crate::{a, b::{c, d}, e::f};\nfn x() { crate::g::h(); }\n// crate::i\n\
         #[cfg(test)]\nmod tests { use crate::j; }",
    );
    let names: Vec<String> = named_modules(&code).into_iter().collect();
    assert_eq!(names, ["a", "b", "e", "g"]);
}
