//! End-to-end tests: the binary on the demo app and on temporary trees.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn keyhole(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyhole"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("keyhole runs")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write(root: &Path, rel: &str, contents: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

#[test]
fn demo_human_output() {
    let out = keyhole(&["check", "examples/demo"], &repo());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn demo_concise_output() {
    let out = keyhole(&["check", "examples/demo", "--format", "concise"], &repo());
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn demo_sarif_output() {
    let out = keyhole(&["check", "examples/demo", "--format", "sarif"], &repo());
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    for result in results {
        assert!(result["partialFingerprints"]["keyhole/v1"].is_string());
        assert!(result["properties"]["route"].is_string());
        assert!(result["properties"]["method"].is_string());
    }
    // The results, not the rule catalogue (which grows with every rule).
    insta::assert_snapshot!(serde_json::to_string_pretty(&sarif["runs"][0]["results"]).unwrap());
}

#[test]
fn demo_inventory_json_lists_full_paths_and_evidence() {
    let out = keyhole(&["inventory", "examples/demo", "--format", "json"], &repo());
    assert_eq!(out.status.code(), Some(0));
    let inventory: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(inventory["version"], 1);
    let endpoints = inventory["endpoints"].as_array().unwrap();
    let find = |method: &str, route: &str| {
        endpoints
            .iter()
            .find(|e| e["method"] == method && e["route"] == route)
            .unwrap_or_else(|| panic!("{method} {route} in the inventory"))
    };
    let notes = find("DELETE", "/api/notes/{id}");
    assert_eq!(notes["auth"]["state"], "required");
    assert_eq!(
        notes["auth"]["evidence"][0]["file"],
        "examples/demo/notes/server.js"
    );
    let refund = find("POST", "/api/invoices/{invoice_id}/refund");
    assert_eq!(refund["auth"]["state"], "none");
    let token = find("POST", "/api/invoices/token");
    assert_eq!(token["auth"]["no_auth_reason"], "authentication-endpoint");
    assert_eq!(endpoints.len(), 15);
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/status')\ndef status():\n    return 'ok'\n",
    );
    let warn = keyhole(&["check", "."], dir.path());
    assert_eq!(warn.status.code(), Some(1), "a warning fails by default");
    let only_errors = keyhole(&["check", ".", "--fail-on", "error"], dir.path());
    assert_eq!(only_errors.status.code(), Some(0));
    let usage = keyhole(&["check", "--format", "yaml"], dir.path());
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn clean_tree_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n\n@app.post('/items')\n@login_required\ndef create():\n    return 'ok'\n",
    );
    let out = keyhole(&["check"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("No findings."));
}

#[test]
fn suppression_needs_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let app = "from flask import Flask\napp = Flask(__name__)\n\n\
        # keyhole: ignore[missing-auth] load balancer probe\n@app.get('/status')\ndef status():\n    return 'ok'\n\n\
        @app.post('/reset-cache')  # keyhole: ignore[missing-auth]\ndef reset():\n    return 'ok'\n\n\
        @app.get('/ping-db')  # keyhole: ignore[missing-auth] internal probe\n\
        @app.delete('/cache')\ndef both():\n    return 'ok'\n";
    write(dir.path(), "app.py", app);
    let out = keyhole(&["check", "--format", "concise"], dir.path());
    let text = stdout(&out);
    assert!(!text.contains("/status"), "{text}");
    assert!(text.contains("POST /reset-cache"), "{text}");
    // A suppression at the end of a code line covers that line only, not the next.
    assert!(!text.contains("GET /ping-db"), "{text}");
    assert!(text.contains("DELETE /cache"), "{text}");
}

#[test]
fn rules_and_explain() {
    let out = keyhole(&["rules"], &repo());
    assert!(stdout(&out).contains("missing-auth"));
    let out = keyhole(&["explain", "missing-auth"], &repo());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("## Why is this bad?"));
    let out = keyhole(&["explain", "no-such-rule"], &repo());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no rule named `no-such-rule`"));
}

