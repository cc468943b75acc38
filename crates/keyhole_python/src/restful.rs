//! flask-restful, flask-restx (and flask-restplus): `Api` objects, `Namespace`s and
//! `Resource` classes, written onto the same router graph as Flask blueprints.
//!
//! - `api = Api(app_or_blueprint, prefix=…, decorators=[…])` is a router (framework Flask) with
//!   its prefix and guards, mounted on the app or blueprint it is given; `Api()` followed by
//!   `api.init_app(app)` is mounted by the `init_app` call. Subclasses (`class ApiExt(Api)`)
//!   are recognised in the link pass as for `Flask` subclasses.
//! - `ns = Namespace('users', path='/users', decorators=[…])` / `ns = api.namespace('users')`
//!   is a router whose prefix is `path=` or `/<name>`; `api.add_namespace(ns, path=…)` mounts
//!   it (a path given there replaces the namespace's own, as in flask-restx).
//! - `api.add_resource(Resource, '/a', '/b', endpoint=…)`, and any method named
//!   `add_<something>_resource` (project wrappers such as redash's `add_org_resource`, taken
//!   to share `add_resource`'s signature), and the class decorators `@ns.route('/a', '/b')` /
//!   `@api.resource('/a')`: one route per URL whose [`GuardSite::View`] guard names the
//!   Resource class. The link pass expands it into one endpoint per HTTP method the class
//!   (or its in-repository bases) defines, with guards from `decorators`,
//!   `method_decorators` and the methods' own decorators — the class-based view machinery.

use keyhole_core::facts::{
    GuardRef, GuardSite, GuardTarget, PathArg, RouteDef, RouterDef, RouterKind,
};
use keyhole_core::Framework;
use keyhole_lang::NodeExt;
use tree_sitter::Node;

use crate::syntax::{sequence_items, symbol_path, text, Args};
use crate::Extractor;

/// Modules whose `Api`/`Namespace`/`Resource` are the flask-restful family.
const RESTFUL_MODULES: &[&str] = &["flask_restful", "flask_restx", "flask_restplus"];

