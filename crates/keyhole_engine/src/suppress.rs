//! Inline suppressions: `# keyhole: ignore[rule, …] reason` (or `// keyhole: …`) on the line
//! of a finding's primary label or on a comment-only line right above it, and
//! `keyhole: ignore-file[rule, …] reason` anywhere in a file for the whole file. A reason is
//! required: a comment without one suppresses nothing. Suppressions that suppress nothing are
//! reported as `unused-suppression`.

use std::collections::HashMap;

use keyhole_core::{Diagnostic, FileId, SourceMap, Span};
use keyhole_rules::rules::meta::unused_suppression::{Unused, UnusedSuppression};

const LINE_MARKER: &str = "keyhole: ignore[";
const FILE_MARKER: &str = "keyhole: ignore-file[";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    /// The comment's own line, and the next one when the comment stands alone on its line.
    Line {
        line: usize,
        alone: bool,
    },
    File,
}

/// One `keyhole: ignore…` comment.
#[derive(Debug, Clone)]
pub struct Suppression {
    scope: Scope,
    /// The `keyhole: ignore[…]` text.
    span: Span,
    /// The rules it names, each with whether it suppressed something.
    rules: Vec<(String, bool)>,
    has_reason: bool,
}

impl Suppression {
    fn covers(&self, line: usize) -> bool {
        match self.scope {
            Scope::File => true,
            Scope::Line { line: l, alone } => l == line || (alone && l + 1 == line),
        }
    }
}

/// Every suppression comment in every file, by file.
pub fn collect(files: &SourceMap) -> HashMap<FileId, Vec<Suppression>> {
    let mut out: HashMap<FileId, Vec<Suppression>> = HashMap::new();
    for file in files.iter() {
        if !file.text.contains("keyhole: ignore") {
            continue;
        }
        let mut offset = 0usize;
        for (i, raw) in file.text.split_inclusive('\n').enumerate() {
            let line_start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let Some((at, marker)) = find_marker(line) else {
                continue;
            };
            let before = line[..at].trim_end();
            let comment_start = if let Some(b) = before.strip_suffix('#') {
                b.len()
            } else if let Some(b) = before.strip_suffix("//") {
                b.len()
            } else {
                continue;
            };
            let rest = &line[at + marker.len()..];
            let Some(close) = rest.find(']') else {
                continue;
            };
            let rules = rest[..close]
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| (r.to_string(), false))
                .collect();
            let has_reason = !rest[close + 1..].trim().is_empty();
            let scope = if marker == FILE_MARKER {
                Scope::File
            } else {
                Scope::Line {
                    line: i + 1,
                    alone: line[..comment_start].trim().is_empty(),
                }
            };
            let start = line_start + at;
            let end = line_start + at + marker.len() + close + 1;
            out.entry(file.id).or_default().push(Suppression {
                scope,
                span: file.span(start, end),
                rules,
                has_reason,
            });
        }
    }
    out
}

fn find_marker(line: &str) -> Option<(usize, &'static str)> {
    if let Some(at) = line.find(FILE_MARKER) {
        return Some((at, FILE_MARKER));
    }
    line.find(LINE_MARKER).map(|at| (at, LINE_MARKER))
}

/// Drop the diagnostics a suppression with a reason covers, marking what each one used.
pub fn apply(
    diagnostics: &mut Vec<Diagnostic>,
    files: &SourceMap,
    suppressions: &mut HashMap<FileId, Vec<Suppression>>,
) {
    diagnostics.retain(|d| {
        let Some(file) = files.get(d.primary.span.file) else {
            return true;
        };
        let Some(list) = suppressions.get_mut(&file.id) else {
            return true;
        };
        let line = file.line_col(d.primary.span.start as usize).line;
        let mut suppressed = false;
        for s in list.iter_mut().filter(|s| s.has_reason && s.covers(line)) {
            for (rule, used) in &mut s.rules {
                if rule == d.rule {
                    *used = true;
                    suppressed = true;
                }
            }
        }
        !suppressed
    });
}

