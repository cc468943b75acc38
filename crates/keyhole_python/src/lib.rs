//! Python extraction: Flask and FastAPI routes, routers, mounts, guards and the functions
//! and aliases guards are defined through.
//!
//! `extract` runs the merged Python query once over a file and turns the captured nodes
//! into [`FileFacts`]. It knows syntax, not meaning: whether `bp` is a blueprint defined in
//! another module, or whether `get_current_user` is a guard, is decided by the engine's link
//! pass over the whole project.

mod connexion;
mod django;
mod restful;
mod secrets;
mod starlette;
mod summary;
mod syntax;
mod templates;

use keyhole_lang::NodeExt;
use std::collections::HashMap;

use keyhole_core::facts::{
    AliasDef, ClassDef, ConstantDef, DependencyRef, FileFacts, GuardRef, GuardSite, GuardTarget,
    ImportDef, ImportKind, InstanceDef, PathArg, PathRef, Problem, RouteDef, RouterDef, RouterKind,
    UseDef, UseScope,
};
use keyhole_core::{Framework, Method, SourceFile};
use keyhole_lang::{Capture, QuerySet};
use tree_sitter::{Node, QueryCursor, Tree};

use crate::summary::{dependencies_of, summarise};
use crate::syntax::{sequence_items, string_value, symbol_path, text, Args};

/// The parent name that stands for "every application" (`before_app_request`).
pub const ALL_APPS: &str = "*app*";

/// Bound on parentheses around a decorator expression.
const MAX_DECORATOR_PARENS: usize = 4;

/// `lambda f: f` (also parenthesized): a decorator that leaves the function as it is.
fn is_identity(node: Node<'_>, src: &str) -> bool {
    let node = if node.kind_name() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => inner,
            None => return false,
        }
    } else {
        node
    };
    if node.kind_name() != "lambda" {
        return false;
    }
    let param = node
        .field("parameters")
        .filter(|p| p.named_child_count() == 1)
        .and_then(|p| p.named_child(0))
        .filter(|p| p.kind_name() == "identifier");
    let body = node.field("body");
    match (param, body) {
        (Some(p), Some(b)) => b.kind_name() == "identifier" && text(p, src) == text(b, src),
        _ => false,
    }
}

/// The view a DRF `DefaultRouter` serves at its root (the API root listing its viewsets).
pub const DRF_API_ROOT: &str = "rest_framework.routers.APIRootView";

/// Extract the facts of one Python file.
pub fn extract(
    file: &SourceFile,
    tree: &Tree,
    queries: &QuerySet,
    cursor: &mut QueryCursor,
) -> FileFacts {
    let src: &str = &file.text;
    let root = tree.root_node();
    let mut x = Extractor {
        file,
        src,
        root,
        facts: FileFacts::default(),
        constants: HashMap::new(),
        gated_decorators: HashMap::new(),
        list_constants: HashMap::new(),
        path_refs: std::cell::RefCell::new(Vec::new()),
        call_sites: Vec::new(),
        call_site_args: Vec::new(),
        summaries: HashMap::new(),
        denial_hits: summary::denial_hits(src),
    };
    x.collect_constants(root);

    queries.for_each_match(cursor, root, src.as_bytes(), |captures| {
        let get = |want: Capture| {
            captures
                .iter()
                .find(|c| queries.capture(c.index) == Some(want))
                .map(|c| c.node)
        };
        if x.django_match(&get) {
            return;
        }
        if let Some(node) = get(Capture::Import) {
            x.import(node);
        } else if let Some(node) = get(Capture::Function) {
            x.function(node);
        } else if let Some(node) = get(Capture::Class) {
            x.class(node);
        } else if let (Some(name), Some(value)) =
            (get(Capture::AssignName), get(Capture::AssignValue))
        {
            x.assignment(name, value);
        } else if let (Some(decorator), Some(receiver), Some(verb), Some(args), Some(function)) = (
            get(Capture::RouteDecorator),
            get(Capture::RouteReceiver),
            get(Capture::RouteVerb),
            get(Capture::RouteArgs),
            get(Capture::RouteFunction),
        ) {
            x.route(decorator, receiver, verb, args, function);
        } else if let (Some(call), Some(receiver), Some(verb), Some(args), Some(endpoint)) = (
            get(Capture::RouteCall),
            get(Capture::RouteReceiver),
            get(Capture::RouteVerb),
            get(Capture::RouteArgs),
            get(Capture::RouteEndpoint),
        ) {
            x.call_route(call, receiver, verb, args, endpoint);
        } else if let (Some(decorator), Some(receiver), Some(args), Some(class)) = (
            get(Capture::ResourceDecorator),
            get(Capture::ResourceReceiver),
            get(Capture::ResourceArgs),
            get(Capture::ResourceClass),
        ) {
            x.resource_decorator(decorator, receiver, args, class);
        } else if let (Some(receiver), Some(kind), Some(function)) = (
            get(Capture::HookReceiver),
            get(Capture::HookKind),
            get(Capture::HookFunction),
        ) {
            x.hook(receiver, kind, function);
        } else if let (Some(call), Some(callee), Some(args)) = (
            get(Capture::CallSite),
            get(Capture::CallSiteCallee),
            get(Capture::CallSiteArgs),
        ) {
            x.call_site(callee, args, call);
        } else if let (Some(call), Some(receiver), Some(method), Some(args)) = (
            get(Capture::Call),
            get(Capture::CallReceiver),
            get(Capture::CallMethod),
            get(Capture::CallArgs),
        ) {
            x.call(call, receiver, method, args);
        }
    });
    if root.has_error() {
        x.syntax_problem(root);
    }
    x.finish_call_sites();
    x.facts.path_refs = x.path_refs.take();
    x.facts
}

