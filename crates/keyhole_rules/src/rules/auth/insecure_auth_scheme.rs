use keyhole_core::{Diagnostic, Label, Project, Severity};
use keyhole_openapi::{SchemeKind, Spec};

use crate::{declare_rule, Rule};

declare_rule! {
    /// A security scheme that exposes credentials by design: HTTP basic, OAuth 2 implicit or password flows, API keys in the query string.
    ///
    /// ## What it does
    /// Reports security schemes (`components.securitySchemes`, or 2.0
    /// `securityDefinitions`) of type HTTP `basic`, OAuth 2 flows `implicit` and `password`,
    /// and `apiKey` schemes sent `in: query`.
    ///
    /// ## Why is this bad?
    /// Basic auth sends the user's password with every request. The implicit flow returns
    /// tokens in the URL fragment and the password flow hands the user's password to the
    /// client; OAuth 2.0 Security Best Current Practice forbids both. Keys in query strings
    /// end up in server logs, proxies and browser history.
    ///
    /// ## Example
    /// ```yaml
    /// securitySchemes:
    ///   key: {type: apiKey, in: query, name: api_key}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securitySchemes:
    ///   key: {type: apiKey, in: header, name: X-API-Key}
    /// ```
    pub struct InsecureAuthScheme {
        name: "insecure-auth-scheme",
        family: "auth",
        severity: Warning,
        evidence: "spec",
        summary: "A security scheme that exposes credentials by design: HTTP basic, OAuth 2 implicit or password flows, API keys in the query string.",
    }
}

impl Rule for InsecureAuthScheme {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}

    fn check_spec(&self, spec: &Spec, out: &mut Vec<Diagnostic>) {
        for scheme in &spec.schemes {
            let name = &scheme.name;
            let mut push = |span, message: String, label: &str, note: &str, help: &str| {
                out.push(
                    Diagnostic::new(
                        Self::META.name,
                        Severity::Warning,
                        message,
                        Label::new(span, label),
                    )
                    .with_note(note)
                    .with_help(help),
                );
            };
            match &scheme.kind {
                SchemeKind::Http(s) if s == "basic" => push(
                    scheme.key_span,
                    format!("security scheme `{name}` is HTTP basic authentication"),
                    "HTTP basic",
                    "basic auth sends the user's password, barely encoded, with every request",
                    "use bearer tokens (OAuth 2 authorization code with PKCE, or short-lived API tokens)",
                ),
                SchemeKind::ApiKey(location) if location == "query" => push(
                    scheme.key_span,
                    format!("security scheme `{name}` sends the API key in the query string"),
                    "API key `in: query`",
                    "query strings are written to access logs, proxies and browser history",
                    "send the key in a header (`in: header`)",
                ),
                SchemeKind::OAuth2(flows) => {
                    for (flow, span) in flows {
                        let why = match flow.as_str() {
                            "implicit" => "the implicit flow returns access tokens in the redirect URL",
                            "password" => "the password flow hands the user's password to the client",
                            _ => continue,
                        };
                        push(
                            *span,
                            format!("security scheme `{name}` offers the OAuth 2 `{flow}` flow"),
                            "deprecated OAuth 2 flow",
                            &format!("{why}; OAuth 2.0 Security Best Current Practice forbids it"),
                            "use the authorization code flow with PKCE",
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
