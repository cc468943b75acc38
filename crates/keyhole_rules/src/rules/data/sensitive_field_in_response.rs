use std::collections::HashMap;

use keyhole_core::sensitive::SensitiveKind;
use keyhole_core::vocabulary::Vocabulary;
use keyhole_core::{Diagnostic, Label, Project, Severity, Span};
use keyhole_openapi::schema::{fields, has_type};
use keyhole_openapi::Spec;

use crate::spec_util::{authenticates, what, with_endpoint};
use crate::{declare_rule, Rule};

declare_rule! {
    /// A response schema that exposes a password, hash, secret, token, API key, card number or national ID.
    ///
    /// ## What it does
    /// Walks the schemas of every successful (2xx) response — through `$ref`,
    /// `allOf`/`oneOf`/`anyOf`, `items` and nested objects — and reports properties whose
    /// names say they hold a credential or regulated personal data. Properties marked
    /// `writeOnly: true` and booleans are skipped, as are operations that exist to hand out
    /// credentials (login, token). Names *about* a secret (`password_reset_url`,
    /// `token_type`, `has_password`) are not reported. A property defined once and
    /// returned by many operations is reported once, at its definition.
    ///
    /// ## Why is this bad?
    /// Whatever the spec says a response contains, the server serialises. Password hashes
    /// and tokens in responses turn any read access into an account takeover.
    ///
    /// ## Example
    /// ```yaml
    /// User:
    ///   properties:
    ///     email: {type: string}
    ///     password_hash: {type: string}
    /// ```
    ///
    /// ## Use instead
    /// Use a separate response model without the field, or mark input-only fields
    /// `writeOnly: true`.
    pub struct SensitiveFieldInResponse {
        name: "sensitive-field-in-response",
        family: "data",
        severity: Error,
        evidence: "spec",
        summary: "A response schema that exposes a password, hash, secret, token, API key, card number or national ID.",
    }
}

impl Rule for SensitiveFieldInResponse {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}

    fn check_spec(&self, spec: &Spec, out: &mut Vec<Diagnostic>) {
        self.check_spec_in(spec, &Vocabulary::default(), out);
    }

    fn check_spec_in(&self, spec: &Spec, vocabulary: &Vocabulary, out: &mut Vec<Diagnostic>) {
        // field span → (kind, path, first operation, response span, how many operations)
        let mut found: HashMap<Span, (SensitiveKind, String, usize, Span, usize)> = HashMap::new();
        let mut order = Vec::new();
        for (i, op) in spec.operations.iter().enumerate() {
            if authenticates(op).is_some() {
                continue;
            }
            for response in op.responses.iter().filter(|r| r.status.starts_with('2')) {
                for schema in &response.schemas {
                    for field in fields(spec, *schema, Self::META.name) {
                        let Some(kind) = vocabulary.classify_sensitive(&field.name) else {
                            continue;
                        };
                        if spec.get_bool(field.schema, "writeOnly") == Some(true)
                            || has_type(spec, field.schema, "boolean")
                            || (kind.is_credential()
                                && (has_type(spec, field.schema, "integer")
                                    || has_type(spec, field.schema, "object")))
                        {
                            continue;
                        }
                        let entry = found.entry(field.key_span).or_insert_with(|| {
                            order.push(field.key_span);
                            (kind, field.path.clone(), i, response.key_span, 0)
                        });
                        entry.4 += 1;
                    }
                }
            }
        }
        for span in order {
            let Some((kind, path, i, response_span, count)) = found.get(&span) else {
                continue;
            };
            let Some(op) = spec.operations.get(*i) else {
                continue;
            };
            let severity = match kind {
                SensitiveKind::Token | SensitiveKind::ApiKey | SensitiveKind::Secret => {
                    Severity::Warning
                }
                _ => Severity::Error,
            };
            let mut d = Diagnostic::new(
                Self::META.name,
                severity,
                format!("`{}` returns `{path}`, {}", what(op), kind.describe()),
                Label::new(span, format!("{} in a response", kind.describe())),
            )
            .with_secondary(Label::new(*response_span, "returned in this response"))
            .with_note("whatever the spec says a response contains, the server serialises; anyone who can read this response gets the value");
            if *count > 1 {
                d = d.with_note(format!("{} responses return this field", count));
            }
            d = d.with_help("return a model without the field, or mark it `writeOnly: true` if it is input only");
            out.push(with_endpoint(d, op));
        }
    }
}
