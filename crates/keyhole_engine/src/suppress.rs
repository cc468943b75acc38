//! Inline suppressions: `# keyhole: ignore[rule] reason` (or `// keyhole: …`) on the line of
//! a finding's primary label or on the line above it. A reason is required; a comment
//! without one does not suppress.

use keyhole_core::{Diagnostic, SourceMap};

/// Drop the diagnostics an inline comment suppresses.
pub fn apply(diagnostics: &mut Vec<Diagnostic>, files: &SourceMap) {
    diagnostics.retain(|d| {
        let Some(file) = files.get(d.primary.span.file) else {
            return true;
        };
        let line = file.line_col(d.primary.span.start as usize).line;
        // The finding's own line, or a comment-only line right above it.
        let own = suppresses(file.line_text(line), d.rule);
        let above = line > 1 && {
            let text = file.line_text(line - 1).trim_start();
            (text.starts_with('#') || text.starts_with("//")) && suppresses(text, d.rule)
        };
        let suppressed = own || above;
        !suppressed
    });
}

/// Whether a line carries `keyhole: ignore[…rule…] <reason>`.
fn suppresses(line: &str, rule: &str) -> bool {
    let Some(at) = line.find("keyhole: ignore[") else {
        return false;
    };
    let before = line[..at].trim_end();
    if !(before.ends_with('#') || before.ends_with("//")) {
        return false;
    }
    let rest = &line[at + "keyhole: ignore[".len()..];
    let Some(close) = rest.find(']') else {
        return false;
    };
    let listed = rest[..close].split(',').any(|r| r.trim() == rule);
    let reason = rest[close + 1..].trim();
    listed && !reason.is_empty()
}

#[cfg(test)]
mod tests {
    use super::suppresses;

    #[test]
    fn needs_rule_and_reason() {
        assert!(suppresses(
            "@app.get('/x')  # keyhole: ignore[missing-auth] public probe",
            "missing-auth"
        ));
        assert!(suppresses(
            "// keyhole: ignore[cors-wildcard, missing-auth] status page",
            "missing-auth"
        ));
        assert!(!suppresses(
            "# keyhole: ignore[missing-auth]",
            "missing-auth"
        ));
        assert!(!suppresses(
            "# keyhole: ignore[other-rule] why",
            "missing-auth"
        ));
        assert!(!suppresses(
            "x = 'keyhole: ignore[missing-auth] not a comment'",
            "missing-auth"
        ));
    }
}
