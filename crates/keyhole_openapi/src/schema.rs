//! Walking schemas: through `$ref`, `allOf`/`oneOf`/`anyOf`, `items`, `additionalProperties`
//! and nested `properties`, cycle-safe and bounded.

use std::collections::HashSet;

use keyhole_core::Span;

use crate::spec::{NodeRef, Spec};
use crate::tree::Value;

/// Schemas deeper than this below the starting one are not walked.
const MAX_DEPTH: usize = 32;
/// At most this many schemas are visited in one walk.
const MAX_VISITED: usize = 20_000;

/// A property met on the walk.
#[derive(Debug, Clone)]
pub struct Field {
    /// Dotted path from the starting schema (`user.password`, `items[].token`).
    pub path: String,
    pub name: String,
    /// Where the property name is written.
    pub key_span: Span,
    /// The property's schema, resolved.
    pub schema: NodeRef,
    /// The schema holding the `properties` map, resolved.
    pub parent: NodeRef,
}

/// Every property reachable from `schema`, each schema visited once. Schemas carrying
/// `x-keyhole-ignore` naming `rule` are not entered.
pub fn fields(spec: &Spec, schema: NodeRef, rule: &str) -> Vec<Field> {
    let mut out = Vec::new();
    visit(spec, schema, rule, |s, prefix| {
        for (name, key_span, child) in spec
            .get(s, "properties")
            .map(|p| spec.entries(p))
            .unwrap_or_default()
        {
            let path = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            };
            out.push(Field {
                path,
                name: name.to_string(),
                key_span,
                schema: child,
                parent: s,
            });
        }
    });
    out
}

/// Visit every schema reachable from `schema` (itself included), with the dotted path of
/// the property that leads to it.
pub fn visit(spec: &Spec, schema: NodeRef, rule: &str, mut f: impl FnMut(NodeRef, &str)) {
    let mut seen: HashSet<NodeRef> = HashSet::new();
    let mut stack: Vec<(NodeRef, String, usize)> = vec![(spec.resolve(schema), String::new(), 0)];
    while let Some((s, prefix, depth)) = stack.pop() {
        if depth > MAX_DEPTH || seen.len() >= MAX_VISITED || !seen.insert(s) {
            continue;
        }
        if !matches!(spec.value(s), Some(Value::Map(_))) {
            continue;
        }
        if spec.ignored_at(s, rule) {
            continue;
        }
        f(s, &prefix);
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(list) = spec.get(s, key) {
                for item in spec.items(list) {
                    stack.push((item, prefix.clone(), depth + 1));
                }
            }
        }
        if let Some(items) = spec.get(s, "items") {
            let p = if prefix.is_empty() {
                "[]".to_string()
            } else {
                format!("{prefix}[]")
            };
            stack.push((items, p, depth + 1));
        }
        if let Some(extra) = spec.get(s, "additionalProperties") {
            stack.push((extra, format!("{prefix}{{}}"), depth + 1));
        }
        if let Some(props) = spec.get(s, "properties") {
            for (name, _, child) in spec.entries(props) {
                let path = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}.{name}")
                };
                stack.push((child, path, depth + 1));
            }
        }
    }
}

/// The `type`s a schema declares: a string, or a 3.1 list (`[string, "null"]`).
pub fn types(spec: &Spec, schema: NodeRef) -> Vec<String> {
    let Some(t) = spec.get(schema, "type") else {
        return Vec::new();
    };
    match spec.value(t) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Seq(_)) => spec
            .items(t)
            .into_iter()
            .filter_map(|i| spec.str(i).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a schema declares this type (alone or among others).
pub fn has_type(spec: &Spec, schema: NodeRef, ty: &str) -> bool {
    types(spec, schema).iter().any(|t| t == ty)
}