struct Extractor<'a> {
    file: &'a SourceFile,
    src: &'a str,
    /// The file's root node.
    root: Node<'a>,
    facts: FileFacts,
    /// Module-level string constants, for prefixes and paths held in names.
    constants: HashMap<String, String>,
    /// Module-level lists and tuples (`ROUTES = ["/a", "/b"]`), for route templates; `None`
    /// where an item is computed.
    list_constants: HashMap<String, Vec<Option<String>>>,
    /// Path arguments that are names, resolved across modules by the link pass.
    path_refs: std::cell::RefCell<Vec<PathRef>>,
    /// Statement calls with a name argument: (callee, argument index, argument, span, and
    /// the enclosing function and position when the argument is one of its parameters).
    call_sites: Vec<CallSite>,
    /// The arguments of those calls, kept for the ones that pass a router (route templates).
    call_site_args: Vec<keyhole_core::facts::CallArgs>,
    summaries: HashMap<usize, keyhole_core::facts::FunctionSummary>,
    /// Where the words of a denial occur in the file (see [`summarise`]).
    denial_hits: keyhole_lang::Hits,
    /// Module-level names bound to a decorator that configuration turns on or off
    /// (`maybe_login = login_required if settings.X else (lambda f: f)`): the decorator and
    /// whether it is called.
    gated_decorators: HashMap<String, (keyhole_core::facts::SymbolPath, bool)>,
}

const ROUTE_DECORATORS: &[&str] = &[
    "route",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "api_route",
];

impl<'a> Extractor<'a> {
    fn span(&self, node: Node<'_>) -> keyhole_core::Span {
        self.file.span(node.start_byte(), node.end_byte())
    }

    fn collect_constants(&mut self, root: Node<'_>) {
        let mut cursor = root.walk();
        for stmt in root.named_children(&mut cursor) {
            if stmt.kind_name() != "expression_statement" {
                continue;
            }
            let Some(assign) = stmt
                .named_child(0)
                .filter(|n| n.kind_name() == "assignment")
            else {
                continue;
            };
            let (Some(left), Some(right)) = (assign.field("left"), assign.field("right")) else {
                continue;
            };
            if left.kind_name() == "identifier" {
                let name = text(left, self.src).to_string();
                if let Some(value) = string_value(right, self.src, &self.constants) {
                    self.constants.insert(name, value);
                } else if matches!(right.kind_name(), "list" | "tuple") {
                    let items = sequence_items(right)
                        .into_iter()
                        .map(|item| string_value(item, self.src, &self.constants))
                        .collect();
                    self.list_constants.insert(name, items);
                }
                // `maybe_login = login_required if settings.X else (lambda f: f)`, then
                // `@maybe_login`: the guard as configuration turns it on, at most optional.
                if right.kind_name() == "conditional_expression" {
                    if let Some((callee, called, true)) = self.decorator_callee(right, 0) {
                        self.gated_decorators
                            .insert(text(left, self.src).to_string(), (callee, called));
                    }
                }
            }
        }
        self.facts
            .constants
            .extend(self.constants.iter().map(|(name, value)| ConstantDef {
                name: name.clone(),
                value: value.clone(),
            }));
    }

    fn path_arg(&self, node: Node<'_>) -> PathArg {
        // `org_scoped_rule("/invite/<token>")`: a helper that decorates a literal path; the
        // literal is the route as most deployments serve it.
        let literal = if node.kind_name() == "call" {
            node.field("arguments")
                .and_then(|a| Args::of(a, self.src).positional.first().copied())
                .filter(|a| matches!(a.kind_name(), "string" | "concatenated_string"))
        } else {
            None
        };
        let value = string_value(literal.unwrap_or(node), self.src, &self.constants);
        if value.is_none() {
            if let Some(expr) = symbol_path(node, self.src) {
                self.path_refs.borrow_mut().push(PathRef {
                    span: self.span(node),
                    expr,
                });
            }
        }
        PathArg {
            value,
            span: self.span(node),
        }
    }

    fn import(&mut self, node: Node<'_>) {
        let src = self.src;
        let span = self.span(node);
        let mut cursor = node.walk();
        match node.kind_name() {
            "import_statement" => {
                for name in node.children_by_field_name("name", &mut cursor) {
                    let (module, local) = match name.kind_name() {
                        "aliased_import" => {
                            let Some(pair) = aliased_import(name, src) else {
                                continue;
                            };
                            pair
                        }
                        _ => {
                            // `import a.b.c` binds `a`.
                            let full = text(name, src).to_string();
                            let first = full.split('.').next().unwrap_or_default().to_string();
                            (first.clone(), first)
                        }
                    };
                    self.facts.imports.push(ImportDef {
                        local,
                        module,
                        kind: ImportKind::Module,
                        span,
                    });
                }
            }
            "import_from_statement" => {
                let Some(module) = node.field("module_name") else {
                    return;
                };
                let module = text(module, src).to_string();
                let mut any = false;
                for name in node.children_by_field_name("name", &mut cursor) {
                    any = true;
                    let (name, local) = match name.kind_name() {
                        "aliased_import" => {
                            let Some(pair) = aliased_import(name, src) else {
                                continue;
                            };
                            pair
                        }
                        _ => (text(name, src).to_string(), text(name, src).to_string()),
                    };
                    self.facts.imports.push(ImportDef {
                        local,
                        module: module.clone(),
                        kind: ImportKind::Named(name),
                        span,
                    });
                }
                if !any {
                    let mut c2 = node.walk();
                    if node
                        .named_children(&mut c2)
                        .any(|c| c.kind_name() == "wildcard_import")
                    {
                        self.facts.imports.push(ImportDef {
                            local: "*".to_string(),
                            module,
                            kind: ImportKind::Named("*".to_string()),
                            span,
                        });
                    }
                }
            }
            _ => {}
        }
    }