impl Extractor<'_> {
    /// Whether the file imports the flask-restful family.
    pub(crate) fn imports_restful(&self) -> bool {
        self.facts.imports.iter().any(|i| {
            let root = i.module.split('.').next().unwrap_or_default();
            RESTFUL_MODULES.contains(&root)
        })
    }

    /// `api = Api(…)`, `ns = Namespace(…)`, `ns = api.namespace(…)`; true when handled.
    pub(crate) fn restful_assignment(
        &mut self,
        name: &str,
        callee: &[String],
        args: &Args<'_>,
        value: Node<'_>,
    ) -> bool {
        let last = callee.last().map(String::as_str).unwrap_or_default();
        let factory = callee.len() > 1 && last == "namespace";
        if !(factory || matches!(last, "Api" | "Namespace")) || !self.imports_restful() {
            return false;
        }
        let guards = args
            .keyword("decorators")
            .map(|d| self.decorator_refs(d))
            .unwrap_or_default();
        let prefix = if last == "Api" {
            args.keyword("prefix").map(|n| self.path_arg(n))
        } else {
            // `Namespace(name, description=None, path=None, decorators=None, …)`: the path
            // defaults to `/<name>`.
            match args.keyword("path") {
                Some(p) => Some(self.path_arg(p)),
                None => args.arg(0, "name").map(|n| {
                    let arg = self.path_arg(n);
                    PathArg {
                        value: arg.value.map(|v| format!("/{v}")),
                        span: arg.span,
                    }
                }),
            }
        };
        self.facts.routers.push(RouterDef {
            name: name.to_string(),
            kind: RouterKind::Router,
            framework: Framework::Flask,
            prefix,
            guards,
            shares_parent_scope: false,
            span: self.span(value),
        });
        // `Api(app)` / `Api(blueprint)`: mounted on what it is given; `api.namespace(…)`: on
        // the api.
        let parent = if factory {
            Some(callee[..callee.len() - 1].to_vec())
        } else if last == "Api" {
            args.arg(0, "app")
                .filter(|n| matches!(n.kind_name(), "identifier" | "attribute"))
                .and_then(|n| self.receiver_path(n))
        } else {
            None
        };
        if let Some(parent) = parent {
            self.mount_view_site(parent, None, vec![name.to_string()], value);
        }
        true
    }

    /// `api.add_namespace(ns, path=…)` and `api.init_app(app)`.
    pub(crate) fn restful_call(
        &mut self,
        call: Node<'_>,
        receiver: Vec<String>,
        method: &str,
        args: &Args<'_>,
    ) {
        match method {
            "add_namespace" => {
                let Some(ns) = args
                    .positional
                    .first()
                    .copied()
                    .and_then(|n| symbol_path(n, self.src))
                else {
                    return;
                };
                let prefix = args.arg(1, "path").map(|n| self.path_arg(n));
                self.mount_view_site(receiver, prefix, ns, call);
            }
            "init_app" => {
                let Some(app) = args
                    .arg(0, "app")
                    .filter(|n| matches!(n.kind_name(), "identifier" | "attribute"))
                else {
                    return;
                };
                let Some(app) = self.receiver_path(app) else {
                    return;
                };
                self.mount_view_site(app, None, receiver, call);
            }
            _ => {}
        }
    }

    /// `api.add_resource(Resource, '/a', '/b', endpoint=…)` and `add_*_resource` wrappers.
    pub(crate) fn add_resource(&mut self, call: Node<'_>, router: Vec<String>, args: &Args<'_>) {
        let Some(resource) = args.arg(0, "resource") else {
            return;
        };
        let Some(class) = symbol_path(resource, self.src) else {
            return;
        };
        let urls: Vec<Node<'_>> = args.positional.iter().skip(1).copied().collect();
        self.resource_routes(router, class, resource, &urls, call);
    }

    /// `@ns.route('/a', '/b')` / `@api.resource('/a')` on a Resource class.
    pub(crate) fn resource_decorator(
        &mut self,
        decorator: Node<'_>,
        receiver: Node<'_>,
        args: Node<'_>,
        class: Node<'_>,
    ) {
        let Some(router) = self.receiver_path(receiver) else {
            return;
        };
        let Some(name) = class.field("name") else {
            return;
        };
        let name = text(name, self.src).to_string();
        let list = Args::of(args, self.src);
        let urls = list.positional.clone();
        self.resource_routes(router, vec![name], class, &urls, decorator);
    }

    fn resource_routes(
        &mut self,
        router: Vec<String>,
        class: Vec<String>,
        class_node: Node<'_>,
        urls: &[Node<'_>],
        at: Node<'_>,
    ) {
        for url in urls {
            // `*urls`, keyword-like leftovers: nothing to list.
            if matches!(url.kind_name(), "list_splat" | "dictionary_splat") {
                continue;
            }
            let path = self.path_arg(*url);
            if path
                .value
                .as_deref()
                .is_some_and(|p| !p.starts_with('/') && !p.is_empty())
            {
                continue;
            }
            self.facts.routes.push(RouteDef {
                router: router.clone(),
                framework_hint: None,
                methods: Vec::new(),
                path,
                guards: vec![GuardRef {
                    site: GuardSite::View,
                    target: GuardTarget::Symbol(class.clone()),
                    called: false,
                    optional: false,
                    span: self.span(class_node),
                }],
                handler: class.last().cloned(),
                span: self.span(at),
                order: at.order(),
            });
        }
    }

    /// `decorators=[login_required, auth.check()]` as guard candidates.
    fn decorator_refs(&self, node: Node<'_>) -> Vec<GuardRef> {
        sequence_items(node)
            .into_iter()
            .filter_map(|item| {
                let (callee, called) = match item.kind_name() {
                    "call" => (
                        item.field("function")
                            .and_then(|f| symbol_path(f, self.src))?,
                        true,
                    ),
                    _ => (symbol_path(item, self.src)?, false),
                };
                Some(GuardRef {
                    site: GuardSite::Decorator,
                    target: GuardTarget::Symbol(callee),
                    called,
                    optional: false,
                    span: self.span(item),
                })
            })
            .collect()
    }
}
