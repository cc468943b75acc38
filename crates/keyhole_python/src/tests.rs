use std::path::PathBuf;
use std::sync::Arc;

use keyhole_core::facts::{FileFacts, GuardSite, GuardTarget, ImportKind, RouterKind, UseScope};
use keyhole_core::{FileId, Language, Method, SourceFile};

fn facts(src: &str) -> FileFacts {
    let file = SourceFile::new(
        FileId(0),
        "app.py".into(),
        PathBuf::from("app.py"),
        Language::Python,
        Arc::from(src),
    );
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&keyhole_lang::grammar(Language::Python))
        .unwrap();
    let tree = parser.parse(src, None).unwrap();
    let queries = keyhole_lang::query_set(Language::Python).unwrap();
    let mut cursor = tree_sitter::QueryCursor::new();
    crate::extract(&file, &tree, queries, &mut cursor)
}

fn guard_names(f: &FileFacts, route: usize) -> Vec<String> {
    f.routes[route]
        .guards
        .iter()
        .map(|g| g.target.display())
        .collect()
}

#[test]
fn flask_routes_with_methods_and_decorators() {
    let f = facts(
        r#"
from flask import Blueprint
from flask_login import login_required

PREFIX = "/admin"
bp = Blueprint("admin", __name__, url_prefix=PREFIX)

@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user(user_id):
    return "x"

@bp.get(f"{PREFIX}/stats")
def stats():
    return "x"
"#,
    );
    assert_eq!(f.routers.len(), 1);
    assert_eq!(f.routers[0].kind, RouterKind::Router);
    assert_eq!(
        f.routers[0].prefix.as_ref().unwrap().value.as_deref(),
        Some("/admin")
    );
    assert_eq!(f.routes.len(), 2);
    assert_eq!(f.routes[0].methods, vec![Method::Get, Method::Post]);
    assert_eq!(
        f.routes[0].path.value.as_deref(),
        Some("/users/<int:user_id>")
    );
    assert_eq!(guard_names(&f, 0), ["login_required"]);
    assert_eq!(f.routes[1].path.value.as_deref(), Some("/admin/stats"));
    assert!(f.routes[1].guards.is_empty());
    assert_eq!(
        f.imports[1].kind,
        ImportKind::Named("login_required".into())
    );
}

#[test]
fn fastapi_dependencies_in_all_their_forms() {
    let f = facts(
        r#"
from typing import Annotated
from fastapi import APIRouter, Depends, Security
from .deps import get_current_user, get_db

CurrentUser = Annotated[User, Depends(get_current_user)]
router = APIRouter(prefix="/items", dependencies=[Depends(verify_key)])

@router.post("/", dependencies=[Depends(audit)])
async def create(item: Item, user: CurrentUser, db=Depends(get_db), s: Annotated[str, Security(scoped, scopes=["x"])] = None):
    ...
"#,
    );
    assert_eq!(f.aliases.len(), 1);
    assert_eq!(
        f.aliases[0].dependencies[0].target,
        vec!["get_current_user"]
    );
    assert_eq!(f.routers[0].guards.len(), 1);
    let names = guard_names(&f, 0);
    assert_eq!(names, ["audit", "Item", "CurrentUser", "get_db", "scoped"]);
    let sites: Vec<GuardSite> = f.routes[0].guards.iter().map(|g| g.site).collect();
    assert_eq!(
        sites,
        [
            GuardSite::Dependency,
            GuardSite::Annotation,
            GuardSite::Annotation,
            GuardSite::Dependency,
            GuardSite::Dependency
        ]
    );
}

#[test]
fn mounts_and_hooks() {
    let f = facts(
        r#"
app = Flask(__name__)
app.register_blueprint(admin.bp, url_prefix="/admin")
api.include_router(users_router, prefix="/users", dependencies=[Depends(auth)])

@bp.before_request
def check():
    if not current_user.is_authenticated:
        abort(401)
"#,
    );
    assert_eq!(f.uses.len(), 3);
    assert_eq!(f.uses[0].parent, vec!["app"]);
    assert_eq!(
        f.uses[0].args[0].target,
        GuardTarget::Symbol(vec!["admin".into(), "bp".into()])
    );
    assert_eq!(f.uses[1].guards.len(), 1);
    let hook = &f.uses[2];
    assert_eq!(hook.scope, UseScope::Whole);
    assert_eq!(
        hook.guards[0].target,
        GuardTarget::Symbol(vec!["check".into()])
    );
    let summary = &f
        .functions
        .iter()
        .find(|f| f.name == "check")
        .unwrap()
        .summary;
    assert!(summary.denies.is_some());
    assert!(summary.checks.is_some());
}

