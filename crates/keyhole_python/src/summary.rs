//! Function summaries: the dependencies a function declares and whether it denies a request
//! (401/403), so that a guard can be followed from the route to what actually checks.

use keyhole_core::facts::{DependencyRef, FunctionSummary};
use keyhole_core::SourceFile;
use tree_sitter::Node;

use crate::syntax::{symbol_path, text, walk_bounded, Args, Walk};

/// Bound on nodes visited per function body, so a generated megafunction stays cheap.
const BODY_NODE_LIMIT: usize = 50_000;

/// Names that deny a request when raised or called.
const DENY_NAMES: &[&str] = &[
    "Unauthorized",
    "Forbidden",
    "NotAuthenticated",
    "PermissionDenied",
    "AuthenticationFailed",
    "HTTPUnauthorized",
    "HTTPForbidden",
    "Unauthenticated",
    "unauthorized",
    "forbidden",
    "NoAuthorizationError",
];

/// Names whose presence means the function looks at who is calling.
const CHECK_WORDS: &[&str] = &[
    "current_user",
    "is_authenticated",
    "is_anonymous",
    "verify_jwt_in_request",
    "get_jwt_identity",
    "authorization",
    "Authorization",
    "token",
    "session",
    "api_key",
];

pub fn summarise(function: Node<'_>, file: &SourceFile, src: &str) -> FunctionSummary {
    let mut summary = FunctionSummary {
        dependencies: dependencies_of(function, file, src),
        ..FunctionSummary::default()
    };
    let Some(body) = function.child_by_field_name("body") else {
        return summary;
    };
    walk_bounded(body, BODY_NODE_LIMIT, |node| {
        if summary.denies.is_none() && denies(node, src) {
            summary.denies = Some(file.span(node.start_byte(), node.end_byte()));
        }
        if summary.checks.is_none() && matches!(node.kind(), "identifier" | "attribute") {
            let t = text(node, src);
            if CHECK_WORDS.iter().any(|w| t.contains(w)) {
                summary.checks = Some(file.span(node.start_byte(), node.end_byte()));
            }
        }
        if summary.denies.is_some() && summary.checks.is_some() {
            Walk::SkipChildren
        } else {
            Walk::Continue
        }
    });
    summary
}

fn denies(node: Node<'_>, src: &str) -> bool {
    match node.kind() {
        "integer" => {
            let t = text(node, src);
            (t == "401" || t == "403")
                && node.parent().is_some_and(|p| {
                    matches!(
                        p.kind(),
                        "argument_list" | "keyword_argument" | "expression_list" | "tuple"
                    )
                })
        }
        "identifier" => {
            let t = text(node, src);
            DENY_NAMES.contains(&t) || t.contains("HTTP_401") || t.contains("HTTP_403")
        }
        "call" => {
            // `redirect(url_for("auth.login"))`: the Flask way to turn away an anonymous user.
            let Some(callee) = node.child_by_field_name("function") else {
                return false;
            };
            let name = text(callee, src);
            (name == "redirect" || name.ends_with(".redirect"))
                && node
                    .child_by_field_name("arguments")
                    .is_some_and(|a| text(a, src).contains("login"))
        }
        _ => false,
    }
}

/// The dependencies declared in a function's parameters.
pub fn dependencies_of(function: Node<'_>, file: &SourceFile, src: &str) -> Vec<DependencyRef> {
    let mut deps = Vec::new();
    let Some(params) = function.child_by_field_name("parameters") else {
        return deps;
    };
    let mut cursor = params.walk();
    for param in params.named_children(&mut cursor) {
        if let Some(ty) = param.child_by_field_name("type") {
            let expr = if ty.kind() == "type" {
                ty.named_child(0)
            } else {
                Some(ty)
            };
            if let Some(expr) = expr {
                match expr.kind() {
                    "subscript" | "generic_type" => {
                        deps.extend(annotated_dependencies(expr, file, src));
                    }
                    "identifier" | "attribute" => {
                        if let Some(target) = symbol_path(expr, src) {
                            deps.push(DependencyRef {
                                target,
                                optional: false,
                                via_alias: true,
                                span: file.span(expr.start_byte(), expr.end_byte()),
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(value) = param.child_by_field_name("value") {
            if let Some(dep) = dependency_call(value, file, src) {
                deps.push(dep);
            }
        }
    }
    deps
}

/// `Depends(x)` / `Security(x, scopes=[…])` / `fastapi.Depends(x)`.
pub fn dependency_call(node: Node<'_>, file: &SourceFile, src: &str) -> Option<DependencyRef> {
    if node.kind() != "call" {
        return None;
    }
    let callee = symbol_path(node.child_by_field_name("function")?, src)?;
    if !matches!(callee.last()?.as_str(), "Depends" | "Security") {
        return None;
    }
    let args = Args::of(node.child_by_field_name("arguments")?, src);
    let target = args
        .positional
        .first()
        .copied()
        .or_else(|| args.keyword("dependency"))?;
    // `Depends(get_user())`-style factories: the callee is the dependency's origin.
    let target = if target.kind() == "call" {
        target.child_by_field_name("function")?
    } else {
        target
    };
    Some(DependencyRef {
        target: symbol_path(target, src)?,
        optional: false,
        via_alias: false,
        span: file.span(node.start_byte(), node.end_byte()),
    })
}

/// The `Depends(…)` inside `Annotated[T, Depends(…)]` (also `Optional[Annotated[…]]`).
pub fn annotated_dependencies(node: Node<'_>, file: &SourceFile, src: &str) -> Vec<DependencyRef> {
    let mut deps = Vec::new();
    walk_bounded(node, 2_000, |n| {
        if let Some(dep) = dependency_call(n, file, src) {
            deps.push(dep);
            return Walk::SkipChildren;
        }
        Walk::Continue
    });
    if deps.is_empty() {
        return deps;
    }
    // Only inside `Annotated[…]`: a bare subscript elsewhere is not a dependency.
    let t = text(node, src);
    if !t.contains("Annotated") {
        return Vec::new();
    }
    deps
}
