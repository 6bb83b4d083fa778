//! The import doors go one way: this test reads every source file under `src/`, finds
//! which module names which (`use crate::…`, `crate::x::y(…)`, `super::…`, `self::…`,
//! brace trees included), and fails on
//! - a module of a lower layer naming one of a higher layer (the layers are below), and
//! - a circle among the submodules of any module (e.g. `whatif::plan` → `whatif::output`
//!   → `whatif::plan`), at every level of the tree.
//!
//! Comments (doc links included) and test code (`tests.rs` files and what follows
//! `#[cfg(test)]`) are not imports of the library and are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules, lowest layer first. A module may name modules of its own layer
/// or below, never above; within a layer, the circle check keeps the doors one way.
const LAYERS: &[&[&str]] = &[
    &["error", "codes", "text", "model"],
    &["io", "validate", "import"],
    &["solve", "check", "explain"],
    &["report", "whatif", "diagnose", "gap", "generate", "record"],
    &["serve", "cli"],
];

type Module = Vec<String>;

fn layer(top: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&top))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` → `[a, b]`; `src/a/mod.rs` → `[a]`; `src/lib.rs` → `[]`.
fn module_of(src: &Path, file: &Path) -> Module {
    let relative = file.strip_prefix(src).expect("a file under src/");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// The source without comments, string literals' contents, and test code.
fn library_code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if text[i..].starts_with("//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if text[i..].starts_with("/*") {
            let mut depth = 0;
            while i < bytes.len() {
                if text[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if text[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if bytes[i] == b'"' && !is_char_literal_quote(bytes, i) {
            out.push_str("\"\"");
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else {
            let c = text[i..].chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `'"'` is a char literal, not the start of a string.
fn is_char_literal_quote(bytes: &[u8], i: usize) -> bool {
    i > 0 && bytes[i - 1] == b'\'' && bytes.get(i + 1) == Some(&b'\'')
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Paths (as segments) named in `code`: `use` trees expanded, and every other
/// `crate::…`, `super::…` or `self::…` path.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let tokens = tokenize(code);
    let mut paths = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == "use" {
            let end = tokens[i..]
                .iter()
                .position(|t| t == ";")
                .map_or(tokens.len(), |p| i + p);
            let mut at = i + 1;
            expand_tree(&tokens[..end], &mut at, Vec::new(), &mut paths);
            i = end;
        } else if matches!(tokens[i].as_str(), "crate" | "super" | "self")
            && tokens.get(i + 1).is_some_and(|t| t == "::")
            && (i == 0 || tokens[i - 1] != "::")
        {
            let mut path = vec![tokens[i].clone()];
            let mut j = i + 1;
            while tokens.get(j).is_some_and(|t| t == "::")
                && tokens
                    .get(j + 1)
                    .is_some_and(|t| t.chars().all(is_ident) && t != "{")
            {
                path.push(tokens[j + 1].clone());
                j += 2;
            }
            paths.push(path);
            i = j;
        } else {
            i += 1;
        }
    }
    paths
}

fn tokenize(code: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = code.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if is_ident(c) {
            let mut end = start + c.len_utf8();
            while let Some(&(at, d)) = chars.peek() {
                if !is_ident(d) {
                    break;
                }
                end = at + d.len_utf8();
                chars.next();
            }
            tokens.push(code[start..end].to_string());
        } else if c == ':' && chars.peek().is_some_and(|&(_, d)| d == ':') {
            chars.next();
            tokens.push("::".to_string());
        } else if !c.is_whitespace() {
            tokens.push(c.to_string());
        }
    }
    tokens
}

/// Expands one use tree starting at `tokens[*at]` under `prefix`.
fn expand_tree(tokens: &[String], at: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    while *at < tokens.len() {
        let t = tokens[*at].as_str();
        match t {
            "{" => {
                *at += 1;
                loop {
                    expand_tree(tokens, at, path.clone(), out);
                    match tokens.get(*at).map(String::as_str) {
                        Some(",") => *at += 1,
                        Some("}") => {
                            *at += 1;
                            break;
                        }
                        _ => break,
                    }
                    if tokens.get(*at).is_some_and(|t| t == "}") {
                        *at += 1;
                        break;
                    }
                }
                return;
            }
            "::" => *at += 1,
            "," | "}" => break,
            "as" => *at += 2,
            "*" => *at += 1,
            _ => {
                path.push(t.to_string());
                *at += 1;
            }
        }
    }
    if !path.is_empty() {
        out.push(path);
    }
}

/// The module a path names from `from`: its longest prefix that is a module, or None
/// for paths outside the crate (`std::…`, a dependency).
fn resolve(from: &Module, path: &[String], modules: &BTreeSet<Module>) -> Option<Module> {
    let (mut base, rest): (Module, &[String]) = match path.first()?.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (from.clone(), &path[1..]),
        "super" => {
            // In `a/b.rs` (module a::b) and in `a/b/mod.rs` alike, `super` is `a`.
            let mut base = from.clone();
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
            (base, rest)
        }
        _ => return None,
    };
    let mut found = base.clone();
    for segment in rest {
        base.push(segment.clone());
        if modules.contains(&base) {
            found = base.clone();
        } else {
            break;
        }
    }
    Some(found)
}

/// Every edge (from module, to module) of the library's code.
fn edges() -> BTreeSet<(Module, Module)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Module> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut edges = BTreeSet::new();
    for file in &files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name == "tests.rs" || name == "main.rs" || name == "lib.rs" {
            continue;
        }
        let from = module_of(&src, file);
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for path in named_paths(&library_code(&text)) {
            if let Some(to) = resolve(&from, &path, &modules) {
                if !to.is_empty() && to != from {
                    edges.insert((from.clone(), to));
                }
            }
        }
    }
    edges
}

#[test]
fn no_module_names_a_higher_layer() {
    let mut upward = Vec::new();
    for (from, to) in edges() {
        let (a, b) = (&from[0], &to[0]);
        let (Some(la), Some(lb)) = (layer(a), layer(b)) else {
            panic!("`{a}` or `{b}` is in no layer: add it to LAYERS in tests/layers.rs");
        };
        if lb > la {
            upward.push(format!("{} -> {}", from.join("::"), to.join("::")));
        }
    }
    assert!(
        upward.is_empty(),
        "imports against the doors:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_circle_among_sibling_modules() {
    // For every parent, the graph of its children: an edge a::x::… -> a::y::… is x -> y.
    let mut graphs: BTreeMap<Module, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (from, to) in edges() {
        let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
        if common == from.len() || common == to.len() {
            continue; // a module and its own ancestor or descendant
        }
        graphs
            .entry(from[..common].to_vec())
            .or_default()
            .entry(from[common].clone())
            .or_default()
            .insert(to[common].clone());
    }
    let mut circles = Vec::new();
    for (parent, graph) in &graphs {
        let at = if parent.is_empty() {
            "crate".to_string()
        } else {
            parent.join("::")
        };
        for group in circular_groups(graph) {
            circles.push(format!("in {at}: {{{}}} name each other", group.join(", ")));
        }
    }
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

/// The groups of nodes that reach each other (strongly connected, two or more nodes),
/// each sorted, in order of their first node.
fn circular_groups(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(node) = todo.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|n| (n, reach(n))).collect();
    let mut grouped = BTreeSet::new();
    let mut groups = Vec::new();
    for (node, from_node) in &reached {
        if grouped.contains(*node) || !from_node.contains(*node) {
            continue;
        }
        let group: Vec<String> = from_node
            .iter()
            .filter(|other| reached.get(other).is_some_and(|r| r.contains(*node)))
            .cloned()
            .collect();
        grouped.extend(group.iter().cloned());
        groups.push(group);
    }
    groups
}

#[test]
fn the_reader_of_imports_sees_trees_and_inline_paths() {
    let code = library_code(
        "use crate::model::{Instance, policy::{Band, self}};\n\
         use super::{plan, run::Row as R};\n\
         // use crate::cli::Nothing;\n\
         fn f() { crate::solve::solve(); let s = \"crate::report\"; super::svg::chart(); }\n\
         #[cfg(test)]\nmod tests { use crate::whatif::x; }",
    );
    let paths = named_paths(&code);
    let shown: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    for expected in [
        "crate::model::Instance",
        "crate::model::policy::Band",
        "crate::model::policy::self",
        "super::plan",
        "super::run::Row",
        "crate::solve::solve",
        "super::svg::chart",
    ] {
        assert!(
            shown.contains(&expected.to_string()),
            "{expected} not in {shown:?}"
        );
    }
    assert!(!shown
        .iter()
        .any(|p| p.contains("cli") || p.contains("report") || p.contains("whatif")));
}
