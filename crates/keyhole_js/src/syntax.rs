//! Small, non-recursive (or depth-capped) helpers over tree-sitter nodes of the JavaScript,
//! TypeScript and TSX grammars.

use keyhole_lang::NodeExt;
use std::collections::HashMap;

use keyhole_core::facts::SymbolPath;
use tree_sitter::Node;

/// How many wrappers, member steps or nested expressions any helper follows before giving up.
pub const DEPTH_CAP: usize = 32;

/// Text of a node, or "" when the byte range is not valid UTF-8 boundaries.
pub fn text<'a>(node: Node<'_>, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

/// Strip the wrappers TypeScript and style put around a value: parentheses, `as T`,
/// `satisfies T`, `x!`, `<T>x`.
pub fn unwrap(mut node: Node<'_>) -> Node<'_> {
    for _ in 0..DEPTH_CAP {
        let inner = match node.kind_name() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => node.named_child(0),
            "type_assertion" => node.named_child(node.named_child_count().saturating_sub(1)),
            _ => None,
        };
        match inner {
            Some(n) if !n.is_extra() => node = n,
            _ => break,
        }
    }
    node
}

/// A dotted reference as written: `app` → `[app]`, `this.app` → `[this, app]`,
/// `api.v1.router` → `[api, v1, router]`. `None` for anything else.
pub fn symbol_path(node: Node<'_>, src: &str) -> Option<SymbolPath> {
    let mut parts = Vec::new();
    let mut cur = unwrap(node);
    for _ in 0..DEPTH_CAP {
        match cur.kind_name() {
            "identifier" | "this" | "property_identifier" | "shorthand_property_identifier" => {
                parts.push(text(cur, src).to_string());
                parts.reverse();
                return Some(parts);
            }
            "member_expression" => {
                let prop = cur.field("property")?;
                if prop.kind_name() != "property_identifier" {
                    return None;
                }
                parts.push(text(prop, src).to_string());
                cur = unwrap(cur.field("object")?);
            }
            _ => return None,
        }
    }
    None
}

/// The string a `require('m')` call loads, when `node` is one.
pub fn require_source(node: Node<'_>, src: &str) -> Option<String> {
    let node = unwrap(node);
    if node.kind_name() != "call_expression" {
        return None;
    }
    let callee = node.field("function")?;
    if callee.kind_name() != "identifier" || text(callee, src) != "require" {
        return None;
    }
    let args = node.field("arguments")?;
    let first = args.named_child(0)?;
    if first.kind_name() != "string" {
        return None;
    }
    Some(string_value(first, src))
}

/// The value of a string literal, with the common escapes decoded.
pub fn string_value(node: Node<'_>, src: &str) -> String {
    let raw = text(node, src);
    let inner = if raw.len() >= 2 {
        raw.get(1..raw.len() - 1).unwrap_or("")
    } else {
        ""
    };
    unescape(inner)
}

pub fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\n') | None => {}
            Some(other) => out.push(other),
        }
    }
    out
}

/// Module-level string constants, including flattened object literals
/// (`const PATHS = { users: '/users' }` → `PATHS.users`).
#[derive(Debug, Default)]
pub struct Constants {
    values: HashMap<String, String>,
}

/// A value that may be a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrValue {
    /// Fully known.
    Known(String),
    /// A string whose text is only partly known; the literal prefix is kept
    /// (`` `/users/${id}` `` → `/users/`).
    Partial(String),
    /// A name or expression that may evaluate to a string.
    Unknown,
    /// Certainly not a string (a function, an object, a number…).
    NotString,
}

impl Constants {
    /// Record a module-level binding `name = value` if the value is a constant string or an
    /// object literal of constant strings.
    pub fn record(&mut self, name: &str, value: Node<'_>, src: &str) {
        let value = unwrap(value);
        if value.kind_name() == "object" {
            // Flatten with an explicit stack: (prefix, object node, depth).
            let mut stack = vec![(name.to_string(), value, 0usize)];
            while let Some((prefix, obj, depth)) = stack.pop() {
                let mut cursor = obj.walk();
                for pair in obj.named_children(&mut cursor) {
                    if pair.kind_name() != "pair" {
                        continue;
                    }
                    let (Some(key), Some(val)) = (pair.field("key"), pair.field("value")) else {
                        continue;
                    };
                    let key = match key.kind_name() {
                        "property_identifier" | "number" => text(key, src).to_string(),
                        "string" => string_value(key, src),
                        _ => continue,
                    };
                    let full = format!("{prefix}.{key}");
                    let val = unwrap(val);
                    if val.kind_name() == "object" {
                        if depth < 4 {
                            stack.push((full, val, depth + 1));
                        }
                    } else if let StrValue::Known(s) = self.resolve(val, src) {
                        self.values.insert(full, s);
                    }
                }
            }
            return;
        }
        if let StrValue::Known(s) = self.resolve(value, src) {
            self.values.insert(name.to_string(), s);
        }
    }

