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

const FLASK_APP: &str = "from flask import Flask\napp = Flask(__name__)\n\n\
    @app.post('/items')\n@tenant_required\ndef create():\n    return 'ok'\n\n\
    @app.delete('/items/<int:id>')\ndef delete(id):\n    return 'ok'\n\n\
    @app.post('/hooks/stripe')\n@public_route\ndef hook():\n    return 'ok'\n";

fn concise(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["check", "--format", "concise"];
    all.extend_from_slice(args);
    let out = keyhole(&all, dir);
    (out.status.code(), stdout(&out), stderr(&out))
}

#[test]
fn configuration_teaches_guards_and_public_markers_and_selects_rules() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".git/HEAD", "");
    write(dir.path(), "app.py", FLASK_APP);
    let (_, text, _) = concise(dir.path(), &[]);
    assert!(text.contains("POST /items`"), "{text}");
    assert!(text.contains("POST /hooks/stripe"), "{text}");
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.keyhole]\n[tool.keyhole.guards]\nnames = [\"tenant_required\"]\n[tool.keyhole.public]\nmarkers = [\"public_route\"]\n",
    );
    let (_, text, _) = concise(dir.path(), &[]);
    assert!(!text.contains("POST /items`"), "{text}");
    assert!(!text.contains("/hooks/stripe"), "{text}");
    assert!(text.contains("DELETE /items/{id}"), "{text}");
    // keyhole.toml wins over pyproject.toml; severities and overrides apply by file.
    write(
        dir.path(),
        "keyhole.toml",
        "extend = \"pyproject.toml\"\n[severity]\nmissing-auth = \"info\"\n",
    );
    let (code, text, _) = concise(dir.path(), &[]);
    assert!(
        text.contains("info[missing-auth] `DELETE /items/{id}`"),
        "{text}"
    );
    assert_eq!(code, Some(0), "info does not fail the run");
    write(
        dir.path(),
        "keyhole.toml",
        "extend = \"pyproject.toml\"\n[[overrides]]\nfiles = [\"app.py\"]\nignore = [\"auth\"]\n",
    );
    let (code, text, _) = concise(dir.path(), &[]);
    assert_eq!((code, text.as_str()), (Some(0), ""), "{text}");
    // Excluded files are not analysed; `--no-config` reads none.
    write(dir.path(), "keyhole.toml", "exclude = [\"app.py\"]\n");
    let (_, text, _) = concise(dir.path(), &["--verbose"]);
    assert!(text.is_empty(), "{text}");
    let (code, text, _) = concise(dir.path(), &["app.py"]);
    assert_eq!((code, text.as_str()), (Some(0), ""), "named but excluded");
    let (_, text, _) = concise(dir.path(), &["--no-config"]);
    assert!(text.contains("DELETE /items/{id}"), "{text}");
}

#[test]
fn a_bad_configuration_is_a_usage_error_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.py", FLASK_APP);
    write(
        dir.path(),
        "keyhole.toml",
        "# rules\n\nignore = [\"missing-auht\"]\n",
    );
    let (code, _, err) = concise(dir.path(), &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("keyhole.toml:3:11: `ignore`: unknown rule or family `missing-auht`"),
        "{err}"
    );
    write(dir.path(), "keyhole.toml", "[guards]\nname = [\"x\"]\n");
    let (code, _, err) = concise(dir.path(), &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("keyhole.toml:2:1: unknown field `name`"),
        "{err}"
    );
}

#[test]
fn init_writes_a_starter_configuration_that_loads() {
    let out = {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "app.py", FLASK_APP);
        write(
            dir.path(),
            "api/openapi.yaml",
            "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
        );
        let out = keyhole(&["init"], dir.path());
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = std::fs::read_to_string(dir.path().join("keyhole.toml")).unwrap();
        assert!(text.contains("Detected: flask"), "{text}");
        assert!(text.contains("\"api/openapi.yaml\""), "{text}");
        assert!(text.contains("tenant_required"), "{text}");
        let again = keyhole(&["init"], dir.path());
        assert_eq!(again.status.code(), Some(2), "does not overwrite");
        keyhole(&["check", "--format", "concise"], dir.path())
    };
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn unused_and_file_level_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let app = "# keyhole: ignore-file[missing-auth] internal admin tool behind the VPN\n\
        from flask import Flask\napp = Flask(__name__)\n\n\
        @app.delete('/a')\ndef a():\n    return 'ok'\n\n\
        @app.delete('/b')  # keyhole: ignore[auth-outlier] nothing to suppress\ndef b():\n    return 'ok'\n";
    write(dir.path(), "app.py", app);
    let (_, text, _) = concise(dir.path(), &[]);
    assert_eq!(
        text,
        "app.py:9:22: warning[unused-suppression] unused suppression: no `auth-outlier` finding here\n"
    );
    write(
        dir.path(),
        "keyhole.toml",
        "ignore = [\"unused-suppression\"]\n",
    );
    let (code, text, _) = concise(dir.path(), &[]);
    assert_eq!((code, text.as_str()), (Some(0), ""));
}

