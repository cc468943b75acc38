use std::collections::HashMap;

use keyhole_core::{
    Auth, Diagnostic, Evidence, Framework, Label, NoAuthReason, Project, RouterId, Severity,
};

use crate::{declare_rule, Rule};

declare_rule! {
    /// An endpoint with no recognised guard anywhere on its chain.
    ///
    /// ## What it does
    /// Reports endpoints that keyhole found no authentication guard for: nothing on the
    /// handler (decorators such as `@login_required`, FastAPI dependencies, route
    /// middleware), nothing on the routers it is mounted through (blueprint
    /// `before_request` hooks, `APIRouter(dependencies=…)`, `router.use(auth)` registered
    /// before the route), and nothing on the app. Endpoints whose purpose is to
    /// authenticate (login, signup, token, password reset, OAuth callbacks) are public by
    /// design and not reported, and so are reads of public resources: health and readiness
    /// probes (`/healthz`, `/ready`, `/health/db`), static assets, feeds, the web app
    /// manifest. Endpoints whose chain keyhole cannot resolve are shown as
    /// `auth=unknown` in the inventory and not reported either.
    ///
    /// Writes (POST, PUT, PATCH, DELETE, or any method) are errors; reads are warnings.
    ///
    /// ## Why is this bad?
    /// Anyone who can reach the server can call the endpoint. A forgotten guard on one route
    /// of an otherwise protected router is the most common way APIs leak data or let
    /// strangers change it.
    ///
    /// ## Example
    /// ```python
    /// @bp.route("/users/<int:user_id>", methods=["DELETE"])
    /// def delete_user(user_id):
    ///     ...
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// @bp.route("/users/<int:user_id>", methods=["DELETE"])
    /// @login_required
    /// def delete_user(user_id):
    ///     ...
    /// ```
    /// If the endpoint is public on purpose, say so where it stands:
    /// `# keyhole: ignore[missing-auth] public status page`.
    pub struct MissingAuth {
        name: "missing-auth",
        family: "auth",
        severity: Error,
        evidence: "code",
        summary: "An endpoint with no recognised guard anywhere on its chain.",
    }
}

impl Rule for MissingAuth {
    fn meta(&self) -> &'static keyhole_core::RuleMeta {
        &Self::META
    }

    fn check(&self, project: &Project, out: &mut Vec<Diagnostic>) {
        // Per router, the first guard of its guarded routes, found once (not per finding:
        // that is quadratic in a router's routes).
        let mut sibling_guards: HashMap<RouterId, &Evidence> = HashMap::new();
        for endpoint in &project.endpoints {
            if let (Some(router), Auth::Required(evidence)) = (endpoint.router, &endpoint.auth) {
                if let Some(first) = evidence.first() {
                    sibling_guards.entry(router).or_insert(first);
                }
            }
        }
        for endpoint in &project.endpoints {
            let Auth::None {
                reason: NoAuthReason::NoGuardFound,
                ..
            } = &endpoint.auth
            else {
                continue;
            };
            // Spec operations are judged by `missing-auth-spec`.
            if endpoint.framework == Framework::OpenApi {
                continue;
            }
            let severity = if endpoint.method.is_write() {
                Severity::Error
            } else {
                Severity::Warning
            };
            let what = format!("{} {}", endpoint.method, endpoint.route);
            let mut diagnostic = Diagnostic::new(
                Self::META.name,
                severity,
                format!("`{what}` is served without authentication"),
                Label::new(
                    endpoint.registration,
                    "no guard on this route, its routers or the app",
                ),
            )
            .with_endpoint(endpoint.method, endpoint.route.clone());

            for mount in &endpoint.mounts {
                let message = match &mount.prefix {
                    Some(prefix) => format!(
                        "`{}` is mounted here under `{prefix}`, with no guard",
                        mount.router_name
                    ),
                    None => format!("`{}` is mounted here, with no guard", mount.router_name),
                };
                diagnostic = diagnostic.with_secondary(Label::new(mount.span, message));
            }

            if let Some(handler) = endpoint.handler_location {
                let name = endpoint.handler.as_deref().unwrap_or("the handler");
                diagnostic = diagnostic.with_secondary(Label::new(
                    handler,
                    format!("handled by `{name}`, which has no guard either"),
                ));
            }

            // A guarded sibling is the strongest hint that this one was forgotten.
            let sibling_guard = endpoint
                .router
                .and_then(|router| sibling_guards.get(&router).copied());
            if let Some(evidence) = sibling_guard {
                let name = evidence.guard.as_deref().unwrap_or("a guard");
                diagnostic = diagnostic.with_secondary(Label::new(
                    evidence.span,
                    format!("other routes of this router use `{name}`"),
                ));
            }

            let consequence = if endpoint.method.is_write() {
                "anyone who can reach the server can call it, and it changes state"
            } else {
                "anyone who can reach the server can read what it returns"
            };
            diagnostic = diagnostic
                .with_note(format!(
                    "keyhole found no guard on the handler, the routers it is mounted through, or the app: {consequence}"
                ))
                .with_help(help(endpoint.framework));
            out.push(diagnostic);
        }
    }
}

