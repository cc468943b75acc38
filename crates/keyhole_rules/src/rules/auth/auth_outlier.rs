use std::collections::{HashMap, HashSet};

use keyhole_core::{Auth, Diagnostic, Label, NoAuthReason, Project, RouterId, Severity, Span};

use crate::{declare_rule, Rule};

/// At least this many sibling registrations must be guarded before an unguarded one stands out.
const MIN_GUARDED_SIBLINGS: usize = 3;

declare_rule! {
    /// A route without a guard among siblings that mostly have one: the likeliest forgotten guard.
    ///
    /// ## What it does
    /// Looks at each router (a blueprint, an `APIRouter`, an `express.Router()`, an app's
    /// own routes) and reports the routes with no recognised guard when most of their
    /// siblings — at least three, and more than half — are guarded. Routes that are public
    /// by design (login, signup, health probes, static files) and routes marked public are
    /// not reported.
    ///
    /// It is a sharper subset of `missing-auth`: a project whose public pages make
    /// `missing-auth` noisy can keep this rule on and still catch the forgotten guard.
    ///
    /// ## Why is this bad?
    /// When every other route of a router checks the caller, the one that does not is
    /// almost always an oversight — typically a route added later, or copied without its
    /// decorator — and it exposes whatever its siblings protect.
    ///
    /// ## Example
    /// ```python
    /// @bp.get("/invoices")
    /// @login_required
    /// def invoices(): ...
    ///
    /// @bp.get("/invoices/<int:id>/pdf")
    /// def invoice_pdf(id): ...
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// @bp.get("/invoices/<int:id>/pdf")
    /// @login_required
    /// def invoice_pdf(id): ...
    /// ```
    pub struct AuthOutlier {
        name: "auth-outlier",
        family: "auth",
        severity: Warning,
        evidence: "code",
        summary: "A route without a guard among siblings that mostly have one: the likeliest forgotten guard.",
    }
}

impl Rule for AuthOutlier {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, project: &Project, out: &mut Vec<Diagnostic>) {
        // Per router: registrations (one per decorator/call, whatever its methods) by state.
        #[derive(Default)]
        struct Siblings {
            guarded: HashSet<Span>,
            unguarded: HashSet<Span>,
            first_guard: Option<(Span, String)>,
        }
        let mut routers: HashMap<RouterId, Siblings> = HashMap::new();
        for endpoint in &project.endpoints {
            let Some(router) = endpoint.router else {
                continue;
            };
            let siblings = routers.entry(router).or_default();
            match &endpoint.auth {
                Auth::Required(evidence) => {
                    siblings.guarded.insert(endpoint.registration);
                    if siblings.first_guard.is_none() {
                        if let Some(e) = evidence.first() {
                            siblings.first_guard =
                                Some((e.span, e.guard.clone().unwrap_or_else(|| "a guard".into())));
                        }
                    }
                }
                Auth::None {
                    reason: NoAuthReason::NoGuardFound,
                    ..
                } => {
                    siblings.unguarded.insert(endpoint.registration);
                }
                _ => {}
            }
        }
        // The methods served at each registration and route, gathered once (not per finding:
        // that is quadratic in the routes).
        let mut methods_at: HashMap<(Span, &str), Vec<String>> = HashMap::new();
        for e in &project.endpoints {
            methods_at
                .entry((e.registration, e.route.as_str()))
                .or_default()
                .push(e.method.to_string());
        }
        let mut reported = HashSet::new();
        for endpoint in &project.endpoints {
            let Auth::None {
                reason: NoAuthReason::NoGuardFound,
                ..
            } = &endpoint.auth
            else {
                continue;
            };
            let Some(siblings) = endpoint.router.and_then(|r| routers.get(&r)) else {
                continue;
            };
            let guarded = siblings.guarded.len();
            let total = guarded + siblings.unguarded.len();
            if guarded < MIN_GUARDED_SIBLINGS || guarded * 2 <= total {
                continue;
            }
            // One finding per registration, naming every method it serves.
            if !reported.insert(endpoint.registration) {
                continue;
            }
            let methods = methods_at
                .get(&(endpoint.registration, endpoint.route.as_str()))
                .map_or(&[][..], Vec::as_slice);
            let router_name = endpoint
                .router
                .and_then(|r| project.router(r))
                .map_or("this router", |r| r.name.as_str());
            let mut diagnostic = Diagnostic::new(
                Self::META.name,
                Severity::Warning,
                format!(
                    "`{} {}` has no guard, unlike {guarded} of the {} other routes of `{router_name}`",
                    methods.join("|"),
                    endpoint.route,
                    total - 1
                ),
                Label::new(endpoint.registration, "this route has no guard"),
            )
            .with_endpoint(endpoint.method, endpoint.route.clone());
            if let Some((span, name)) = &siblings.first_guard {
                diagnostic = diagnostic
                    .with_secondary(Label::new(*span, format!("its siblings use `{name}`")));
            }
            out.push(
                diagnostic
                    .with_note("a route left unguarded among guarded siblings is usually a forgotten guard")
                    .with_help("add the guard its siblings use, or mark the route public with a reason"),
            );
        }
    }
}
