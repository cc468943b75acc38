//! Hono: `new Hono()` apps, their routes (`app.get(path, …mw, handler)`, `app.on(methods,
//! paths, …)`, chains `app.get(…).post(…)` since every registration returns the app),
//! `app.route('/x', sub)` mounts, `basePath`, and `app.use([pattern], …mw)` middleware.
//!
//! Conventions:
//!
//! - Every Hono instance is a [`RouterKind::Router`]: sub-apps and the served app are built
//!   the same way. An app is a root when the file serves it (`app.fetch`, `serve(app)`,
//!   `handle(app)`, `app.fire()`, or `export default app` in an entry file such as
//!   `src/index.ts`): it is then mounted, without a prefix, under a synthetic app named
//!   [`SERVED_ROUTER`]. A Hono router nobody mounts or serves stays unknown.
//! - `app.use('/admin/*', mw)` follows Hono's pattern semantics through [`UseDef::only`]:
//!   `/admin/*` covers `/admin` and everything below, `/admin` that path alone, `*` (or no
//!   pattern) everything; as in Express, only what is registered after the `use`. A pattern
//!   keyhole cannot read (a wildcard inside the path, a variable) makes the middleware
//!   optional auth at most, never a confident guard.
//! - `const api = app.basePath('/api')` is a router mounted on `app` under `/api`;
//!   `new Hono().basePath('/api')` is a router with that prefix.

use keyhole_core::endpoint::{Framework, Method};
use keyhole_core::facts::{
    GuardRef, GuardSite, GuardTarget, PathArg, RouteSpec, RouterDef, RouterKind, SymbolPath,
    UseDef, UseScope,
};
use keyhole_lang::NodeExt;
use tree_sitter::Node;

use crate::syntax::{string_value, symbol_path, text, unwrap, StrValue, DEPTH_CAP};
use crate::{arguments, named_elements, Extractor, VERBS};

/// Name of the synthetic app that serves the Hono apps of a file (never an identifier).
pub const SERVED_ROUTER: &str = "#hono:served";

/// Methods of a Hono app that return the app, so that a chain of them is still the app.
const CHAIN_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "all", "options", "on", "use", "route", "basePath",
    "openapi", "doc", "doc31", "onError", "notFound",
];

/// File stems whose `export default app` serves the app (Cloudflare Workers, Bun, Deno).
const ENTRY_STEMS: &[&str] = &[
    "index", "main", "server", "app", "worker", "_worker", "entry",
];

/// Folders whose files export sub-apps rather than the served app.
const SUB_APP_DIRS: &[&str] = &[
    "routes",
    "route",
    "routers",
    "router",
    "controllers",
    "handlers",
    "modules",
    "api",
];

/// Whether an import from `module` makes the file a Hono file.
pub(crate) fn is_hono_module(module: &str) -> bool {
    module == "hono" || module.starts_with("hono/") || module.starts_with("@hono/")
}

/// Whether an imported name constructs a Hono app.
pub(crate) fn is_ctor_export(module: &str, name: &str) -> bool {
    is_hono_module(module) && matches!(name, "Hono" | "OpenAPIHono")
}

/// The receiver and method of `recv.method(…)`.
fn member_call<'t>(node: Node<'t>, src: &str) -> Option<(Node<'t>, &'static str)> {
    if node.kind_name() != "call_expression" {
        return None;
    }
    let callee = unwrap(node.field("function")?);
    if callee.kind_name() != "member_expression" {
        return None;
    }
    let method = text(callee.field("property")?, src);
    let method = CHAIN_METHODS.iter().find(|m| **m == method)?;
    Some((unwrap(callee.field("object")?), method))
}

/// The start of a chain of app methods (`new Hono().basePath('/api').get(…)` →
/// `new Hono()`), with the `basePath` calls met on the way (outermost first).
fn chain_base<'t>(node: Node<'t>, src: &str) -> (Node<'t>, Vec<Node<'t>>) {
    let mut cur = unwrap(node);
    let mut base_paths = Vec::new();
    for _ in 0..DEPTH_CAP * 4 {
        match member_call(cur, src) {
            Some((object, method)) => {
                if method == "basePath" {
                    base_paths.push(cur);
                }
                cur = object;
            }
            None => break,
        }
    }
    (cur, base_paths)
}

