//! The versioned JSON report (`--format json`), documented in `docs/json-output.md`.

use keyhole_core::{Diagnostic, LineCol, SourceMap};
use serde::Serialize;

use crate::{Counts, Located, Report, TOOL_NAME};

/// Version of the JSON report's schema. Additive changes keep it; removing or renaming a
/// field, or changing a field's meaning or type, bumps it.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool<'a>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
pub(crate) struct Tool<'a> {
    pub name: &'a str,
    pub version: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    start: Position,
    end: Position,
    byte_range: [usize; 2],
    label: &'a str,
    labels: Vec<JsonLabel<'a>>,
    notes: &'a [String],
    help: Option<&'a str>,
    endpoint: Option<JsonEndpoint<'a>>,
    fingerprint: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct Position {
    pub line: usize,
    pub column: usize,
}

impl From<LineCol> for Position {
    fn from(lc: LineCol) -> Self {
        Position {
            line: lc.line,
            column: lc.column,
        }
    }
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonEndpoint<'a> {
    method: &'a str,
    route: &'a str,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    infos: usize,
}

/// The findings as one JSON document: `{"version": 1, "tool": …, "diagnostics": […],
/// "summary": …}`.
pub fn json(report: &Report) -> String {
    let counts = Counts::of(report.diagnostics);
    let doc = JsonReport {
        version: JSON_VERSION,
        tool: Tool {
            name: TOOL_NAME,
            version: report.tool_version,
        },
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| diagnostic(d, report.files))
            .collect(),
        summary: Summary {
            errors: counts.errors,
            warnings: counts.warnings,
            infos: counts.infos,
        },
    };
    to_string(&doc)
}

fn diagnostic<'a>(d: &'a Diagnostic, files: &'a SourceMap) -> JsonDiagnostic<'a> {
    let loc = Located::new(files, d.primary.span);
    JsonDiagnostic {
        rule: d.rule,
        severity: d.severity.as_str(),
        message: &d.message,
        file: loc.path,
        start: loc.start.into(),
        end: loc.end.into(),
        byte_range: [loc.range.start, loc.range.end],
        label: &d.primary.message,
        labels: d
            .secondary
            .iter()
            .map(|l| {
                let at = Located::new(files, l.span);
                JsonLabel {
                    file: at.path,
                    line: at.start.line,
                    column: at.start.column,
                    message: &l.message,
                }
            })
            .collect(),
        notes: &d.notes,
        help: d.help.as_deref(),
        endpoint: d.endpoint.as_ref().map(|e| JsonEndpoint {
            method: e.method.as_str(),
            route: e.route.as_str(),
        }),
        fingerprint: Some(d.fingerprint.as_str()).filter(|f| !f.is_empty()),
    }
}

/// Pretty-printed JSON followed by a newline.
pub(crate) fn to_string<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs (string keys, no maps with non-string keys, no floats)
    // cannot fail; keep a valid document even if it ever did.
    let mut text = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string());
    text.push('\n');
    text
}
