//! Route templates: a function that registers a route on a router it receives, with the path,
//! method or middleware taken from its other parameters —
//!
//! ```js
//! helpers.setupApiRoute = function (router, verb, name, middlewares, controller) {
//!     router[verb](`/api${name}`, [authenticate, ...middlewares], tryRoute(controller));
//! };
//! setupApiRoute(router, 'get', '/users/:uid', [ensureLoggedIn], controllers.users.get);
//! ```
//!
//! — also through a rest parameter (`const [router, verb, name] = args`,
//! `args[args.length - 1]`) and through locals of the function (`middlewares = [auth,
//! ...middlewares]`, `cond ? args[args.length - 2] : []`). The route stays on the
//! function's parameter router (`<binding>.(<i>)`, see `params`) with a [`RouteParams`] that
//! says which parameters fill it; the linker makes one route per call that passes a router.
//!
//! Locals are read by position, not by control flow: a name's value at a use is the last
//! declaration or assignment of it in the function that ends before the use.

use keyhole_core::facts::{GuardRef, ParamIndex, PathPiece};
use keyhole_lang::{bindings_in, last_binding_before, NodeExt};
use tree_sitter::Node;

use crate::params;
use crate::syntax::{string_value, text, unescape, unwrap, StrValue};
use crate::Extractor;

/// Bound on nested evaluation (locals of locals, nested arrays).
const MAX_DEPTH: usize = 12;
/// Bound on the nodes walked to find a local's bindings.
const MAX_SCAN: usize = 50_000;

/// The parameters of the function a route is registered in.
pub(crate) struct Scope<'t> {
    function: Node<'t>,
    formal: Vec<Option<String>>,
    /// `...args` and its position.
    rest: Option<(String, usize)>,
}

/// What an expression in the function evaluates to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'t> {
    Param(ParamIndex),
    /// The rest parameter itself (`args`), at its position.
    Rest(usize),
    /// Something else: the expression itself, or the value a local was bound to.
    Other(Node<'t>),
}

