//! Route templates: a function that registers a route on a router it receives, with the path
//! or the view taken from its other parameters —
//!
//! ```python
//! def register_api(app, model, name):
//!     item = ItemAPI.as_view(f"{name}-item", model)
//!     app.add_url_rule(f"/{name}/<int:id>", view_func=item)
//!
//! def register_view(bp_or_app, routes, view_func, *args, **kwargs):
//!     for route in routes:
//!         bp_or_app.add_url_rule(route, view_func=view_func, *args, **kwargs)
//!
//! register_api(app, User, "users")
//! register_view(bp, routes=["/a", "/b"], view_func=View.as_view("v"))
//! ```
//!
//! The route stays on the function's parameter router (`<function>.(<index>)`) with a
//! [`RouteParams`] saying which parameters fill it — the same facts the JavaScript extractor
//! writes — and the linker makes one route per call that passes a router (one per item of a
//! list given to a `for` loop's parameter). Arguments are matched to parameters by position,
//! keyword or default ([`FormalParam`]).
//!
//! Locals are read by position, not by control flow: a name's value at a use is the last
//! plain assignment of it in the function that ends before the use.

use keyhole_core::facts::{CallArg, CallArgs, FormalParam, ParamIndex, PathPiece, RouteParams};
use keyhole_lang::{last_binding_before, NodeExt};
use tree_sitter::Node;

use crate::syntax::{sequence_items, string_value, text, Args};
use crate::Extractor;

/// Bound on nested evaluation (locals of locals).
const MAX_DEPTH: usize = 8;
/// Bound on the nodes walked to find a local's assignment.
const MAX_SCAN: usize = 20_000;

/// What a name in the function holds.
#[derive(Clone, Copy)]
pub(crate) enum Value<'t> {
    Param(usize),
    /// The loop variable of `for x in <param>:`, one item of that list at a time.
    Item(usize),
    /// Something else: the expression itself, or the value a local was assigned.
    Other(Node<'t>),
}

/// The parameters of the function a route is registered in.
pub(crate) struct Scope<'t> {
    function: Node<'t>,
    names: Vec<String>,
    formal: Vec<FormalParam>,
}

impl<'t> Scope<'t> {
    /// The scope of the function whose body holds `node`; `None` outside functions.
    pub(crate) fn enclosing(x: &Extractor<'_>, node: Node<'t>) -> Option<Self> {
        let mut current = node.parent();
        for _ in 0..200 {
            let n = current?;
            if n.kind_name() == "function_definition" {
                return Some(Self::of(x, n));
            }
            current = n.parent();
        }
        None
    }

    fn of(x: &Extractor<'_>, function: Node<'t>) -> Self {
        let mut names = Vec::new();
        let mut formal = Vec::new();
        let mut positional = true;
        if let Some(list) = function.field("parameters") {
            let mut cursor = list.walk();
            for param in list.named_children(&mut cursor) {
                let (name, default, fills_position) = match param.kind_name() {
                    "identifier" => (Some(param), None, positional),
                    "typed_parameter" => (param.named_child(0), None, positional),
                    "default_parameter" | "typed_default_parameter" => {
                        (param.field("name"), param.field("value"), positional)
                    }
                    "list_splat_pattern" | "dictionary_splat_pattern" => {
                        positional = false;
                        (param.named_child(0), None, false)
                    }
                    // `*` alone: what follows is keyword-only.
                    "keyword_separator" => {
                        positional = false;
                        continue;
                    }
                    _ => (None, None, positional),
                };
                let name = name
                    .filter(|n| n.kind_name() == "identifier")
                    .map(|n| text(n, x.src).to_string())
                    .unwrap_or_default();
                names.push(name.clone());
                formal.push(FormalParam {
                    name,
                    positional: fills_position,
                    default: default.map(|d| x.template_call_arg(d)),
                });
            }
        }
        Scope {
            function,
            names,
            formal,
        }
    }

