//! FastAPI and Starlette registrations that are not decorators:
//!
//! - `app.add_api_route(path, endpoint, methods=[…], dependencies=[…])` (also on an
//!   `APIRouter`) and Starlette's `app.add_route(path, endpoint, methods=[…])`: a route whose
//!   [`GuardSite::View`] guard names the endpoint, so its `Depends`/`Security` parameters and
//!   decorators (`@requires(…)`) are followed wherever it is defined.
//! - `app.mount('/sub', subapp)` / `app.mount('/sub', app=subapp)`: the sub-application is
//!   mounted under the prefix (a `StaticFiles(…)` or other inline app is not a router).
//! - Starlette route lists: `Starlette(routes=[Route(…), Mount(…)])`, a module-level
//!   `routes = [Route('/x', endpoint=f, methods=[…]), Mount('/api', routes=[…])]` (a router
//!   of its own, mounted where it is passed as `routes=`), `Mount('/api', app=sub)`.
//! - `middleware=[Middleware(Cls, …)]` and `app.add_middleware(Cls, …)`: middleware of the
//!   app, a guard only if the class is in the repository and its `__call__`/`dispatch`
//!   rejects with 401/403 ([`GuardSite::ClassMiddleware`]). Starlette's
//!   `AuthenticationMiddleware` only populates `request.user` and is not a guard;
//!   `@requires('authenticated')` on the endpoint is.

use keyhole_core::facts::{
    GuardRef, GuardSite, GuardTarget, ImportKind, PathArg, RouteDef, RouterDef, RouterKind, UseDef,
    UseScope,
};
use keyhole_core::{Framework, Method};
use keyhole_lang::NodeExt;
use tree_sitter::Node;

use crate::syntax::{sequence_items, symbol_path, Args};
use crate::Extractor;

/// Bound on nested `Mount(…, routes=[Mount(…)])` lists.
const MAX_MOUNT_DEPTH: usize = 8;

