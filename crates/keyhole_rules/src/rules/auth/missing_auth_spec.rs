use keyhole_core::{Diagnostic, Label, Project, Severity};
use keyhole_openapi::Spec;

use crate::spec_util::{authenticates, guarded, is_write, what, with_endpoint};
use crate::{declare_rule, Rule};

declare_rule! {
    /// A spec operation that declares no security while other operations of the same spec do.
    ///
    /// ## What it does
    /// Computes each operation's effective security — its own `security`, else the
    /// document's global `security` — and reports operations left with none in a spec whose
    /// other operations require credentials. `security: []` says "public on purpose" and is
    /// shown as `auth=public` in the inventory, not reported; a `{}` alternative makes
    /// authentication optional. Operations that exist to authenticate (login, token,
    /// signup, password reset) are not reported. Writes are errors, reads warnings.
    ///
    /// ## Why is this bad?
    /// Clients, gateways and generated servers take the spec at its word: an operation
    /// without `security` is documented, and often deployed, as open to anyone.
    ///
    /// ## Example
    /// ```yaml
    /// paths:
    ///   /users/{id}:
    ///     get:
    ///       security: [{bearerAuth: []}]
    ///     delete: {}        # no security
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// security: [{bearerAuth: []}]   # global default
    /// paths:
    ///   /status:
    ///     get:
    ///       security: []             # public on purpose
    /// ```
    pub struct MissingAuthSpec {
        name: "missing-auth-spec",
        family: "auth",
        severity: Error,
        evidence: "spec",
        summary: "A spec operation that declares no security while other operations of the same spec do.",
    }
}

impl Rule for MissingAuthSpec {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}

    fn check_spec(&self, spec: &Spec, out: &mut Vec<Diagnostic>) {
        let Some(example) = spec.operations.iter().find(|op| guarded(spec, op)) else {
            return;
        };
        let example_span = spec
            .effective_security(example)
            .map(|s| s.key_span)
            .unwrap_or(example.key_span);
        for op in &spec.operations {
            if spec.effective_security(op).is_some() || authenticates(op).is_some() {
                continue;
            }
            if crate::rules::auth::admin_route_weak_auth::admin_segment(&op.path).is_some() {
                continue; // reported by admin-route-weak-auth
            }
            let severity = if is_write(op) {
                Severity::Error
            } else {
                Severity::Warning
            };
            let d = Diagnostic::new(
                Self::META.name,
                severity,
                format!("`{}` declares no security", what(op)),
                Label::new(op.key_span, "no `security` here, and no global default"),
            )
            .with_secondary(Label::new(
                example_span,
                format!("`{}` requires credentials", what(example)),
            ))
            .with_note("the spec documents this operation as open to anyone; gateways and generated servers follow it")
            .with_help("add `security` to the operation (or a global `security` default); if it is public on purpose, write `security: []`");
            out.push(with_endpoint(d, op));
        }
    }
}
