use std::collections::HashSet;

use keyhole_core::sensitive::classify;
use keyhole_core::{Diagnostic, Label, Project, Severity};
use keyhole_openapi::Spec;

use crate::spec_util::{what, with_endpoint};
use crate::{declare_rule, Rule};

declare_rule! {
    /// A query or path parameter that carries a credential: a password, token, secret or API key in the URL.
    ///
    /// ## What it does
    /// Reports `in: query` and `in: path` parameters whose names say they hold a credential
    /// (`password`, `access_token`, `api_key`, `client_secret`), using the same name
    /// classifier as the data rules — so `token_type`, `next_page_token` or
    /// `password_reset_url` are not reported.
    ///
    /// ## Why is this bad?
    /// URLs are logged by servers, proxies and CDNs, kept in browser history and sent in
    /// `Referer` headers. A credential there leaks to everyone who can read those.
    ///
    /// ## Example
    /// ```yaml
    /// parameters:
    ///   - {name: access_token, in: query, schema: {type: string}}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// security: [{bearerAuth: []}]   # Authorization header
    /// ```
    pub struct CredentialInUrl {
        name: "credential-in-url",
        family: "auth",
        severity: Warning,
        evidence: "spec",
        summary: "A query or path parameter that carries a credential: a password, token, secret or API key in the URL.",
    }
}

impl Rule for CredentialInUrl {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}

    fn check_spec(&self, spec: &Spec, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::new();
        for op in &spec.operations {
            for p in &op.parameters {
                if p.location != "query" && p.location != "path" {
                    continue;
                }
                let Some(kind) = classify(&p.name).filter(|k| k.is_credential()) else {
                    continue;
                };
                if !seen.insert(p.name_span) {
                    continue;
                }
                let d = Diagnostic::new(
                    Self::META.name,
                    Severity::Warning,
                    format!(
                        "`{}` takes {} in the URL (`{}` {} parameter)",
                        what(op),
                        kind.describe(),
                        p.name,
                        p.location
                    ),
                    Label::new(p.name_span, format!("{} in the {}", kind.describe(), p.location)),
                )
                .with_note("URLs are written to access logs, proxies and browser history, and sent in `Referer` headers")
                .with_help("send credentials in a header (`Authorization`) or the request body");
                out.push(with_endpoint(d, op));
            }
        }
    }
}