    /// The value of `node`: a parameter, the item of a list parameter, or an expression.
    pub(crate) fn value(&self, x: &Extractor<'_>, node: Node<'t>, depth: usize) -> Value<'t> {
        if depth > MAX_DEPTH || node.kind_name() != "identifier" {
            return Value::Other(node);
        }
        let name = text(node, x.src);
        if let Some((v, _)) = self.local(x, node, depth) {
            return v;
        }
        match self.names.iter().position(|p| p == name) {
            Some(i) if !name.is_empty() => Value::Param(i),
            _ => Value::Other(node),
        }
    }

    /// The value a local holds at `ident`: the last `name = …` that ends before it, or the
    /// enclosing `for name in …:` loop, whichever is nearer; and whether that assignment sits
    /// under a condition the use is not under (`if admins_only: view = guard(view)`).
    fn local(&self, x: &Extractor<'_>, ident: Node<'t>, depth: usize) -> Option<(Value<'t>, bool)> {
        let name = text(ident, x.src);
        let body = self.function.field("body")?;
        let is_scope = |n: Node<'_>| {
            matches!(
                n.kind_name(),
                "function_definition" | "class_definition" | "lambda"
            )
        };
        let (binding, value) =
            last_binding_before(body, ident.start_byte(), MAX_SCAN, is_scope, |node| {
                let (left, right) = (node.field("left")?, node.field("right")?);
                if left.kind_name() != "identifier" || text(left, x.src) != name {
                    return None;
                }
                match node.kind_name() {
                    "assignment" if right.end_byte() <= ident.start_byte() => {
                        Some(match self.value(x, right, depth + 1) {
                            Value::Other(_) => Value::Other(right),
                            v => v,
                        })
                    }
                    // `for route in routes:` around the use.
                    "for_statement" if node.end_byte() >= ident.end_byte() => {
                        match self.value(x, right, depth + 1) {
                            Value::Param(i) => Some(Value::Item(i)),
                            // Over something else: no value keyhole can follow.
                            _ => Some(Value::Other(left)),
                        }
                    }
                    _ => None,
                }
            })?;
        Some((value, conditional(binding, ident, body)))
    }

    /// A path made of text, parameters and items of list parameters (`f"/{name}/"`,
    /// `"/" + name`, `route`); `None` when some part is none of these.
    pub(crate) fn path(
        &self,
        x: &Extractor<'_>,
        node: Node<'t>,
        depth: usize,
    ) -> Option<Vec<PathPiece>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut out = Vec::new();
        match node.kind_name() {
            "string" => {
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    match child.kind_name() {
                        "string_content" | "escape_sequence" => {
                            out.push(PathPiece::Text(text(child, x.src).to_string()))
                        }
                        "interpolation" => {
                            // `{name!r}`, `{name:>3}` are not plain values.
                            if child.named_child_count() != 1 {
                                return None;
                            }
                            out.extend(self.path(x, child.field("expression")?, depth + 1)?);
                        }
                        _ => {}
                    }
                }
            }
            "concatenated_string" => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    out.extend(self.path(x, child, depth + 1)?);
                }
            }
            "binary_operator" => {
                if node.field("operator").map(|o| text(o, x.src)) != Some("+") {
                    return None;
                }
                out.extend(self.path(x, node.field("left")?, depth + 1)?);
                out.extend(self.path(x, node.field("right")?, depth + 1)?);
            }
            "parenthesized_expression" => return self.path(x, node.named_child(0)?, depth + 1),
            "identifier" => match self.value(x, node, depth) {
                Value::Param(i) => out.push(PathPiece::Param(ParamIndex::Front(i))),
                Value::Item(i) => out.push(PathPiece::Item(ParamIndex::Front(i))),
                Value::Other(n) if n.id() != node.id() => return self.path(x, n, depth + 1),
                Value::Other(_) => {
                    out.push(PathPiece::Text(string_value(node, x.src, &x.constants)?))
                }
            },
            _ => return None,
        }
        Some(PathPiece::merge_text(out))
    }

    /// The parameter an argument is, when it is one (`view_func=view_func`).
    pub(crate) fn param(&self, x: &Extractor<'_>, node: Node<'t>) -> Option<usize> {
        match self.value(x, node, 0) {
            Value::Param(i) => Some(i),
            _ => None,
        }
    }

    /// The expression a name stands for (`item` → `ItemAPI.as_view(…)`), or the node itself;
    /// and whether the name was assigned under a condition the use is not under.
    pub(crate) fn expression(&self, x: &Extractor<'_>, node: Node<'t>) -> (Node<'t>, bool) {
        let conditional =
            node.kind_name() == "identifier" && self.local(x, node, 0).is_some_and(|(_, c)| c);
        match self.value(x, node, 0) {
            Value::Other(n) => (n, conditional),
            _ => (node, conditional),
        }
    }

    /// The facts of a route template registered at `route` with these parts; `None` when no
    /// part comes from a parameter (then it is an ordinary route on a parameter router).
    pub(crate) fn route_params(
        &self,
        route: keyhole_core::Span,
        path: Option<Vec<PathPiece>>,
        view: Option<usize>,
    ) -> Option<RouteParams> {
        let path = path.filter(|p| has_param(p));
        if path.is_none() && view.is_none() {
            return None;
        }
        let view = view.map(ParamIndex::Front);
        Some(RouteParams {
            route,
            path,
            method: None,
            guards: view.into_iter().collect(),
            handler: view,
            formal: self.formal.clone(),
        })
    }
}

