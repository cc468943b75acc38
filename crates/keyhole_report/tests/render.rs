//! Snapshot tests of every renderer, on a small hand-made Flask project.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use keyhole_core::auth::EvidenceKind;
use keyhole_core::route::ParamSyntax;
use keyhole_core::{
    Auth, Diagnostic, Endpoint, Evidence, FileId, Framework, Label, Language, Method, MountStep,
    NoAuthReason, RouteTemplate, RuleMeta, Severity, SourceFile, SourceMap, Span,
};
use keyhole_report::Report;

const APP_PY: &str = r#"from flask import Flask

from users import bp

app = Flask(__name__)
app.register_blueprint(bp, url_prefix="/api")

if __name__ == "__main__":
    app.run(debug=True)
"#;

const USERS_PY: &str = r#"from flask import Blueprint
from flask_login import login_required

bp = Blueprint("users", __name__)


@bp.post("/users")
def create_user():
    return {"ok": True}


@bp.get("/users/<int:user_id>")
@login_required
def get_user(user_id):
    return {"id": user_id}


@bp.post("/login")
def login():
    return {"token": "…"}


@bp.get("/café")  # résumé
def cafe():
    return {"menu": []}


bp.add_url_rule(PREFIX + "/dyn", view_func=cafe)
"#;

const APP: FileId = FileId(0);
const USERS: FileId = FileId(1);

struct Fixture {
    files: SourceMap,
    diagnostics: Vec<Diagnostic>,
    endpoints: Vec<Endpoint>,
}

fn source(id: FileId, path: &str, text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile::new(
        id,
        path.to_string(),
        PathBuf::from(path),
        Language::Python,
        Arc::from(text),
    ))
}