/// Whether a node is `new Hono(…)` (or `new OpenAPIHono(…)`), or a call of a factory that
/// returns one (`createRouter()`, see [`is_factory`]).
fn is_ctor(x: &Extractor<'_>, node: Node<'_>) -> bool {
    let node = unwrap(node);
    match node.kind_name() {
        "new_expression" => node
            .field("constructor")
            .map(unwrap)
            .is_some_and(|c| c.kind_name() == "identifier" && x.hono_names.contains(x.text(c))),
        "call_expression" => node
            .field("function")
            .map(unwrap)
            .is_some_and(|c| c.kind_name() == "identifier" && is_factory(x, c, node)),
        _ => false,
    }
}

/// A factory of Hono apps (`const app = createOpenApiRouter()`): a function of this file that
/// returns `new Hono(…)`, or one imported from the repository whose name says it builds an
/// app or router (`createRouter`, `honoApp`, `newApp`).
fn is_factory(x: &Extractor<'_>, callee: Node<'_>, at: Node<'_>) -> bool {
    let name = x.text(callee);
    let mut root = at;
    while let Some(p) = root.parent() {
        root = p;
    }
    if let Some(function) = top_level_function(x, root, name) {
        let Some(body) = function.field("body") else {
            return false;
        };
        let mut returns_app = false;
        crate::summary::walk_nodes(body, |n| {
            returns_app |= n.kind_name() == "new_expression" && is_ctor(x, n);
        });
        return returns_app;
    }
    let imported_from_repo = x
        .facts
        .imports
        .iter()
        .any(|i| i.local == name && (i.module.starts_with('.') || i.module.starts_with("@/")));
    imported_from_repo
        && keyhole_core::vocabulary::split_words(name)
            .iter()
            .any(|w| matches!(w.as_str(), "hono" | "router" | "app"))
}

/// A value that constructs a Hono app, possibly through a chain of its methods.
pub(crate) fn ctor(x: &Extractor<'_>, value: Node<'_>) -> Option<(RouterKind, Framework)> {
    if !x.hono_file {
        return None;
    }
    let (base, _) = chain_base(value, x.src);
    is_ctor(x, base).then_some((RouterKind::Router, Framework::Hono))
}

/// The prefix `basePath` calls in a constructing chain give the app.
pub(crate) fn ctor_prefix(x: &Extractor<'_>, value: Node<'_>) -> Option<PathArg> {
    let (_, base_paths) = chain_base(value, x.src);
    base_path_prefix(x, &base_paths)
}

/// The joined argument of `basePath` calls (outermost first, as [`chain_base`] gives them).
fn base_path_prefix(x: &Extractor<'_>, calls: &[Node<'_>]) -> Option<PathArg> {
    let mut value = Some(String::new());
    let mut span = None;
    for call in calls.iter().rev() {
        let arg = call
            .field("arguments")
            .map(arguments)
            .and_then(|a| a.first().copied())?;
        span = Some(x.span(arg));
        value = match (value, x.consts.resolve(arg, x.src)) {
            (Some(v), StrValue::Known(s)) => Some(format!("{}/{}", v, s.trim_matches('/'))),
            _ => None,
        };
    }
    Some(PathArg { value, span: span? })
}

/// Whether a router name (as written in this file) is a Hono app built here.
pub(crate) fn is_hono_router(x: &Extractor<'_>, router: &SymbolPath) -> bool {
    let [name] = router.as_slice() else {
        return false;
    };
    x.facts
        .routers
        .iter()
        .any(|r| &r.name == name && r.framework == Framework::Hono)
}

/// The router a chained registration is made on: `app` in `app.get(…).post(…)`, or the name
/// a constructing chain is bound to (`users` in `const users = new Hono().get(…)`).
pub(crate) fn chain_router(x: &Extractor<'_>, receiver: Node<'_>) -> Option<SymbolPath> {
    if !x.hono_file {
        return None;
    }
    let (base, _) = chain_base(receiver, x.src);
    if is_ctor(x, base) {
        // Up from the constructor through the chain to the declarator binding it.
        let mut cur = base;
        for _ in 0..DEPTH_CAP * 8 {
            let parent = cur.parent()?;
            match parent.kind_name() {
                "variable_declarator" => {
                    let name = parent.field("name")?;
                    return (name.kind_name() == "identifier")
                        .then(|| vec![x.text(name).to_string()]);
                }
                "member_expression"
                | "call_expression"
                | "arguments"
                | "parenthesized_expression"
                | "as_expression"
                | "satisfies_expression"
                | "await_expression" => cur = parent,
                _ => return None,
            }
        }
        return None;
    }
    if base.id() == unwrap(receiver).id() {
        return None; // no chain: the caller reads the receiver itself
    }
    let path = symbol_path(base, x.src)?;
    is_hono_router(x, &path).then_some(path)
}

