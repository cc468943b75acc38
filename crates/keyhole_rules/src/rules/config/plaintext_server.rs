use keyhole_core::{Diagnostic, Label, Project, Severity};
use keyhole_openapi::Spec;

use crate::{declare_rule, Rule};

declare_rule! {
    /// A server URL (or Swagger 2.0 scheme) that serves the API over plain `http://`.
    ///
    /// ## What it does
    /// Reports `servers[].url` values starting with `http://`, and `http` in a Swagger 2.0
    /// `schemes` list, except for local hosts (`localhost`, `127.0.0.1`, `[::1]`,
    /// `0.0.0.0`, `*.localhost`, `*.local`, `*.test`, `example.*`).
    ///
    /// ## Why is this bad?
    /// Credentials and data sent over plain HTTP can be read and changed by anyone on the
    /// network path.
    ///
    /// ## Example
    /// ```yaml
    /// servers:
    ///   - url: http://api.example.org/v1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// servers:
    ///   - url: https://api.example.org/v1
    /// ```
    pub struct PlaintextServer {
        name: "plaintext-server",
        family: "config",
        severity: Warning,
        evidence: "spec",
        summary: "A server URL (or Swagger 2.0 scheme) that serves the API over plain `http://`.",
    }
}

fn is_local(host: &str) -> bool {
    let host = host.split(['/', '?', '#']).next().unwrap_or("");
    let host = if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or("").to_string()
    };
    let host = host.to_ascii_lowercase();
    host.is_empty()
        || host.contains('{')
        || matches!(
            host.as_str(),
            "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0"
        )
        || host.starts_with("127.")
        || host.ends_with(".localhost")
        || host.ends_with(".local")
        || host.ends_with(".test")
        || host.starts_with("example.")
        || host.ends_with(".example")
        || host.contains(".example.")
}

impl Rule for PlaintextServer {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}

    fn check_spec(&self, spec: &Spec, out: &mut Vec<Diagnostic>) {
        let mut seen = std::collections::HashSet::new();
        for server in &spec.servers {
            let Some(rest) = server
                .url
                .get(..7)
                .filter(|p| p.eq_ignore_ascii_case("http://"))
                .and_then(|_| server.url.get(7..))
            else {
                continue;
            };
            if is_local(rest) || !seen.insert(server.span) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Self::META.name,
                    Severity::Warning,
                    format!("the API is served over plain HTTP: `{}`", server.url),
                    Label::new(server.span, "plain `http://`"),
                )
                .with_note("credentials and data sent over plain HTTP can be read and changed by anyone on the network path")
                .with_help("serve the API over `https://` only"),
            );
        }
    }
}
