//! Next.js file routes: `pages/api/**` files (their default export handles every method) and
//! app-router `app/**/route.{ts,js}` files (each exported `GET`, `POST`, … handles one). The
//! route comes from the file's path below `pages`/`app` (a `src/` folder in front allowed):
//! route groups `(group)` are dropped, `[id]` becomes `{id}`, `[...slug]` and `[[...slug]]`
//! become `{slug}`.
//!
//! Each file gets one synthetic app router named [`ROUTER_PREFIX`] followed by the folder that
//! holds `pages`/`app` (so the linker can look for a `middleware.{ts,js}` beside it). A check
//! at the top of a handler that reads the session (`getServerSession`, `auth()`, `getToken`,
//! `currentUser()`, `supabase.auth.getUser()`) into a name and returns 401 or redirects when
//! the name is empty is an inline guard.

use keyhole_core::endpoint::{Framework, Method};
use keyhole_core::facts::{
    FunctionSummary, GuardRef, GuardSite, GuardTarget, NextGuard, NextMiddleware, PathArg,
    RouteDef, RouterDef, RouterKind,
};
use keyhole_lang::NodeExt;
use tree_sitter::Node;

use crate::syntax::{text, unwrap};
use crate::{summary, Extractor};

/// Name prefix of the synthetic router of a Next.js route file.
pub const ROUTER_PREFIX: &str = "#next:";

const APP_VERBS: &[(&str, Method)] = &[
    ("GET", Method::Get),
    ("POST", Method::Post),
    ("PUT", Method::Put),
    ("PATCH", Method::Patch),
    ("DELETE", Method::Delete),
    ("HEAD", Method::Head),
    ("OPTIONS", Method::Options),
];

/// Calls that read the caller's session.
const SESSION_CALLS: &[&str] = &[
    "getServerSession",
    "unstable_getServerSession",
    "getSession",
    "auth",
    "getToken",
    "currentUser",
    "getUser",
    "getAuth",
    "validateRequest",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pages,
    App,
}

/// The route of a file path, the kind of file and the folder holding `pages`/`app`.
fn route_of(path: &str) -> Option<(Kind, String, String)> {
    let parts: Vec<&str> = path.split('/').collect();
    let (file, dirs) = parts.split_last()?;
    let (stem, ext) = file.rsplit_once('.')?;
    if !matches!(ext, "js" | "ts" | "jsx" | "tsx" | "mjs") {
        return None;
    }
    let (kind, at) = if let Some(i) = dirs
        .iter()
        .position(|d| *d == "pages")
        .filter(|i| dirs.get(i + 1) == Some(&"api"))
    {
        (Kind::Pages, i)
    } else if stem == "route" {
        (Kind::App, dirs.iter().position(|d| *d == "app")?)
    } else {
        return None;
    };
    if dirs[..at].contains(&"node_modules") {
        return None;
    }
    let mut root = dirs[..at].to_vec();
    if root.last() == Some(&"src") {
        root.pop();
    }
    let root = root.iter().map(|d| format!("{d}/")).collect::<String>();
    let mut segments: Vec<&str> = dirs[at + 1..].to_vec();
    if kind == Kind::Pages && stem != "index" {
        segments.push(stem);
    }
    let mut route = String::new();
    for seg in segments {
        if seg.starts_with('(') && seg.ends_with(')') {
            continue;
        }
        // Private folders (`_lib`) and parallel-route slots (`@modal`) are not in the URL.
        if kind == Kind::App && (seg.starts_with('_') || seg.starts_with('@')) {
            return None;
        }
        route.push('/');
        if let Some(inner) = seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            let inner = inner.trim_start_matches('[').trim_end_matches(']');
            let name = inner.trim_start_matches("...");
            route.push('{');
            route.push_str(name);
            route.push('}');
        } else {
            route.push_str(seg);
        }
    }
    if route.is_empty() {
        route.push('/');
    }
    Some((kind, route, root))
}