/// `const api = app.basePath('/api')` with `app` a Hono app of this file: `api` is a router
/// mounted on `app` under `/api`.
pub(crate) fn derived_app(
    x: &mut Extractor<'_>,
    anchor: Node<'_>,
    name: &str,
    value: Node<'_>,
) -> bool {
    if !x.hono_file {
        return false;
    }
    let (base, base_paths) = chain_base(value, x.src);
    if base.id() == unwrap(value).id() {
        return false;
    }
    let Some(parent) = symbol_path(base, x.src).filter(|p| is_hono_router(x, p)) else {
        return false;
    };
    if base_paths.is_empty() {
        // `const protectedRouter = base.openapi(route, h)`: the same app under another name.
        x.alias(name, Some(parent), Vec::new(), anchor);
        return true;
    }
    let prefix = base_path_prefix(x, &base_paths);
    x.router_names.insert(name.to_string());
    x.facts.routers.push(RouterDef {
        name: name.to_string(),
        kind: RouterKind::Router,
        framework: Framework::Hono,
        prefix: None,
        guards: Vec::new(),
        shares_parent_scope: false,
        span: x.span(anchor),
    });
    x.facts.uses.push(UseDef {
        parent,
        prefix,
        args: vec![symbol_arg(x, vec![name.to_string()], anchor)],
        guards: Vec::new(),
        scope: UseScope::After,
        unless: None,
        only: Vec::new(),
        span: x.span(anchor),
        order: anchor.order(),
    });
    true
}

fn symbol_arg(x: &Extractor<'_>, path: SymbolPath, at: Node<'_>) -> GuardRef {
    GuardRef::middleware(GuardTarget::Symbol(path), x.span(at))
}

