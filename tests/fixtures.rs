//! Fixture harness: every folder under `tests/fixtures/<lang>/<framework>/<case>/` is a small
//! app analysed as a project. Expectations live in its files as comments:
//!
//! - `# expect: <rule>[, <rule>…]` (or `// expect:`) at the end of the line where a finding's
//!   primary label starts;
//! - `# endpoint: METHOD /route auth=none|required|optional|public|unknown` anywhere in the
//!   file that registers the endpoint.
//!
//! Specs live in `tests/fixtures/openapi/<rule>/` (each folder one case), with the same
//! comments in YAML; a JSON spec `x.json` keeps its expectations in a sidecar `x.json.expect`
//! with lines `LINE: rule[, rule]` and `endpoint: METHOD /route auth=STATE`.
//!
//! The harness asserts the exact sets: nothing missing, nothing extra.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use keyhole_engine::{analyze, Options};

fn fixture_dirs(root: &Path) -> Vec<PathBuf> {
    // A case folder is a folder two levels below the language folder.
    let mut out = Vec::new();
    for lang in read_dir_sorted(root) {
        if lang.file_name().is_some_and(|n| n == "openapi") {
            out.extend(read_dir_sorted(&lang));
            continue;
        }
        for framework in read_dir_sorted(&lang) {
            out.extend(read_dir_sorted(&framework));
        }
    }
    out
}

fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    entries
}

type Finding = (String, usize, String);
type EndpointRow = (String, String, String, String);

fn expectations(case: &Path) -> (BTreeSet<Finding>, BTreeSet<EndpointRow>) {
    let mut findings = BTreeSet::new();
    let mut endpoints = BTreeSet::new();
    for entry in walk(case) {
        let Ok(text) = std::fs::read_to_string(&entry) else {
            continue;
        };
        let rel = relative(case, &entry);
        if let Some(target) = rel.strip_suffix(".expect") {
            sidecar(target, &text, &mut findings, &mut endpoints);
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            for leader in ["#", "//"] {
                let expect = format!("{leader} expect:");
                if let Some(pos) = line.find(&expect) {
                    for rule in line[pos + expect.len()..].split(',') {
                        let rule = rule.trim();
                        if !rule.is_empty() {
                            findings.insert((rel.clone(), i + 1, rule.to_string()));
                        }
                    }
                }
                let endpoint = format!("{leader} endpoint:");
                if let Some(pos) = line.find(&endpoint) {
                    let spec: Vec<&str> = line[pos + endpoint.len()..].split_whitespace().collect();
                    let [method, route, auth] = spec[..] else {
                        panic!("{rel}:{}: malformed endpoint expectation: {line}", i + 1);
                    };
                    let auth = auth
                        .strip_prefix("auth=")
                        .unwrap_or_else(|| panic!("{rel}:{}: expected auth=…", i + 1));
                    endpoints.insert((
                        rel.clone(),
                        method.to_string(),
                        route.to_string(),
                        auth.to_string(),
                    ));
                }
            }
        }
    }
    (findings, endpoints)
}

/// Expectations for a JSON file, kept beside it.
fn sidecar(
    target: &str,
    text: &str,
    findings: &mut BTreeSet<Finding>,
    endpoints: &mut BTreeSet<EndpointRow>,
) {
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("endpoint:") {
            let spec: Vec<&str> = rest.split_whitespace().collect();
            let [method, route, auth] = spec[..] else {
                panic!("{target}.expect: malformed endpoint expectation: {line}");
            };
            let auth = auth.strip_prefix("auth=").expect("auth=…");
            endpoints.insert((
                target.to_string(),
                method.to_string(),
                route.to_string(),
                auth.to_string(),
            ));
            continue;
        }
        let (number, rules) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{target}.expect: expected `LINE: rule`: {line}"));
        let number: usize = number.trim().parse().expect("a line number");
        for rule in rules.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            findings.insert((target.to_string(), number, rule.to_string()));
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn actual(case: &Path) -> (BTreeSet<Finding>, BTreeSet<EndpointRow>, Vec<String>) {
    let analysis = analyze(&Options {
        paths: vec![case.to_path_buf()],
        ..Options::default()
    });
    let files = &analysis.project.files;
    let rel = |id| {
        let file = files.get(id).expect("span in a known file");
        relative(case, Path::new(&file.path))
    };
    let findings = analysis
        .diagnostics
        .iter()
        .map(|d| {
            let file = files.get(d.primary.span.file).expect("known file");
            let line = file.line_col(d.primary.span.start as usize).line;
            (rel(d.primary.span.file), line, d.rule.to_string())
        })
        .collect();
    let endpoints = analysis
        .project
        .endpoints
        .iter()
        .map(|e| {
            (
                rel(e.registration.file),
                e.method.to_string(),
                e.route.to_string(),
                e.auth.state().as_str().to_string(),
            )
        })
        .collect();
    let notices = analysis.notices.iter().map(ToString::to_string).collect();
    (findings, endpoints, notices)
}

fn diff<T: Ord + std::fmt::Debug>(
    what: &str,
    expected: &BTreeSet<T>,
    actual: &BTreeSet<T>,
    out: &mut String,
) {
    for missing in expected.difference(actual) {
        out.push_str(&format!("  missing {what}: {missing:?}\n"));
    }
    for extra in actual.difference(expected) {
        out.push_str(&format!("  unexpected {what}: {extra:?}\n"));
    }
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let cases = fixture_dirs(&root);
    assert!(!cases.is_empty(), "no fixtures under {}", root.display());
    let mut report = String::new();
    let mut checked = 0;
    for case in &cases {
        let (want_findings, want_endpoints) = expectations(case);
        let (got_findings, got_endpoints, notices) = actual(case);
        let mut out = String::new();
        diff("finding", &want_findings, &got_findings, &mut out);
        diff("endpoint", &want_endpoints, &got_endpoints, &mut out);
        // A fixture is a clean app: input problems would hide what it tests.
        for notice in notices {
            out.push_str(&format!("  notice: {notice}\n"));
        }
        if want_endpoints.is_empty() {
            out.push_str("  fixture declares no endpoint expectations\n");
        }
        if !out.is_empty() {
            report.push_str(&format!("{}:\n{out}", relative(&root, case)));
        }
        checked += 1;
    }
    assert!(
        report.is_empty(),
        "{checked} fixtures checked; mismatches:\n{report}"
    );
}
