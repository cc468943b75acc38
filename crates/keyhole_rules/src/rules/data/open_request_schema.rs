use std::collections::HashSet;

use keyhole_core::{Diagnostic, Label, Project, Severity};
use keyhole_openapi::schema::visit;
use keyhole_openapi::tree::Value;
use keyhole_openapi::Spec;

use crate::spec_util::{is_write, what, with_endpoint};
use crate::{declare_rule, Rule};

declare_rule! {
    /// A writable request body whose object schema explicitly accepts properties it does not declare.
    ///
    /// ## What it does
    /// For `POST`, `PUT` and `PATCH` request bodies, walks the schemas and reports object
    /// schemas that declare `properties` and also `additionalProperties: true` (or `{}`):
    /// a model that takes any extra field a client sends. Schemas that say nothing about
    /// additional properties are not reported (almost every spec omits it), nor are maps
    /// (`additionalProperties` without `properties`).
    ///
    /// ## Why is this bad?
    /// Servers that bind request bodies onto models write whatever arrives: `is_admin`,
    /// `owner_id`, `balance`. Accepting undeclared properties invites mass assignment
    /// (OWASP API3).
    ///
    /// ## Example
    /// ```yaml
    /// UserUpdate:
    ///   type: object
    ///   properties: {name: {type: string}}
    ///   additionalProperties: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///   additionalProperties: false
    /// ```
    pub struct OpenRequestSchema {
        name: "open-request-schema",
        family: "data",
        severity: Warning,
        evidence: "spec",
        summary: "A writable request body whose object schema explicitly accepts properties it does not declare.",
    }
}

impl Rule for OpenRequestSchema {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}

    fn check_spec(&self, spec: &Spec, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::new();
        for op in spec
            .operations
            .iter()
            .filter(|op| is_write(op) && op.method != "delete")
        {
            for body in &op.request {
                visit(spec, body.schema, Self::META.name, |schema, path| {
                    if spec.get(schema, "properties").is_none() {
                        return;
                    }
                    let Some((key_span, extra)) = spec.entry(schema, "additionalProperties") else {
                        return;
                    };
                    let extra = spec.resolve(extra);
                    let open = match spec.value(extra) {
                        Some(Value::Bool(true)) => true,
                        Some(Value::Map(entries)) => entries.is_empty(),
                        _ => false,
                    };
                    if !open || !seen.insert(key_span) {
                        return;
                    }
                    let at = if path.is_empty() {
                        "the request body".to_string()
                    } else {
                        format!("`{path}`")
                    };
                    let d = Diagnostic::new(
                        Self::META.name,
                        Severity::Warning,
                        format!("`{}` accepts undeclared properties in {at}", what(op)),
                        Label::new(key_span, "any extra property is accepted"),
                    )
                    .with_secondary(Label::new(op.key_span, "writes through this operation"))
                    .with_note("servers that bind bodies onto models will write whatever a client adds (mass assignment)")
                    .with_help("set `additionalProperties: false` and declare every writable property");
                    out.push(with_endpoint(d, op));
                });
            }
        }
    }
}
