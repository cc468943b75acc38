use keyhole_core::{Diagnostic, Label, Project, Severity, Span};

use crate::{declare_rule, Rule};

declare_rule! {
    /// A `keyhole: ignore` comment that suppresses nothing, or that gives no reason.
    ///
    /// ## What it does
    /// Reports each suppression — `# keyhole: ignore[rule] reason` or `// …` on a line or
    /// the comment line above it, and `keyhole: ignore-file[rule] reason` for a whole file —
    /// that names a rule with no finding where it stands, names no rule keyhole has, or has
    /// no reason (a suppression without a reason suppresses nothing). Each rule named in a
    /// spec's `x-keyhole-ignore` that suppresses no finding is reported the same way (a
    /// schema counts as used when a rule's walk skipped it because of the ignore).
    ///
    /// ## Why is this bad?
    /// A stale suppression outlives the code it excused: the next endpoint written under it
    /// is silenced without anyone deciding so. A suppression without a reason tells the next
    /// reader nothing about why the finding was acceptable.
    ///
    /// ## Example
    /// ```python
    /// @app.get("/users")  # keyhole: ignore[missing-auth] internal tool
    /// @login_required
    /// def users(): ...
    /// ```
    ///
    /// ## Use instead
    /// Delete the comment when the finding is gone; give every suppression a reason:
    /// ```python
    /// @app.get("/users")
    /// @login_required
    /// def users(): ...
    /// ```
    pub struct UnusedSuppression {
        name: "unused-suppression",
        family: "meta",
        severity: Warning,
        evidence: "both",
        summary: "A `keyhole: ignore` comment that suppresses nothing, or that gives no reason.",
    }
}

/// Why a suppression is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unused {
    /// Names a rule with no finding in its scope.
    NoFinding(String),
    /// Names a rule keyhole does not have.
    UnknownRule(String),
    /// Gives no reason, so it suppresses nothing.
    NoReason,
}

impl UnusedSuppression {
    /// The diagnostic for one unused suppression at `span` (the `keyhole: ignore[…]` text).
    pub fn diagnostic(span: Span, why: &Unused) -> Diagnostic {
        let (message, label, help) = match why {
            Unused::NoFinding(rule) if rule == "all" => (
                "unused suppression: `all` suppresses no finding here".to_string(),
                "suppresses nothing",
                "remove `all` from the suppression".to_string(),
            ),
            Unused::NoFinding(rule) => (
                format!("unused suppression: no `{rule}` finding here"),
                "suppresses nothing",
                format!("remove `{rule}` from the suppression, or the comment if it lists nothing else"),
            ),
            Unused::UnknownRule(rule) => (
                format!("suppression of `{rule}`, which is not a keyhole rule"),
                "no such rule",
                "see `keyhole rules` for the rule names".to_string(),
            ),
            Unused::NoReason => (
                "suppression without a reason suppresses nothing".to_string(),
                "no reason given",
                "say why the finding is acceptable after the `]`: `# keyhole: ignore[missing-auth] public status page`".to_string(),
            ),
        };
        Diagnostic::new(UnusedSuppression::META.name, Severity::Warning, message, Label::new(span, label))
            .with_note("a stale suppression silences whatever is written under it next, without anyone deciding so")
            .with_help(help)
    }
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    /// The engine reports these after applying suppressions.
    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}
}
