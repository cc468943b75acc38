//! The rule registry. One rule per file under `rules/<family>/`, each with its metadata and
//! a doc comment in fixed sections that `keyhole explain` prints and `docs/rules/` mirrors.

pub mod rules;
mod spec_util;

use keyhole_core::{Diagnostic, Project, RuleMeta};

/// A model rule: reads the linked project and reports.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, project: &Project, out: &mut Vec<Diagnostic>);

    /// Spec rules: read one loaded OpenAPI/Swagger spec and report.
    fn check_spec(&self, _spec: &keyhole_openapi::Spec, _out: &mut Vec<Diagnostic>) {}

    /// Spec rules that use the project's vocabulary (names the configuration adds)
    /// override this; the engine calls it.
    fn check_spec_in(
        &self,
        spec: &keyhole_openapi::Spec,
        _vocabulary: &keyhole_core::vocabulary::Vocabulary,
        out: &mut Vec<Diagnostic>,
    ) {
        self.check_spec(spec, out);
    }
}

/// Declare a rule's metadata, taking its doc comment as its documentation.
///
/// The first doc line is the summary; the rest follows the sections `## What it does`,
/// `## Why is this bad?`, `## Example`, `## Use instead`.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $name:ident {
            name: $rule:literal,
            family: $family:literal,
            severity: $severity:ident,
            evidence: $evidence:literal,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        pub struct $name;

        impl $name {
            pub const META: keyhole_core::RuleMeta = keyhole_core::RuleMeta {
                name: $rule,
                family: $family,
                default_severity: keyhole_core::Severity::$severity,
                evidence: $evidence,
                summary: $summary,
                doc: concat!($($doc, "\n"),+),
            };
        }
    };
}

/// Every rule, in catalogue order.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    &[
        &rules::auth::missing_auth::MissingAuth,
        &rules::auth::missing_auth_spec::MissingAuthSpec,
        &rules::auth::admin_route_weak_auth::AdminRouteWeakAuth,
        &rules::auth::insecure_auth_scheme::InsecureAuthScheme,
        &rules::auth::credential_in_url::CredentialInUrl,
        &rules::auth::predictable_object_id::PredictableObjectId,
        &rules::data::sensitive_field_in_response::SensitiveFieldInResponse,
        &rules::data::open_request_schema::OpenRequestSchema,
        &rules::data::unbounded_input::UnboundedInput,
        &rules::config::plaintext_server::PlaintextServer,
        &rules::config::missing_rate_limit::MissingRateLimit,
        &rules::inventory::unresolved_ref::UnresolvedRef,
        &rules::inventory::spec_auth_mismatch::SpecAuthMismatch,
        &rules::auth::auth_outlier::AuthOutlier,
        &rules::meta::unused_suppression::UnusedSuppression,
    ]
}

/// Metadata of every rule.
pub fn all_meta() -> Vec<RuleMeta> {
    all_rules().iter().map(|r| *r.meta()).collect()
}

/// A rule by name.
pub fn find(name: &str) -> Option<&'static dyn Rule> {
    all_rules().iter().copied().find(|r| r.meta().name == name)
}

/// The rule's documentation as markdown, for `keyhole explain` and `docs/rules/`.
pub fn markdown(meta: &RuleMeta) -> String {
    let doc = meta.doc_markdown();
    format!(
        "# {name}\n\nFamily: {family} · Default severity: {severity} · Evidence: {evidence}\n\n{doc}",
        name = meta.name,
        family = meta.family,
        severity = meta.default_severity.as_str(),
        evidence = meta.evidence,
    )
}