impl<'t> Scope<'t> {
    pub(crate) fn of(function: Node<'t>, src: &str) -> Self {
        let mut formal = Vec::new();
        let mut rest = None;
        let list = function
            .field("parameters")
            .or_else(|| function.field("parameter"));
        let items: Vec<Node<'t>> = match list {
            Some(l) if l.kind_name() == "identifier" => vec![l],
            Some(l) => {
                let mut cursor = l.walk();
                l.named_children(&mut cursor)
                    .filter(|p| p.kind_name() != "comment")
                    .collect()
            }
            None => Vec::new(),
        };
        for (i, item) in items.into_iter().enumerate() {
            let mut node = item;
            if matches!(
                node.kind_name(),
                "required_parameter" | "optional_parameter"
            ) {
                node = node.field("pattern").unwrap_or(node);
            }
            if node.kind_name() == "assignment_pattern" {
                node = node.field("left").unwrap_or(node);
            }
            match node.kind_name() {
                "identifier" => formal.push(Some(text(node, src).to_string())),
                "rest_pattern" => {
                    let name = node
                        .named_child(0)
                        .filter(|n| n.kind_name() == "identifier")
                        .map(|n| text(n, src).to_string());
                    if let Some(name) = name {
                        rest = Some((name, i));
                    }
                    formal.push(None);
                }
                _ => formal.push(None),
            }
        }
        Scope {
            function,
            formal,
            rest,
        }
    }

    /// The value of `node`: a parameter, the rest parameter, or an expression.
    pub(crate) fn value(&self, x: &Extractor<'_>, node: Node<'t>, depth: usize) -> Value<'t> {
        let node = unwrap(node);
        if depth > MAX_DEPTH {
            return Value::Other(node);
        }
        match node.kind_name() {
            "identifier" => {
                if let Some(v) = self.local(x, node, depth) {
                    return v;
                }
                let name = x.text(node);
                if let Some(i) = self.formal.iter().position(|p| p.as_deref() == Some(name)) {
                    return Value::Param(ParamIndex::Front(i));
                }
                match &self.rest {
                    Some((rest, i)) if rest == name => Value::Rest(*i),
                    _ => Value::Other(node),
                }
            }
            "subscript_expression" => {
                let (Some(object), Some(index)) =
                    (node.field("object"), node.field("index").map(unwrap))
                else {
                    return Value::Other(node);
                };
                let Value::Rest(at) = self.value(x, object, depth + 1) else {
                    return Value::Other(node);
                };
                match index.kind_name() {
                    "number" => match x.text(index).parse::<usize>() {
                        Ok(n) => Value::Param(ParamIndex::Front(at + n)),
                        Err(_) => Value::Other(node),
                    },
                    // `args[args.length - 2]`
                    "binary_expression" => {
                        let op = index.field("operator").map(|o| x.text(o));
                        let left = index.field("left").map(unwrap);
                        let right = index.field("right").map(unwrap);
                        let length_of_args = left.is_some_and(|l| {
                            l.kind_name() == "member_expression"
                                && l.field("property").is_some_and(|p| x.text(p) == "length")
                                && l.field("object")
                                    .is_some_and(|o| x.text(o) == x.text(object))
                        });
                        let back = right
                            .filter(|r| r.kind_name() == "number")
                            .and_then(|r| x.text(r).parse::<usize>().ok());
                        match (op, length_of_args, back) {
                            (Some("-"), true, Some(k)) if k > 0 => {
                                Value::Param(ParamIndex::Back(k))
                            }
                            _ => Value::Other(node),
                        }
                    }
                    _ => Value::Other(node),
                }
            }
            _ => Value::Other(node),
        }
    }

    /// The value a local bound in the function holds at `ident`: the last declaration or
    /// assignment of the name that ends before it (`None` when there is none).
    fn local(&self, x: &Extractor<'_>, ident: Node<'t>, depth: usize) -> Option<Value<'t>> {
        let name = x.text(ident);
        let body = self.function.field("body")?;
        let use_at = ident.start_byte();
        // The bound value, and its position when bound through an array pattern.
        let (value, position) = if body.descendant_count() <= MAX_SCAN {
            // A body asked about many times (a function registering hundreds of routes on
            // one router): its bindings of the name are found once, then looked up.
            let found = x.bindings_of(body, name, || {
                bindings_in(body, MAX_SCAN, params::is_function, |node| {
                    bound_value(x, node, name)
                })
                .into_iter()
                .map(|(node, (value, _))| (node.start_byte(), node.end_byte(), value.end_byte()))
                .collect()
            });
            let mut last: Option<(usize, usize)> = None;
            for (start, end, value_end) in found {
                if start < use_at && value_end <= use_at && last.is_none_or(|(s, _)| start > s) {
                    last = Some((start, end));
                }
            }
            let (start, end) = last?;
            let node = body.descendant_for_byte_range(start, end)?;
            bound_value(x, node, name)?
        } else {
            let (_, found) =
                last_binding_before(body, use_at, MAX_SCAN, params::is_function, |node| {
                    bound_value(x, node, name).filter(|(value, _)| value.end_byte() <= use_at)
                })?;
            found
        };
        Some(match position {
            Some(j) => match self.value(x, value, depth + 1) {
                Value::Rest(at) => Value::Param(ParamIndex::Front(at + j)),
                _ => Value::Other(ident),
            },
            None => match self.value(x, value, depth + 1) {
                Value::Other(_) => Value::Other(unwrap(value)),
                v => v,
            },
        })
    }

    /// A path made of text and parameters (`` `/api${name}` ``, `'/x/' + name`); `None` when
    /// some part is neither.
    pub(crate) fn path(
        &self,
        x: &Extractor<'_>,
        node: Node<'t>,
        depth: usize,
    ) -> Option<Vec<PathPiece>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = unwrap(node);
        let mut out = Vec::new();
        match node.kind_name() {
            "string" => out.push(PathPiece::Text(string_value(node, x.src))),
            "template_string" => {
                let mut cursor = node.walk();
                for part in node.named_children(&mut cursor) {
                    match part.kind_name() {
                        "string_fragment" => out.push(PathPiece::Text(x.text(part).to_string())),
                        "escape_sequence" => out.push(PathPiece::Text(unescape(x.text(part)))),
                        "template_substitution" => {
                            out.extend(self.path(x, part.named_child(0)?, depth + 1)?)
                        }
                        _ => {}
                    }
                }
            }
            "binary_expression" => {
                if node.field("operator").map(|o| x.text(o)) != Some("+") {
                    return None;
                }
                out.extend(self.path(x, node.field("left")?, depth + 1)?);
                out.extend(self.path(x, node.field("right")?, depth + 1)?);
            }
            "identifier" | "subscript_expression" => match self.value(x, node, depth) {
                Value::Param(p) => out.push(PathPiece::Param(p)),
                Value::Other(n) if n.id() != node.id() => return self.path(x, n, depth + 1),
                _ => match x.consts.resolve(node, x.src) {
                    StrValue::Known(s) => out.push(PathPiece::Text(s)),
                    _ => return None,
                },
            },
            "member_expression" => match x.consts.resolve(node, x.src) {
                StrValue::Known(s) => out.push(PathPiece::Text(s)),
                _ => return None,
            },
            _ => return None,
        }
        Some(PathPiece::merge_text(out))
    }

    /// Middleware of a route argument: guards written in the function, and parameters whose
    /// arguments are middleware. Guards that only apply on one branch of a `?:` are
    /// optional.
    pub(crate) fn guards(
        &self,
        x: &Extractor<'_>,
        node: Node<'t>,
        depth: usize,
        conditional: bool,
        guards: &mut Vec<GuardRef>,
        from_params: &mut Vec<ParamIndex>,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let node = unwrap(node);
        match node.kind_name() {
            "array" => {
                let mut cursor = node.walk();
                let items: Vec<Node<'t>> = node
                    .named_children(&mut cursor)
                    .filter(|n| n.kind_name() != "comment")
                    .collect();
                for item in items {
                    self.guards(x, item, depth + 1, conditional, guards, from_params);
                }
            }
            "spread_element" => {
                if let Some(inner) = node.named_child(0) {
                    self.guards(x, inner, depth + 1, conditional, guards, from_params);
                }
            }
            "ternary_expression" => {
                for field in ["consequence", "alternative"] {
                    if let Some(branch) = node.child_by_field_name(field) {
                        self.guards(x, branch, depth + 1, true, guards, from_params);
                    }
                }
            }
            "identifier" | "subscript_expression" => match self.value(x, node, depth) {
                Value::Param(p) => from_params.push(p),
                Value::Rest(_) => {}
                Value::Other(n) if n.id() != node.id() => {
                    self.guards(x, n, depth + 1, conditional, guards, from_params)
                }
                Value::Other(_) if node.kind_name() == "identifier" => {
                    let start = guards.len();
                    x.guard_refs(node, guards);
                    mark_optional(&mut guards[start..], conditional);
                }
                Value::Other(_) => {}
            },
            _ => {
                let start = guards.len();
                x.guard_refs(node, guards);
                mark_optional(&mut guards[start..], conditional);
            }
        }
    }

    /// The parameter holding the handler: the argument itself, or the function a wrapper is
    /// given (`tryRoute(controller)`).
    pub(crate) fn handler(&self, x: &Extractor<'_>, node: Node<'t>) -> Option<ParamIndex> {
        let node = unwrap(node);
        if let Value::Param(p) = self.value(x, node, 0) {
            return Some(p);
        }
        if node.kind_name() != "call_expression" {
            return None;
        }
        let args = node.field("arguments")?;
        let mut cursor = args.walk();
        let found = args
            .named_children(&mut cursor)
            .find_map(|a| match self.value(x, a, 0) {
                Value::Param(p) => Some(p),
                _ => None,
            });
        found
    }
}