fn help(framework: Framework) -> String {
    let (guard, comment) = match framework {
        Framework::Flask => (
            "add `@login_required` (or your project's guard) under the route decorator, or a `before_request` hook on the blueprint that rejects anonymous requests",
            "#",
        ),
        Framework::FastApi => (
            "add a dependency such as `Depends(get_current_user)` to the route, to `APIRouter(dependencies=[…])`, or to `include_router(…, dependencies=[…])`",
            "#",
        ),
        Framework::Django => (
            "decorate the view with `@login_required` (or use `LoginRequiredMixin` on a class-based view), or enable `LoginRequiredMiddleware`",
            "#",
        ),
        Framework::DjangoRestFramework => (
            "give the view `permission_classes = [IsAuthenticated]` (or set `DEFAULT_PERMISSION_CLASSES` in settings)",
            "#",
        ),
        Framework::OpenApi => ("declare `security` on the operation or globally", "#"),
        Framework::Express => (
            "add an auth middleware (`requireAuth`, `passport.authenticate(…)`) before the handler, or `router.use(auth)` before the route is registered",
            "//",
        ),
        Framework::Koa => (
            "add an auth middleware (`koa-jwt`, `passport.authenticate(…)`, your own `requireAuth`) to the route, or `router.use(auth)` before the route is registered; check that `.unless({ path })` does not exclude it",
            "//",
        ),
        Framework::Fastify => (
            "add `onRequest: [fastify.authenticate]` (or a `preHandler`) to the route, or an `addHook('onRequest', …)` that rejects anonymous requests in the plugin that registers it",
            "//",
        ),
        Framework::NestJs => (
            "add `@UseGuards(AuthGuard)` to the handler or its controller, or register a global guard (`APP_GUARD`, `app.useGlobalGuards`)",
            "//",
        ),
        Framework::Connexion => (
            "declare `security` on the operation (or globally) with a scheme whose `x-bearerInfoFunc`/`x-tokenInfoFunc`/… verifies the caller, or guard the handler with a decorator",
            "#",
        ),
        Framework::NextJs => (
            "check the session at the top of the handler (`const session = await getServerSession(…)` / `await auth()`, then `if (!session) return new Response(null, { status: 401 })`), or protect the route in `middleware.ts`",
            "//",
        ),
        Framework::Hono => (
            "add an auth middleware (`jwt({ secret })`, `bearerAuth({ token })`, your own `createMiddleware`) to the route, or `app.use('/path/*', auth)` before the route (or `app.route(…)`) is registered",
            "//",
        ),
    };
    format!("{guard}; if it is public on purpose, say so: `{comment} keyhole: ignore[missing-auth] <reason>`")
}
