//! GitHub Actions workflow commands: one annotation per finding.
//!
//! `::error file=app.py,line=3,endLine=3,col=2,endColumn=18,title=keyhole (missing-auth)::message`
//! — GitHub shows these on the pull request's diff. Notes and help follow the message on their
//! own lines (encoded as `%0A`).

use keyhole_core::Severity;

use crate::{Located, Report};

/// One `::error …::` / `::warning …::` / `::notice …::` line per diagnostic.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for d in report.diagnostics {
        let loc = Located::new(report.files, d.primary.span);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        for note in &d.notes {
            message.push_str("\nnote: ");
            message.push_str(note);
        }
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} file={},line={},endLine={},col={},endColumn={},title={}::{}\n",
            escape_property(loc.path),
            loc.start.line,
            loc.end.line,
            loc.start.column,
            loc.end.column,
            escape_property(&format!("keyhole ({})", d.rule)),
            escape_data(&message),
        ));
    }
    out
}

/// Escaping of a command's message, as the Actions toolkit does it.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a command's property values, as the Actions toolkit does it.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("50%\nnext\r"), "50%25%0Anext%0D");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