    /// A function's summary, computed once per file however many captures ask for it.
    fn summary_of(&mut self, function: Node<'_>) -> keyhole_core::facts::FunctionSummary {
        self.summaries
            .entry(function.id())
            .or_insert_with(|| summarise(function, self.file, self.src, &self.denial_hits))
            .clone()
    }

    fn function(&mut self, node: Node<'_>) {
        let Some(name) = node.field("name") else {
            return;
        };
        let summary = self.summary_of(node);
        let mut guards = Vec::new();
        if let Some(definition) = node
            .parent()
            .filter(|p| p.kind_name() == "decorated_definition")
        {
            let mut cursor = definition.walk();
            for dec in definition.named_children(&mut cursor) {
                if dec.kind_name() == "decorator" {
                    guards.extend(self.decorator_guard(dec));
                }
            }
        }
        if let Some((span, unconditional)) =
            summary::inline_check(node, &summary, self.file, self.src)
        {
            guards.push(GuardRef {
                site: GuardSite::InlineCheck,
                target: GuardTarget::Inline(Box::new(summary.clone())),
                called: false,
                optional: !unconditional,
                span,
            });
        }
        guards.extend(summary::secret_check(&summary));
        self.facts.functions.push(keyhole_core::facts::FunctionDef {
            name: text(name, self.src).to_string(),
            span: self.span(node),
            summary,
            guards,
        });
    }

    /// The receiver of a route or mount as a symbol path. A receiver that is a parameter of
    /// the enclosing function (`def init_app(app): app.register_blueprint(bp)`) is a router
    /// of its own, named `<function>.(<index>)`, which the function's call sites
    /// (`init_app(app)`) mount under their argument — the same convention the JavaScript
    /// extractor uses for `module.exports = function (app) {…}`.
    fn receiver_path(&mut self, receiver: Node<'_>) -> Option<Vec<String>> {
        let path = symbol_path(receiver, self.src)?;
        Some(self.parameter_router(receiver, &path).unwrap_or(path))
    }

    /// `path` renamed to the parameter router `<function>.(<index>)` when its first part is
    /// a parameter of the function enclosing `node`.
    fn parameter_router(&mut self, node: Node<'_>, path: &[String]) -> Option<Vec<String>> {
        let mut path = path.to_vec();
        let (function, index) = enclosing_parameter(self.root, node, &path[0], self.src)?;
        let name = format!("{function}.({index})");
        if !self.facts.routers.iter().any(|r| r.name == name) {
            self.add_parameter_router(&name, self.span(node));
        }
        path[0] = name;
        Some(path)
    }

    /// Define the parameter router `name` (`<function>.(<index>)`): routes registered on the
    /// parameter land on it, and each call passing a router mounts it there.
    fn add_parameter_router(&mut self, name: &str, span: keyhole_core::Span) {
        self.facts.routers.push(RouterDef {
            name: name.to_string(),
            kind: RouterKind::Router,
            framework: self.file_framework(),
            prefix: None,
            guards: Vec::new(),
            shares_parent_scope: false,
            span,
        });
    }

    /// The framework this file is written against, from its imports (Flask by default).
    fn file_framework(&self) -> Framework {
        let fastapi = self
            .facts
            .imports
            .iter()
            .any(|i| i.module.starts_with("fastapi") || i.module.starts_with("starlette"));
        if fastapi {
            Framework::FastApi
        } else {
            Framework::Flask
        }
    }

    /// `init_app(app)` as a statement: if `init_app` takes a router parameter, `app` is
    /// passed to it. Resolved at the end of the file, once its routers are known.
    fn call_site(&mut self, callee: Node<'_>, args: Node<'_>, span: Node<'_>) {
        let Some(callee) = symbol_path(callee, self.src) else {
            return;
        };
        let list = Args::of(args, self.src);
        for (index, arg) in list.positional.iter().enumerate() {
            if arg.kind_name() != "identifier" {
                continue;
            }
            let name = text(*arg, self.src).to_string();
            let param = enclosing_parameter(self.root, *arg, &name, self.src);
            self.call_sites.push(CallSite {
                callee: callee.clone(),
                index,
                arg: name,
                span: self.span(span),
                param,
            });
        }
        let call_args = self.template_call_args(span, args);
        self.call_site_args.push(call_args);
    }

    fn finish_call_sites(&mut self) {
        let call_args = std::mem::take(&mut self.call_site_args);
        let mut passed = Vec::new();
        for site in std::mem::take(&mut self.call_sites) {
            let CallSite {
                callee,
                index,
                arg,
                span,
                param,
            } = site;
            // A router parameter handed on (`def init_app(app): register_api(app, …)`): the
            // parameter's own router, when the function uses it as one or names it like one.
            let parent = match param {
                Some((function, i)) => {
                    let name = format!("{function}.({i})");
                    let known = self.facts.routers.iter().any(|r| r.name == name);
                    if !known && !router_like_name(&arg) {
                        continue;
                    }
                    if !known {
                        self.add_parameter_router(&name, span);
                    }
                    name
                }
                None => {
                    let is_router = self.facts.routers.iter().any(|r| r.name == arg)
                        || self.facts.instances.iter().any(|i| i.name == arg)
                        || self.facts.imports.iter().any(|i| i.local == arg);
                    if !is_router {
                        continue;
                    }
                    arg
                }
            };
            passed.push(span);
            let mut target = callee;
            target.push(format!("({index})"));
            self.facts.uses.push(UseDef {
                parent: vec![parent],
                prefix: None,
                args: vec![GuardRef {
                    site: GuardSite::Middleware,
                    target: GuardTarget::Symbol(target),
                    called: false,
                    optional: false,
                    span,
                }],
                guards: Vec::new(),
                scope: UseScope::After,
                unless: None,
                only: Vec::new(),
                span,
                order: span.start,
            });
        }
        // For the route templates of the functions called (see `templates`).
        self.facts
            .call_args
            .extend(call_args.into_iter().filter(|c| passed.contains(&c.span)));
    }

