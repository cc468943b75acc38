use keyhole_core::{Auth, Diagnostic, Label, NoAuthReason, Project, Severity};

use crate::{declare_rule, Rule};

declare_rule! {
    /// A route the code marks public while the spec documenting it requires credentials.
    ///
    /// ## What it does
    /// Joins the routes served by code to the OpenAPI/Swagger operations documenting them
    /// (same method; same path once parameter names are ignored and the spec's `basePath`
    /// or server path is applied) and reports a route that the code marks public on purpose
    /// — `@Public()`, `AllowAny`, a public marker from the configuration — when its
    /// operation requires credentials (`security` with a scheme, on the operation or
    /// global). Only specs that describe the codebase count: most of their operations must
    /// be found in the code.
    ///
    /// A route with no guard at all is `missing-auth`'s, which points at the operation too.
    ///
    /// ## Why is this bad?
    /// One of the two is wrong. If the spec is right, anyone can call a route that clients,
    /// gateways and reviewers believe is protected; if the code is right, generated clients
    /// send credentials for nothing and the next reader cannot tell which to trust.
    ///
    /// ## Example
    /// ```typescript
    /// @Public()
    /// @Get(':id')          // paths: /cats/{id}: get: security: [{bearer: []}]
    /// findOne(@Param('id') id: string) { … }
    /// ```
    ///
    /// ## Use instead
    /// Remove `@Public()` so the global guard applies, or document the operation as public
    /// with `security: []`.
    pub struct SpecAuthMismatch {
        name: "spec-auth-mismatch",
        family: "inventory",
        severity: Warning,
        evidence: "both",
        summary: "A route the code marks public while the spec documenting it requires credentials.",
    }
}

impl Rule for SpecAuthMismatch {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, project: &Project, out: &mut Vec<Diagnostic>) {
        for link in project.spec_links.iter().filter(|l| l.spec_describes_code) {
            let (Some(code), Some(spec)) =
                (project.endpoint(link.code), project.endpoint(link.spec))
            else {
                continue;
            };
            let Auth::None {
                reason: NoAuthReason::ExplicitlyPublic,
                evidence: marks,
            } = &code.auth
            else {
                continue;
            };
            let Auth::Required(promised) = &spec.auth else {
                continue;
            };
            let what = format!("{} {}", code.method, code.route);
            let mut d = Diagnostic::new(
                Self::META.name,
                Severity::Warning,
                format!("`{what}` is public in the code, but the spec requires credentials"),
                Label::new(code.registration, "served without authentication"),
            )
            .with_endpoint(code.method, code.route.clone());
            if let Some(mark) = marks.first() {
                d = d.with_secondary(Label::new(mark.span, mark.detail.clone()));
            }
            let detail = promised
                .first()
                .map_or_else(|| "`security`".to_string(), |e| e.detail.clone());
            d = d
                .with_secondary(Label::new(
                    spec.registration,
                    format!("documented as requiring credentials ({detail})"),
                ))
                .with_note("clients, gateways and reviewers read the spec and believe the route is protected")
                .with_help("drop the public marker if the spec is right; otherwise document the operation as public with `security: []`");
            out.push(d);
        }
    }
}
