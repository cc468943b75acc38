use std::path::Path;

use keyhole_core::{RuleMeta, Severity};

use super::*;

const fn meta(name: &'static str, family: &'static str, severity: Severity) -> RuleMeta {
    RuleMeta {
        name,
        family,
        default_severity: severity,
        evidence: "code",
        summary: "",
        doc: "",
    }
}

const RULES: &[RuleMeta] = &[
    meta("missing-auth", "auth", Severity::Error),
    meta("auth-outlier", "auth", Severity::Warning),
    meta("missing-rate-limit", "config", Severity::Warning),
];

fn write(root: &Path, rel: &str, text: &str) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn nearest_file_wins_and_the_walk_stops_at_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "keyhole.toml", "ignore = []\n");
    write(root, "repo/.git/HEAD", "");
    write(root, "repo/pyproject.toml", "[project]\nname = 'x'\n");
    write(root, "repo/svc/app.py", "");
    // Above the repository root: not found.
    assert_eq!(find(&root.join("repo/svc/app.py")), None);
    // pyproject.toml with [tool.keyhole] counts; without it, it does not.
    let py = write(root, "repo/pyproject.toml", "[tool.keyhole]\nignore = []\n");
    assert_eq!(
        find(&root.join("repo/svc"))
            .unwrap()
            .canonicalize()
            .unwrap(),
        py.canonicalize().unwrap()
    );
    // keyhole.toml before .keyhole.toml before pyproject.toml; nearer before further.
    write(root, "repo/svc/.keyhole.toml", "");
    let near = write(root, "repo/svc/keyhole.toml", "");
    assert_eq!(
        find(&root.join("repo/svc/app.py"))
            .unwrap()
            .canonicalize()
            .unwrap(),
        near.canonicalize().unwrap()
    );
}

#[test]
fn selection_severities_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let file = write(
        root,
        "keyhole.toml",
        r#"
ignore = ["config"]
exclude = ["legacy", "gen/*.py"]

[severity]
auth-outlier = "error"

[[overrides]]
files = ["scripts/**"]
ignore = ["missing-auth"]
select = ["missing-rate-limit"]
severity = { auth-outlier = "off" }
"#,
    );
    write(root, "app.py", "");
    write(root, "scripts/tool.py", "");
    let s = load(&file, RULES).unwrap();
    let app = root.join("app.py");
    let tool = root.join("scripts/tool.py");
    assert_eq!(s.severity(Some(&app), &RULES[0]), Some(Severity::Error));
    assert_eq!(s.severity(Some(&app), &RULES[1]), Some(Severity::Error));
    assert_eq!(s.severity(Some(&app), &RULES[2]), None);
    assert_eq!(s.severity(Some(&tool), &RULES[0]), None);
    assert_eq!(s.severity(Some(&tool), &RULES[1]), None);
    assert_eq!(s.severity(Some(&tool), &RULES[2]), Some(Severity::Warning));
    assert!(s.is_excluded(&root.join("legacy")));
    assert!(s.is_excluded(&root.join("a/legacy/x.py")));
    assert!(s.is_excluded(&root.join("gen/x.py")));
    assert!(!s.is_excluded(&root.join("gen/sub/x.py")));
    assert!(!s.is_excluded(&app));
}

#[test]
fn extend_adds_lists_and_the_nearer_file_replaces_severities() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "base/keyhole.toml",
        "[severity]\nmissing-auth = \"info\"\nauth-outlier = \"info\"\n[guards]\nnames = [\"tenant_required\"]\n",
    );
    let file = write(
        root,
        "svc/keyhole.toml",
        "extend = \"../base/keyhole.toml\"\n[severity]\nmissing-auth = \"warning\"\n[guards]\nnames = [\"ensureSession\"]\n[public]\nmarkers = [\"public_route\"]\n[sensitive]\nfields = [\"Tax_ID\"]\n",
    );
    let s = load(&file, RULES).unwrap();
    assert_eq!(s.files.len(), 2);
    assert_eq!(s.severity(None, &RULES[0]), Some(Severity::Warning));
    assert_eq!(s.severity(None, &RULES[1]), Some(Severity::Info));
    let mut v = Vocabulary::default();
    s.extend_vocabulary(&mut v);
    assert!(v.guard_by_name("tenant_required").is_some());
    assert!(v.guard_by_name("app.ensureSession").is_some());
    assert!(v.public_marker("public_route"));
    assert!(v.classify_sensitive("tax_id").is_some());
}

#[test]
fn extend_cycles_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.toml", "extend = \"b.toml\"\n");
    write(dir.path(), "b.toml", "extend = \"a.toml\"\n");
    let err = load(&a, RULES).unwrap_err().to_string();
    assert!(err.contains("loops back"), "{err}");
}

#[test]
fn errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "ignore = []\nselcet = [\"auth\"]\n",
            2,
            "unknown field `selcet`",
        ),
        (
            "\n\nignore = [\"missing-auht\"]\n",
            3,
            "unknown rule or family `missing-auht`",
        ),
        (
            "[severity]\nmissing-auth = \"fatal\"\n",
            2,
            "unknown variant `fatal`",
        ),
        ("exclude = [\"a/[b\"]\n", 1, "bad glob"),
        ("ignore = [\n", 1, ""),
    ];
    for (text, line, message) in cases {
        let file = write(dir.path(), "keyhole.toml", text);
        match load(&file, RULES) {
            Err(ConfigError::Invalid {
                line: l,
                message: m,
                ..
            }) => {
                assert!(l >= line, "{text:?}: line {l}");
                assert!(m.contains(message), "{text:?}: {m}");
            }
            other => panic!("{text:?}: {other:?}"),
        }
    }
    let py = write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.keyhole]\nignore = [\"nope\"]\n",
    );
    let err = load(&py, RULES).unwrap_err().to_string();
    assert!(err.contains("pyproject.toml:5:"), "{err}");
}

#[test]
fn the_starter_config_loads() {
    let dir = tempfile::tempdir().unwrap();
    let text = starter(&Detected {
        frameworks: vec!["fastapi".into(), "express".into()],
        specs: vec!["api/openapi.yaml".into()],
        endpoints: 3,
    });
    let file = write(dir.path(), "keyhole.toml", &text);
    let s = load(&file, RULES).unwrap();
    assert_eq!(s.specs.len(), 1);
    assert!(text.contains("ensureSession"));
}

/// `docs/keyhole.schema.json` is generated from the types; `KEYHOLE_UPDATE_DOCS=1` rewrites it.
#[test]
fn json_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/keyhole.schema.json");
    let want = json_schema();
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        if std::env::var_os("KEYHOLE_UPDATE_DOCS").is_some() {
            std::fs::write(&path, want).unwrap();
        } else {
            panic!("docs/keyhole.schema.json is stale; run `KEYHOLE_UPDATE_DOCS=1 cargo test -p keyhole_config`");
        }
    }
    let schema: serde_json::Value = serde_json::from_str(&have_or(&path)).unwrap();
    assert!(schema["properties"]["overrides"].is_object());
}

fn have_or(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}