    fn class(&mut self, node: Node<'_>) {
        let Some(name) = node.field("name") else {
            return;
        };
        let bases = node
            .field("superclasses")
            .map(|list| {
                Args::of(list, self.src)
                    .positional
                    .into_iter()
                    .filter_map(|b| syntax::base_class_path(b, self.src))
                    .collect()
            })
            .unwrap_or_default();
        let class_name = text(name, self.src).to_string();
        let mut attribute_dependencies = Vec::new();
        let mut constructor_guards = Vec::new();
        if let Some(body) = node.field("body") {
            let mut cursor = body.walk();
            for stmt in body.named_children(&mut cursor) {
                if let Some(init) = syntax::function_named(stmt, "__init__", self.src) {
                    constructor_guards.extend(self.guards_passed_to_base_constructor(init));
                    continue;
                }
                let Some(assign) = stmt.named_child(0).filter(|n| {
                    stmt.kind_name() == "expression_statement" && n.kind_name() == "assignment"
                }) else {
                    continue;
                };
                let Some(left) = assign
                    .field("left")
                    .filter(|l| l.kind_name() == "identifier")
                else {
                    continue;
                };
                let attribute = text(left, self.src).to_string();
                let annotation = assign.field("type");
                let right = assign.field("right");
                attribute_dependencies.extend(
                    class_attribute_dependencies(annotation, right, self.file, self.src)
                        .into_iter()
                        .map(|dep| (attribute.clone(), dep)),
                );
                let Some(right) = right else {
                    continue;
                };
                if let Some(value) = string_value(right, self.src, &self.constants) {
                    self.facts.constants.push(ConstantDef {
                        name: format!("{class_name}.{}", text(left, self.src)),
                        value,
                    });
                }
            }
        }
        self.facts.classes.push(ClassDef {
            name: text(name, self.src).to_string(),
            bases,
            attribute_dependencies,
            constructor_guards,
            span: self.span(node),
        });
    }

    /// `super().__init__(…, dependencies=[Depends(auth)])` (or `Base.__init__(self, …)`) at the
    /// top level of an `__init__`: the guards every instance of the class is built with.
    fn guards_passed_to_base_constructor(&self, init: Node<'_>) -> Vec<GuardRef> {
        let Some(body) = init.field("body") else {
            return Vec::new();
        };
        let mut guards = Vec::new();
        let mut cursor = body.walk();
        for stmt in body.named_children(&mut cursor) {
            let Some(call) = stmt
                .named_child(0)
                .filter(|n| stmt.kind_name() == "expression_statement" && n.kind_name() == "call")
            else {
                continue;
            };
            let calls_base_init = call
                .field("function")
                .filter(|f| f.kind_name() == "attribute")
                .and_then(|f| f.field("attribute"))
                .is_some_and(|a| text(a, self.src) == "__init__");
            if !calls_base_init {
                continue;
            }
            if let Some(deps) = call
                .field("arguments")
                .and_then(|a| Args::of(a, self.src).keyword("dependencies"))
            {
                guards.extend(self.dependency_list(deps));
            }
        }
        guards
    }

    fn assignment(&mut self, name: Node<'_>, value: Node<'_>) {
        let src = self.src;
        let name_text = text(name, src).to_string();
        match value.kind_name() {
            "call" => {
                let Some(callee) = value.field("function").and_then(|f| symbol_path(f, src)) else {
                    return;
                };
                let Some(args) = value.field("arguments") else {
                    return;
                };
                let args = Args::of(args, src);
                if self.restful_assignment(&name_text, &callee, &args, value)
                    || self.connexion_app(&name_text, &callee, &args, value)
                {
                    return;
                }
                let last = callee.last().map(String::as_str).unwrap_or_default();
                let router = match last {
                    "Flask" | "Quart" => Some((RouterKind::App, Framework::Flask, None)),
                    "Blueprint" => Some((RouterKind::Router, Framework::Flask, Some("url_prefix"))),
                    "FastAPI" | "Starlette" => Some((RouterKind::App, Framework::FastApi, None)),
                    "APIRouter" => Some((RouterKind::Router, Framework::FastApi, Some("prefix"))),
                    _ => None,
                };
                if let Some((kind, framework, prefix_kw)) = router {
                    let prefix = prefix_kw
                        .and_then(|kw| args.keyword(kw))
                        .map(|n| self.path_arg(n));
                    let guards = args
                        .keyword("dependencies")
                        .map(|deps| self.dependency_list(deps))
                        .unwrap_or_default();
                    self.facts.routers.push(RouterDef {
                        name: name_text.clone(),
                        kind,
                        framework,
                        prefix,
                        guards,
                        shares_parent_scope: false,
                        span: self.span(value),
                    });
                    if framework == Framework::FastApi {
                        self.starlette_app(&name_text, &args, value);
                    }
                    return;
                }
                if last.starts_with(|c: char| c.is_ascii_uppercase()) && !is_security_scheme(last) {
                    let prefix = if matches!(last, "NestedSimpleRouter" | "NestedDefaultRouter") {
                        Some(self.nested_router_prefix(&args, value))
                    } else {
                        args.keyword("url_prefix")
                            .or_else(|| args.keyword("prefix"))
                            .map(|n| self.path_arg(n))
                    };
                    let guards = args
                        .keyword("dependencies")
                        .map(|deps| self.dependency_list(deps))
                        .unwrap_or_default();
                    let allows_anonymous = allows_anonymous(&args, src);
                    if last == "DefaultRouter"
                        && args
                            .keyword("include_root_view")
                            .is_none_or(|v| text(v, src) != "False")
                    {
                        self.drf_api_root(&name_text, value);
                    }
                    self.facts.instances.push(InstanceDef {
                        name: name_text,
                        class: callee,
                        prefix,
                        guards,
                        allows_anonymous,
                        span: self.span(value),
                    });
                    return;
                }
                if is_security_scheme(last) {
                    let optional = args
                        .keyword("auto_error")
                        .is_some_and(|v| text(v, src) == "False");
                    self.facts.aliases.push(AliasDef {
                        name: name_text,
                        dependencies: Vec::new(),
                        auth_scheme: Some(if optional {
                            format!("{last}(auto_error=False)")
                        } else {
                            last.to_string()
                        }),
                        points_to: None,
                        span: self.span(value),
                    });
                }
            }
            "subscript" => {
                let deps = annotated_dependencies(value, self.file, src);
                if !deps.is_empty() {
                    self.facts.aliases.push(AliasDef {
                        name: name_text,
                        dependencies: deps,
                        auth_scheme: None,
                        points_to: None,
                        span: self.span(value),
                    });
                }
            }
            // `routes = [Route('/x', endpoint=f), Mount('/api', routes=[…])]`
            "list" if self.holds_starlette_routes(value) => {
                self.starlette_route_list(&name_text, value);
            }
            "identifier" | "attribute" => {
                if let Some(path) = symbol_path(value, src) {
                    self.facts.aliases.push(AliasDef {
                        name: name_text,
                        dependencies: Vec::new(),
                        auth_scheme: None,
                        points_to: Some(path),
                        span: self.span(value),
                    });
                }
            }
            _ => {}
        }
    }

