use keyhole_core::{Diagnostic, Label, Project, Severity};
use keyhole_openapi::{Operation, Spec};

use crate::spec_util::{authenticates, what, with_endpoint};
use crate::{declare_rule, Rule};

declare_rule! {
    /// An operation that authenticates, or creates while others declare rate limits, with no `429` response and no rate-limit headers.
    ///
    /// ## What it does
    /// Reports (as information) authentication operations (login, token, signup, password
    /// reset) that declare neither a `429` response nor rate-limit headers
    /// (`RateLimit-*`, `X-RateLimit-*`, `Retry-After`), and `POST` operations lacking both in
    /// specs where other operations declare them.
    ///
    /// ## Why is this bad?
    /// Authentication endpoints without rate limits invite credential stuffing and brute
    /// force; creation endpoints without them invite spam and resource exhaustion. A spec
    /// that documents no limit usually reflects a server that enforces none.
    ///
    /// ## Example
    /// ```yaml
    /// /login:
    ///   post:
    ///     responses: {'200': {description: ok}}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///     responses:
    ///       '200': {description: ok}
    ///       '429': {description: too many attempts}
    /// ```
    pub struct MissingRateLimit {
        name: "missing-rate-limit",
        family: "config",
        severity: Info,
        evidence: "spec",
        summary: "An operation that authenticates, or creates while others declare rate limits, with no `429` response and no rate-limit headers.",
    }
}

fn limited(op: &Operation) -> bool {
    op.responses.iter().any(|r| {
        r.status == "429"
            || r.status.eq_ignore_ascii_case("4XX")
            || r.headers.iter().any(|h| {
                let h = h.to_ascii_lowercase();
                h.contains("ratelimit") || h.contains("rate-limit") || h == "retry-after"
            })
    })
}

impl Rule for MissingRateLimit {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}

    fn check_spec(&self, spec: &Spec, out: &mut Vec<Diagnostic>) {
        let documented = spec.operations.iter().find(|op| limited(op));
        for op in &spec.operations {
            if limited(op) || op.method != "post" && op.method != "put" {
                continue;
            }
            let purpose = authenticates(op);
            let message = match (&purpose, documented) {
                (Some(p), _) => format!("`{}` ({p}) declares no rate limit", what(op)),
                (None, Some(_)) if op.method == "post" => {
                    format!("`{}` creates without a declared rate limit", what(op))
                }
                _ => continue,
            };
            let mut d = Diagnostic::new(
                Self::META.name,
                Severity::Info,
                message,
                Label::new(op.key_span, "no `429` response, no rate-limit headers"),
            );
            if let (None, Some(other)) = (&purpose, documented) {
                d = d.with_secondary(Label::new(
                    other.key_span,
                    "other operations declare rate limits",
                ));
            }
            d = d
                .with_note("without a rate limit, authentication invites brute force and creation invites spam")
                .with_help("document the limit: a `429` response with `Retry-After` or `RateLimit-*` headers");
            out.push(with_endpoint(d, op));
        }
    }
}
