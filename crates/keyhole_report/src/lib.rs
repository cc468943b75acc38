//! Renderers for keyhole's findings and inventories.
//!
//! Every renderer is a pure function from a [`Report`] (or a list of endpoints) to a `String`;
//! nothing here writes to a terminal or a file. Diagnostics are rendered in the order given
//! (the engine sorts them).
//!
//! Output conventions, so that callers can `print!` the result as is:
//! - [`human`], [`concise`], [`github`] and [`inventory_table`] return one or more complete
//!   lines, each ending in `\n`, or the empty string when there is nothing to print
//!   ([`inventory_table`] always prints its header);
//! - [`json`], [`sarif`] and [`inventory_json`] return one pretty-printed JSON document
//!   followed by `\n`;
//! - [`summary_line`] returns one line without a terminator.
//!
//! The JSON formats are documented in `docs/json-output.md`.

use keyhole_core::{Diagnostic, FileId, LineCol, RuleMeta, Severity, SourceMap, Span};

mod github;
mod human;
mod inventory;
mod json;
mod sarif;

pub use github::github;
pub use human::human;
pub use inventory::{inventory_json, inventory_table, INVENTORY_JSON_VERSION};
pub use json::{json, JSON_VERSION};
pub use sarif::sarif;

/// Name of the tool as it appears in JSON and SARIF output.
pub const TOOL_NAME: &str = "keyhole";

/// Where people can read about the tool (SARIF `informationUri`).
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// Path printed for a span whose file is not in the [`SourceMap`].
pub const UNKNOWN_FILE: &str = "<unknown>";

/// Everything a renderer needs to print one run's findings.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The findings, already sorted and filtered by the engine.
    pub diagnostics: &'a [Diagnostic],
    /// The files the spans point into.
    pub files: &'a SourceMap,
    /// Metadata of every rule that was enabled (SARIF rule descriptors).
    pub rules: &'a [RuleMeta],
    /// The version of keyhole that produced the report.
    pub tool_version: &'a str,
}

/// How many findings of each severity a report holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(diagnostics: &[Diagnostic]) -> Counts {
        let mut counts = Counts::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }

    pub fn total(self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// One line summing up a report: `Found 3 findings (2 errors, 1 warning) in 2 files.` or
/// `No findings.`. The file count is the number of distinct files the findings point at.
pub fn summary_line(report: &Report) -> String {
    let counts = Counts::of(report.diagnostics);
    if counts.total() == 0 {
        return "No findings.".to_string();
    }
    let mut files: Vec<FileId> = report
        .diagnostics
        .iter()
        .map(|d| d.primary.span.file)
        .collect();
    files.sort_unstable();
    files.dedup();

    let mut parts = Vec::new();
    if counts.errors > 0 {
        parts.push(plural(counts.errors, "error", "errors"));
    }
    if counts.warnings > 0 {
        parts.push(plural(counts.warnings, "warning", "warnings"));
    }
    if counts.infos > 0 {
        parts.push(plural(counts.infos, "info", "info"));
    }
    format!(
        "Found {} ({}) in {}.",
        plural(counts.total(), "finding", "findings"),
        parts.join(", "),
        plural(files.len(), "file", "files"),
    )
}

/// `path:line:col: severity[rule] message`, one finding per line.
pub fn concise(report: &Report) -> String {
    let mut out = String::new();
    for d in report.diagnostics {
        let loc = Located::new(report.files, d.primary.span);
        out.push_str(&format!(
            "{}:{}:{}: {}[{}] {}\n",
            loc.path,
            loc.start.line,
            loc.start.column,
            d.severity.as_str(),
            d.rule,
            one_line(&d.message),
        ));
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The text on one line: line breaks (and the whitespace around them) become one space.
pub(crate) fn one_line(text: &str) -> String {
    if !text.contains(['\n', '\r']) {
        return text.to_string();
    }
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A span resolved against the source map: path, start and end positions, clamped byte range.
#[derive(Debug, Clone)]
pub(crate) struct Located<'a> {
    pub path: &'a str,
    pub start: LineCol,
    pub end: LineCol,
    /// The span's byte range, clamped to the file and to character boundaries.
    pub range: std::ops::Range<usize>,
}

impl<'a> Located<'a> {
    pub fn new(files: &'a SourceMap, span: Span) -> Located<'a> {
        match files.get(span.file) {
            Some(file) => {
                let range = clamp_range(&file.text, span.range());
                Located {
                    path: &file.path,
                    start: file.line_col(range.start),
                    end: file.line_col(range.end),
                    range,
                }
            }
            None => {
                let first = LineCol { line: 1, column: 1 };
                Located {
                    path: UNKNOWN_FILE,
                    start: first,
                    end: first,
                    range: span.range(),
                }
            }
        }
    }
}

/// `range` limited to `text` and moved back onto character boundaries.
pub(crate) fn clamp_range(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(range.start);
    let end = floor(range.end).max(start);
    start..end
}

/// At most `max` characters of `text`; a cut is marked with `…` (counted in `max`).
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let keep: String = text.chars().take(max - 1).collect();
    format!("{}…", keep.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_chars("héllo wörld", 20), "héllo wörld");
        assert_eq!(truncate_chars("héllo wörld", 7), "héllo…");
        assert_eq!(truncate_chars("ééééé", 3), "éé…");
        assert_eq!(truncate_chars("abc", 0), "");
    }

    #[test]
    fn clamping_stays_on_boundaries() {
        let text = "aé";
        assert_eq!(clamp_range(text, 2..99), 1..3);
        let (start, end) = (5, 2);
        assert_eq!(clamp_range(text, start..end), 3..3);
    }

    #[test]
    fn one_line_joins_lines() {
        assert_eq!(one_line("a\n  b\r\n\nc"), "a b c");
        assert_eq!(one_line("plain"), "plain");
    }
}
