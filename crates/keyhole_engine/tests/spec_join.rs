//! The code–spec join: which route implements which operation, and the labels findings get
//! from it.

use std::path::Path;

use keyhole_engine::{analyze, Analysis, Options};

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Analyse `root` from inside it, so that paths are relative.
fn run(root: &Path) -> Analysis {
    let _cwd = CWD.lock().unwrap();
    std::env::set_current_dir(root).unwrap();
    analyze(&Options {
        paths: vec![".".into()],
        ..Options::default()
    })
}

static CWD: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `METHOD route (file:line) -> METHOD route (file:line)` for every link, code first.
fn links(a: &Analysis) -> Vec<String> {
    let p = &a.project;
    let show = |id: keyhole_core::EndpointId| {
        let e = p.endpoint(id).unwrap();
        let file = p.files.get(e.registration.file).unwrap();
        let line = file.line_col(e.registration.start as usize).line;
        format!("{} {} ({}:{line})", e.method, e.route, file.path)
    };
    let mut out: Vec<String> = p
        .spec_links
        .iter()
        .map(|l| format!("{} -> {}", show(l.code), show(l.spec)))
        .collect();
    out.sort();
    out
}

/// Each finding as `rule file:line` followed by its secondary labels `| file:line message`.
fn findings(a: &Analysis) -> Vec<String> {
    let files = &a.project.files;
    let at = |span: keyhole_core::Span| {
        let f = files.get(span.file).unwrap();
        format!("{}:{}", f.path, f.line_col(span.start as usize).line)
    };
    a.diagnostics
        .iter()
        .map(|d| {
            let mut s = format!("{} {}", d.rule, at(d.primary.span));
            for l in &d.secondary {
                s.push_str(&format!(" | {} {}", at(l.span), l.message));
            }
            s
        })
        .collect()
}

const BLUEPRINT: &str = "from flask import Blueprint\nfrom flask_login import login_required\n\n\
bp = Blueprint('items', __name__)\n\n\
@bp.get('/items')\n@login_required\ndef list_items():\n    return []\n\n\
@bp.delete('/items/<int:item_id>')\ndef delete_item(item_id):\n    return 'ok'\n\n\
@bp.post('/items')\ndef create_item():\n    return 'ok'\n";

const APP: &str = "from flask import Flask\nfrom api.items import bp\n\n\
app = Flask(__name__)\napp.register_blueprint(bp, url_prefix='/api/v1')\n";

fn flask_project(root: &Path) {
    write(root, "app.py", APP);
    write(root, "api/__init__.py", "");
    write(root, "api/items.py", BLUEPRINT);
}

#[test]
fn server_path_prefix_joins_routes_and_labels_both_ways() {
    let dir = tempfile::Builder::new().prefix("join").tempdir().unwrap();
    let root = dir.path();
    flask_project(root);
    write(
        root,
        "openapi.yaml",
        r"openapi: 3.0.3
info: {title: items, version: '1'}
servers:
  - url: 'https://{host}/api/{version}'
    variables:
      host: {default: api.example.com}
      version: {default: v1}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
paths:
  /items:
    get:
      security: [{bearer: []}]
      responses: {'200': {description: ok}}
    post:
      responses: {'200': {description: ok}}
  /items/{id}:
    delete:
      security: [{bearer: []}]
      responses: {'204': {description: gone}}
",
    );
    let a = run(root);
    assert_eq!(
        links(&a),
        [
            "DELETE /api/v1/items/{item_id} (api/items.py:11) -> DELETE /items/{id} (openapi.yaml:19)",
            "GET /api/v1/items (api/items.py:6) -> GET /items (openapi.yaml:13)",
            "POST /api/v1/items (api/items.py:15) -> POST /items (openapi.yaml:16)",
        ]
    );
    let found = findings(&a);
    let delete = found
        .iter()
        .find(|f| f.starts_with("missing-auth api/items.py:11"))
        .expect("the unguarded delete is reported");
    assert!(
        delete.ends_with("| openapi.yaml:19 documented here, with `security: bearer`"),
        "{delete}"
    );
    let post = found
        .iter()
        .find(|f| f.starts_with("missing-auth api/items.py:15"))
        .expect("the unguarded create is reported");
    assert!(
        post.ends_with("| openapi.yaml:16 documented here, without `security`"),
        "{post}"
    );
    let spec = found
        .iter()
        .find(|f| f.starts_with("missing-auth-spec openapi.yaml:16"))
        .expect("the open operation is reported");
    assert!(
        spec.ends_with("| api/items.py:15 implemented here by `create_item`, with no guard found"),
        "{spec}"
    );
}

#[test]
fn swagger_base_path_and_a_guarded_implementation() {
    let dir = tempfile::Builder::new().prefix("join").tempdir().unwrap();
    let root = dir.path();
    flask_project(root);
    write(
        root,
        "swagger.yaml",
        r"swagger: '2.0'
info: {title: items, version: '1'}
basePath: /api/v1/
securityDefinitions:
  key: {type: apiKey, in: header, name: X-Key}
paths:
  /items:
    get:
      responses: {'200': {description: ok}}
    post:
      security: [{key: []}]
      responses: {'200': {description: ok}}
",
    );
    let a = run(root);
    assert_eq!(links(&a).len(), 2, "{:?}", links(&a));
    let found = findings(&a);
    let spec = found
        .iter()
        .find(|f| f.starts_with("missing-auth-spec swagger.yaml:8"))
        .expect("the open GET is reported");
    assert!(
        spec.ends_with(
            "| api/items.py:6 implemented here by `list_items`, guarded by `login_required`"
        ),
        "{spec}"
    );
}

#[test]
fn a_spec_of_another_api_joins_nothing() {
    let dir = tempfile::Builder::new().prefix("join").tempdir().unwrap();
    let root = dir.path();
    flask_project(root);
    // A vendored copy of a third-party API that happens to share one path with the app.
    let mut spec = String::from(
        "openapi: 3.0.3\ninfo: {title: vendor, version: '1'}\nservers:\n  - url: https://vendor.example.com/api/v1\npaths:\n",
    );
    spec.push_str("  /items:\n    get:\n      responses: {'200': {description: ok}}\n");
    for name in ["charges", "refunds", "customers", "payouts", "disputes"] {
        spec.push_str(&format!(
            "  /{name}:\n    get:\n      responses: {{'200': {{description: ok}}}}\n"
        ));
    }
    write(root, "vendor/openapi.yaml", &spec);
    let a = run(root);
    assert!(links(&a).is_empty(), "{:?}", links(&a));
}

#[test]
fn a_route_serving_every_method_joins_each_operation() {
    let dir = tempfile::Builder::new().prefix("join").tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "server.js",
        "const express = require('express');\nconst app = express();\n\
app.all('/ping/:id', (req, res) => res.send('pong'));\napp.listen(3000);\n",
    );
    write(
        root,
        "openapi.json",
        r#"{"openapi": "3.0.3", "info": {"title": "p", "version": "1"},
 "paths": {"/ping/{pingId}": {"get": {"responses": {"200": {"description": "ok"}}},
                              "put": {"responses": {"200": {"description": "ok"}}}}}}
"#,
    );
    let a = run(root);
    assert_eq!(
        links(&a),
        [
            "ANY /ping/{id} (server.js:3) -> GET /ping/{pingId} (openapi.json:2)",
            "ANY /ping/{id} (server.js:3) -> PUT /ping/{pingId} (openapi.json:3)",
        ]
    );
}
