//! Small readers over Python syntax nodes: strings, dotted names, calls, walks.

use keyhole_lang::NodeExt;
use std::collections::HashMap;

use tree_sitter::Node;

/// The text of a node (empty when the range is not on char boundaries).
pub fn text<'a>(node: Node<'_>, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

/// A dotted name (`a`, `a.b.c`) from an identifier or attribute chain.
pub fn symbol_path(node: Node<'_>, src: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut current = node;
    // Attribute chains nest to the left; walk them iteratively.
    loop {
        match current.kind_name() {
            "identifier" => {
                parts.push(text(current, src).to_string());
                break;
            }
            "attribute" => {
                let attr = current.field("attribute")?;
                parts.push(text(attr, src).to_string());
                current = current.field("object")?;
            }
            "parenthesized_expression" => {
                current = current.named_child(0)?;
            }
            _ => return None,
        }
        if parts.len() > 32 {
            return None;
        }
    }
    parts.reverse();
    Some(parts)
}

/// The value of a string literal, resolving `{NAME}` interpolations in f-strings and
/// plain names through `constants`. `None` when any part is computed.
pub fn string_value(
    node: Node<'_>,
    src: &str,
    constants: &HashMap<String, String>,
) -> Option<String> {
    string_value_within(node, src, constants, 0)
}

/// Bound on nesting followed when reading a string expression; deeper is computed.
const MAX_STRING_DEPTH: usize = 32;

fn string_value_within(
    node: Node<'_>,
    src: &str,
    constants: &HashMap<String, String>,
    depth: usize,
) -> Option<String> {
    if depth > MAX_STRING_DEPTH {
        return None;
    }
    let recurse = |n: Node<'_>| string_value_within(n, src, constants, depth + 1);
    match node.kind_name() {
        "string" => {
            let mut out = String::new();
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                match child.kind_name() {
                    "string_content" | "escape_sequence" => out.push_str(text(child, src)),
                    "interpolation" => {
                        let expr = child.field("expression")?;
                        let name = text(expr, src);
                        out.push_str(constants.get(name)?);
                    }
                    _ => {}
                }
            }
            Some(out)
        }
        "concatenated_string" => {
            let mut out = String::new();
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                out.push_str(&recurse(child)?);
            }
            Some(out)
        }
        "identifier" => constants.get(text(node, src)).cloned(),
        "binary_operator" => {
            let op = node.field("operator")?;
            if text(op, src) != "+" {
                return None;
            }
            let left = recurse(node.field("left")?)?;
            let right = recurse(node.field("right")?)?;
            Some(left + &right)
        }
        "parenthesized_expression" => recurse(node.named_child(0)?),
        _ => None,
    }
}

/// Positional arguments and keyword arguments of an `argument_list`.
pub struct Args<'t> {
    pub positional: Vec<Node<'t>>,
    pub keywords: Vec<(String, Node<'t>)>,
}

impl<'t> Args<'t> {
    pub fn of(args: Node<'t>, src: &str) -> Args<'t> {
        let mut positional = Vec::new();
        let mut keywords = Vec::new();
        let mut cursor = args.walk();
        for child in args.named_children(&mut cursor) {
            match child.kind_name() {
                "keyword_argument" => {
                    if let (Some(name), Some(value)) = (child.field("name"), child.field("value")) {
                        keywords.push((text(name, src).to_string(), value));
                    }
                }
                "comment" => {}
                _ => positional.push(child),
            }
        }
        Args {
            positional,
            keywords,
        }
    }

    /// The argument at `index`, or given by keyword `name` (`path('x/', view=v)`).
    pub fn arg(&self, index: usize, name: &str) -> Option<Node<'t>> {
        self.positional
            .get(index)
            .copied()
            .or_else(|| self.keyword(name))
    }

    pub fn keyword(&self, name: &str) -> Option<Node<'t>> {
        self.keywords
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    }
}

/// Elements of a list/tuple/set literal.
pub fn sequence_items<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    match node.kind_name() {
        "list" | "tuple" | "set" | "expression_list" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .filter(|c| c.kind_name() != "comment")
                .collect()
        }
        "parenthesized_expression" => {
            // `((a, b))`: unwrap iteratively, however deep.
            let mut inner = node;
            while inner.kind_name() == "parenthesized_expression" {
                match inner.named_child(0) {
                    Some(child) => inner = child,
                    None => return Vec::new(),
                }
            }
            sequence_items(inner)
        }
        _ => Vec::new(),
    }
}

/// A `boolean_operator`'s left and right operands, and whether it is `and` (else `or`).
pub fn boolean_operands<'t>(node: Node<'t>, src: &str) -> Option<(Node<'t>, Node<'t>, bool)> {
    if node.kind_name() != "boolean_operator" {
        return None;
    }
    let (left, right, op) = (
        node.field("left")?,
        node.field("right")?,
        node.field("operator")?,
    );
    Some((left, right, text(op, src) == "and"))
}

/// Depth-first walk without recursion, bounded in node count.
pub fn walk_bounded<'t>(root: Node<'t>, limit: usize, mut visit: impl FnMut(Node<'t>) -> Walk) {
    let mut cursor = root.walk();
    let mut seen = 0usize;
    loop {
        seen += 1;
        if seen > limit {
            return;
        }
        let descend = match visit(cursor.node()) {
            Walk::Continue => true,
            Walk::SkipChildren => false,
            Walk::Stop => return,
        };
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == root {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

pub enum Walk {
    Continue,
    SkipChildren,
    /// End the walk.
    Stop,
}

/// The `def name(…)` a statement of a class body defines, decorated or not.
pub fn function_named<'t>(stmt: Node<'t>, name: &str, src: &str) -> Option<Node<'t>> {
    let function = match stmt.kind_name() {
        "function_definition" => stmt,
        "decorated_definition" => stmt.field("definition")?,
        _ => return None,
    };
    (function.kind_name() == "function_definition"
        && function.field("name").is_some_and(|n| text(n, src) == name))
    .then_some(function)
}

/// The class whose body defines `function` directly (a method), if any.
pub fn enclosing_class<'t>(function: Node<'t>) -> Option<Node<'t>> {
    let mut node = function.parent()?;
    if node.kind_name() == "decorated_definition" {
        node = node.parent()?;
    }
    if node.kind_name() != "block" {
        return None;
    }
    node.parent()
        .filter(|c| c.kind_name() == "class_definition")
}

/// A base class as written in a class header: `ModelViewSet`, `views.APIView`, and the
/// generic `ModelViewSet[Tag]` / `Generic[T]` by the class it subscripts.
pub fn base_class_path(node: Node<'_>, src: &str) -> Option<Vec<String>> {
    match node.kind_name() {
        "subscript" => symbol_path(node.field("value")?, src),
        _ => symbol_path(node, src),
    }
}