    /// `dependencies=[Depends(a), Security(b, scopes=[…])]`.
    fn dependency_list(&self, list: Node<'_>) -> Vec<GuardRef> {
        sequence_items(list)
            .into_iter()
            .filter_map(|item| {
                let dep = summary::dependency_call(item, self.file, self.src)?;
                Some(dependency_guard(dep))
            })
            .collect()
    }

    /// The methods of `@x.route(…, methods=[…])`, `@x.get(…)`; `None` for a verb that is no
    /// HTTP method.
    fn route_methods(&self, verb: &str, args_list: &Args<'_>) -> Option<Vec<Method>> {
        Some(match verb {
            "route" | "api_route" => match args_list.keyword("methods") {
                // `methods=PROXY_METHODS`: a module-level list of method names.
                Some(list) if list.kind_name() == "identifier" => {
                    let named = self.list_constants.get(text(list, self.src));
                    let methods: Option<Vec<Method>> =
                        named.filter(|items| !items.is_empty()).and_then(|items| {
                            items
                                .iter()
                                .map(|m| m.as_deref().and_then(Method::parse))
                                .collect()
                        });
                    methods.unwrap_or_else(|| vec![Method::Any])
                }
                Some(list) => {
                    let methods: Vec<Method> = sequence_items(list)
                        .into_iter()
                        .filter_map(|m| string_value(m, self.src, &self.constants))
                        .filter_map(|m| Method::parse(&m))
                        .collect();
                    if methods.is_empty() {
                        vec![Method::Any]
                    } else {
                        methods
                    }
                }
                None => vec![Method::Get],
            },
            other => vec![Method::parse(other)?],
        })
    }