#[test]
fn baseline_reports_only_new_findings_and_survives_line_shifts() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.py", FLASK_APP);
    let out = keyhole(
        &["check", "--write-baseline", ".keyhole-baseline.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("recorded 3 findings"),
        "{}",
        stderr(&out)
    );
    let (code, text, _) = concise(dir.path(), &["--baseline", ".keyhole-baseline.json"]);
    assert_eq!((code, text.as_str()), (Some(0), ""));
    // Lines shift, an unrelated function changes, a new unguarded route appears.
    let edited = format!(
        "\"\"\"The items service.\"\"\"\nimport os\n\n{}\n\ndef helper():\n    return os.getcwd()\n\n@app.put('/items/<int:id>')\ndef replace(id):\n    return 'ok'\n",
        FLASK_APP.replace("return 'ok'", "return 'done'")
    );
    write(dir.path(), "app.py", edited);
    let (code, text, _) = concise(dir.path(), &["--baseline", ".keyhole-baseline.json"]);
    assert_eq!(code, Some(1));
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("PUT /items/{id}"), "{text}");
    let (code, _, err) = concise(dir.path(), &["--baseline", "app.py"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not a keyhole baseline"), "{err}");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

/// The Express app of the demo: `routes/share.js` is mounted in `server.js`, without a guard.
fn express_project(root: &Path) {
    let demo = repo().join("examples/demo/notes");
    for rel in [
        "server.js",
        "routes/notes.js",
        "routes/share.js",
        "middleware/auth.js",
    ] {
        write(root, rel, std::fs::read(demo.join(rel)).unwrap());
    }
}

#[test]
fn named_files_are_analysed_with_their_project_and_reported_alone() {
    let dir = tempfile::tempdir().unwrap();
    express_project(dir.path());
    let (_, all, _) = concise(dir.path(), &[]);
    assert!(all.contains("server.js"), "{all}");
    assert!(all.contains("DELETE /share/{noteId}"), "{all}");
    // pre-commit names the changed files: the route's prefix comes from server.js.
    let (code, text, _) = concise(dir.path(), &["routes/share.js"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        text,
        "routes/share.js:7:1: error[missing-auth] `DELETE /share/{noteId}` is served without authentication\n"
    );
}

#[test]
fn changed_since_reports_only_changed_files() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = concise(dir.path(), &["--changed-since", "HEAD"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("needs a git repository"), "{err}");
    express_project(dir.path());
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "start"]);
    let (code, text, _) = concise(dir.path(), &["--changed-since", "HEAD"]);
    assert_eq!((code, text.as_str()), (Some(0), ""));
    let share = std::fs::read_to_string(dir.path().join("routes/share.js")).unwrap();
    write(
        dir.path(),
        "routes/share.js",
        format!("// shared notes\n{share}"),
    );
    let (code, text, _) = concise(dir.path(), &["--changed-since", "HEAD"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        text,
        "routes/share.js:8:1: error[missing-auth] `DELETE /share/{noteId}` is served without authentication\n"
    );
    let (code, _, err) = concise(dir.path(), &["--changed-since", "no-such-rev"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no-such-rev"), "{err}");
}

/// Rate limiters are recorded on the endpoint, and are no guard.
#[test]
fn rate_limits_are_facts_not_guards() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        "from flask import Flask\nfrom flask_limiter import Limiter\n\napp = Flask(__name__)\nlimiter = Limiter(app)\n\n\
         @app.post('/search')\n@limiter.limit('5/minute')\ndef search():\n    return 'ok'\n",
    );
    let out = keyhole(&["inventory", "--format", "json"], dir.path());
    let inventory: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let endpoint = &inventory["endpoints"][0];
    assert_eq!(endpoint["route"], "/search");
    assert_eq!(endpoint["auth"]["state"], "none");
    assert_eq!(endpoint["rate_limits"][0]["kind"], "rate-limit");
    assert_eq!(endpoint["rate_limits"][0]["guard"], "limiter.limit");
    let check = keyhole(&["check", "--format", "concise"], dir.path());
    assert!(
        stdout(&check).contains("POST /search"),
        "{}",
        stdout(&check)
    );
}

/// The inventory entry for `METHOD ROUTE` of a fixture app, as JSON.
fn fixture_endpoint(case: &str, method: &str, route: &str) -> serde_json::Value {
    let out = keyhole(
        &[
            "inventory",
            &format!("tests/fixtures/{case}"),
            "--format",
            "json",
        ],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let inventory: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    inventory["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["method"] == method && e["route"] == route)
        .unwrap_or_else(|| panic!("{method} {route} in the inventory"))
        .clone()
}

#[test]
fn inventory_json_records_fastapi_response_types() {
    let case = "python/fastapi/response_models";
    let dir = format!("tests/fixtures/{case}/shop");
    let listed = fixture_endpoint(case, "GET", "/orders");
    assert_eq!(listed["response"]["name"], "List[schemas.OrderOut]");
    assert_eq!(
        listed["response"]["file"],
        format!("{dir}/routers/orders.py")
    );
    assert_eq!(listed["response"]["line"], 13);
    assert_eq!(
        listed["response"]["definition"],
        serde_json::json!({"file": format!("{dir}/schemas/orders.py"), "line": 4, "column": 1})
    );
    let summary = fixture_endpoint(case, "GET", "/orders/summary");
    assert_eq!(summary["response"]["name"], "OrderSummary");
    assert_eq!(summary["response"]["definition"]["line"], 9);
    let raw = fixture_endpoint(case, "GET", "/orders/raw");
    assert_eq!(raw["response"]["name"], "dict");
    assert!(raw["response"]["definition"].is_null());
    assert!(fixture_endpoint(case, "DELETE", "/orders/{order_id}")["response"].is_null());
}

#[test]
fn inventory_json_records_fastify_response_schemas() {
    let case = "javascript/fastify/response_schemas";
    let routes = format!("tests/fixtures/{case}/src/routes/users.ts");
    // A name as written, where it is written.
    let me = fixture_endpoint(case, "GET", "/users/me");
    assert_eq!(me["response"]["name"], "schemas.UserOut");
    assert_eq!(me["response"]["file"], routes);
    assert_eq!(me["response"]["line"], 18);
    // A TypeBox builder in a module-level `schema` object named by the route.
    let list = fixture_endpoint(case, "GET", "/users");
    assert_eq!(list["response"]["name"], "Type.Array(…)");
    assert_eq!(list["response"]["line"], 12);
    // `'2xx'` on `fastify.route({ schema })`.
    let profile = fixture_endpoint(case, "GET", "/users/{id}/profile");
    assert_eq!(profile["response"]["name"], "PublicProfile");
    // A literal: its location.
    let ping = fixture_endpoint(case, "POST", "/users/{id}/ping");
    assert_eq!(ping["response"]["name"], "inline JSON schema");
    assert_eq!(ping["response"]["line"], 36);
    assert!(fixture_endpoint(case, "DELETE", "/users/{id}")["response"].is_null());
}

#[test]
fn inventory_json_locates_connexion_handlers() {
    let case = "python/connexion/global_security_with_bearer";
    let dir = format!("tests/fixtures/{case}/petstore");
    let pet = fixture_endpoint(case, "GET", "/v1/pets/{pet_id}");
    assert_eq!(pet["framework"], "connexion");
    assert_eq!(pet["file"], format!("{dir}/spec/openapi.yaml"));
    assert_eq!(pet["handler"], "petstore.api.pets.get_pet");
    assert_eq!(
        pet["handler_location"],
        serde_json::json!({"file": format!("{dir}/api/pets.py"), "line": 8, "column": 1})
    );
    let evidence = &pet["auth"]["evidence"][0];
    assert_eq!(evidence["kind"], "spec-security");
    assert_eq!(evidence["guard"], "petstore.auth.decode_token");
    assert_eq!(evidence["file"], format!("{dir}/spec/openapi.yaml"));
    // The spec's own rows are not listed a second time as `openapi` endpoints.
    let out = keyhole(&["inventory", &format!("tests/fixtures/{case}")], &repo());
    assert!(!stdout(&out).contains("openapi "), "{}", stdout(&out));
    let unresolved = fixture_endpoint(
        "python/connexion/operation_security_swagger2",
        "GET",
        "/api/reports",
    );
    assert_eq!(unresolved["handler"], "reporting.views.list_reports");
    assert!(unresolved["handler_location"].is_null());
    assert_eq!(unresolved["auth"]["state"], "unknown");
}

#[test]
fn inventory_json_joins_routes_and_spec_operations() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n\n\
         @app.get('/v2/items/<int:item_id>')\n@login_required\ndef get_item(item_id):\n    return 'ok'\n\n\
         @app.get('/v2/health')\ndef health():\n    return 'ok'\n",
    );
    write(
        dir.path(),
        "swagger.yaml",
        "swagger: '2.0'\ninfo: {title: items, version: '1'}\nbasePath: /v2\npaths:\n  /items/{id}:\n    get:\n      operationId: getItem\n      responses: {'200': {description: ok}}\n",
    );
    let out = keyhole(&["inventory", "--format", "json"], dir.path());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let endpoints = doc["endpoints"].as_array().unwrap();
    let find = |framework: &str, route: &str| {
        endpoints
            .iter()
            .find(|e| e["framework"] == framework && e["route"] == route)
            .unwrap_or_else(|| panic!("{framework} {route} in {endpoints:?}"))
    };
    let code = find("flask", "/v2/items/{item_id}");
    assert_eq!(
        code["spec_operations"],
        serde_json::json!([{"method": "GET", "route": "/items/{id}", "file": "swagger.yaml", "line": 6, "handler": "getItem"}])
    );
    assert_eq!(code["implementations"], serde_json::json!([]));
    let spec = find("openapi", "/items/{id}");
    assert_eq!(
        spec["implementations"],
        serde_json::json!([{"method": "GET", "route": "/v2/items/{item_id}", "file": "app.py", "line": 5, "handler": "get_item"}])
    );
    assert_eq!(
        find("flask", "/v2/health")["spec_operations"],
        serde_json::json!([])
    );
}