/// `unused-suppression` findings: rules named with nothing to suppress, unknown rules, and
/// suppressions without a reason.
pub fn unused(suppressions: &HashMap<FileId, Vec<Suppression>>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in suppressions.values().flatten() {
        if !s.has_reason {
            out.push(UnusedSuppression::diagnostic(s.span, &Unused::NoReason));
            continue;
        }
        for (rule, used) in &s.rules {
            if *used {
                continue;
            }
            let why = if keyhole_rules::find(rule).is_some() {
                Unused::NoFinding(rule.clone())
            } else {
                Unused::UnknownRule(rule.clone())
            };
            out.push(UnusedSuppression::diagnostic(s.span, &why));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use keyhole_core::{Diagnostic, FileId, Label, Language, Severity, SourceFile, SourceMap};

    use super::*;

    fn files(text: &str) -> SourceMap {
        SourceMap::new(vec![Arc::new(SourceFile::new(
            FileId(0),
            "app.py".into(),
            PathBuf::from("app.py"),
            Language::Python,
            text.into(),
        ))])
    }

    fn finding(files: &SourceMap, line: usize, rule: &'static str) -> Diagnostic {
        let file = files.get(FileId(0)).unwrap();
        let start: usize = (1..line).map(|l| file.line_text(l).len() + 1).sum();
        Diagnostic::new(
            rule,
            Severity::Error,
            "x",
            Label::new(file.span(start, start + 1), ""),
        )
    }

    fn run(text: &str, found: &[(usize, &'static str)]) -> (Vec<usize>, Vec<String>) {
        let files = files(text);
        let mut diagnostics: Vec<Diagnostic> =
            found.iter().map(|&(l, r)| finding(&files, l, r)).collect();
        let mut sups = collect(&files);
        apply(&mut diagnostics, &files, &mut sups);
        let file = files.get(FileId(0)).unwrap();
        let left = diagnostics
            .iter()
            .map(|d| file.line_col(d.primary.span.start as usize).line)
            .collect();
        let mut unused: Vec<String> = unused(&sups).into_iter().map(|d| d.message).collect();
        unused.sort();
        (left, unused)
    }

    #[test]
    fn line_and_line_above() {
        let text = "x = 1  # keyhole: ignore[missing-auth] probe\n\
                    # keyhole: ignore[missing-auth, auth-outlier] status page\n\
                    y = 2\n\
                    z = 3  # keyhole: ignore[missing-auth] only this line\n\
                    w = 4\n";
        let (left, unused) = run(
            text,
            &[
                (1, "missing-auth"),
                (3, "missing-auth"),
                (5, "missing-auth"),
            ],
        );
        assert_eq!(left, [5]);
        assert_eq!(
            unused,
            [
                "unused suppression: no `auth-outlier` finding here",
                "unused suppression: no `missing-auth` finding here",
            ]
        );
    }

    #[test]
    fn file_level_needs_a_reason_too() {
        let text = "# keyhole: ignore-file[missing-auth] internal admin service\n\
                    a = 1\nb = 2\n";
        let (left, unused) = run(
            text,
            &[
                (2, "missing-auth"),
                (3, "missing-auth"),
                (3, "auth-outlier"),
            ],
        );
        assert_eq!(left, [3]);
        assert!(unused.is_empty(), "{unused:?}");
        let text =
            "# keyhole: ignore-file[missing-auth]\na = 1\n# keyhole: ignore[no-such-rule] why\n";
        let (left, unused) = run(text, &[(2, "missing-auth")]);
        assert_eq!(left, [2]);
        assert_eq!(
            unused,
            [
                "suppression of `no-such-rule`, which is not a keyhole rule",
                "suppression without a reason suppresses nothing",
            ]
        );
    }

    #[test]
    fn not_in_strings() {
        let text = "x = 'keyhole: ignore[missing-auth] not a comment'\n";
        let (left, unused) = run(text, &[(1, "missing-auth")]);
        assert_eq!(left, [1]);
        assert!(unused.is_empty());
    }
}