    /// `router.post("/register")(register_user)`: the decorator applied by a call (often
    /// under a condition). The handler is reached through a [`GuardSite::View`] guard, so its
    /// dependencies and decorators are followed wherever it is defined.
    fn call_route(
        &mut self,
        call: Node<'_>,
        receiver: Node<'_>,
        verb: Node<'_>,
        args: Node<'_>,
        endpoint: Node<'_>,
    ) {
        let src = self.src;
        let Some(router) = self.receiver_path(receiver) else {
            return;
        };
        let verb = text(verb, src);
        let args_list = Args::of(args, src);
        let Some(path_node) = args_list
            .arg(0, "path")
            .or_else(|| args_list.keyword("rule"))
        else {
            return;
        };
        // In a function that receives the router, the path and the view may come from its
        // parameters (a route template, see `templates`).
        let on_param = router.first().is_some_and(|r| r.ends_with(')'));
        let scope = on_param
            .then(|| templates::Scope::enclosing(self, call))
            .flatten();
        let params = scope.as_ref().and_then(|scope| {
            let pieces = scope.path(self, path_node, 0);
            let view = scope.param(self, endpoint);
            scope
                .route_params(self.span(call), pieces.clone(), view)
                .map(|p| (p, templates::written_path(&pieces)))
        });
        let mut path = self.path_arg(path_node);
        match &params {
            Some((_, written)) => path.value = written.clone(),
            // Only literal paths: a computed argument is too weak a sign that this is a route.
            None if !matches!(path_node.kind_name(), "string" | "concatenated_string") => return,
            None => {}
        }
        if params.is_none() && !path.value.as_deref().is_some_and(|p| p.starts_with('/')) {
            return;
        }
        let Some(methods) = self.route_methods(verb, &args_list) else {
            return;
        };
        let Some(view) = symbol_path(endpoint, src) else {
            return;
        };
        let mut guards = args_list
            .keyword("dependencies")
            .map(|deps| self.dependency_list(deps))
            .unwrap_or_default();
        let view_from_param = params.as_ref().is_some_and(|(p, _)| p.handler.is_some());
        // A view from a parameter is filled in at each call; none is written here.
        if !view_from_param {
            guards.push(GuardRef {
                site: GuardSite::View,
                target: GuardTarget::Symbol(view.clone()),
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
            guards,
            handler: (!view_from_param).then(|| view.last().cloned()).flatten(),
            span: self.span(call),
            order: call.order(),
        });
        self.facts.route_params.extend(params.map(|(p, _)| p));
    }

    fn route(
        &mut self,
        decorator: Node<'_>,
        receiver: Node<'_>,
        verb: Node<'_>,
        args: Node<'_>,
        function: Node<'_>,
    ) {
        let src = self.src;
        let Some(router) = self.receiver_path(receiver) else {
            return;
        };
        let verb = text(verb, src);
        let args_list = Args::of(args, src);
        let path_node = args_list
            .arg(0, "path")
            .or_else(|| args_list.keyword("rule"));
        let Some(path_node) = path_node else {
            return;
        };
        let path = self.path_arg(path_node);
        // `@cache.get("key")`-like false friends: a route path is a string that starts with `/`
        // (or is computed, in which case we keep it but cannot show it).
        if path
            .value
            .as_deref()
            .is_some_and(|p| !p.starts_with('/') && !p.is_empty())
        {
            return;
        }
        let Some(methods) = self.route_methods(verb, &args_list) else {
            return;
        };
        let mut guards = Vec::new();
        if let Some(deps) = args_list.keyword("dependencies") {
            guards.extend(self.dependency_list(deps));
        }
        // The handler's other decorators (not routes of this or another router).
        if let Some(definition) = function.parent() {
            let mut cursor = definition.walk();
            for dec in definition.named_children(&mut cursor) {
                if dec.kind_name() != "decorator" || dec == decorator {
                    continue;
                }
                if let Some(guard) = self.decorator_guard(dec) {
                    guards.push(guard);
                }
            }
        }
        for dep in dependencies_of(function, self.file, src) {
            guards.push(dependency_guard(dep));
        }
        // A route method of a class-based view: the class's attribute dependencies.
        if let Some(class_name) =
            syntax::enclosing_class(function).and_then(|class| class.field("name"))
        {
            guards.push(GuardRef {
                site: GuardSite::ClassView,
                target: GuardTarget::Symbol(vec![text(class_name, src).to_string()]),
                called: false,
                optional: false,
                span: self.span(class_name),
            });
        }
        // `if not current_user.is_authenticated: abort(401)` in the handler itself.
        let handler_summary = self.summary_of(function);
        guards.extend(summary::secret_check(&handler_summary));
        if let Some((span, unconditional)) =
            summary::inline_check(function, &handler_summary, self.file, src)
        {
            guards.push(GuardRef {
                site: GuardSite::InlineCheck,
                target: GuardTarget::Inline(Box::new(handler_summary)),
                called: false,
                optional: !unconditional,
                span,
            });
        }
        let handler = function.field("name").map(|n| text(n, src).to_string());
        // FastAPI: `response_model=` wins over the handler's return annotation.
        let response = match args_list.keyword("response_model") {
            Some(model) => Some(model),
            None if self.file_framework() == Framework::FastApi => function.field("return_type"),
            None => None,
        };
        if let Some(node) = response {
            self.response_ref(decorator, node);
        }
        self.facts.routes.push(RouteDef {
            router,
            framework_hint: None,
            methods,
            path,
            guards,
            handler,
            span: self.span(decorator),
            order: decorator.order(),
        });
    }

    /// A route's declared response type: `response_model=UserOut`, `-> list[UserOut]`. The
    /// class to resolve is the innermost name of a generic (`list[…]`, `Optional[…]`,
    /// `Page[…]`); `None` declares nothing.
    fn response_ref(&mut self, route: Node<'_>, node: Node<'_>) {
        let node = if node.kind_name() == "type" {
            node.named_child(0).unwrap_or(node)
        } else {
            node
        };
        let written = text(node, self.src);
        if written == "None" {
            return;
        }
        let mut class = None;
        let mut current = Some(node);
        for _ in 0..8 {
            let Some(n) = current else { break };
            match n.kind_name() {
                "identifier" | "attribute" => {
                    class = symbol_path(n, self.src);
                    break;
                }
                // `list[UserOut]`: the last subscript, for `dict[str, UserOut]` as well.
                "subscript" => {
                    let mut cursor = n.walk();
                    current = n.children_by_field_name("subscript", &mut cursor).last();
                }
                // tree-sitter-python writes `list[UserOut]` in a return annotation as a generic type.
                "generic_type" => {
                    current = n.named_child(1).and_then(|params| {
                        params.named_child(params.named_child_count().saturating_sub(1))
                    });
                }
                "type" => current = n.named_child(0),
                _ => break,
            }
        }
        self.facts.responses.push(keyhole_core::facts::ResponseRef {
            route: self.span(route),
            text: written.to_string(),
            class,
            span: self.span(node),
        });
    }

    /// A decorator as a guard candidate; `None` for route decorators.
    fn decorator_guard(&self, dec: Node<'_>) -> Option<GuardRef> {
        let expr = dec.named_child(0)?;
        let (callee, called, optional) = self.decorator_callee(expr, 0)?;
        let callee = self.qualify_decorator(callee);
        if callee.len() > 1
            && callee
                .last()
                .is_some_and(|l| ROUTE_DECORATORS.contains(&l.as_str()) || l == "before_request")
        {
            return None;
        }
        Some(GuardRef {
            site: GuardSite::Decorator,
            target: GuardTarget::Symbol(callee),
            called,
            optional,
            span: self.span(dec),
        })
    }

    /// A decorator expression's callee, whether it is called, and whether it asks for
    /// optional auth. `@login_required if settings.LOGIN_REQUIRED else (lambda f: f)`: the
    /// guard applies only when configuration turns it on, so at most optional.
    fn decorator_callee(
        &self,
        expr: Node<'_>,
        depth: usize,
    ) -> Option<(keyhole_core::facts::SymbolPath, bool, bool)> {
        let src = self.src;
        if expr.kind_name() == "conditional_expression" && depth < MAX_DECORATOR_PARENS {
            let mut cursor = expr.walk();
            let parts: Vec<Node<'_>> = expr.named_children(&mut cursor).collect();
            let [when_true, _condition, when_false] = parts[..] else {
                return None;
            };
            let guard = if is_identity(when_false, src) {
                when_true
            } else if is_identity(when_true, src) {
                when_false
            } else {
                return None;
            };
            // No further conditionals or parentheses inside the guarded branch.
            let (callee, called, _) = self.decorator_callee(guard, MAX_DECORATOR_PARENS)?;
            return Some((callee, called, true));
        }
        if expr.kind_name() == "parenthesized_expression" && depth < MAX_DECORATOR_PARENS {
            return self.decorator_callee(expr.named_child(0)?, depth + 1);
        }
        let (callee, called, optional) = match expr.kind_name() {
            "call" => {
                let callee = symbol_path(expr.field("function")?, src)?;
                let args = expr.field("arguments").map(|a| Args::of(a, src));
                let optional = args
                    .as_ref()
                    .and_then(|a| a.keyword("optional"))
                    .is_some_and(|v| text(v, src) == "True");
                (callee, true, optional)
            }
            "identifier" => match self.gated_decorators.get(text(expr, src)) {
                Some((callee, called)) => (callee.clone(), *called, true),
                None => (symbol_path(expr, src)?, false, false),
            },
            "attribute" => (symbol_path(expr, src)?, false, false),
            _ => return None,
        };
        Some((callee, called, optional))
    }

    fn hook(&mut self, receiver: Node<'_>, kind: Node<'_>, function: Node<'_>) {
        let Some(parent) = self.receiver_path(receiver) else {
            return;
        };
        let parent = if text(kind, self.src) == "before_app_request" {
            vec![ALL_APPS.to_string()]
        } else {
            parent
        };
        // The hook function is summarised with every other function; refer to it by name so
        // the evidence can name it. Unnamed (impossible in valid code) falls back to inline.
        let target = match function.field("name") {
            Some(name) => GuardTarget::Symbol(vec![text(name, self.src).to_string()]),
            None => GuardTarget::Inline(Box::new(self.summary_of(function))),
        };
        let decorated = function.parent().unwrap_or(function);
        self.facts.uses.push(UseDef {
            parent,
            prefix: None,
            args: Vec::new(),
            guards: vec![GuardRef {
                site: GuardSite::RequestHook,
                target,
                called: false,
                optional: false,
                span: self.span(decorated),
            }],
            scope: UseScope::Whole,
            unless: None,
            only: Vec::new(),
            span: self.span(decorated),
            order: decorated.order(),
        });
    }

    fn call(&mut self, call: Node<'_>, receiver: Node<'_>, method: Node<'_>, args: Node<'_>) {
        let src = self.src;
        let Some(parent) = self.receiver_path(receiver) else {
            return;
        };
        let method = text(method, src);
        let args_list = Args::of(args, src);
        let order = call.order();
        let symbol_arg = |node: Node<'_>, site: GuardSite| -> Option<GuardRef> {
            Some(GuardRef {
                site,
                target: GuardTarget::Symbol(symbol_path(node, src)?),
                called: false,
                optional: false,
                span: self.span(node),
            })
        };
        match method {
            "register_blueprint" | "include_router" => {
                let Some(child) = args_list
                    .arg(0, "router")
                    .or_else(|| args_list.keyword("blueprint"))
                else {
                    return;
                };
                let child_node = Some(child);
                let Some(mut child) = symbol_arg(child, GuardSite::Middleware) else {
                    return;
                };
                // `def add_routers(app, router): app.include_router(router)`: the mounted
                // router is a parameter too, bound at the call sites.
                if let (GuardTarget::Symbol(path), Some(node)) = (&child.target, child_node) {
                    if let Some(renamed) = self.parameter_router(node, path) {
                        child.target = GuardTarget::Symbol(renamed);
                    }
                }
                let prefix_kw = if method == "register_blueprint" {
                    "url_prefix"
                } else {
                    "prefix"
                };
                let prefix = args_list.keyword(prefix_kw).map(|n| self.path_arg(n));
                let guards = args_list
                    .keyword("dependencies")
                    .map(|d| self.dependency_list(d))
                    .unwrap_or_default();
                self.facts.uses.push(UseDef {
                    parent,
                    prefix,
                    args: vec![child],
                    guards,
                    scope: UseScope::Whole,
                    unless: None,
                    only: Vec::new(),
                    span: self.span(call),
                    order,
                });
            }
            "mount" => self.mount_app(call, parent, &args_list),
            "add_api" => self.add_api(call, parent, &args_list),
            "add_middleware" => self.add_middleware(call, parent, &args_list),
            "add_api_route" | "add_route" => {
                self.add_api_route(call, receiver, method, &args_list);
            }
            "add_namespace" | "init_app" => {
                self.restful_call(call, parent, method, &args_list);
            }
            "before_request" | "before_app_request" => {
                let Some(hook) = args_list.positional.first().copied() else {
                    return;
                };
                let Some(guard) = symbol_arg(hook, GuardSite::RequestHook) else {
                    return;
                };
                let parent = if method == "before_app_request" {
                    vec![ALL_APPS.to_string()]
                } else {
                    parent
                };
                self.facts.uses.push(UseDef {
                    parent,
                    prefix: None,
                    args: Vec::new(),
                    guards: vec![guard],
                    scope: UseScope::Whole,
                    unless: None,
                    only: Vec::new(),
                    span: self.span(call),
                    order,
                });
            }
            _ => {}
        }
    }