    /// Evaluate a string-ish expression: literals, templates, `+` concatenation, and names of
    /// constants recorded so far.
    pub fn resolve(&self, node: Node<'_>, src: &str) -> StrValue {
        self.resolve_depth(node, src, 0)
    }

    fn resolve_depth(&self, node: Node<'_>, src: &str, depth: usize) -> StrValue {
        if depth > 8 {
            return StrValue::Unknown;
        }
        let node = unwrap(node);
        match node.kind_name() {
            "string" => StrValue::Known(string_value(node, src)),
            "template_string" => {
                let mut out = String::new();
                let mut cursor = node.walk();
                for part in node.named_children(&mut cursor) {
                    match part.kind_name() {
                        "string_fragment" => out.push_str(text(part, src)),
                        "escape_sequence" => out.push_str(&unescape(text(part, src))),
                        "template_substitution" => {
                            let inner = part.named_child(0);
                            match inner.map(|n| self.resolve_depth(n, src, depth + 1)) {
                                Some(StrValue::Known(s)) => out.push_str(&s),
                                Some(StrValue::Partial(s)) => {
                                    out.push_str(&s);
                                    return StrValue::Partial(out);
                                }
                                _ => return StrValue::Partial(out),
                            }
                        }
                        _ => {}
                    }
                }
                StrValue::Known(out)
            }
            "identifier" | "member_expression" => match symbol_path(node, src) {
                Some(path) => match self.values.get(&path.join(".")) {
                    Some(v) => StrValue::Known(v.clone()),
                    None => StrValue::Unknown,
                },
                None => StrValue::Unknown,
            },
            "binary_expression" => {
                let op = node.field("operator").map(|o| text(o, src));
                if op != Some("+") {
                    return StrValue::Unknown;
                }
                let (Some(l), Some(r)) = (node.field("left"), node.field("right")) else {
                    return StrValue::Unknown;
                };
                match self.resolve_depth(l, src, depth + 1) {
                    StrValue::Known(a) => match self.resolve_depth(r, src, depth + 1) {
                        StrValue::Known(b) => StrValue::Known(a + &b),
                        StrValue::Partial(b) => StrValue::Partial(a + &b),
                        _ => StrValue::Partial(a),
                    },
                    StrValue::Partial(a) => StrValue::Partial(a),
                    other => other,
                }
            }
            "arrow_function"
            | "function_expression"
            | "function"
            | "object"
            | "array"
            | "number"
            | "true"
            | "false"
            | "null"
            | "undefined"
            | "regex"
            | "class"
            | "new_expression" => StrValue::NotString,
            _ => StrValue::Unknown,
        }
    }
}

/// The node ids of the variable declarators at the top level of a module (`const x = …`,
/// also under `export`), read once from the program's statements: asking each declarator
/// for its parents walks down from the root every time.
pub fn module_level_declarators(program: Node<'_>) -> std::collections::HashSet<usize> {
    let mut ids = std::collections::HashSet::new();
    let mut cursor = program.walk();
    for statement in program.named_children(&mut cursor) {
        let declaration = match statement.kind_name() {
            "export_statement" => statement.field("declaration"),
            _ => Some(statement),
        };
        let Some(declaration) = declaration.filter(|d| {
            matches!(
                d.kind_name(),
                "lexical_declaration" | "variable_declaration"
            )
        }) else {
            continue;
        };
        let mut inner = declaration.walk();
        for declarator in declaration.named_children(&mut inner) {
            if declarator.kind_name() == "variable_declarator" {
                ids.insert(declarator.id());
            }
        }
    }
    ids
}

/// The first ERROR or MISSING node, found by walking only into subtrees that contain errors.
pub fn first_error(root: Node<'_>) -> Option<Node<'_>> {
    if !root.has_error() {
        return None;
    }
    let mut node = root;
    // Each step goes one level deeper; the loop ends at a leaf. A cap keeps it bounded
    // whatever the tree looks like.
    for _ in 0..100_000 {
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        let mut cursor = node.walk();
        let next = node
            .children(&mut cursor)
            .find(|c| c.is_error() || c.is_missing() || c.has_error());
        match next {
            Some(child) => node = child,
            None => return Some(node),
        }
    }
    Some(node)
}
