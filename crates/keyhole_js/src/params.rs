//! Routers passed as function parameters: `module.exports = function (app) { app.get(…) }`,
//! bound to a real app where the function is called (`require('./routes')(app)`).
//!
//! A parameter used as a router gets the synthetic router name `<binding>.(<index>)` — the
//! function's binding as written (`module.exports`, `exports.api`, `setupRoutes`,
//! `_mounts.main`) and the parameter's position — so that the linker resolves a call
//! `routes(app)` to it through the ordinary dotted-name lookup (`routes` → the module's
//! default export `module.exports` → `module.exports.(0)`). A function returning a router
//! it built (`function makeRouter() { const r = Router(); …; return r; }`) gets the alias
//! `<binding>.()` pointing at that router.

use keyhole_lang::NodeExt;
use tree_sitter::Node;

use crate::syntax::{symbol_path, text, unwrap, DEPTH_CAP};

pub fn is_function(node: Node<'_>) -> bool {
    matches!(
        node.kind_name(),
        "arrow_function"
            | "function_expression"
            | "function"
            | "function_declaration"
            | "generator_function"
            | "generator_function_declaration"
    )
}

/// The identifier a parameter binds: `app`, `app = x`, TS `app: Express`.
fn param_name<'a>(param: Node<'_>, src: &'a str) -> Option<&'a str> {
    let mut node = param;
    for _ in 0..4 {
        match node.kind_name() {
            "identifier" => return Some(text(node, src)),
            "assignment_pattern" => node = node.field("left")?,
            "required_parameter" | "optional_parameter" => node = node.field("pattern")?,
            _ => return None,
        }
    }
    None
}

/// The parameter names of a function, in order (`None` for patterns and rest parameters).
fn params<'a>(function: Node<'_>, src: &'a str) -> Vec<Option<&'a str>> {
    if let Some(single) = function.field("parameter") {
        return vec![param_name(single, src)];
    }
    let Some(list) = function.field("parameters") else {
        return Vec::new();
    };
    let mut cursor = list.walk();
    list.named_children(&mut cursor)
        .filter(|p| p.kind_name() != "comment")
        .map(|p| param_name(p, src))
        .collect()
}

/// The nearest enclosing function of `at` that binds `name` as a parameter, with its index.
/// A nearer function that binds `name` otherwise (a pattern) hides it: `None`.
pub fn enclosing_param<'t>(at: Node<'t>, name: &str, src: &str) -> Option<(Node<'t>, usize)> {
    let mut cur = at.parent();
    for _ in 0..DEPTH_CAP * 8 {
        let node = cur?;
        if is_function(node) {
            if let Some(i) = params(node, src).iter().position(|p| *p == Some(name)) {
                return Some((node, i));
            }
        }
        cur = node.parent();
    }
    None
}

/// The name a function is bound to, as written: `function f`, `const f = …`, `x.y = …`,
/// `module.exports = …`. `None` for anonymous callbacks.
pub fn binding(function: Node<'_>, src: &str) -> Option<String> {
    if let Some(name) = function.field("name") {
        if function.kind_name().ends_with("_declaration") {
            return Some(text(name, src).to_string());
        }
    }
    let mut node = function;
    let mut parent = node.parent()?;
    for _ in 0..DEPTH_CAP {
        // Look through `async`-less wrappers: parentheses, `as`, `await` are not bindings.
        if matches!(
            parent.kind_name(),
            "parenthesized_expression" | "as_expression" | "satisfies_expression"
        ) {
            node = parent;
            parent = node.parent()?;
            continue;
        }
        if parent.kind_name() == "arguments" {
            let call = parent.parent()?;
            let callee = unwrap(call.field("function")?);
            // `fp(async function (fastify) {…})`: the plugin wrapper binds nothing of its own.
            if callee.kind_name() == "identifier"
                && matches!(text(callee, src), "fp" | "fastifyPlugin")
            {
                node = call;
                parent = node.parent()?;
                continue;
            }
            // `fastify.register(async (instance) => {…}, { prefix })`: named by position.
            let first = parent.named_child(0).is_some_and(|f| f.id() == node.id());
            let register = callee.kind_name() == "member_expression"
                && callee
                    .field("property")
                    .is_some_and(|p| text(p, src) == "register");
            if first && register {
                return Some(format!("register@{}", function.start_byte()));
            }
        }
        break;
    }
    match parent.kind_name() {
        // `export default async function (fastify) {…}`, `export default fp(…)`.
        "export_statement" => Some("module.exports".to_string()),
        "variable_declarator" => {
            let name = parent.field("name")?;
            (name.kind_name() == "identifier").then(|| text(name, src).to_string())
        }
        "assignment_expression" => {
            let right = parent.field("right")?;
            if right.id() != node.id() {
                return None;
            }
            let left = unwrap(parent.field("left")?);
            symbol_path(left, src).map(|p| p.join("."))
        }
        _ => None,
    }
}

