use keyhole_core::{Diagnostic, Label, Project, Severity, Span};
use keyhole_openapi::schema::{fields, types};
use keyhole_openapi::{NodeRef, Spec};

use crate::spec_util::{what, with_endpoint};
use crate::{declare_rule, Rule};

declare_rule! {
    /// Request input without size bounds: strings without `maxLength`, arrays without `maxItems`, numbers without `maximum`.
    ///
    /// ## What it does
    /// For each operation, collects the query, path, header and cookie parameters and the
    /// request-body properties (through `$ref`, `allOf` and nesting) that are strings with
    /// no `maxLength` (and no `enum`, `const`, `pattern` or bounded `format`), arrays with no
    /// `maxItems`, or integers and numbers with no `maximum`. It reports **one finding per
    /// operation**, listing the fields.
    ///
    /// ## Why is this bad?
    /// What the spec does not bound, validators generated from it do not bound either:
    /// megabyte strings, million-item arrays and huge page sizes reach the database and the
    /// memory allocator (OWASP API4, unrestricted resource consumption).
    ///
    /// ## Example
    /// ```yaml
    /// name: {type: string}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// name: {type: string, maxLength: 200}
    /// ```
    pub struct UnboundedInput {
        name: "unbounded-input",
        family: "data",
        severity: Info,
        evidence: "spec",
        summary: "Request input without size bounds: strings without `maxLength`, arrays without `maxItems`, numbers without `maximum`.",
    }
}

const BOUNDED_FORMATS: &[&str] = &[
    "uuid",
    "date",
    "date-time",
    "time",
    "email",
    "ipv4",
    "ipv6",
    "int32",
    "int64",
    "byte",
    "binary",
    "uri",
    "url",
    "hostname",
    "duration",
    "float",
    "double",
    "int8",
    "int16",
    "uint8",
    "uint32",
];

/// Why a schema is unbounded, if it is.
fn unbounded(spec: &Spec, schema: NodeRef) -> Option<&'static str> {
    let has = |k: &str| spec.get(schema, k).is_some();
    if has("enum") || has("const") || has("$ref") {
        return None;
    }
    let types = types(spec, schema);
    let is = |t: &str| types.iter().any(|x| x == t);
    if is("string") {
        let bounded_format = spec
            .get_str(schema, "format")
            .is_some_and(|f| BOUNDED_FORMATS.contains(&f));
        if !has("maxLength") && !has("pattern") && !bounded_format {
            return Some("string without `maxLength`");
        }
    } else if is("array") {
        if !has("maxItems") {
            return Some("array without `maxItems`");
        }
    } else if (is("integer") || is("number")) && !has("maximum") && !has("exclusiveMaximum") {
        return Some("number without `maximum`");
    }
    None
}

impl Rule for UnboundedInput {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}

    fn check_spec(&self, spec: &Spec, out: &mut Vec<Diagnostic>) {
        for op in &spec.operations {
            let mut found: Vec<(String, Span, &'static str)> = Vec::new();
            for p in &op.parameters {
                let Some(schema) = p.schema else { continue };
                if let Some(why) = unbounded(spec, schema) {
                    found.push((p.name.clone(), p.name_span, why));
                }
            }
            for body in &op.request {
                if let Some(why) = unbounded(spec, body.schema) {
                    found.push(("(body)".into(), spec.span(body.schema), why));
                }
                for field in fields(spec, body.schema, Self::META.name) {
                    if spec.get_bool(field.schema, "readOnly") == Some(true) {
                        continue;
                    }
                    if let Some(why) = unbounded(spec, field.schema) {
                        found.push((field.path, field.key_span, why));
                    }
                }
            }
            found.sort_by(|a, b| a.0.cmp(&b.0));
            found.dedup_by(|a, b| a.0 == b.0);
            if found.is_empty() {
                continue;
            }
            let names: Vec<String> = found
                .iter()
                .take(8)
                .map(|(n, _, _)| format!("`{n}`"))
                .collect();
            let more = if found.len() > 8 {
                format!(" and {} more", found.len() - 8)
            } else {
                String::new()
            };
            let mut d = Diagnostic::new(
                Self::META.name,
                Severity::Info,
                format!(
                    "`{}` accepts unbounded input: {}{more}",
                    what(op),
                    names.join(", ")
                ),
                Label::new(
                    op.key_span,
                    format!("{} unbounded input fields", found.len()),
                ),
            );
            for (name, span, why) in found.iter().take(3) {
                d = d.with_secondary(Label::new(*span, format!("`{name}`: {why}")));
            }
            d = d
                .with_note("validators generated from the spec enforce only the bounds it declares")
                .with_help("add `maxLength`, `maxItems` and `maximum` (or an `enum`/`format`) to each field");
            out.push(with_endpoint(d, op));
        }
    }
}