    fn syntax_problem(&mut self, root: Node<'_>) {
        let mut first = None;
        syntax::walk_bounded(root, 1_000_000, |node| {
            if first.is_some() {
                return syntax::Walk::SkipChildren;
            }
            if node.is_error() || node.is_missing() {
                first = Some(node);
                return syntax::Walk::SkipChildren;
            }
            if node.has_error() {
                syntax::Walk::Continue
            } else {
                syntax::Walk::SkipChildren
            }
        });
        let node = first.unwrap_or(root);
        self.facts.problems.push(Problem {
            span: self.span(node),
            message: "syntax error; routes after this point may be missed".to_string(),
        });
    }
}

/// Whether constructor arguments let anonymous callers through: a keyword such as
/// `allow_anonymous=True` / `optional=True` / `auto_error=False`, or an argument naming an
/// anonymous subject (`allowed_subjects={User, Anonymous}`), looked at one level deep.
pub(crate) fn allows_anonymous(args: &Args<'_>, src: &str) -> bool {
    let anonymous_name = |n: Node<'_>| {
        symbol_path(n, src)
            .and_then(|p| p.last().cloned())
            .is_some_and(|l| {
                matches!(
                    l.as_str(),
                    "Anonymous" | "AnonymousUser" | "AnonymousSubject"
                )
            })
    };
    let mentions =
        |n: Node<'_>| anonymous_name(n) || sequence_items(n).into_iter().any(anonymous_name);
    for (key, value) in &args.keywords {
        let v = text(*value, src);
        let flag = match key.as_str() {
            "allow_anonymous" | "anonymous" | "optional" => v == "True",
            "auto_error" | "required" => v == "False",
            _ => false,
        };
        if flag || mentions(*value) {
            return true;
        }
    }
    args.positional.iter().any(|n| mentions(*n))
}