/// Bad input never panics or hangs; each problem is one line and the run goes on.
#[test]
fn bad_input_is_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "good.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.delete('/things/<id>')\ndef delete(id):\n    return ''\n",
    );
    write(
        root,
        "broken.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/a')\ndef a(:\n    pass\n",
    );
    write(root, "latin1.py", b"# caf\xe9\nx = 1\n".as_slice());
    write(root, "empty.py", "");
    write(root, "empty.js", "");
    // A 5 MB minified bundle with a source extension and no telling name.
    let mut bundle = String::from("var a=");
    while bundle.len() < 5 * 1024 * 1024 {
        bundle.push_str("function(){return 1},");
    }
    bundle.push_str("0;");
    write(root, "static/app.js", &bundle);
    // A 1 MB minified file under the size limit.
    write(root, "static/vendor.js", &bundle[..1024 * 1024]);
    // Deeply nested expressions in both languages.
    let depth = 50_000;
    write(
        root,
        "deep.py",
        format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth)),
    );
    write(
        root,
        "deep.js",
        format!("const x = {}1{};\n", "[".repeat(depth), "]".repeat(depth)),
    );
    write(root, "binary.py", b"\x00\x01\x02binary".as_slice());
    #[cfg(unix)]
    {
        std::fs::create_dir_all(root.join("loop")).unwrap();
        std::os::unix::fs::symlink("..", root.join("loop/parent")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("outside.py")).unwrap();
    }

    let out = keyhole(&["check", ".", "--format", "concise"], root);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        stdout(&out).contains("DELETE /things/{id}"),
        "the good file is still analysed"
    );
    let line_for = |needle: &str| err.lines().filter(|l| l.contains(needle)).count();
    assert_eq!(line_for("broken.py:5"), 1, "{err}");
    assert_eq!(line_for("latin1.py: skipped: not valid UTF-8"), 1, "{err}");
    assert_eq!(line_for("static/app.js: skipped"), 1, "{err}");
    assert_eq!(line_for("binary.py: skipped: binary"), 1, "{err}");
    assert_eq!(line_for("empty"), 0, "{err}");
    assert_eq!(
        line_for("vendor.js"),
        0,
        "minified files are counted, not printed: {err}"
    );

    let verbose = keyhole(&["check", ".", "--verbose", "--format", "concise"], root);
    let err = stderr(&verbose);
    assert!(
        err.contains("minified or bundled JavaScript (by content)"),
        "{err}"
    );
    assert!(err.contains("symbolic links (not followed)"), "{err}");
}

/// Dependencies, virtualenvs, build output and ignored paths are skipped and counted.
#[test]
fn discovery_skips_what_is_not_application_source() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let route = "const express = require('express');\nconst app = express();\napp.post('/x', (req, res) => res.end());\n";
    write(root, "server.js", route);
    write(root, "node_modules/pkg/index.js", route);
    write(root, "dist/server.js", route);
    write(root, "generated/server.js", route);
    write(root, ".keyholeignore", "generated/\n");
    write(root, "env/pyvenv.cfg", "home = /usr\n");
    write(
        root,
        "env/lib/app.py",
        "from flask import Flask\napp = Flask(__name__)\n@app.post('/y')\ndef y():\n    pass\n",
    );
    write(root, "vendor.min.js", route);

    let out = keyhole(&["check", ".", "--format", "concise", "--verbose"], root);
    let text = stdout(&out);
    assert_eq!(
        text.lines().count(),
        1,
        "only server.js is analysed: {text}"
    );
    assert!(text.starts_with("server.js:3:1:"), "{text}");
    let err = stderr(&out);
    assert!(err.contains("dependencies (node_modules)"), "{err}");
    assert!(err.contains("build output"), "{err}");
    assert!(err.contains("virtualenvs"), "{err}");
    assert!(
        err.contains("minified or bundled JavaScript (by name)"),
        "{err}"
    );

    // A file named on the command line is analysed even where discovery would skip it.
    let out = keyhole(&["check", "dist/server.js", "--format", "concise"], root);
    assert!(
        stdout(&out).starts_with("dist/server.js:3:1:"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn spec_finding_renders_a_code_frame() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "api/openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nsecurity:\n  - key: []\ncomponents:\n  securitySchemes:\n    key: {type: apiKey, in: query, name: api_key}\npaths:\n  /items:\n    get:\n      responses: {'200': {description: ok}}\n",
    );
    let out = keyhole(&["check", "."], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
    let inventory = keyhole(&["inventory", "--spec", "api/openapi.yaml"], dir.path());
    assert!(
        stdout(&inventory).contains("openapi"),
        "{}",
        stdout(&inventory)
    );
}