#[test]
fn non_routes_are_not_routes() {
    let f = facts(
        r#"
@cache.get("key")
def f():
    pass

value = requests.get("https://example.com")
"#,
    );
    assert!(f.routes.is_empty());
}

#[test]
fn syntax_errors_are_reported_once() {
    let f = facts("@app.get('/a')\ndef a(:\n    pass\n\n@app.get('/b')\ndef b():\n    pass\n");
    assert_eq!(f.problems.len(), 1);
    assert!(f
        .routes
        .iter()
        .any(|r| r.path.value.as_deref() == Some("/b")));
}

#[test]
fn fastapi_response_types_from_response_model_and_annotation() {
    let f = facts(
        r#"
from fastapi import APIRouter
router = APIRouter()

@router.get("/a", response_model=list[schemas.UserOut])
def a() -> dict:
    return {}

@router.get("/b")
def b() -> Optional[UserOut]:
    return None

@router.get("/c")
def c() -> None:
    return None
"#,
    );
    let got: Vec<(String, Option<String>)> = f
        .responses
        .iter()
        .map(|r| (r.text.clone(), r.class.as_ref().map(|c| c.join("."))))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "list[schemas.UserOut]".to_string(),
                Some("schemas.UserOut".to_string())
            ),
            ("Optional[UserOut]".to_string(), Some("UserOut".to_string())),
        ]
    );
}

#[test]
fn add_api_route_records_its_response_model() {
    let f = facts(
        r#"
from fastapi import APIRouter
router = APIRouter()

def list_users():
    return []

router.add_api_route("/users", list_users, response_model=list[UserOut])
router.add_api_route("/health", health)
"#,
    );
    assert_eq!(f.routes.len(), 2);
    assert_eq!(f.responses.len(), 1);
    let response = &f.responses[0];
    assert_eq!(response.text, "list[UserOut]");
    assert_eq!(response.class, Some(vec!["UserOut".to_string()]));
    assert_eq!(response.route, f.routes[0].span);
}

#[test]
fn connexion_apps_and_add_api() {
    let f = facts(
        r#"
import connexion
from connexion.resolver import RestyResolver

app = connexion.App(__name__, specification_dir="spec/")
app.add_api("openapi.yaml", base_path="/v1", resolver=RestyResolver("api"))
app.add_api({"openapi": "3.0.0"})
other.add_api("not-a-spec")
"#,
    );
    assert_eq!(f.spec_apps.len(), 1);
    assert_eq!(f.spec_apps[0].specification_dir.as_deref(), Some("spec/"));
    assert_eq!(
        f.spec_apis.len(),
        1,
        "a dict and a non-spec name are not joined"
    );
    let api = &f.spec_apis[0];
    assert_eq!(api.app, vec!["app".to_string()]);
    assert_eq!(api.spec.as_deref(), Some("openapi.yaml"));
    assert_eq!(
        api.base_path.as_ref().and_then(|b| b.value.as_deref()),
        Some("/v1")
    );
    assert_eq!(
        api.resolver,
        Some(("RestyResolver".to_string(), Some("api".to_string())))
    );
}

#[test]
fn route_template_reads_path_view_and_list_parameters() {
    use keyhole_core::facts::{ParamIndex, PathPiece};
    let f = facts(
        r#"
def register_view(bp_or_app, routes, view_func, *args, **kwargs):
    for route in routes:
        bp_or_app.add_url_rule(route, view_func=view_func, *args, **kwargs)

def register_api(app, model, name):
    item = ItemAPI.as_view(f"{name}-item", model)
    app.add_url_rule(f"/{name}/<int:id>", view_func=item)

def plain(app):
    app.add_url_rule("/fixed", view_func=Fixed.as_view("fixed"))

register_view(bp, routes=["/a", "/b"], view_func=View.as_view("v"))
"#,
    );
    assert_eq!(f.route_params.len(), 2);
    let looped = &f.route_params[0];
    assert_eq!(
        looped.path,
        Some(vec![PathPiece::Item(ParamIndex::Front(1))])
    );
    assert_eq!(looped.handler, Some(ParamIndex::Front(2)));
    assert_eq!(looped.formal[1].name, "routes");
    assert!(!looped.formal[3].positional);
    let api = &f.route_params[1];
    assert_eq!(
        api.path,
        Some(vec![
            PathPiece::Text("/".into()),
            PathPiece::Param(ParamIndex::Front(2)),
            PathPiece::Text("/<int:id>".into()),
        ])
    );
    assert_eq!(api.handler, None);
    // The view is written in the helper: the route carries it.
    assert_eq!(guard_names(&f, 1), vec!["ItemAPI"]);
    // `plain` has no parameter in its route: no template.
    assert_eq!(f.routes[2].path.value.as_deref(), Some("/fixed"));
}