fn mark_optional(guards: &mut [GuardRef], conditional: bool) {
    if conditional {
        for g in guards {
            g.optional = true;
        }
    }
}

/// Position of `name` in an array pattern (`[router, verb, name]`).
fn array_position(pattern: Node<'_>, name: &str, src: &str) -> Option<usize> {
    let mut cursor = pattern.walk();
    let items: Vec<Node<'_>> = pattern
        .named_children(&mut cursor)
        .filter(|n| n.kind_name() != "comment")
        .collect();
    items.iter().position(|item| {
        let item = if item.kind_name() == "assignment_pattern" {
            item.field("left").unwrap_or(*item)
        } else {
            *item
        };
        item.kind_name() == "identifier" && text(item, src) == name
    })
}

/// Whether a path has a parameter in it.
pub(crate) fn has_param(pieces: &[PathPiece]) -> bool {
    pieces
        .iter()
        .any(|p| matches!(p, PathPiece::Param(_) | PathPiece::Item(_)))
}

/// The value `node` binds `name` to, if it is a declaration or assignment of it, and the
/// position in an array pattern it is bound through.
fn bound_value<'t>(
    x: &Extractor<'_>,
    node: Node<'t>,
    name: &str,
) -> Option<(Node<'t>, Option<usize>)> {
    match node.kind_name() {
        "variable_declarator" => {
            let pattern = node.field("name");
            let value = node.field("value");
            match (pattern, value) {
                (Some(p), Some(v)) if p.kind_name() == "identifier" && x.text(p) == name => {
                    Some((v, None))
                }
                (Some(p), Some(v)) if p.kind_name() == "array_pattern" => {
                    array_position(p, name, x.src).map(|j| (v, Some(j)))
                }
                _ => None,
            }
        }
        "assignment_expression" => {
            let left = node.field("left").map(unwrap);
            let right = node.field("right");
            match (left, right) {
                (Some(l), Some(r)) if l.kind_name() == "identifier" && x.text(l) == name => {
                    Some((r, None))
                }
                _ => None,
            }
        }
        _ => None,
    }
}