/// Whether `binding` sits in a branch, loop or `try` (below `body`) that does not also hold
/// `usage`: then the value it binds holds only sometimes.
fn conditional(binding: Node<'_>, usage: Node<'_>, body: Node<'_>) -> bool {
    let mut current = binding.parent();
    for _ in 0..200 {
        let Some(node) = current else {
            return false;
        };
        if node.id() == body.id() {
            return false;
        }
        let holds_usage =
            node.start_byte() <= usage.start_byte() && usage.end_byte() <= node.end_byte();
        if !holds_usage
            && matches!(
                node.kind_name(),
                "if_statement"
                    | "elif_clause"
                    | "else_clause"
                    | "for_statement"
                    | "while_statement"
                    | "try_statement"
                    | "except_clause"
                    | "with_statement"
                    | "match_statement"
                    | "case_clause"
            )
        {
            return true;
        }
        current = node.parent();
    }
    true
}

/// Whether a path has a parameter in it.
pub(crate) fn has_param(pieces: &[PathPiece]) -> bool {
    pieces
        .iter()
        .any(|p| matches!(p, PathPiece::Param(_) | PathPiece::Item(_)))
}

/// The path a route shows as written: its text when no parameter fills it.
pub(crate) fn written_path(pieces: &Option<Vec<PathPiece>>) -> Option<String> {
    match pieces.as_deref() {
        Some([PathPiece::Text(t)]) => Some(t.clone()),
        Some([]) => Some(String::new()),
        _ => None,
    }
}

impl Extractor<'_> {
    /// What a route template may take from one argument of a call: a string, the strings of
    /// a list, a view (with the wrappers around it).
    pub(crate) fn template_call_arg(&self, arg: Node<'_>) -> CallArg {
        let value = string_value(arg, self.src, &self.constants);
        let items = match arg.kind_name() {
            "list" | "tuple" => Some(
                sequence_items(arg)
                    .into_iter()
                    .map(|item| string_value(item, self.src, &self.constants))
                    .collect(),
            ),
            // A module-level list of this file (`routes=ROUTES`); rebinding it later in the
            // module is not followed.
            "identifier" => self.list_constants.get(text(arg, self.src)).cloned(),
            _ => None,
        };
        let (mut guards, view) = if matches!(arg.kind_name(), "identifier" | "attribute" | "call") {
            self.view_reference(arg)
        } else {
            (Vec::new(), None)
        };
        let handler = view.as_ref().and_then(|v| match &v.target {
            keyhole_core::facts::GuardTarget::Symbol(p) => {
                p.iter().rfind(|c| !c.starts_with('#')).cloned()
            }
            _ => None,
        });
        guards.extend(view);
        CallArg {
            text: value,
            guards,
            handler,
            items,
        }
    }

    /// The arguments of a call that may instantiate route templates.
    pub(crate) fn template_call_args(&self, call: Node<'_>, args: Node<'_>) -> CallArgs {
        let list = Args::of(args, self.src);
        CallArgs {
            span: self.span(call),
            args: list
                .positional
                .iter()
                .map(|a| self.template_call_arg(*a))
                .collect(),
            keywords: list
                .keywords
                .iter()
                .map(|(k, v)| (k.clone(), self.template_call_arg(*v)))
                .collect(),
        }
    }
}
