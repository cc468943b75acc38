//! `docs/rules/<rule>.md` is generated from each rule's doc comment. This test fails when a
//! page is stale; `KEYHOLE_UPDATE_DOCS=1 cargo test --test docs` rewrites them.

use std::path::Path;

#[test]
fn rule_docs_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let update = std::env::var_os("KEYHOLE_UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    let mut expected_files = Vec::new();
    for meta in keyhole_rules::all_meta() {
        let path = dir.join(format!("{}.md", meta.name));
        expected_files.push(path.clone());
        let want = keyhole_rules::markdown(&meta);
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have != want {
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, want).unwrap();
            } else {
                stale.push(meta.name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule docs: {stale:?}; run `KEYHOLE_UPDATE_DOCS=1 cargo test --test docs`"
    );
    // No page for a rule that does not exist.
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        assert!(
            expected_files.contains(&path),
            "{} documents no rule",
            path.display()
        );
    }
}

#[test]
fn rule_docs_have_the_fixed_sections() {
    for meta in keyhole_rules::all_meta() {
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
        ] {
            assert!(
                meta.doc.contains(section),
                "{} lacks `{section}`",
                meta.name
            );
        }
    }
}