/// The span of the `nth` (0-based) occurrence of `needle` in `file`.
fn span(files: &SourceMap, file: FileId, needle: &str, nth: usize) -> Span {
    let text = &files.get(file).unwrap().text;
    let (start, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    Span::new(file, start, start + needle.len())
}

fn route(raw: &str) -> RouteTemplate {
    RouteTemplate::parse(raw, ParamSyntax::AngleBrackets)
}

const RULES: &[RuleMeta] = &[
    RuleMeta {
        name: "missing-auth",
        family: "auth",
        default_severity: Severity::Error,
        evidence: "code",
        summary: "An endpoint that changes state has no authentication.",
        doc: "An endpoint that changes state has no authentication.\n\n## What it does\n\nFinds route handlers with no guard on the route, its routers or the app.\n\n## Why is this bad?\n\nAnyone who can reach the server can call them.\n",
    },
    RuleMeta {
        name: "debug-mode-enabled",
        family: "config",
        default_severity: Severity::Warning,
        evidence: "code",
        summary: "The app runs with debug mode on.",
        doc: "The app runs with debug mode on.\n\n## Why is this bad?\n\nThe debugger executes code sent by the browser.\n",
    },
    RuleMeta {
        name: "shadow-endpoint",
        family: "inventory",
        default_severity: Severity::Info,
        evidence: "both",
        summary: "An endpoint served by code is missing from the spec.",
        doc: "",
    },
];

fn fixture() -> Fixture {
    let files = SourceMap::new(vec![
        source(APP, "app.py", APP_PY),
        source(USERS, "api/users.py", USERS_PY),
    ]);

    let mount_span = span(
        &files,
        APP,
        r#"app.register_blueprint(bp, url_prefix="/api")"#,
        0,
    );
    let mounts = vec![MountStep {
        span: mount_span,
        prefix: Some("/api".to_string()),
        router_name: "bp".to_string(),
    }];

    let diagnostics = vec![
        Diagnostic::new(
            "debug-mode-enabled",
            Severity::Warning,
            "the app runs with `debug=True`",
            Label::new(span(&files, APP, "debug=True", 0), "debug mode turned on here"),
        )
        .with_note("the Werkzeug debugger runs any Python code sent to it")
        .with_help("read the flag from the environment, e.g. `debug=os.environ.get(\"FLASK_DEBUG\") == \"1\"`")
        .with_fingerprint_for_test("d3b07384d113edec"),
        Diagnostic::new(
            "missing-auth",
            Severity::Error,
            "`POST /api/users` has no authentication",
            Label::new(span(&files, USERS, r#"@bp.post("/users")"#, 0), "no guard on this route"),
        )
        .with_secondary(Label::new(
            mount_span,
            "blueprint `bp` mounted under `/api` here, without a guard",
        ))
        .with_note("anyone who can reach the server can call this endpoint, and POST changes state")
        .with_help("add `@login_required` to `create_user`, or a `before_request` guard to `bp`")
        .with_endpoint(Method::Post, route("/api/users"))
        .with_fingerprint_for_test("5f2b9c0e7a1d4c38"),
        Diagnostic::new(
            "shadow-endpoint",
            Severity::Info,
            "`GET /api/café` is served but not described in the spec",
            Label::new(span(&files, USERS, r#"@bp.get("/café")"#, 0), "route registered here"),
        )
        .with_endpoint(Method::Get, route("/api/café")),
    ];

    let login_required = span(&files, USERS, "@login_required", 0);
    let endpoints = vec![
        Endpoint {
            method: Method::Post,
            route: route("/api/users"),
            route_resolved: true,
            framework: Framework::Flask,
            registration: span(&files, USERS, r#"@bp.post("/users")"#, 0),
            handler: Some("create_user".to_string()),
            handler_location: None,
            router: None,
            mounts: mounts.clone(),
            auth: Auth::None {
                reason: NoAuthReason::NoGuardFound,
                evidence: vec![],
            },
            rate_limits: Vec::new(),
            response: None,
        },
        Endpoint {
            method: Method::Get,
            route: route("/api/users/<int:user_id>"),
            route_resolved: true,
            framework: Framework::Flask,
            registration: span(&files, USERS, r#"@bp.get("/users/<int:user_id>")"#, 0),
            handler: Some("get_user".to_string()),
            handler_location: None,
            router: None,
            mounts: mounts.clone(),
            auth: Auth::Required(vec![Evidence {
                span: login_required,
                kind: EvidenceKind::Decorator,
                detail: "`@login_required` on the handler".to_string(),
                guard: Some("login_required".to_string()),
            }]),
            rate_limits: Vec::new(),
            response: None,
        },
        Endpoint {
            method: Method::Post,
            route: route("/api/login"),
            route_resolved: true,
            framework: Framework::Flask,
            registration: span(&files, USERS, r#"@bp.post("/login")"#, 0),
            handler: Some("login".to_string()),
            handler_location: None,
            router: None,
            mounts: mounts.clone(),
            auth: Auth::None {
                reason: NoAuthReason::AuthenticationEndpoint,
                evidence: vec![Evidence {
                    span: span(&files, USERS, r#""/login""#, 0),
                    kind: EvidenceKind::Purpose,
                    detail: "the path `/login` names an authentication step".to_string(),
                    guard: None,
                }],
            },
            rate_limits: Vec::new(),
            response: None,
        },
        Endpoint {
            method: Method::Get,
            route: route("/api/café"),
            route_resolved: true,
            framework: Framework::Flask,
            registration: span(&files, USERS, r#"@bp.get("/café")"#, 0),
            handler: Some("cafe".to_string()),
            handler_location: None,
            router: None,
            mounts: mounts.clone(),
            auth: Auth::None {
                reason: NoAuthReason::ExplicitlyPublic,
                evidence: vec![Evidence {
                    span: span(&files, USERS, "# résumé", 0),
                    kind: EvidenceKind::Decorator,
                    detail: "a comment marks the café menu as public for everyone — ünïcödé"
                        .to_string(),
                    guard: None,
                }],
            },
            rate_limits: Vec::new(),
            response: None,
        },
        Endpoint {
            method: Method::Any,
            route: route("/api/{?}/dyn"),
            route_resolved: false,
            framework: Framework::Flask,
            registration: span(&files, USERS, "bp.add_url_rule", 0),
            handler: None,
            handler_location: None,
            router: None,
            mounts,
            auth: Auth::Unknown(
                "the route's prefix is computed at run time (`PREFIX + \"/dyn\"`), so the guards \
                 of the routers it ends up on cannot be known"
                    .to_string(),
            ),
            rate_limits: Vec::new(),
            response: None,
        },
    ];

    Fixture {
        files,
        diagnostics,
        endpoints,
    }
}

trait WithFingerprint {
    fn with_fingerprint_for_test(self, fp: &str) -> Self;
}

impl WithFingerprint for Diagnostic {
    fn with_fingerprint_for_test(mut self, fp: &str) -> Self {
        self.fingerprint = fp.to_string();
        self
    }
}

fn report(f: &Fixture) -> Report<'_> {
    Report {
        diagnostics: &f.diagnostics,
        files: &f.files,
        rules: RULES,
        tool_version: "0.1.0",
    }
}

#[test]
fn human_plain() {
    let f = fixture();
    let out = keyhole_report::human(&report(&f), false);
    assert!(!out.contains('\u{1b}'), "no ANSI escapes without colour");
    insta::assert_snapshot!(out);
}

#[test]
fn human_colour_uses_ansi_escapes() {
    let f = fixture();
    let out = keyhole_report::human(&report(&f), true);
    assert!(out.contains("\u{1b}["));
    assert!(out.contains("missing-auth"));
}

#[test]
fn concise() {
    let f = fixture();
    insta::assert_snapshot!(keyhole_report::concise(&report(&f)));
}

#[test]
fn github() {
    let f = fixture();
    insta::assert_snapshot!(keyhole_report::github(&report(&f)));
}

#[test]
fn json() {
    let f = fixture();
    let out = keyhole_report::json(&report(&f));
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["version"], 1);
    insta::assert_snapshot!(out);
}

#[test]
fn sarif() {
    let f = fixture();
    insta::assert_snapshot!(keyhole_report::sarif(&report(&f)));
}

#[test]
fn summary_lines() {
    let f = fixture();
    let r = report(&f);
    assert_eq!(
        keyhole_report::summary_line(&r),
        "Found 3 findings (1 error, 1 warning, 1 info) in 2 files."
    );
    let errors_only = Report {
        diagnostics: &f.diagnostics[1..2],
        ..r
    };
    assert_eq!(
        keyhole_report::summary_line(&errors_only),
        "Found 1 finding (1 error) in 1 file."
    );
    let none = Report {
        diagnostics: &[],
        ..r
    };
    assert_eq!(keyhole_report::summary_line(&none), "No findings.");
}

#[test]
fn empty_report_renders_nothing_but_valid_documents() {
    let f = fixture();
    let r = Report {
        diagnostics: &[],
        ..report(&f)
    };
    assert_eq!(keyhole_report::human(&r, false), "");
    assert_eq!(keyhole_report::concise(&r), "");
    assert_eq!(keyhole_report::github(&r), "");
    let json: serde_json::Value = serde_json::from_str(&keyhole_report::json(&r)).unwrap();
    assert_eq!(json["diagnostics"], serde_json::json!([]));
    let sarif: serde_json::Value = serde_json::from_str(&keyhole_report::sarif(&r)).unwrap();
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn unknown_file_does_not_panic() {
    let f = fixture();
    let stray = Diagnostic::new(
        "internal-error",
        Severity::Error,
        "analysis of this file panicked",
        Label::new(Span::new(FileId(99), 5, 10), "here"),
    )
    .with_secondary(Label::new(Span::new(FileId(42), 0, 1), "elsewhere"))
    .with_note("this is a bug in keyhole");
    // A span past the end of a known file is clamped.
    let past_end = Diagnostic::new(
        "missing-auth",
        Severity::Error,
        "stale span",
        Label::new(Span::new(APP, 10_000, 20_000), "gone"),
    );
    let diagnostics = vec![stray, past_end];
    let r = Report {
        diagnostics: &diagnostics,
        ..report(&f)
    };
    insta::assert_snapshot!(keyhole_report::human(&r, false));
    assert!(keyhole_report::concise(&r).starts_with("<unknown>:1:1: error[internal-error]"));
    let sarif: serde_json::Value = serde_json::from_str(&keyhole_report::sarif(&r)).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.last().unwrap()["id"], "internal-error");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleIndex"], 3);
}

/// Structural checks a SARIF consumer relies on.
#[test]
fn sarif_structure() {
    let f = fixture();
    let sarif: serde_json::Value =
        serde_json::from_str(&keyhole_report::sarif(&report(&f))).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["tool"]["driver"]["name"], "keyhole");
    assert_eq!(run["tool"]["driver"]["version"], "0.1.0");

    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<HashSet<_>>().len(),
        "rule ids unique"
    );
    for (rule, meta) in rules.iter().zip(RULES) {
        assert_eq!(rule["id"], meta.name);
        assert_eq!(rule["shortDescription"]["text"], meta.summary);
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
        assert!(rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&serde_json::Value::from(meta.family)));
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), f.diagnostics.len());
    for (result, d) in results.iter().zip(&f.diagnostics) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["ruleId"], d.rule);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(result["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with(&d.message));
        let locations = result["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1);
        let physical = &locations[0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &physical["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().unwrap() >= 1, "{key} is 1-based");
        }
        let related = result["relatedLocations"].as_array().map_or(0, Vec::len);
        assert_eq!(related, d.secondary.len());
        match d.fingerprint.as_str() {
            "" => assert!(result.get("partialFingerprints").is_none()),
            fp => assert_eq!(result["partialFingerprints"]["keyhole/v1"], fp),
        }
        match &d.endpoint {
            Some(e) => {
                assert_eq!(result["properties"]["method"], e.method.as_str());
                assert_eq!(result["properties"]["route"], e.route.as_str());
            }
            None => assert!(result.get("properties").is_none()),
        }
    }
}

#[test]
fn inventory_table() {
    let f = fixture();
    insta::assert_snapshot!(keyhole_report::inventory_table(&f.endpoints, &f.files));
}

#[test]
fn inventory_table_empty_has_header() {
    let f = fixture();
    assert_eq!(
        keyhole_report::inventory_table(&[], &f.files),
        "METHOD  ROUTE  AUTH  FRAMEWORK  LOCATION  REASON\n"
    );
}

#[test]
fn inventory_json() {
    let f = fixture();
    let out = keyhole_report::inventory_json(&f.endpoints, &f.files, &[]);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["version"], 1);
    insta::assert_snapshot!(out);
}