/// Hono-only methods of an app: `route(path, sub)` and `on(methods, paths, …handlers)`.
/// Returns whether the call was one.
pub(crate) fn call(
    x: &mut Extractor<'_>,
    call: Node<'_>,
    receiver: Node<'_>,
    method: &str,
    args: &[Node<'_>],
) -> bool {
    if !x.hono_file {
        return false;
    }
    match (method, args) {
        ("route", [path, sub]) => {
            let Some(parent) = x.receiver_path(receiver) else {
                return true;
            };
            let prefix = x.use_prefix(*path);
            x.use_args(call, parent, prefix, &[*sub]);
            true
        }
        // @hono/zod-openapi: `app.openapi(createRoute({ method, path, middleware }), handler)`.
        ("openapi", [route, handler, ..]) => {
            openapi_route(x, call, receiver, *route, *handler);
            true
        }
        ("on", [methods, rest @ ..]) if rest.len() >= 2 => {
            let items = match unwrap(*methods).kind_name() {
                "array" => named_elements(unwrap(*methods)),
                _ => vec![*methods],
            };
            let verbs: Vec<String> = items
                .into_iter()
                .map(unwrap)
                .filter(|m| m.kind_name() == "string")
                .map(|m| string_value(m, x.src).to_ascii_lowercase())
                .filter(|m| VERBS.contains(&m.as_str()) && Method::parse(m).is_some())
                .collect();
            for verb in verbs {
                x.route_call(call, receiver, &verb, rest);
            }
            true
        }
        _ => false,
    }
}

/// `app.use([pattern], …middleware)` on a Hono app: the pattern limits the middleware to the
/// routes it matches (see the module documentation).
pub(crate) fn use_call(
    x: &mut Extractor<'_>,
    call: Node<'_>,
    parent: SymbolPath,
    args: &[Node<'_>],
) {
    let Some(first) = args.first().map(|a| unwrap(*a)) else {
        return;
    };
    let is_pattern = matches!(first.kind_name(), "string" | "template_string")
        || (matches!(first.kind_name(), "identifier" | "member_expression")
            && !matches!(
                x.consts.resolve(first, x.src),
                StrValue::NotString | StrValue::Unknown
            ));
    if !is_pattern {
        x.use_args(call, parent, None, args);
        return;
    }
    let pattern = match x.consts.resolve(first, x.src) {
        StrValue::Known(s) => Some(s),
        _ => None,
    };
    let before = x.facts.uses.len();
    x.use_args(call, parent, None, &args[1..]);
    let Some(use_def) = x.facts.uses.get_mut(before) else {
        return;
    };
    match pattern.as_deref().map(readable_pattern) {
        Some(Some(None)) => {}
        Some(Some(Some(path))) => {
            use_def.only = vec![RouteSpec {
                path,
                methods: Vec::new(),
            }];
        }
        // A pattern keyhole cannot read: the middleware may or may not run on a route.
        _ => {
            for arg in &mut use_def.args {
                arg.optional = true;
            }
        }
    }
}

/// A Hono middleware pattern as a [`RouteSpec`] path: `Some(None)` for every route (`*`,
/// `/*`), `Some(Some(path))` for a path or a path ending in `/*`, `None` when wildcards or
/// regular expressions stand elsewhere.
fn readable_pattern(pattern: &str) -> Option<Option<String>> {
    if matches!(pattern, "*" | "/*" | "") {
        return Some(None);
    }
    let body = pattern.strip_suffix("/*").unwrap_or(pattern);
    if body.contains('*') || body.contains('{') || body.contains('(') || !body.starts_with('/') {
        return None;
    }
    if body.len() < pattern.len() {
        Some(Some(format!("{body}/*")))
    } else {
        Some(Some(body.to_string()))
    }
}

/// Mount under [`SERVED_ROUTER`] every app this file serves; see the module documentation.
pub(crate) fn served_apps(x: &mut Extractor<'_>, root: Node<'_>) {
    if !x.hono_file {
        return;
    }
    let mut served: Vec<(SymbolPath, Node<'_>)> = Vec::new();
    let entry_file = entry_file(&x.file.path);
    let mut stack = vec![root];
    let mut visited = 0usize;
    let mut cursor = root.walk();
    while let Some(node) = stack.pop() {
        visited += 1;
        if visited > 2_000_000 {
            break;
        }
        match node.kind_name() {
            // `app.fetch`, `app.fire()`
            "member_expression" => {
                let prop = node.field("property").map(|p| x.text(p));
                if matches!(prop, Some("fetch" | "fire")) {
                    let object = node.field("object").map(unwrap);
                    if let Some(path) = object
                        .filter(|o| o.kind_name() == "identifier")
                        .and_then(|o| symbol_path(o, x.src))
                    {
                        served.push((path, node));
                    }
                }
            }
            // `serve(app)`, `handle(app)` (Vercel, Next.js, AWS Lambda adapters)
            "call_expression" => {
                let callee = node.field("function").map(unwrap);
                let is_adapter = callee.is_some_and(|c| {
                    c.kind_name() == "identifier" && matches!(x.text(c), "serve" | "handle")
                });
                let first = node
                    .field("arguments")
                    .map(arguments)
                    .and_then(|a| a.first().copied())
                    .map(unwrap);
                if let Some(arg) = first.filter(|a| is_adapter && a.kind_name() == "identifier") {
                    served.push((vec![x.text(arg).to_string()], node));
                }
            }
            // `export default app` in an entry file
            "export_statement" if entry_file => {
                let is_default = (0..node.child_count())
                    .filter_map(|i| node.child(i))
                    .any(|c| c.kind_name() == "default");
                let value = node.field("value").map(unwrap);
                if let Some(v) = value.filter(|v| is_default && v.kind_name() == "identifier") {
                    served.push((vec![x.text(v).to_string()], node));
                }
            }
            _ => {}
        }
        stack.extend(node.named_children(&mut cursor));
    }
    served.retain(|(path, _)| {
        is_hono_router(x, path)
            || x.facts
                .imports
                .iter()
                .any(|i| i.local == path[0] && !i.module.is_empty() && i.module.starts_with('.'))
    });
    served.sort_by_key(|(p, n)| (p.clone(), n.start_byte()));
    served.dedup_by(|a, b| a.0 == b.0);
    if served.is_empty() {
        return;
    }
    x.router_names.insert(SERVED_ROUTER.to_string());
    x.facts.routers.push(RouterDef {
        name: SERVED_ROUTER.to_string(),
        kind: RouterKind::App,
        framework: Framework::Hono,
        prefix: None,
        guards: Vec::new(),
        shares_parent_scope: false,
        span: x.span(root),
    });
    for (path, at) in served {
        let arg = symbol_arg(x, path, at);
        x.facts.uses.push(UseDef {
            parent: vec![SERVED_ROUTER.to_string()],
            prefix: None,
            args: vec![arg],
            guards: Vec::new(),
            scope: UseScope::Whole,
            unless: None,
            only: Vec::new(),
            span: x.span(at),
            order: 0,
        });
    }
}

/// Whether a file is an entry point whose `export default app` serves the app.
fn entry_file(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let Some(stem) = parts
        .next()
        .and_then(|f| f.rsplit_once('.'))
        .map(|(s, _)| s)
    else {
        return false;
    };
    let dir = parts.next().unwrap_or("");
    ENTRY_STEMS.contains(&stem) && !SUB_APP_DIRS.contains(&dir)
}

/// A handler that asks a helper about the caller and returns early on its answer:
/// `const auth = await authenticateRequest(c); if (!auth.ok) return auth.response`. The
/// helper is the guard, judged like any other (by its name, or by what it does when it is
/// defined in the repository); the early return is what makes it guard this route.
pub(crate) fn helper_check(x: &Extractor<'_>, function: Node<'_>) -> Option<GuardRef> {
    let body = function.field("body")?;
    if body.kind_name() != "statement_block" {
        return None;
    }
    let context = function
        .field("parameters")
        .and_then(|p| p.named_child(0))
        .or_else(|| function.field("parameter"))
        .map(|p| {
            let t = x.text(p);
            t.split(':').next().unwrap_or(t).trim().to_string()
        })?;
    let mut cursor = body.walk();
    let statements: Vec<Node<'_>> = body.named_children(&mut cursor).collect();
    for (i, statement) in statements.iter().enumerate() {
        let Some((name, callee)) = helper_binding(x, *statement, &context) else {
            continue;
        };
        // The next statement returns (or throws) when the answer says no.
        let Some(next) = statements
            .get(i + 1)
            .filter(|s| s.kind_name() == "if_statement")
        else {
            continue;
        };
        let (Some(condition), Some(consequence)) =
            (next.field("condition"), next.field("consequence"))
        else {
            continue;
        };
        let mentions = x.text(condition).contains(name.as_str());
        let leaves = match consequence.kind_name() {
            "return_statement" | "throw_statement" => true,
            "statement_block" => consequence
                .named_child(0)
                .is_some_and(|s| matches!(s.kind_name(), "return_statement" | "throw_statement")),
            _ => false,
        };
        if !(mentions && leaves) {
            continue;
        }
        // `if (!session) return c.redirect('/login')`: the handler turns the caller away itself.
        let mut denies = false;
        crate::summary::walk_nodes(consequence, |n| {
            denies |= crate::summary::is_denial(n, x.src);
        });
        if denies {
            return Some(GuardRef {
                site: GuardSite::InlineCheck,
                target: GuardTarget::Inline(Box::new(crate::summary::summarise(
                    function,
                    x.file,
                    x.src,
                    &x.denial_hits,
                ))),
                called: false,
                optional: false,
                span: x.file.span(statement.start_byte(), condition.end_byte()),
            });
        }
        if helper_guards(x, function, &callee) {
            return Some(GuardRef {
                site: GuardSite::InlineCheck,
                target: GuardTarget::Symbol(callee),
                called: true,
                optional: false,
                span: x.file.span(statement.start_byte(), condition.end_byte()),
            });
        }
    }
    None
}

/// `const name = [await] helper(…, c, …)`: the bound name and the helper's path.
fn helper_binding(
    x: &Extractor<'_>,
    statement: Node<'_>,
    context: &str,
) -> Option<(String, SymbolPath)> {
    if !matches!(
        statement.kind_name(),
        "lexical_declaration" | "variable_declaration"
    ) {
        return None;
    }
    let decl = statement.named_child(0)?;
    let name = decl.field("name")?;
    if name.kind_name() != "identifier" {
        return None;
    }
    let mut value = unwrap(decl.field("value")?);
    if value.kind_name() == "await_expression" {
        value = unwrap(value.named_child(0)?);
    }
    if value.kind_name() != "call_expression" {
        return None;
    }
    let args = value.field("arguments")?;
    let passes_context = arguments(args).into_iter().any(|a| {
        x.text(unwrap(a)) == context || x.text(unwrap(a)).starts_with(&format!("{context}."))
    });
    if !passes_context {
        return None;
    }
    let callee = symbol_path(value.field("function")?, x.src)?;
    Some((x.text(name).to_string(), callee))
}

/// The callee a handler hands the request to when that is all it does:
/// `(c) => handle(c)`, `async (c) => { return handle(c) }`.
pub(crate) fn delegate<'t>(x: &Extractor<'_>, function: Node<'t>) -> Option<Node<'t>> {
    let body = function.field("body")?;
    let expr = match body.kind_name() {
        "statement_block" => {
            let mut cursor = body.walk();
            let statements: Vec<Node<'t>> = body
                .named_children(&mut cursor)
                .filter(|n| n.kind_name() != "comment")
                .collect();
            let [only] = statements.as_slice() else {
                return None;
            };
            match only.kind_name() {
                "return_statement" | "expression_statement" => only.named_child(0)?,
                _ => return None,
            }
        }
        _ => body,
    };
    let mut expr = unwrap(expr);
    if expr.kind_name() == "await_expression" {
        expr = unwrap(expr.named_child(0)?);
    }
    if expr.kind_name() != "call_expression" {
        return None;
    }
    let callee = unwrap(expr.field("function")?);
    (callee.kind_name() == "identifier" && !x.text(callee).is_empty()).then_some(callee)
}

/// Verbs a helper that checks the caller starts its name with (`authenticateRequest`,
/// `requireUser`, `verifySession`), for helpers imported from elsewhere.
const CHECKING_VERBS: &[&str] = &[
    "authenticate",
    "authorize",
    "require",
    "verify",
    "ensure",
    "check",
    "assert",
    "validate",
];

/// Whether the helper a handler asks looks like a check of the caller: defined in this file,
/// it must turn requests away itself (401/403), perhaps through the one function it hands
/// the request to; defined elsewhere, its name must start with a checking verb (the linker
/// then judges it by name or definition).
fn helper_guards(x: &Extractor<'_>, at: Node<'_>, callee: &SymbolPath) -> bool {
    let [name] = callee.as_slice() else {
        return first_word_checks(callee.last().map_or("", String::as_str));
    };
    let mut root = at;
    while let Some(p) = root.parent() {
        root = p;
    }
    let mut current = name.clone();
    for _ in 0..4 {
        let Some(&(start, end)) = x.function_ranges.get(&current) else {
            // Not defined in this file: imported (or a parameter).
            return current == *name && first_word_checks(name);
        };
        let Some(function) = root
            .named_descendant_for_byte_range(start, end)
            .filter(|n| crate::params::is_function(*n))
        else {
            return false;
        };
        if crate::summary::summarise(function, x.file, x.src, &x.denial_hits)
            .denies
            .is_some()
        {
            return true;
        }
        match delegate(x, function) {
            Some(next) => current = x.text(next).to_string(),
            None => return false,
        }
    }
    false
}

fn first_word_checks(name: &str) -> bool {
    keyhole_core::vocabulary::split_words(name)
        .first()
        .is_some_and(|w| CHECKING_VERBS.contains(&w.as_str()))
}

/// `app.openapi(route, handler)` with `route` a `createRoute({ method, path, middleware })`
/// written inline or bound to a name in this file.
fn openapi_route(
    x: &mut Extractor<'_>,
    call: Node<'_>,
    receiver: Node<'_>,
    route: Node<'_>,
    handler: Node<'_>,
) {
    let Some(options) = route_options(x, route) else {
        return;
    };
    let (Some(method), Some(path)) = (
        x.object_value(options, "method"),
        x.object_value(options, "path"),
    ) else {
        return;
    };
    let verb = match x.consts.resolve(method, x.src) {
        StrValue::Known(m) => m.to_ascii_lowercase(),
        _ => return,
    };
    if !VERBS.contains(&verb.as_str()) {
        return;
    }
    // `createRoute` paths are OpenAPI templates (`/users/{id}`); Hono serves them as `:id`.
    let mut args = vec![path];
    if let Some(middleware) = x.object_value(options, "middleware") {
        args.push(middleware);
    }
    args.push(handler);
    x.route_call(call, receiver, &verb, &args);
}

/// The options object of `createRoute({…})`, inline or bound to a name in this file.
fn route_options<'t>(x: &Extractor<'_>, route: Node<'t>) -> Option<Node<'t>> {
    let mut node = unwrap(route);
    if node.kind_name() == "identifier" {
        let name = x.text(node);
        let mut root = node;
        while let Some(p) = root.parent() {
            root = p;
        }
        let mut cursor = root.walk();
        let mut found = None;
        for stmt in root.named_children(&mut cursor) {
            let decl = if stmt.kind_name() == "export_statement" {
                stmt.field("declaration")
            } else {
                Some(stmt)
            };
            let Some(decl) = decl.filter(|d| {
                matches!(
                    d.kind_name(),
                    "lexical_declaration" | "variable_declaration"
                )
            }) else {
                continue;
            };
            let mut c = decl.walk();
            for d in decl.named_children(&mut c) {
                if d.field("name").map(|n| x.text(n)) == Some(name) {
                    found = d.field("value");
                }
            }
        }
        node = unwrap(found?);
    }
    if node.kind_name() != "call_expression" {
        return None;
    }
    let callee = node.field("function").map(|f| x.text(f))?;
    if callee != "createRoute" {
        return None;
    }
    node.field("arguments")
        .and_then(|a| a.named_child(0))
        .map(unwrap)
        .filter(|o| o.kind_name() == "object")
}

/// A function declared at the top level of the file (`function f`, `const f = () => …`),
/// also under `export`.
fn top_level_function<'t>(x: &Extractor<'_>, root: Node<'t>, name: &str) -> Option<Node<'t>> {
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        let decl = if stmt.kind_name() == "export_statement" {
            match stmt.field("declaration") {
                Some(d) => d,
                None => continue,
            }
        } else {
            stmt
        };
        match decl.kind_name() {
            "function_declaration" if decl.field("name").map(|n| x.text(n)) == Some(name) => {
                return Some(decl);
            }
            "lexical_declaration" | "variable_declaration" => {
                let mut c = decl.walk();
                for d in decl.named_children(&mut c) {
                    if d.field("name").map(|n| x.text(n)) == Some(name) {
                        return d
                            .field("value")
                            .map(unwrap)
                            .filter(|v| crate::params::is_function(*v));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// `app.get('/users', adminMiddleware)`: Hono runs a handler that calls `next()` as middleware
/// for that method and path. A registration whose handlers are all named as middleware
/// (`…Middleware`, `…Mw`) is read as middleware limited to them, not as a route.
pub(crate) fn verb_middleware(
    x: &mut Extractor<'_>,
    call: Node<'_>,
    router: &SymbolPath,
    verb: &str,
    args: &[Node<'_>],
) -> bool {
    if !is_hono_router(x, router) {
        return false;
    }
    let [path, handlers @ ..] = args else {
        return false;
    };
    if handlers.is_empty() || !handlers.iter().all(|h| named_as_middleware(x, *h)) {
        return false;
    }
    let Some(method) = Method::parse(verb) else {
        return false;
    };
    let pattern = match x.consts.resolve(unwrap(*path), x.src) {
        StrValue::Known(s) => s,
        _ => return false,
    };
    let mut guards = Vec::new();
    for h in handlers {
        x.guard_refs(*h, &mut guards);
    }
    let only = match readable_pattern(&pattern) {
        Some(None) => Vec::new(),
        Some(Some(path)) => vec![RouteSpec {
            path,
            methods: vec![method],
        }],
        None => {
            for g in &mut guards {
                g.optional = true;
            }
            Vec::new()
        }
    };
    x.facts.uses.push(UseDef {
        parent: router.clone(),
        prefix: None,
        args: guards,
        guards: Vec::new(),
        scope: UseScope::After,
        unless: None,
        only,
        span: x.span(call),
        order: call.order(),
    });
    true
}

fn named_as_middleware(x: &Extractor<'_>, node: Node<'_>) -> bool {
    let node = unwrap(node);
    let named = match node.kind_name() {
        "call_expression" => node.field("function"),
        "identifier" | "member_expression" => Some(node),
        _ => None,
    };
    named
        .and_then(|n| symbol_path(n, x.src))
        .and_then(|p| p.last().cloned())
        .is_some_and(|name| {
            keyhole_core::vocabulary::split_words(&name)
                .last()
                .is_some_and(|w| matches!(w.as_str(), "middleware" | "mw"))
        })
}
