//! One diagnostic type for every rule and every renderer.

use serde::Serialize;

use crate::endpoint::Method;
use crate::route::RouteTemplate;
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "info" => Severity::Info,
            "warning" => Severity::Warning,
            "error" => Severity::Error,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// The endpoint a finding is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRef {
    pub method: Method,
    pub route: RouteTemplate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    /// Why it matters.
    pub notes: Vec<String>,
    /// What to do.
    pub help: Option<String>,
    pub endpoint: Option<EndpointRef>,
    /// Identity of the finding that survives unrelated edits (set by the engine).
    pub fingerprint: String,
}

impl Diagnostic {
    #[must_use]
    pub fn new(
        rule: &'static str,
        severity: Severity,
        message: impl Into<String>,
        primary: Label,
    ) -> Self {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
            endpoint: None,
            fingerprint: String::new(),
        }
    }

    #[must_use]
    pub fn with_secondary(mut self, label: Label) -> Self {
        self.secondary.push(label);
        self
    }

    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_endpoint(mut self, method: Method, route: RouteTemplate) -> Self {
        self.endpoint = Some(EndpointRef { method, route });
        self
    }
}

/// Rule metadata shared with renderers (SARIF rule descriptors, `keyhole rules`).
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// kebab-case name naming the bad pattern (`missing-auth`).
    pub name: &'static str,
    /// Family from the rule catalogue: auth, data, inventory, config, ai.
    pub family: &'static str,
    pub default_severity: Severity,
    /// Where the evidence comes from: `code`, `spec` or `both`.
    pub evidence: &'static str,
    /// The first line of the rule's doc comment.
    pub summary: &'static str,
    /// The whole doc comment (markdown).
    pub doc: &'static str,
}

impl RuleMeta {
    /// The doc comment as markdown: each line without the one space `///` leaves.
    pub fn doc_markdown(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }
}