/// The routes of a Next.js route file, if this is one.
pub(crate) fn file_routes(x: &mut Extractor<'_>, root: Node<'_>) {
    let Some((kind, route, dir)) = route_of(&x.file.path) else {
        return;
    };
    let mut handlers: Vec<Handler<'_>> = Vec::new();
    let mut cursor = root.walk();
    for export in root.named_children(&mut cursor) {
        if export.kind_name() != "export_statement" {
            continue;
        }
        let is_default = (0..export.child_count())
            .filter_map(|i| export.child(i))
            .any(|c| c.kind_name() == "default");
        if kind == Kind::Pages {
            if !is_default {
                continue;
            }
            let value = export
                .field("declaration")
                .or_else(|| export.field("value"));
            let Some(value) = value else { continue };
            let function = x.function_node(value);
            let name = function
                .and_then(|f| f.field("name"))
                .or_else(|| (unwrap(value).kind_name() == "identifier").then_some(unwrap(value)))
                .map(|n| x.text(n).to_string());
            handlers.push((vec![Method::Any], value, name, function));
            continue;
        }
        if let Some(decl) = export.field("declaration") {
            match decl.kind_name() {
                "function_declaration" | "generator_function_declaration" => {
                    let Some(name) = decl.field("name") else {
                        continue;
                    };
                    if let Some(m) = verb(x.text(name)) {
                        handlers.push((vec![m], decl, Some(x.text(name).to_string()), Some(decl)));
                    }
                }
                "lexical_declaration" | "variable_declaration" => {
                    let mut c = decl.walk();
                    for d in decl.named_children(&mut c) {
                        let (Some(name), value) = (d.field("name"), d.field("value")) else {
                            continue;
                        };
                        // `export const { GET, POST } = handlers` (Auth.js)
                        if name.kind_name() == "object_pattern" {
                            let mut c2 = name.walk();
                            for p in name.named_children(&mut c2) {
                                if p.kind_name() != "shorthand_property_identifier_pattern" {
                                    continue;
                                }
                                if let Some(m) = verb(x.text(p)) {
                                    handlers.push((vec![m], p, Some(x.text(p).to_string()), None));
                                }
                            }
                            continue;
                        }
                        if let Some(m) = verb(x.text(name)) {
                            let function = value.and_then(|v| x.function_node(v));
                            handlers.push((vec![m], d, Some(x.text(name).to_string()), function));
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        // `export { handler as GET, handler as POST }`
        for (spec, local, exported) in export_specifiers(export) {
            let Some(m) = exported.and_then(|e| verb(x.text(e))) else {
                continue;
            };
            let function = local.and_then(|l| x.function_node(l));
            handlers.push((
                vec![m],
                spec,
                local.map(|l| x.text(l).to_string()),
                function,
            ));
        }
    }
    if handlers.is_empty() {
        return;
    }
    let name = format!("{ROUTER_PREFIX}{dir}");
    x.facts.routers.push(RouterDef {
        name: name.clone(),
        kind: RouterKind::App,
        framework: Framework::NextJs,
        prefix: None,
        guards: Vec::new(),
        shares_parent_scope: false,
        span: x.span(root),
    });
    for (methods, at, handler, function) in handlers {
        let mut guards = Vec::new();
        // `export default withApiAuthRequired(async function handler(…) {…})`,
        // `export const GET = withAuth(async (req) => …)`: the wrapper may be the guard, and
        // the wrapped function may check the session itself.
        let (wrapper, function) = match function {
            Some(f) => (None, Some(f)),
            None => wrapped(x, at),
        };
        guards.extend(wrapper);
        if let Some(g) = function.and_then(|f| session_check(x, f)) {
            guards.push(g);
        } else if let Some(g) = function.and_then(|f| x.handler_check(f)) {
            guards.push(g);
        }
        let span = x.span(at);
        x.facts.routes.push(RouteDef {
            router: vec![name.clone()],
            framework_hint: Some(Framework::NextJs),
            methods,
            path: PathArg {
                value: Some(route.clone()),
                span,
            },
            guards,
            handler,
            span,
            order: at.start_byte() as u32,
        });
    }
}

/// The wrapper call around a handler (as a guard reference to its callee) and the function
/// it wraps, for a handler written `wrapper(function …)`. `NextAuth(…)` is no wrapper.
fn wrapped<'a: 't, 't>(x: &Extractor<'a>, at: Node<'t>) -> (Option<GuardRef>, Option<Node<'t>>) {
    let value = match at.kind_name() {
        "variable_declarator" => at.field("value"),
        _ => Some(at),
    };
    let Some(call) = value
        .map(unwrap)
        .filter(|v| v.kind_name() == "call_expression")
    else {
        return (None, None);
    };
    let Some(callee) = call.field("function").map(unwrap) else {
        return (None, None);
    };
    if matches!(x.text(callee), "NextAuth" | "Auth") {
        return (None, None);
    }
    let guard = x.guard_ref(callee).map(|mut g| {
        g.called = true;
        g
    });
    let function = call.field("arguments").and_then(|args| {
        let mut c = args.walk();
        let found = args.named_children(&mut c).find_map(|a| x.function_node(a));
        found
    });
    (guard, function)
}

/// An exported handler: its methods, the node that labels it, its name and its function
/// (when defined in the file).
type Handler<'t> = (Vec<Method>, Node<'t>, Option<String>, Option<Node<'t>>);

fn verb(name: &str) -> Option<Method> {
    APP_VERBS.iter().find(|(v, _)| *v == name).map(|(_, m)| *m)
}

/// `const session = await getServerSession(…)` (or a destructuring of it) followed, at the top
/// of the body, by `if (!session) return …401…` / `redirect('/login')`.
fn session_check(x: &Extractor<'_>, function: Node<'_>) -> Option<GuardRef> {
    let body = function.field("body")?;
    if body.kind_name() != "statement_block" {
        return None;
    }
    let src = x.src;
    let mut names: Vec<String> = Vec::new();
    let mut read_at = None;
    let mut cursor = body.walk();
    let statements: Vec<Node<'_>> = body.named_children(&mut cursor).collect();
    for statement in statements {
        match statement.kind_name() {
            "lexical_declaration" | "variable_declaration" => {
                let mut c = statement.walk();
                for d in statement.named_children(&mut c) {
                    let (Some(pattern), Some(value)) = (d.field("name"), d.field("value")) else {
                        continue;
                    };
                    if reads_session(value, src) {
                        collect_identifiers(pattern, src, &mut names);
                        read_at.get_or_insert(d);
                    }
                }
            }
            "if_statement" if !names.is_empty() => {
                let (Some(condition), Some(consequence)) =
                    (statement.field("condition"), statement.field("consequence"))
                else {
                    continue;
                };
                if !negates(condition, src, &names, 0) {
                    continue;
                }
                let mut denied = false;
                walk(consequence, &mut |n| {
                    denied |= summary::is_denial(n, src) || is_redirect(n, src)
                });
                if denied {
                    let check = x.span(read_at?);
                    let deny = x.span(statement);
                    return Some(GuardRef {
                        site: GuardSite::InlineCheck,
                        target: GuardTarget::Inline(Box::new(FunctionSummary {
                            denies: Some(deny),
                            checks: Some(check),
                            ..FunctionSummary::default()
                        })),
                        called: false,
                        optional: false,
                        span: x.file.span(statement.start_byte(), condition.end_byte()),
                    });
                }
            }
            _ => {}
        }
    }
    None
}

/// `redirect('/api/auth/signin')`, `NextResponse.redirect(new URL('/login', req.url))`, `notFound()`
/// is not one.
fn is_redirect(node: Node<'_>, src: &str) -> bool {
    if node.kind_name() != "call_expression" {
        return false;
    }
    let Some(callee) = node.field("function") else {
        return false;
    };
    let name = text(callee, src);
    let name = name.rsplit('.').next().unwrap_or(name);
    if name != "redirect" && name != "redirectToSignIn" {
        return false;
    }
    if name == "redirectToSignIn" {
        return true;
    }
    let args = node
        .field("arguments")
        .map(|a| text(a, src).to_ascii_lowercase())
        .unwrap_or_default();
    ["login", "signin", "sign-in", "/auth"]
        .iter()
        .any(|w| args.contains(w))
}

/// Whether `value` is (an awaited) call of a session reader.
fn reads_session(value: Node<'_>, src: &str) -> bool {
    let mut value = unwrap(value);
    if value.kind_name() == "await_expression" {
        match value.named_child(0) {
            Some(inner) => value = unwrap(inner),
            None => return false,
        }
    }
    if value.kind_name() != "call_expression" {
        return false;
    }
    let Some(callee) = value.field("function").map(unwrap) else {
        return false;
    };
    let name = match callee.kind_name() {
        "identifier" => text(callee, src),
        "member_expression" => callee.field("property").map_or("", |p| text(p, src)),
        _ => "",
    };
    SESSION_CALLS.contains(&name)
}

fn collect_identifiers(node: Node<'_>, src: &str, out: &mut Vec<String>) {
    walk(node, &mut |n| {
        if matches!(
            n.kind_name(),
            "identifier" | "shorthand_property_identifier_pattern"
        ) {
            out.push(text(n, src).to_string());
        }
    });
}

/// Whether a condition is true when a session name is empty: `!session`, `!session?.user`,
/// `!userId || …`.
fn negates(node: Node<'_>, src: &str, names: &[String], depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    match node.kind_name() {
        "parenthesized_expression" => node
            .named_child(0)
            .is_some_and(|n| negates(n, src, names, depth + 1)),
        "binary_expression" => {
            let op = node.field("operator").map_or("", |o| text(o, src));
            let l = node.field("left");
            let r = node.field("right");
            let side = |n: Option<Node<'_>>| n.is_some_and(|n| negates(n, src, names, depth + 1));
            match op {
                "||" => side(l) || side(r),
                "&&" => side(l) && side(r),
                _ => false,
            }
        }
        "unary_expression" => {
            let op = node.field("operator").map_or("", |o| text(o, src));
            op == "!"
                && node.field("argument").is_some_and(|a| {
                    let mut found = false;
                    walk(a, &mut |n| {
                        found |=
                            n.kind_name() == "identifier" && names.iter().any(|s| s == text(n, src))
                    });
                    found
                })
        }
        _ => false,
    }
}

fn walk<'t>(root: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    let mut stack = vec![root];
    let mut visited = 0usize;
    while let Some(node) = stack.pop() {
        visited += 1;
        if visited > 20_000 {
            break;
        }
        f(node);
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
}

// ---- middleware.ts / proxy.ts ---------------------------------------------------------------

/// Read a Next.js `middleware.ts` / `proxy.ts`: its `config.matcher` and whether it turns
/// anonymous callers away (see [`NextGuard`]). The linker decides which app it belongs to.
pub(crate) fn middleware(x: &mut Extractor<'_>, root: Node<'_>) {
    let file = x.file.path.rsplit('/').next().unwrap_or("");
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return;
    };
    if !matches!(stem, "middleware" | "proxy")
        || !matches!(ext, "js" | "ts" | "mjs" | "jsx" | "tsx")
        || x.file.path.contains("node_modules/")
    {
        return;
    }
    let mut matcher = None;
    let mut matcher_unreadable = false;
    let mut guard: Option<(NextGuard, Node<'_>)> = None;
    let mut cursor = root.walk();
    let exports: Vec<Node<'_>> = root
        .named_children(&mut cursor)
        .filter(|n| n.kind_name() == "export_statement")
        .collect();
    for export in exports {
        let source = export
            .field("source")
            .map(|s| crate::syntax::string_value(s, x.src));
        let is_default = (0..export.child_count())
            .filter_map(|i| export.child(i))
            .any(|c| c.kind_name() == "default");
        // `export { default } from "next-auth/middleware"`
        if source.as_deref() == Some("next-auth/middleware") {
            guard = Some((
                NextGuard::All("NextAuth's middleware (`next-auth/middleware`)".to_string()),
                export,
            ));
            continue;
        }
        if let Some(decl) = export.field("declaration") {
            match decl.kind_name() {
                "function_declaration" => {
                    let name = decl.field("name").map(|n| x.text(n));
                    if is_default || matches!(name, Some("middleware" | "proxy")) {
                        guard = Some((classify(x, decl), decl));
                    }
                }
                "lexical_declaration" | "variable_declaration" => {
                    let mut c = decl.walk();
                    for d in decl.named_children(&mut c) {
                        let name = d.field("name").map(|n| x.text(n));
                        let Some(value) = d.field("value") else {
                            continue;
                        };
                        match name {
                            Some("config") => {
                                let (m, unreadable) = read_matcher(x, value);
                                matcher = m;
                                matcher_unreadable = unreadable;
                            }
                            Some("middleware" | "proxy") => {
                                guard = Some((classify(x, value), d));
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        if is_default {
            if let Some(value) = export.field("value") {
                guard = Some((classify(x, value), export));
            }
            continue;
        }
        // `export { auth as middleware }`
        for (spec, local, exported) in export_specifiers(export) {
            if exported.is_some_and(|e| matches!(x.text(e), "middleware" | "proxy" | "default")) {
                if let Some(local) = local {
                    guard = Some((classify(x, local), spec));
                }
            }
        }
    }
    let Some((guard, at)) = guard else {
        // A middleware keyhole cannot find (a re-export from elsewhere, a wrapper).
        x.facts.next_middleware = Some(NextMiddleware {
            matcher,
            matcher_unreadable,
            guard: NextGuard::Unknown(
                "keyhole cannot tell what the app's middleware.ts (or proxy.ts) does".to_string(),
            ),
            span: x.span(root),
        });
        return;
    };
    x.facts.next_middleware = Some(NextMiddleware {
        matcher,
        matcher_unreadable,
        guard,
        span: x.span(at),
    });
}

/// `config = { matcher: '/x' | ['/a', { source: '/b' }] }`: the patterns, and whether some
/// could not be read. `None` patterns: no `matcher` key (the middleware runs everywhere).
fn read_matcher(x: &Extractor<'_>, config: Node<'_>) -> (Option<Vec<String>>, bool) {
    let config = unwrap(config);
    if config.kind_name() != "object" {
        return (None, true);
    }
    let Some(matcher) = x.object_value(config, "matcher") else {
        return (None, false);
    };
    let items = if matcher.kind_name() == "array" {
        crate::named_elements(matcher)
    } else {
        vec![matcher]
    };
    let mut out = Vec::new();
    let mut unreadable = false;
    for item in items {
        let item = unwrap(item);
        let value = if item.kind_name() == "object" {
            if x.object_value(item, "has").is_some() || x.object_value(item, "missing").is_some() {
                unreadable = true;
                continue;
            }
            match x.object_value(item, "source") {
                Some(v) => v,
                None => {
                    unreadable = true;
                    continue;
                }
            }
        } else {
            item
        };
        match x.consts.resolve(value, x.src) {
            crate::syntax::StrValue::Known(s) => out.push(s),
            _ => unreadable = true,
        }
    }
    (Some(out), unreadable)
}

/// What the exported middleware value does.
fn classify(x: &Extractor<'_>, value: Node<'_>) -> NextGuard {
    let value = unwrap(value);
    let module_of = |name: &str| {
        x.facts
            .imports
            .iter()
            .find(|i| i.local == name)
            .map(|i| i.module.clone())
    };
    match value.kind_name() {
        "identifier" => {
            let name = x.text(value);
            if let Some(f) = x.function_node(value) {
                return classify_function(x, f);
            }
            match module_of(name).as_deref() {
                Some("next-auth/middleware") => NextGuard::All(format!(
                    "`{name}` from next-auth/middleware"
                )),
                // Auth.js: `export { auth as middleware }` turns callers away only when the
                // `authorized` callback of its configuration says so.
                _ if name == "auth" => NextGuard::Unknown(
                    "the app's middleware is Auth.js `auth`, which turns callers away only where its `authorized` callback says so".to_string(),
                ),
                _ => NextGuard::Unknown(format!(
                    "keyhole cannot tell what the app's middleware (`{name}`) does"
                )),
            }
        }
        "call_expression" => {
            let Some(callee) = value.field("function").map(unwrap) else {
                return NextGuard::Unknown("unreadable middleware".to_string());
            };
            let name = x.text(callee);
            let function = value
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .and_then(|a| x.function_node(a));
            let module = module_of(name);
            if module.as_deref() == Some("next-auth/middleware") || name == "withAuth" {
                return NextGuard::All(format!("`{name}` from next-auth/middleware"));
            }
            if name == "clerkMiddleware" {
                return match function {
                    None => NextGuard::NotGuard,
                    Some(f) => clerk(x, f),
                };
            }
            if module
                .as_deref()
                .is_some_and(|m| m.starts_with("next-intl"))
            {
                return NextGuard::NotGuard;
            }
            match function {
                // `auth((req) => …)`, `withSomething(async (req) => …)`
                Some(f) => classify_function(x, f),
                None => NextGuard::Unknown(format!(
                    "keyhole cannot tell what the app's middleware (`{name}(…)`) does"
                )),
            }
        }
        _ if crate::params::is_function(value) => classify_function(x, value),
        _ => NextGuard::Unknown("keyhole cannot read the app's middleware".to_string()),
    }
}

/// A middleware function: it guards when it denies (401/403, a redirect to a sign-in page);
/// top-level `if (pathname.startsWith('/x')) return …` statements before the denial exempt
/// those paths; other path checks make which paths it guards unknown.
fn classify_function(x: &Extractor<'_>, function: Node<'_>) -> NextGuard {
    let Some(body) = function.field("body") else {
        return NextGuard::Unknown("unreadable middleware".to_string());
    };
    let mut cursor = body.walk();
    let statements: Vec<Node<'_>> = body.named_children(&mut cursor).collect();
    let mut exempt: Vec<String> = Vec::new();
    for statement in statements {
        let mut denies = false;
        walk(statement, &mut |n| {
            denies |= summary::is_denial(n, x.src) || is_redirect(n, x.src);
        });
        if statement.kind_name() == "if_statement" {
            let condition = statement.field("condition");
            let consequence = statement.field("consequence");
            if let (Some(condition), Some(consequence)) = (condition, consequence) {
                let on_path = x.text(condition).contains("pathname");
                let mut consequence_denies = false;
                walk(consequence, &mut |n| {
                    consequence_denies |= summary::is_denial(n, x.src) || is_redirect(n, x.src);
                });
                if on_path && !consequence_denies && statement.field("alternative").is_none() {
                    match path_exemptions(x, condition) {
                        Some(paths) => {
                            exempt.extend(paths);
                            continue;
                        }
                        None => {
                            return NextGuard::Unknown(
                                "the app's middleware checks the request path in a way keyhole cannot read".to_string(),
                            )
                        }
                    }
                }
                if on_path && consequence_denies {
                    return NextGuard::Unknown(
                        "the app's middleware turns callers away on some paths only".to_string(),
                    );
                }
            }
        }
        if denies {
            let line = x.file.line_col(statement.start_byte()).line;
            let detail =
                format!("the app's middleware, which turns anonymous callers away (line {line})");
            return if exempt.is_empty() {
                NextGuard::All(detail)
            } else {
                NextGuard::Except(exempt, detail)
            };
        }
    }
    let body_text = x.text(body).to_ascii_lowercase();
    if [
        "auth", "session", "token", "jwt", "clerk", "login", "signin", "user",
    ]
    .iter()
    .any(|w| body_text.contains(w))
    {
        NextGuard::Unknown(
            "the app's middleware reads the session, but keyhole sees no denial".to_string(),
        )
    } else {
        NextGuard::NotGuard
    }
}

/// `pathname.startsWith('/api/auth')`, `pathname === '/login'` (joined by `||`) as matcher
/// patterns; `None` for anything else.
fn path_exemptions(x: &Extractor<'_>, condition: Node<'_>) -> Option<Vec<String>> {
    let node = unwrap(condition);
    match node.kind_name() {
        "binary_expression" => {
            let op = node.field("operator").map(|o| x.text(o))?;
            let left = node.field("left")?;
            let right = node.field("right")?;
            match op {
                "||" => {
                    let mut out = path_exemptions(x, left)?;
                    out.extend(path_exemptions(x, right)?);
                    Some(out)
                }
                "===" | "==" => {
                    let (subject, literal) = if unwrap(right).kind_name() == "string" {
                        (left, right)
                    } else {
                        (right, left)
                    };
                    (x.text(subject).ends_with("pathname")
                        && unwrap(literal).kind_name() == "string")
                        .then(|| vec![crate::syntax::string_value(unwrap(literal), x.src)])
                }
                _ => None,
            }
        }
        "call_expression" => {
            let callee = node.field("function")?;
            let t = x.text(callee);
            let arg = node
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .map(unwrap)
                .filter(|a| a.kind_name() == "string")?;
            let value = crate::syntax::string_value(arg, x.src);
            (t.ends_with("pathname.startsWith") && value.starts_with('/'))
                .then(|| vec![format!("{value}(.*)")])
        }
        _ => None,
    }
}

/// Clerk: `clerkMiddleware(async (auth, req) => { if (isProtected(req)) await auth.protect() })`
/// with `const isProtected = createRouteMatcher([…])`.
fn clerk(x: &Extractor<'_>, function: Node<'_>) -> NextGuard {
    let Some(body) = function.field("body") else {
        return NextGuard::Unknown("unreadable Clerk middleware".to_string());
    };
    let mut cursor = body.walk();
    let statements: Vec<Node<'_>> = body.named_children(&mut cursor).collect();
    let protects = |n: Node<'_>| x.text(n).contains(".protect(");
    for statement in statements {
        if !protects(statement) {
            continue;
        }
        let detail = "Clerk's `auth.protect()` in the app's middleware".to_string();
        if statement.kind_name() == "expression_statement" {
            return NextGuard::All(detail);
        }
        if statement.kind_name() != "if_statement" {
            break;
        }
        let Some(condition) = statement.field("condition").map(unwrap) else {
            break;
        };
        let (negated, call) = match condition.kind_name() {
            "unary_expression" if x.text(condition).starts_with('!') => {
                (true, condition.named_child(0).map(unwrap))
            }
            _ => (false, Some(condition)),
        };
        let Some(patterns) = call.and_then(|c| route_matcher_patterns(x, c)) else {
            break;
        };
        return if negated {
            NextGuard::Except(patterns, detail)
        } else {
            NextGuard::Only(patterns, detail)
        };
    }
    NextGuard::Unknown("keyhole cannot tell which paths the Clerk middleware protects".to_string())
}

/// `isProtected(req)` with `const isProtected = createRouteMatcher(['/a(.*)', …])` in the file.
fn route_matcher_patterns(x: &Extractor<'_>, call: Node<'_>) -> Option<Vec<String>> {
    if call.kind_name() != "call_expression" {
        return None;
    }
    let callee = call.field("function").map(unwrap)?;
    if callee.kind_name() != "identifier" {
        return None;
    }
    let name = x.text(callee);
    let mut root = call;
    while let Some(p) = root.parent() {
        root = p;
    }
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        if !matches!(
            stmt.kind_name(),
            "lexical_declaration" | "variable_declaration"
        ) {
            continue;
        }
        let mut c = stmt.walk();
        for d in stmt.named_children(&mut c) {
            if d.field("name").map(|n| x.text(n)) != Some(name) {
                continue;
            }
            let value = unwrap(d.field("value")?);
            let ctor = value.field("function").map(|f| x.text(f));
            if ctor != Some("createRouteMatcher") {
                return None;
            }
            let list = value
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .map(unwrap)?;
            let items = if list.kind_name() == "array" {
                crate::named_elements(list)
            } else {
                vec![list]
            };
            let mut out = Vec::new();
            for item in items {
                match x.consts.resolve(unwrap(item), x.src) {
                    crate::syntax::StrValue::Known(s) => out.push(s),
                    _ => return None,
                }
            }
            return Some(out);
        }
    }
    None
}

/// The specifiers of `export { a, b as c }`: (specifier, local name, exported name).
fn export_specifiers(export: Node<'_>) -> Vec<(Node<'_>, Option<Node<'_>>, Option<Node<'_>>)> {
    let mut out = Vec::new();
    let mut c = export.walk();
    for clause in export.named_children(&mut c) {
        if clause.kind_name() != "export_clause" {
            continue;
        }
        let mut c2 = clause.walk();
        for spec in clause.named_children(&mut c2) {
            let local = spec.field("name");
            let exported = spec.field("alias").or(local);
            out.push((spec, local, exported));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::route_of;

    #[test]
    fn routes_from_paths() {
        let r = |p: &str| route_of(p).map(|(_, r, d)| (r, d));
        assert_eq!(
            r("web/src/pages/api/users/[id].ts"),
            Some(("/api/users/{id}".into(), "web/".into()))
        );
        assert_eq!(r("pages/api/index.js"), Some(("/api".into(), "".into())));
        assert_eq!(
            r("app/(admin)/api/items/[[...slug]]/route.ts"),
            Some(("/api/items/{slug}".into(), "".into()))
        );
        assert_eq!(r("app/api/x/page.tsx"), None);
        assert_eq!(r("pages/about.tsx"), None);
    }
}
