//! Fastify response schemas, for the data rules: `schema: { response: { 200: UserOut } }` in a
//! route's options (also `fastify.route({ schema })`, and `{ schema }` naming a module-level
//! `const schema = { response: … }`). The first success status (`200`, `'2xx'`, `201`, …)
//! is recorded as the route's [`ResponseRef`]: a name (`UserOut`, `schemas.UserOut`) as
//! written, or, for a literal (`Type.Object({…})`, `{ type: 'object', … }`), where it stands.

use keyhole_core::facts::ResponseRef;
use keyhole_lang::NodeExt;
use tree_sitter::Node;

use crate::syntax::{string_value, symbol_path, unwrap};
use crate::Extractor;

/// Record the response schema given in `options` (a route's options object) for the route
/// registered at `route` (its [`RouteDef::span`](keyhole_core::facts::RouteDef)).
pub(crate) fn record(x: &mut Extractor<'_>, route: keyhole_core::Span, options: Node<'_>) {
    let options = unwrap(options);
    if options.kind_name() != "object" {
        return;
    }
    let Some(schema) = x.object_value(options, "schema") else {
        return;
    };
    let schema = match schema.kind_name() {
        "object" => Some(schema),
        "identifier" | "shorthand_property_identifier" => module_object(x, schema),
        _ => None,
    };
    let Some(response) = schema.and_then(|s| x.object_value(s, "response")) else {
        return;
    };
    let response = match response.kind_name() {
        "object" => Some(response),
        "identifier" | "shorthand_property_identifier" => module_object(x, response),
        _ => None,
    };
    let Some(value) = response.and_then(|r| success_entry(x, r)) else {
        return;
    };
    let value = unwrap(value);
    let (text, class) = match value.kind_name() {
        "identifier" | "member_expression" => match symbol_path(value, x.src) {
            Some(path) => (path.join("."), Some(path)),
            None => return,
        },
        // `Type.Object({…})`, `Type.Array(User)`, `S.object()…`: the builder as written.
        "call_expression" => {
            let callee = value
                .field("function")
                .and_then(|f| symbol_path(f, x.src))
                .map_or_else(|| "schema".to_string(), |p| p.join("."));
            (format!("{callee}(…)"), None)
        }
        "object" => ("inline JSON schema".to_string(), None),
        _ => return,
    };
    x.facts.responses.push(ResponseRef {
        route,
        text,
        class,
        span: x.span(value),
    });
}

/// The value of the first success status in `response: { 200: …, 404: … }`.
fn success_entry<'t>(x: &Extractor<'_>, response: Node<'t>) -> Option<Node<'t>> {
    let mut cursor = response.walk();
    let pairs: Vec<Node<'t>> = response.named_children(&mut cursor).collect();
    let mut best: Option<(u32, Node<'t>)> = None;
    for pair in pairs.into_iter().filter(|p| p.kind_name() == "pair") {
        let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else {
            continue;
        };
        let key = match key.kind_name() {
            "string" => string_value(key, x.src),
            _ => x.text(key).to_string(),
        };
        let rank = match key.as_str() {
            "200" => 0,
            "2xx" => 1,
            k if k.len() == 3 && k.starts_with('2') && k.parse::<u32>().is_ok() => 2,
            "default" => 3,
            _ => continue,
        };
        if best.is_none_or(|(r, _)| rank < r) {
            best = Some((rank, value));
        }
    }
    best.map(|(_, v)| v)
}

/// The object literal a module-level `const NAME = {…}` (exported or not) binds.
fn module_object<'t>(x: &Extractor<'_>, ident: Node<'t>) -> Option<Node<'t>> {
    let name = x.text(ident);
    let mut root = ident;
    while let Some(p) = root.parent() {
        root = p;
    }
    let mut cursor = root.walk();
    let statements: Vec<Node<'t>> = root.named_children(&mut cursor).collect();
    for statement in statements {
        let declaration = if statement.kind_name() == "export_statement" {
            match statement.field("declaration") {
                Some(d) => d,
                None => continue,
            }
        } else {
            statement
        };
        if !matches!(
            declaration.kind_name(),
            "lexical_declaration" | "variable_declaration"
        ) {
            continue;
        }
        let mut c = declaration.walk();
        let declarators: Vec<Node<'t>> = declaration.named_children(&mut c).collect();
        for d in declarators {
            let named = d.field("name").is_some_and(|n| x.text(n) == name);
            if named {
                return d
                    .field("value")
                    .map(unwrap)
                    .filter(|v| v.kind_name() == "object");
            }
        }
    }
    None
}
