//! Helpers shared by the spec rules.

use keyhole_core::vocabulary::Vocabulary;
use keyhole_core::{Diagnostic, Method, RouteTemplate};
use keyhole_openapi::{Operation, Spec};

/// `GET /users/{id}`.
pub fn what(op: &Operation) -> String {
    format!("{} {}", op.method.to_ascii_uppercase(), op.path)
}

pub fn route(op: &Operation) -> RouteTemplate {
    RouteTemplate::parse(&op.path, keyhole_core::route::ParamSyntax::Braces)
}

/// Attach the endpoint the finding is about, where the method is one keyhole models.
pub fn with_endpoint(d: Diagnostic, op: &Operation) -> Diagnostic {
    match Method::parse(&op.method) {
        Some(m) => d.with_endpoint(m, route(op)),
        None => d,
    }
}

pub fn is_write(op: &Operation) -> bool {
    matches!(op.method.as_str(), "post" | "put" | "patch" | "delete")
}

/// Whether the operation exists to authenticate (login, token, signup, password reset).
pub fn authenticates(op: &Operation) -> Option<String> {
    Vocabulary::default().authentication_purpose(&route(op), op.operation_id.as_deref())
}

/// Whether the spec declares at least one security scheme or requirement.
pub fn uses_auth(spec: &Spec) -> bool {
    !spec.schemes.is_empty() || spec.global_security.is_some()
}

/// Whether the operation's effective security requires credentials.
pub fn guarded(spec: &Spec, op: &Operation) -> bool {
    spec.effective_security(op)
        .is_some_and(|s| !s.is_public() && !s.is_optional())
}