fn dependency_guard(dep: DependencyRef) -> GuardRef {
    GuardRef {
        site: if dep.via_alias {
            GuardSite::Annotation
        } else {
            GuardSite::Dependency
        },
        target: GuardTarget::Symbol(dep.target),
        called: true,
        optional: dep.optional,
        span: dep.span,
    }
}

/// FastAPI's security scheme classes: a dependency on one of them authenticates.
pub fn is_security_scheme(name: &str) -> bool {
    matches!(
        name,
        "OAuth2PasswordBearer"
            | "OAuth2AuthorizationCodeBearer"
            | "OAuth2"
            | "HTTPBearer"
            | "HTTPBasic"
            | "HTTPDigest"
            | "APIKeyHeader"
            | "APIKeyCookie"
            | "APIKeyQuery"
            | "OpenIdConnect"
    )
}

/// A class attribute's dependencies: `user: User = Depends(get_user)`,
/// `user: Annotated[User, Depends(get_user)]`, or `user: CurrentUser` naming such an alias
/// (a guard only if the name resolves to one).
fn class_attribute_dependencies(
    annotation: Option<Node<'_>>,
    value: Option<Node<'_>>,
    file: &SourceFile,
    src: &str,
) -> Vec<DependencyRef> {
    if let Some(dep) = value.and_then(|v| summary::dependency_call(v, file, src)) {
        return vec![dep];
    }
    let Some(annotation) = annotation.map(|t| {
        if t.kind_name() == "type" {
            t.named_child(0).unwrap_or(t)
        } else {
            t
        }
    }) else {
        return Vec::new();
    };
    match annotation.kind_name() {
        "subscript" | "generic_type" => summary::annotated_dependencies(annotation, file, src),
        // Only without a value: `user: User = None` declares a plain attribute.
        "identifier" | "attribute" if value.is_none() => symbol_path(annotation, src)
            .map(|target| DependencyRef {
                target,
                optional: false,
                via_alias: true,
                span: file.span(annotation.start_byte(), annotation.end_byte()),
            })
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// `Annotated[User, Depends(get_current_user)]` → the `Depends` inside.
fn annotated_dependencies(node: Node<'_>, file: &SourceFile, src: &str) -> Vec<DependencyRef> {
    summary::annotated_dependencies(node, file, src)
}

#[cfg(test)]
mod tests;

/// Whether `name` is a parameter of the function enclosing `node` (below `root`): (function
/// name, index).
fn enclosing_parameter(
    root: Node<'_>,
    node: Node<'_>,
    name: &str,
    src: &str,
) -> Option<(String, usize)> {
    // The nearest function whose body contains the node (decorators sit outside the function
    // they decorate), found on the way down from the root: `Node::parent` walks down from the
    // root on every call, so climbing costs the square of the depth.
    let holds = |outer: Node<'_>| {
        outer.start_byte() <= node.start_byte() && node.end_byte() <= outer.end_byte()
    };
    let mut cursor = root.walk();
    let mut function = None;
    for _ in 0..MAX_DESCENT {
        let here = cursor.node();
        if here.id() == node.id() {
            break;
        }
        if here.kind_name() == "function_definition" && here.field("body").is_some_and(holds) {
            function = Some(here);
        }
        if cursor
            .goto_first_child_for_byte(node.start_byte())
            .is_none()
            || !holds(cursor.node())
        {
            break;
        }
    }
    let function = function?;
    let function_name = text(function.field("name")?, src).to_string();
    let params = function.field("parameters")?;
    let mut cursor = params.walk();
    for (index, param) in params.named_children(&mut cursor).enumerate() {
        let param_name = match param.kind_name() {
            "identifier" => Some(param),
            "typed_parameter" => param.named_child(0),
            "default_parameter" | "typed_default_parameter" => param.field("name"),
            _ => None,
        };
        if param_name.is_some_and(|p| text(p, src) == name) {
            return Some((function_name, index));
        }
    }
    None
}

/// Bound on the levels [`enclosing_parameter`] descends.
const MAX_DESCENT: usize = 10_000;

/// A statement call passing a name (see `Extractor::call_site`).
struct CallSite {
    callee: Vec<String>,
    index: usize,
    arg: String,
    span: keyhole_core::Span,
    param: Option<(String, usize)>,
}

/// Whether a parameter is named like a router (`app`, `bp`, `bp_or_app`, `api_router`).
fn router_like_name(name: &str) -> bool {
    name.split('_').any(|w| {
        matches!(
            w,
            "app" | "application" | "bp" | "blueprint" | "router" | "api"
        )
    })
}

/// `name as alias` in an import: (name, alias).
fn aliased_import(node: Node<'_>, src: &str) -> Option<(String, String)> {
    let name = node.field("name")?;
    let alias = node.field("alias")?;
    Some((text(name, src).to_string(), text(alias, src).to_string()))
}
