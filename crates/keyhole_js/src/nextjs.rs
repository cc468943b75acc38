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
    FunctionSummary, GuardRef, GuardSite, GuardTarget, PathArg, RouteDef, RouterDef, RouterKind,
};
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
        if export.kind() != "export_statement" {
            continue;
        }
        let is_default = (0..export.child_count())
            .filter_map(|i| export.child(i))
            .any(|c| c.kind() == "default");
        if kind == Kind::Pages {
            if !is_default {
                continue;
            }
            let value = export
                .child_by_field_name("declaration")
                .or_else(|| export.child_by_field_name("value"));
            let Some(value) = value else { continue };
            let function = x.function_node(value);
            let name = function
                .and_then(|f| f.child_by_field_name("name"))
                .or_else(|| (unwrap(value).kind() == "identifier").then_some(unwrap(value)))
                .map(|n| x.text(n).to_string());
            handlers.push((vec![Method::Any], value, name, function));
            continue;
        }
        if let Some(decl) = export.child_by_field_name("declaration") {
            match decl.kind() {
                "function_declaration" | "generator_function_declaration" => {
                    let Some(name) = decl.child_by_field_name("name") else {
                        continue;
                    };
                    if let Some(m) = verb(x.text(name)) {
                        handlers.push((vec![m], decl, Some(x.text(name).to_string()), Some(decl)));
                    }
                }
                "lexical_declaration" | "variable_declaration" => {
                    let mut c = decl.walk();
                    for d in decl.named_children(&mut c) {
                        let (Some(name), value) = (
                            d.child_by_field_name("name"),
                            d.child_by_field_name("value"),
                        ) else {
                            continue;
                        };
                        // `export const { GET, POST } = handlers` (Auth.js)
                        if name.kind() == "object_pattern" {
                            let mut c2 = name.walk();
                            for p in name.named_children(&mut c2) {
                                if p.kind() != "shorthand_property_identifier_pattern" {
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
        let mut c = export.walk();
        for clause in export.named_children(&mut c) {
            if clause.kind() != "export_clause" {
                continue;
            }
            let mut c2 = clause.walk();
            for spec in clause.named_children(&mut c2) {
                let local = spec.child_by_field_name("name");
                let exported = spec.child_by_field_name("alias").or(local);
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
fn wrapped<'t>(x: &Extractor<'_>, at: Node<'t>) -> (Option<GuardRef>, Option<Node<'t>>) {
    let value = match at.kind() {
        "variable_declarator" => at.child_by_field_name("value"),
        _ => Some(at),
    };
    let Some(call) = value.map(unwrap).filter(|v| v.kind() == "call_expression") else {
        return (None, None);
    };
    let Some(callee) = call.child_by_field_name("function").map(unwrap) else {
        return (None, None);
    };
    if matches!(x.text(callee), "NextAuth" | "Auth") {
        return (None, None);
    }
    let guard = x.guard_ref(callee).map(|mut g| {
        g.called = true;
        g
    });
    let function = call.child_by_field_name("arguments").and_then(|args| {
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
    let body = function.child_by_field_name("body")?;
    if body.kind() != "statement_block" {
        return None;
    }
    let src = x.src;
    let mut names: Vec<String> = Vec::new();
    let mut read_at = None;
    let mut cursor = body.walk();
    let statements: Vec<Node<'_>> = body.named_children(&mut cursor).collect();
    for statement in statements {
        match statement.kind() {
            "lexical_declaration" | "variable_declaration" => {
                let mut c = statement.walk();
                for d in statement.named_children(&mut c) {
                    let (Some(pattern), Some(value)) = (
                        d.child_by_field_name("name"),
                        d.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    if reads_session(value, src) {
                        collect_identifiers(pattern, src, &mut names);
                        read_at.get_or_insert(d);
                    }
                }
            }
            "if_statement" if !names.is_empty() => {
                let (Some(condition), Some(consequence)) = (
                    statement.child_by_field_name("condition"),
                    statement.child_by_field_name("consequence"),
                ) else {
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
    if node.kind() != "call_expression" {
        return false;
    }
    let Some(callee) = node.child_by_field_name("function") else {
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
        .child_by_field_name("arguments")
        .map(|a| text(a, src).to_ascii_lowercase())
        .unwrap_or_default();
    ["login", "signin", "sign-in", "/auth"]
        .iter()
        .any(|w| args.contains(w))
}

/// Whether `value` is (an awaited) call of a session reader.
fn reads_session(value: Node<'_>, src: &str) -> bool {
    let mut value = unwrap(value);
    if value.kind() == "await_expression" {
        match value.named_child(0) {
            Some(inner) => value = unwrap(inner),
            None => return false,
        }
    }
    if value.kind() != "call_expression" {
        return false;
    }
    let Some(callee) = value.child_by_field_name("function").map(unwrap) else {
        return false;
    };
    let name = match callee.kind() {
        "identifier" => text(callee, src),
        "member_expression" => callee
            .child_by_field_name("property")
            .map_or("", |p| text(p, src)),
        _ => "",
    };
    SESSION_CALLS.contains(&name)
}

fn collect_identifiers(node: Node<'_>, src: &str, out: &mut Vec<String>) {
    walk(node, &mut |n| {
        if matches!(
            n.kind(),
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
    match node.kind() {
        "parenthesized_expression" => node
            .named_child(0)
            .is_some_and(|n| negates(n, src, names, depth + 1)),
        "binary_expression" => {
            let op = node
                .child_by_field_name("operator")
                .map_or("", |o| text(o, src));
            let l = node.child_by_field_name("left");
            let r = node.child_by_field_name("right");
            let side = |n: Option<Node<'_>>| n.is_some_and(|n| negates(n, src, names, depth + 1));
            match op {
                "||" => side(l) || side(r),
                "&&" => side(l) && side(r),
                _ => false,
            }
        }
        "unary_expression" => {
            let op = node
                .child_by_field_name("operator")
                .map_or("", |o| text(o, src));
            op == "!"
                && node.child_by_field_name("argument").is_some_and(|a| {
                    let mut found = false;
                    walk(a, &mut |n| {
                        found |= n.kind() == "identifier" && names.iter().any(|s| s == text(n, src))
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
