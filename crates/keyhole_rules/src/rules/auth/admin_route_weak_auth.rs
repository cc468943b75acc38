use keyhole_core::{Diagnostic, Label, Project, Severity};
use keyhole_openapi::Spec;

use crate::spec_util::{uses_auth, what, with_endpoint};
use crate::{declare_rule, Rule};

declare_rule! {
    /// An admin or internal operation guarded by nothing more than the public ones.
    ///
    /// ## What it does
    /// Reports operations under an administrative path segment (`admin`, `internal`,
    /// `management`, `superuser`, `staff`) that are open (no security, `security: []`, or
    /// an optional `{}` alternative) in a spec that uses authentication, or that ask for no
    /// OAuth scope while other operations of the spec do.
    ///
    /// ## Why is this bad?
    /// Administrative operations change other users' data and the service's configuration.
    /// If they accept any caller, or any logged-in user, privilege escalation is one
    /// request away (OWASP API5, broken function-level authorization).
    ///
    /// ## Example
    /// ```yaml
    /// /admin/users/{id}:
    ///   delete:
    ///     security: []
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// /admin/users/{id}:
    ///   delete:
    ///     security: [{oauth: [admin]}]
    /// ```
    pub struct AdminRouteWeakAuth {
        name: "admin-route-weak-auth",
        family: "auth",
        severity: Error,
        evidence: "spec",
        summary: "An admin or internal operation guarded by nothing more than the public ones.",
    }
}

/// The administrative segment of a path, if any.
pub fn admin_segment(path: &str) -> Option<&str> {
    path.split('/').find(|s| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "admin" | "admins" | "internal" | "management" | "superuser" | "staff" | "_admin"
        )
    })
}

impl Rule for AdminRouteWeakAuth {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}

    fn check_spec(&self, spec: &Spec, out: &mut Vec<Diagnostic>) {
        if !uses_auth(spec) {
            return;
        }
        let scoped = |op: &keyhole_openapi::Operation| {
            spec.effective_security(op).is_some_and(|s| {
                s.requirements
                    .iter()
                    .flatten()
                    .any(|name| has_scopes(spec, s.node, name))
            })
        };
        let scopes_elsewhere = spec
            .operations
            .iter()
            .find(|op| admin_segment(&op.path).is_none() && scoped(op));
        for op in &spec.operations {
            let Some(segment) = admin_segment(&op.path) else {
                continue;
            };
            let security = spec.effective_security(op);
            let (label, why) = match security {
                None => (
                    "no security here, and no global default",
                    "declares no security",
                ),
                Some(s) if s.is_public() => ("`security: []`", "is marked public"),
                Some(s) if s.is_optional() => (
                    "`{}` makes authentication optional",
                    "accepts anonymous callers",
                ),
                Some(_) => match scopes_elsewhere {
                    Some(_) if !scoped(op) => (
                        "no scope required",
                        "requires no scope although other operations do",
                    ),
                    _ => continue,
                },
            };
            let span = match security {
                Some(s) if !s.is_public() && !s.is_optional() => s.key_span,
                Some(s) => s.key_span,
                None => op.key_span,
            };
            let mut d = Diagnostic::new(
                Self::META.name,
                Severity::Error,
                format!("administrative operation `{}` {why}", what(op)),
                Label::new(span, label),
            )
            .with_note(format!("`/{segment}` operations act on other users and the service itself; they need more than any caller, or any logged-in user"))
            .with_help("require credentials and an admin-only scope or role for this operation");
            if span != op.key_span {
                d = d.with_secondary(Label::new(op.key_span, "this operation"));
            }
            if let (Some(other), true) = (scopes_elsewhere, security.is_some()) {
                if let Some(s) = spec.effective_security(other) {
                    d = d.with_secondary(Label::new(
                        s.key_span,
                        format!("`{}` requires scopes", what(other)),
                    ));
                }
            }
            out.push(with_endpoint(d, op));
        }
    }
}

/// Whether a requirement names scopes for `scheme` (`{oauth: [admin]}`).
fn has_scopes(spec: &Spec, security: keyhole_openapi::NodeRef, scheme: &str) -> bool {
    spec.items(security).into_iter().any(|req| {
        spec.get(req, scheme)
            .is_some_and(|scopes| !spec.items(scopes).is_empty())
    })
}
