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
    // Files that load but have nodes of the wrong type (reported, skipped).
    let mut typed: Vec<String> = Vec::new();
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
                    && !is_type_error(&n.message)
            })
            .collect();
        if analysis.notices.iter().any(|n| is_type_error(&n.message)) {
            typed.push(shown.clone());
        }
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
    println!(
        "{} of the loaded files have nodes of the wrong type:\n  {}",
        typed.len(),
        typed.join("\n  ")
    );
    assert!(problems.is_empty(), "{problems}");
}

/// A type-error notice: "`/pointer` should be a mapping, found …".
fn is_type_error(message: &str) -> bool {
    message.contains("` should be ") && message.contains(", found ")
}

/// The notices for one malformed file, as `line:column: message`.
fn notices_of(dir: &Path, name: &str) -> Vec<String> {
    let file = dir.join("malformed").join(name);
    let analysis = analyze(&Options {
        paths: Vec::new(),
        specs: vec![file],
        ..Options::default()
    });
    analysis
        .notices
        .iter()
        .map(|n| {
            let (line, column) = n.position.expect("a located notice");
            format!("{line}:{column}: {}", n.message)
        })
        .collect()
}

/// Every node of the wrong type is reported with its line and pointer, not only the first,
/// and what is valid still loads.
#[test]
fn wrong_types_are_reported_node_by_node() {
    let Some(dir) = corpus() else {
        println!("skipped: no OpenAPI corpus at ../shared/corpus/openapi");
        return;
    };
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "wrong-types.yaml",
            &[
                ("2:7", "`/info` should be a mapping, found a string"),
                ("3:10", "`/servers` should be a sequence, found a mapping"),
                ("5:3", "`/paths` should be a mapping, found a sequence"),
                (
                    "8:12",
                    "`/components/schemas` should be a mapping, found a number",
                ),
                (
                    "10:5",
                    "`/components/securitySchemes` should be a mapping, found a sequence",
                ),
                ("11:11", "`/security` should be a sequence, found a string"),
                ("12:7", "`/tags` should be a sequence, found a mapping"),
            ],
        ),
        (
            "wrong-types-in-operation.yaml",
            &[
                (
                    "7:10",
                    "`/paths/~1a/get` should be a mapping, found a string",
                ),
                (
                    "9:19",
                    "`/paths/~1a/post/parameters` should be a sequence, found a mapping",
                ),
                (
                    "11:14",
                    "`/paths/~1a/post/responses/200` should be a mapping, found a sequence",
                ),
                (
                    "12:18",
                    "`/paths/~1a/post/responses/default` should be a mapping, found null",
                ),
                (
                    "13:10",
                    "`/paths/~1a/put` should be a mapping, found a sequence",
                ),
                (
                    "15:17",
                    "`/paths/~1a/delete/security` should be a sequence, found a mapping",
                ),
                (
                    "16:18",
                    "`/paths/~1a/delete/responses` should be a mapping, found a string",
                ),
                ("17:7", "`/paths/~1b` should be a mapping, found null"),
                ("18:7", "`/paths/~1c` should be a mapping, found a number"),
            ],
        ),
    ];
    for (name, expected) in cases {
        let got = notices_of(&dir, name);
        assert_eq!(got.len(), expected.len(), "{name}: {got:#?}");
        for ((at, message), notice) in expected.iter().zip(&got) {
            assert!(
                notice.starts_with(&format!("{at}: {message}; ")),
                "{name}: expected {at}: {message}, got {notice}"
            );
        }
    }
    // The operation-level `security` that is ignored says what applies instead.
    let got = notices_of(&dir, "wrong-types-in-operation.yaml");
    assert!(got[5].ends_with("so the global `security` applies to this operation"));
    // The valid `post` still loads: its 200 and default responses are skipped, not the
    // operation.
    let analysis = analyze(&Options {
        paths: Vec::new(),
        specs: vec![dir.join("malformed/wrong-types-in-operation.yaml")],
        ..Options::default()
    });
    let methods: Vec<_> = analysis
        .project
        .endpoints
        .iter()
        .map(|e| format!("{:?} {}", e.method, e.route))
        .collect();
    assert_eq!(methods.len(), 2, "{methods:?}");
}

/// Each duplicate key names both places and which copy keyhole used.
#[test]
fn duplicate_keys_name_both_copies_and_the_one_used() {
    let Some(dir) = corpus() else {
        println!("skipped: no OpenAPI corpus at ../shared/corpus/openapi");
        return;
    };
    assert_eq!(
        notices_of(&dir, "duplicate-keys.yaml"),
        [
            "9:5: duplicate key `get` at `/paths/~1users/get`: written at line 7 and again at \
             line 9; keyhole uses the later copy (line 9) and ignores the first (line 7)",
            "12:3: duplicate key `/users` at `/paths/~1users`: written at line 6 and again at \
             line 12; keyhole uses the later copy (line 12) and ignores the first (line 6)",
            "18:1: duplicate key `components` at `/components`: written at line 15 and again \
             at line 18; keyhole uses the later copy (line 18) and ignores the first (line 15)",
        ]
    );
    let json = notices_of(&dir, "duplicate-keys.json");
    assert_eq!(json.len(), 2, "{json:#?}");
    assert_eq!(
        json[0],
        "1:79: duplicate key `security` at `/security`: written at line 1, column 57 and again \
         at line 1, column 79; keyhole uses the later copy (line 1, column 79, `security: []`) \
         and ignores the first (line 1, column 57, `security: [{\"k\":[]}]`)"
    );
    assert!(json[1].starts_with("1:157: duplicate key `/a` at `/paths/~1a`"));
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