impl Extractor<'_> {
    pub(crate) fn imports_starlette(&self) -> bool {
        self.facts
            .imports
            .iter()
            .any(|i| i.module.starts_with("starlette") || i.module.starts_with("fastapi"))
    }

    /// `@requires(…)` imported from `starlette.authentication`, qualified so the vocabulary
    /// knows it whatever local name it has.
    pub(crate) fn qualify_decorator(&self, callee: Vec<String>) -> Vec<String> {
        let [name] = &callee[..] else {
            return callee;
        };
        let from_starlette = self.facts.imports.iter().any(|i| {
            &i.local == name
                && i.module == "starlette.authentication"
                && i.kind == ImportKind::Named("requires".to_string())
        });
        if from_starlette {
            vec![
                "starlette".to_string(),
                "authentication".to_string(),
                "requires".to_string(),
            ]
        } else {
            callee
        }
    }

    /// `app.add_api_route(…)`, `app.add_route(…)`.
    pub(crate) fn add_api_route(
        &mut self,
        call: Node<'_>,
        receiver: Node<'_>,
        method: &str,
        args: &Args<'_>,
    ) {
        let Some(router) = self.receiver_path(receiver) else {
            return;
        };
        let endpoint_kw = if method == "add_route" {
            "route"
        } else {
            "endpoint"
        };
        let (Some(path), Some(endpoint)) = (
            args.arg(0, "path"),
            args.positional
                .get(1)
                .copied()
                .or_else(|| args.keyword(endpoint_kw)),
        ) else {
            return;
        };
        let mut guards = args
            .keyword("dependencies")
            .map(|d| self.dependency_list(d))
            .unwrap_or_default();
        // `response_model=` as the decorator form records it.
        if let Some(model) = args.keyword("response_model") {
            self.response_ref(call, model);
        }
        self.endpoint_route(
            router,
            path,
            endpoint,
            args.keyword("methods"),
            &mut guards,
            call,
        );
    }

    /// One route dispatching to `endpoint`.
    fn endpoint_route(
        &mut self,
        router: Vec<String>,
        path: Node<'_>,
        endpoint: Node<'_>,
        methods: Option<Node<'_>>,
        guards: &mut Vec<GuardRef>,
        at: Node<'_>,
    ) {
        // In a function that receives the router, the path and the endpoint may come from
        // its parameters (a route template, see `templates`).
        let on_param = router.first().is_some_and(|r| r.ends_with(')'));
        let template = on_param
            .then(|| crate::templates::Scope::enclosing(self, at))
            .flatten()
            .and_then(|scope| {
                let pieces = scope.path(self, path, 0);
                let view = scope.param(self, endpoint);
                scope
                    .route_params(self.span(at), pieces.clone(), view)
                    .map(|p| (p, crate::templates::written_path(&pieces)))
            });
        let mut path = self.path_arg(path);
        if let Some((_, written)) = &template {
            path.value = written.clone();
        }
        if path
            .value
            .as_deref()
            .is_some_and(|p| !p.starts_with('/') && !p.is_empty())
        {
            return;
        }
        let Some(view) = symbol_path(endpoint, self.src) else {
            return;
        };
        let view_from_param = template.as_ref().is_some_and(|(p, _)| p.handler.is_some());
        let handler = (!view_from_param).then(|| view.last().cloned()).flatten();
        // A class endpoint (`HTTPEndpoint`) serves the methods it defines; a function serves
        // GET unless told otherwise.
        let is_class = handler
            .as_deref()
            .is_some_and(|h| h.starts_with(|c: char| c.is_ascii_uppercase()));
        let methods = match methods {
            Some(list) => {
                let m: Vec<Method> = sequence_items(list)
                    .into_iter()
                    .filter_map(|m| crate::syntax::string_value(m, self.src, &self.constants))
                    .filter_map(|m| Method::parse(&m))
                    .filter(|m| !matches!(m, Method::Head | Method::Options))
                    .collect();
                if m.is_empty() {
                    vec![Method::Any]
                } else {
                    m
                }
            }
            None if is_class => Vec::new(),
            None => vec![Method::Get],
        };
        // A view from a parameter is filled in at each call; none is written here.
        if !view_from_param {
            guards.push(GuardRef {
                site: GuardSite::View,
                target: GuardTarget::Symbol(view),
                called: false,
                optional: false,
                span: self.span(endpoint),
            });
        }
        self.facts.routes.push(RouteDef {
            router,
            framework_hint: None,
            methods,
            path,
            guards: std::mem::take(guards),
            handler,
            span: self.span(at),
            order: at.order(),
        });
        self.facts
            .route_params
            .extend(template.map(|(params, _)| params));
    }

    /// `app.mount('/sub', subapp)`, `app.mount('/sub', app=subapp)`.
    pub(crate) fn mount_app(&mut self, call: Node<'_>, parent: Vec<String>, args: &Args<'_>) {
        let (Some(path), Some(child)) = (args.arg(0, "path"), args.arg(1, "app")) else {
            return;
        };
        let Some(child) = symbol_path(child, self.src) else {
            return;
        };
        let prefix = self.path_arg(path);
        if prefix.value.as_deref().is_some_and(|p| !p.starts_with('/')) {
            return;
        }
        self.mount_view_site(parent, Some(prefix), child, call);
    }

    /// Mount `child` under `parent`; the child carries the view site so that, unresolved,
    /// it is never taken for a middleware guard of the parent.
    pub(crate) fn mount_view_site(
        &mut self,
        parent: Vec<String>,
        prefix: Option<PathArg>,
        child: Vec<String>,
        at: Node<'_>,
    ) {
        self.facts.uses.push(UseDef {
            parent,
            prefix,
            args: vec![GuardRef {
                site: GuardSite::View,
                target: GuardTarget::Symbol(child),
                called: false,
                optional: false,
                span: self.span(at),
            }],
            guards: Vec::new(),
            scope: UseScope::Whole,
            unless: None,
            only: Vec::new(),
            span: self.span(at),
            order: at.order(),
        });
    }

    /// `app.add_middleware(Cls, …)`.
    pub(crate) fn add_middleware(&mut self, call: Node<'_>, parent: Vec<String>, args: &Args<'_>) {
        let Some(class) = args.arg(0, "middleware_class") else {
            return;
        };
        self.middleware_guard(parent, class, call);
    }

    fn middleware_guard(&mut self, parent: Vec<String>, class: Node<'_>, at: Node<'_>) {
        let Some(target) = symbol_path(class, self.src) else {
            return;
        };
        self.facts.uses.push(UseDef {
            parent,
            prefix: None,
            args: Vec::new(),
            guards: vec![GuardRef {
                site: GuardSite::ClassMiddleware,
                target: GuardTarget::Symbol(target),
                called: false,
                optional: false,
                span: self.span(class),
            }],
            scope: UseScope::Whole,
            unless: None,
            only: Vec::new(),
            span: self.span(at),
            order: at.order(),
        });
    }

    /// `app = Starlette(routes=…, middleware=[…])`, and `routes=`/`middleware=` given to
    /// `FastAPI(…)`.
    pub(crate) fn starlette_app(&mut self, name: &str, args: &Args<'_>, value: Node<'_>) {
        if let Some(routes) = args.keyword("routes") {
            self.routes_argument(name, routes, value, 0);
        }
        if let Some(middleware) = args.keyword("middleware") {
            for item in sequence_items(middleware) {
                // `Middleware(AuthenticationMiddleware, backend=…)`
                let Some(class) = item
                    .field("arguments")
                    .filter(|_| item.kind_name() == "call")
                    .and_then(|a| Args::of(a, self.src).positional.first().copied())
                else {
                    continue;
                };
                self.middleware_guard(vec![name.to_string()], class, item);
            }
        }
    }

    /// A `routes=` argument: an inline list of `Route`/`Mount`, or a name bound to one.
    fn routes_argument(&mut self, parent: &str, routes: Node<'_>, at: Node<'_>, depth: usize) {
        match routes.kind_name() {
            "list" | "tuple" => self.route_list(parent, routes, depth),
            "identifier" | "attribute" => {
                if let Some(child) = symbol_path(routes, self.src) {
                    self.mount_view_site(vec![parent.to_string()], None, child, at);
                }
            }
            _ => {}
        }
    }

    /// Whether a list holds Starlette `Route`/`Mount` entries.
    pub(crate) fn holds_starlette_routes(&self, list: Node<'_>) -> bool {
        list.kind_name() == "list"
            && self.imports_starlette()
            && sequence_items(list).into_iter().any(|item| {
                matches!(
                    self.callee_last(item).as_deref(),
                    Some("Route" | "Mount" | "APIRoute")
                )
            })
    }

    /// `routes = [Route(…), Mount(…)]` at module level: a router of its own.
    pub(crate) fn starlette_route_list(&mut self, name: &str, list: Node<'_>) {
        if !self.facts.routers.iter().any(|r| r.name == name) {
            self.facts.routers.push(RouterDef {
                name: name.to_string(),
                kind: RouterKind::Router,
                framework: Framework::FastApi,
                prefix: None,
                guards: Vec::new(),
                shares_parent_scope: false,
                span: self.span(list),
            });
        }
        self.route_list(name, list, 0);
    }

    fn callee_last(&self, item: Node<'_>) -> Option<String> {
        if item.kind_name() != "call" {
            return None;
        }
        symbol_path(item.field("function")?, self.src)?.pop()
    }

    fn route_list(&mut self, parent: &str, list: Node<'_>, depth: usize) {
        if depth > MAX_MOUNT_DEPTH {
            return;
        }
        for item in sequence_items(list) {
            let Some(kind) = self.callee_last(item) else {
                continue;
            };
            let Some(args) = item.field("arguments") else {
                continue;
            };
            let args = Args::of(args, self.src);
            match kind.as_str() {
                "Route" | "APIRoute" => {
                    let (Some(path), Some(endpoint)) =
                        (args.arg(0, "path"), args.arg(1, "endpoint"))
                    else {
                        continue;
                    };
                    let mut guards = args
                        .keyword("dependencies")
                        .map(|d| self.dependency_list(d))
                        .unwrap_or_default();
                    self.endpoint_route(
                        vec![parent.to_string()],
                        path,
                        endpoint,
                        args.keyword("methods"),
                        &mut guards,
                        item,
                    );
                }
                "Mount" => {
                    let Some(path) = args.arg(0, "path") else {
                        continue;
                    };
                    let prefix = self.path_arg(path);
                    if let Some(routes) = args.keyword("routes") {
                        // Inline routes: a router of their own, named after where they stand.
                        let name = format!("routes@{}", routes.start_byte());
                        self.facts.routers.push(RouterDef {
                            name: name.clone(),
                            kind: RouterKind::Router,
                            framework: Framework::FastApi,
                            prefix: None,
                            guards: Vec::new(),
                            shares_parent_scope: false,
                            span: self.span(routes),
                        });
                        self.mount_view_site(
                            vec![parent.to_string()],
                            Some(prefix),
                            vec![name.clone()],
                            item,
                        );
                        self.routes_argument(&name, routes, item, depth + 1);
                    } else if let Some(app) = args.arg(1, "app") {
                        if let Some(child) = symbol_path(app, self.src) {
                            self.mount_view_site(
                                vec![parent.to_string()],
                                Some(prefix),
                                child,
                                item,
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
