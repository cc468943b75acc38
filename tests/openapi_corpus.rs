//! keyhole over the OpenAPI corpus in `../shared/corpus/openapi` (beside the checkout; see
//! its README): every file loads or yields a clear error naming the file and line, every
//! hostile file in `malformed/` yields an error or is read safely, nothing panics, and no
//! file takes long. Skipped, with a message, where the corpus is absent.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use keyhole_engine::{analyze, Options};

/// Malformed files that must be rejected with a located error.
const MUST_ERROR: &[&str] = &[
    "empty-0-bytes.yaml",
    "whitespace-and-comment-only.yaml",
    "truncated.yaml",
    "truncated.json",
    "json-trailing-garbage.json",
    "unknown-version-4.0.0.yaml",
    "swagger-unknown-version.json",
    "no-version-field.yaml",
    "both-swagger-and-openapi.yaml",
    "top-level-not-a-mapping.yaml",
    "top-level-scalar.json",
    "invalid-utf8.yaml",
    "nul-byte.yaml",
    "deep-nesting-10000.json",
    "deep-nesting-10000-flow.yaml",
    "yaml-multi-document.yaml",
    "yaml-tab-indentation.yaml",
];

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/openapi");
    dir.is_dir().then_some(dir)
}

fn spec_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_corpus_file_loads_or_fails_clearly() {
    let Some(dir) = corpus() else {
        println!("skipped: no OpenAPI corpus at ../shared/corpus/openapi");
        return;
    };
    let files = spec_files(&dir);
    assert!(
        files.len() > 400,
        "corpus looks incomplete: {} files",
        files.len()
    );
    let (mut loaded, mut errored, mut endpoints) = (0, 0, 0);
    let mut problems = String::new();
    let mut slowest = (Duration::ZERO, PathBuf::new());
    for file in &files {
        let started = Instant::now();
        let analysis = analyze(&Options {
            paths: Vec::new(),
            specs: vec![file.clone()],
            ..Options::default()
        });
        let took = started.elapsed();
        if took > slowest.0 {
            slowest = (took, file.clone());
        }
        if took > Duration::from_secs(10) {
            problems.push_str(&format!("{}: took {took:?}\n", file.display()));
        }
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let shown = file.to_string_lossy().replace('\\', "/");
        let errors: Vec<_> = analysis
            .notices
            .iter()
            .filter(|n| {
                n.path == shown
                    && !n.message.contains("duplicate key")
                    && !n.message.contains("is a number")
            })
            .collect();
        for notice in &analysis.notices {
            if notice.position.is_none() {
                problems.push_str(&format!(
                    "{}: error without a line: {notice}\n",
                    file.display()
                ));
            }
            if notice.message.contains("internal error") {
                problems.push_str(&format!("{notice}\n"));
            }
        }
        if errors.is_empty() {
            loaded += 1;
            endpoints += analysis.project.endpoints.len();
        } else {
            errored += 1;
        }
        let malformed = file.parent().is_some_and(|p| p.ends_with("malformed"));
        if malformed && MUST_ERROR.contains(&name) && errors.is_empty() {
            problems.push_str(&format!(
                "{}: accepted, but must be rejected\n",
                file.display()
            ));
        }
    }
    println!(
        "{} files: {loaded} loaded ({endpoints} endpoints), {errored} rejected with a located error; slowest {:?} ({})",
        files.len(),
        slowest.0,
        slowest.1.display()
    );
    assert!(problems.is_empty(), "{problems}");
}

#[test]
fn refs_never_leave_the_root_or_touch_the_network() {
    let Some(dir) = corpus() else {
        println!("skipped: no OpenAPI corpus at ../shared/corpus/openapi");
        return;
    };
    for name in ["ref-absolute-url.yaml", "ref-path-traversal.yaml"] {
        let file = dir.join("malformed").join(name);
        let analysis = analyze(&Options {
            paths: Vec::new(),
            specs: vec![file.clone()],
            ..Options::default()
        });
        let files: Vec<_> = analysis
            .project
            .files
            .iter()
            .map(|f| f.path.clone())
            .collect();
        assert_eq!(files.len(), 1, "{name} read other files: {files:?}");
        let unresolved = analysis
            .diagnostics
            .iter()
            .filter(|d| d.rule == "unresolved-ref")
            .count();
        assert!(
            unresolved >= 4,
            "{name}: {unresolved} unresolved-ref findings"
        );
    }
}
