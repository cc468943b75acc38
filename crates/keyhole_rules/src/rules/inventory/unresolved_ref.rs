use keyhole_core::{Diagnostic, Label, Project, Severity};
use keyhole_openapi::{ProblemKind, Spec};

use crate::{declare_rule, Rule};

declare_rule! {
    /// A `$ref` keyhole did not follow: a URL, a path leaving the repository, a missing file or target, a cycle.
    ///
    /// ## What it does
    /// Reports each `$ref` in a spec that keyhole could not resolve. Remote references
    /// (`https://…`, `//host`, `file:`) are never fetched, and paths that leave the
    /// repository root (or are absolute) are never read; these, missing files, pointers
    /// to nothing and reference chains that loop back on themselves are reported here.
    ///
    /// ## Why is this bad?
    /// What keyhole cannot see it cannot check: the schemas and operations behind an
    /// unresolved reference are missing from the inventory and from every other rule.
    ///
    /// ## Example
    /// ```yaml
    /// schema:
    ///   $ref: 'https://schemas.example.org/user.yaml'
    /// ```
    ///
    /// ## Use instead
    /// Vendor the referenced file into the repository and refer to it by a relative path.
    pub struct UnresolvedRef {
        name: "unresolved-ref",
        family: "inventory",
        severity: Warning,
        evidence: "spec",
        summary: "A `$ref` keyhole did not follow: a URL, a path leaving the repository, a missing file or target, a cycle.",
    }
}

impl Rule for UnresolvedRef {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, _project: &Project, _out: &mut Vec<Diagnostic>) {}

    fn check_spec(&self, spec: &Spec, out: &mut Vec<Diagnostic>) {
        for p in spec
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::UnresolvedRef)
        {
            out.push(
                Diagnostic::new(
                    Self::META.name,
                    Severity::Warning,
                    p.message.clone(),
                    Label::new(p.span, "not resolved"),
                )
                .with_note("what sits behind this reference is missing from the inventory and from every other check")
                .with_help("vendor the referenced file into the repository and refer to it by a relative path"),
            );
        }
    }
}
