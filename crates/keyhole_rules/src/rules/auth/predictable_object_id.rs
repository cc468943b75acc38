use keyhole_core::{Diagnostic, Label, Project, Severity};
use keyhole_openapi::schema::has_type;
use keyhole_openapi::Spec;

use crate::spec_util::{uses_auth, what, with_endpoint};
use crate::{declare_rule, Rule};

declare_rule! {
    /// An unauthenticated operation that looks objects up by a sequential integer id.
    ///
    /// ## What it does
    /// In specs that use authentication, reports operations that declare no security
    /// (neither their own nor a global default) and take an integer path parameter named
    /// like an identifier (`id`, `userId`, `order_id`).
    ///
    /// ## Why is this bad?
    /// Sequential integers are trivial to enumerate: without authentication, anyone can
    /// walk `/orders/1`, `/orders/2`, … and read every object (OWASP API1, BOLA).
    ///
    /// ## Example
    /// ```yaml
    /// /orders/{orderId}:
    ///   get:
    ///     parameters: [{name: orderId, in: path, schema: {type: integer}}]
    /// ```
    ///
    /// ## Use instead
    /// Require authentication and check ownership; expose random identifiers (UUIDs).
    pub struct PredictableObjectId {
        name: "predictable-object-id",
        family: "auth",
        severity: Warning,
        evidence: "spec",
        summary: "An unauthenticated operation that looks objects up by a sequential integer id.",
    }
}

fn is_id(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with("-id")
        || name.ends_with("Id")
        || name.ends_with("ID")
}

impl Rule for PredictableObjectId {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}

    fn check_spec(&self, spec: &Spec, out: &mut Vec<Diagnostic>) {
        if !uses_auth(spec) {
            return;
        }
        for op in &spec.operations {
            if spec.effective_security(op).is_some() {
                continue;
            }
            let Some(p) = op.parameters.iter().find(|p| {
                p.location == "path"
                    && is_id(&p.name)
                    && p.schema.is_some_and(|s| has_type(spec, s, "integer"))
            }) else {
                continue;
            };
            let d = Diagnostic::new(
                Self::META.name,
                Severity::Warning,
                format!(
                    "`{}` looks objects up by integer `{}` without authentication",
                    what(op),
                    p.name
                ),
                Label::new(p.name_span, "a sequential integer id"),
            )
            .with_secondary(Label::new(op.key_span, "no security on this operation"))
            .with_note("sequential ids are easy to enumerate: anyone can read every object in turn")
            .with_help(
                "require authentication and check ownership; prefer random identifiers (UUIDs)",
            );
            out.push(with_endpoint(d, op));
        }
    }
}