/// The synthetic router name of parameter `index` of a function bound to `binding`.
pub fn param_router_name(binding: &str, index: usize) -> String {
    format!("{binding}.({index})")
}

/// The synthetic alias name of what a function bound to `binding` returns.
pub fn return_name(binding: &str) -> String {
    format!("{binding}.()")
}

/// Whether a call wraps a function as a Fastify plugin: `fp(async (fastify) => {…})`.
pub fn binding_of_wrapped(call: Node<'_>, src: &str) -> bool {
    let Some(callee) = call.field("function").map(unwrap) else {
        return false;
    };
    if callee.kind_name() != "identifier" || !matches!(text(callee, src), "fp" | "fastifyPlugin") {
        return false;
    }
    call.field("arguments")
        .and_then(|a| a.named_child(0))
        .is_some_and(|f| is_function(unwrap(f)))
}

/// Whether a function's first parameter is named `name`.
pub fn first_param_is(function: Node<'_>, name: &str, src: &str) -> bool {
    params(function, src).first().copied().flatten() == Some(name)
}

/// The default value of parameter `index` (`app = express()`, TS `app: Koa = new Koa()`).
pub fn param_default(function: Node<'_>, index: usize) -> Option<Node<'_>> {
    let list = function.field("parameters")?;
    let mut cursor = list.walk();
    let param = list
        .named_children(&mut cursor)
        .filter(|p| p.kind_name() != "comment")
        .nth(index)?;
    match param.kind_name() {
        "assignment_pattern" => param.field("right"),
        "required_parameter" | "optional_parameter" => param.field("value"),
        _ => None,
    }
}

/// A router handed over inside an options object: the nearest enclosing function that binds
/// `name` from a member of one of its parameters — `function ({ router })`, `async (params)
/// => { const { router } = params; … }` — with the parameter's index and the member's key.
pub fn enclosing_param_member<'t>(
    at: Node<'t>,
    name: &str,
    src: &str,
) -> Option<(Node<'t>, usize, String)> {
    let mut cur = at.parent();
    for _ in 0..DEPTH_CAP * 8 {
        let node = cur?;
        if is_function(node) {
            if let Some(found) = member_param(node, name, src) {
                return Some(found);
            }
        }
        cur = node.parent();
    }
    None
}

fn member_param<'t>(
    function: Node<'t>,
    name: &str,
    src: &str,
) -> Option<(Node<'t>, usize, String)> {
    let list = function.field("parameters")?;
    let mut cursor = list.walk();
    let items: Vec<Node<'t>> = list
        .named_children(&mut cursor)
        .filter(|p| p.kind_name() != "comment")
        .collect();
    let names = params(function, src);
    for (i, item) in items.iter().enumerate() {
        let pattern = match item.kind_name() {
            "required_parameter" | "optional_parameter" => item.field("pattern"),
            _ => Some(*item),
        };
        if let Some(key) = pattern.and_then(|p| pattern_key(p, name, src)) {
            return Some((function, i, key));
        }
    }
    // `const { router } = params;` among the body's statements.
    let body = function.field("body")?;
    let mut cursor = body.walk();
    for stmt in body.named_children(&mut cursor) {
        if !matches!(
            stmt.kind_name(),
            "lexical_declaration" | "variable_declaration"
        ) {
            continue;
        }
        let mut c = stmt.walk();
        for decl in stmt.named_children(&mut c) {
            let (Some(pattern), Some(value)) =
                (decl.field("name"), decl.field("value").map(unwrap))
            else {
                continue;
            };
            if value.kind_name() != "identifier" {
                continue;
            }
            let Some(i) = names.iter().position(|p| *p == Some(text(value, src))) else {
                continue;
            };
            if let Some(key) = pattern_key(pattern, name, src) {
                return Some((function, i, key));
            }
        }
    }
    None
}

/// The key an object pattern binds `name` from: `{ router }` → `router`, `{ app: router }`
/// → `app`.
fn pattern_key(pattern: Node<'_>, name: &str, src: &str) -> Option<String> {
    if pattern.kind_name() != "object_pattern" {
        return None;
    }
    let mut cursor = pattern.walk();
    for prop in pattern.named_children(&mut cursor) {
        match prop.kind_name() {
            "shorthand_property_identifier_pattern" if text(prop, src) == name => {
                return Some(name.to_string());
            }
            "pair_pattern" => {
                let value = prop.field("value")?;
                let key = prop.field("key")?;
                if value.kind_name() == "identifier"
                    && text(value, src) == name
                    && key.kind_name() == "property_identifier"
                {
                    return Some(text(key, src).to_string());
                }
            }
            _ => {}
        }
    }
    None
}
