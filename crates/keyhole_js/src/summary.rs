//! Function summaries for JavaScript and TypeScript middleware: whether a function turns a
//! request away (401/403, a redirect to the login page) and whether it looks at the caller,
//! so that a guard is judged by what it does and not only by its name.
//!
//! - A 401 (`res.status(401)`, `res.sendStatus(401)`, `ctx.throw(401)`, `reply.code(401)`,
//!   `next(createError(401))`, `new UnauthorizedError(…)`, `throw new UnauthorizedException()`,
//!   `ctx.status = 401`) or a redirect to a login page denies by itself.
//! - A 403 (`ForbiddenError`, `notAllowed(req, res)`) denies only when the function also looks
//!   at the caller (`req.user`, `req.isAuthenticated()`, `req.session.user`, `ctx.state.user`,
//!   `jwt.verify(…)`, `request.jwtVerify()`), since 403 also guards state and input.
//! - A middleware that denies nothing and ends with an unconditional `next()` lets anonymous
//!   requests through: at most optional authentication ([`FunctionSummary::passes_through`]).

use keyhole_core::facts::FunctionSummary;
use keyhole_core::vocabulary::Vocabulary;
use keyhole_core::{SourceFile, Span};
use keyhole_lang::NodeExt;
use keyhole_lang::{Hits, Needles};
use std::sync::OnceLock;
use tree_sitter::Node;

use crate::syntax::{string_value, text, unwrap};

/// Bound on nodes visited per function body.
const BODY_NODE_LIMIT: usize = 20_000;

const UNAUTHENTICATED_NAMES: &[&str] = &[
    "UnauthorizedError",
    "UnauthorizedException",
    "UnauthenticatedError",
    "AuthenticationError",
    "AuthenticationException",
    "NotAuthenticatedError",
    "Unauthorized",
    "unauthorized",
    "Unauthenticated",
    "unauthenticated",
];

const FORBIDDEN_NAMES: &[&str] = &[
    "ForbiddenError",
    "ForbiddenException",
    "Forbidden",
    "forbidden",
    "notAllowed",
    "accessDenied",
    "AccessDeniedError",
    "PermissionDenied",
    "PermissionDeniedError",
];

/// Properties that, read on anything, look at who is calling.
const CALLER_PROPERTIES: &[&str] = &[
    "user",
    "currentUser",
    "isAuthenticated",
    "isUnauthenticated",
    "loggedIn",
    "isLoggedIn",
    "authorization",
    "Authorization",
    "userId",
    "jwtVerify",
    "auth",
];

/// Keys of request-context variables that hold the caller (`c.get('user')` in Hono).
const CONTEXT_CALLER_KEYS: &[&str] = &[
    "user",
    "currentUser",
    "session",
    "jwtPayload",
    "userId",
    "auth",
];

/// Words without which a body cannot deny a request (see [`denies_as`]).
fn denial_signals() -> &'static Needles {
    static SIGNALS: OnceLock<Needles> = OnceLock::new();
    SIGNALS.get_or_init(|| {
        let mut words = vec!["401", "403", "redirect", "jwtVerify"];
        words.extend(UNAUTHENTICATED_NAMES);
        words.extend(FORBIDDEN_NAMES);
        Needles::new(&words)
    })
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Denial {
    Forbidden,
    Unauthenticated,
}

/// Where the words of a denial occur in a file: read once per file, asked per function.
pub fn denial_hits(src: &str) -> Hits {
    denial_signals().hits(src)
}

/// Summarise a function (declaration, arrow function, function expression or method).
/// `hits` are the file's [`denial_hits`].
pub fn summarise(function: Node<'_>, file: &SourceFile, src: &str, hits: &Hits) -> FunctionSummary {
    let mut summary = FunctionSummary::default();
    let Some(body) = function.field("body") else {
        return summary;
    };
    // No word of a denial in the body's text: nothing to find by walking it (and `checks`
    // is only reported alongside a denial).
    if !hits.any_within(body.start_byte(), body.end_byte()) {
        summary.passes_through = unconditional_next(function, body, src)
            .filter(|_| !turns_away_anonymous(body, src))
            .map(|n| span(file, n));
        return summary;
    }
    let vocabulary = Vocabulary::shared();
    let mut denial: Option<(Denial, Node<'_>)> = None;
    walk(body, |node| {
        let node_kind = node.kind_name();
        if let Some(kind) = denies_as(node, node_kind, src) {
            if denial.is_none_or(|(k, _)| kind > k) && !signed_in_only(node, body, src) {
                denial = Some((kind, node));
            }
        }
        if summary.checks.is_none() && looks_at_caller_as(node, node_kind, src, vocabulary) {
            summary.checks = Some(span(file, node));
        }
    });
    summary.denies = match denial {
        Some((Denial::Unauthenticated, node)) => Some(span(file, node)),
        Some((Denial::Forbidden, node)) if summary.checks.is_some() => Some(span(file, node)),
        _ => None,
    };
    if summary.denies.is_none() {
        summary.passes_through = unconditional_next(function, body, src)
            .filter(|_| !turns_away_anonymous(body, src))
            .map(|n| span(file, n));
    }
    summary
}

/// Whether a denial stands only in the branch of an `if` that requires a signed-in caller
/// (`if (req.loggedIn) { if (banned) return notAllowed(req, res); }`): it turns away some
/// signed-in callers, never anonymous ones.
fn signed_in_only(denial: Node<'_>, body: Node<'_>, src: &str) -> bool {
    let mut child = denial;
    let mut cur = denial.parent();
    for _ in 0..64 {
        let Some(node) = cur else {
            return false;
        };
        if node.id() == body.id() {
            return false;
        }
        if node.kind_name() == "if_statement"
            && node
                .field("consequence")
                .is_some_and(|c| c.id() == child.id())
            && node
                .field("condition")
                .is_some_and(|c| requires_caller(c, src))
        {
            return true;
        }
        child = node;
        cur = node.parent();
    }
    false
}

/// Whether a condition holds only for a signed-in caller: `req.loggedIn`, `req.user && …`
/// (a caller property read without `!`, alone or in a conjunction).
fn requires_caller(condition: Node<'_>, src: &str) -> bool {
    let node = unwrap(condition);
    match node.kind_name() {
        "parenthesized_expression" => node.named_child(0).is_some_and(|n| requires_caller(n, src)),
        "member_expression" => node
            .field("property")
            .is_some_and(|p| CALLER_PROPERTIES.contains(&text(p, src))),
        "binary_expression" => {
            node.field("operator").is_some_and(|o| text(o, src) == "&&")
                && [node.field("left"), node.field("right")]
                    .into_iter()
                    .flatten()
                    .any(|side| requires_caller(side, src))
        }
        _ => false,
    }
}

/// Whether the body returns or throws early when the caller is missing
/// (`if (!req.user) return sendError(res, …)`): a denial keyhole cannot read, so the
/// function is not judged to let anonymous callers through.
fn turns_away_anonymous(body: Node<'_>, src: &str) -> bool {
    let mut cursor = body.walk();
    let statements: Vec<Node<'_>> = body.named_children(&mut cursor).collect();
    statements.into_iter().any(|statement| {
        if statement.kind_name() != "if_statement" {
            return false;
        }
        let (Some(condition), Some(consequence)) =
            (statement.field("condition"), statement.field("consequence"))
        else {
            return false;
        };
        // `if (req.loggedIn) { … return; }` leaves early for signed-in callers only.
        if requires_caller(condition, src) {
            return false;
        }
        let mut on_caller = false;
        walk(condition, |n| {
            on_caller |= n.kind_name() == "member_expression"
                && n.field("property")
                    .is_some_and(|p| CALLER_PROPERTIES.contains(&text(p, src)));
        });
        let mut leaves = false;
        walk(consequence, |n| {
            leaves |= matches!(n.kind_name(), "return_statement" | "throw_statement");
        });
        on_caller && leaves
    })
}

fn span(file: &SourceFile, node: Node<'_>) -> Span {
    file.span(node.start_byte(), node.end_byte())
}

/// [`walk`] for the other modules of the crate.
pub(crate) fn walk_nodes<'t>(root: Node<'t>, f: impl FnMut(Node<'t>)) {
    walk(root, f);
}

/// Visit the named nodes under `root` in document order, at most [`BODY_NODE_LIMIT`],
/// without recursion or allocation.
fn walk<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>)) {
    let mut cursor = root.walk();
    let mut visited = 0usize;
    loop {
        let node = cursor.node();
        if node.is_named() {
            visited += 1;
            if visited > BODY_NODE_LIMIT {
                return;
            }
            f(node);
        }
        if cursor.goto_first_child() {
            continue;
        }
        // A cursor made on `root` cannot step past it: at `root` both moves fail.
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

fn status_number(node: Node<'_>, src: &str) -> Option<Denial> {
    if node.kind_name() != "number" {
        return None;
    }
    match text(node, src) {
        "401" => Some(Denial::Unauthenticated),
        "403" => Some(Denial::Forbidden),
        _ => None,
    }
}

fn last_name<'a>(callee: Node<'_>, src: &'a str) -> &'a str {
    let callee = unwrap(callee);
    match callee.kind_name() {
        "member_expression" => callee.field("property").map_or("", |p| text(p, src)),
        "identifier" => text(callee, src),
        _ => "",
    }
}

/// Whether a node turns the request away (`res.status(401)`, `{ status: 401 }`, …).
pub(crate) fn is_denial(node: Node<'_>, src: &str) -> bool {
    denies(node, src).is_some()
}

fn denies(node: Node<'_>, src: &str) -> Option<Denial> {
    denies_as(node, node.kind_name(), src)
}

/// [`denies`] for a node whose kind the caller has read already.
fn denies_as(node: Node<'_>, kind: &str, src: &str) -> Option<Denial> {
    match kind {
        // `res.status(401)`, `ctx.throw(401)`, `createError(401)`, `new HttpError(403, …)`
        // (judged from the parent, so that the walk never asks a node for its parent).
        "arguments" => {
            let mut cursor = node.walk();
            let found = node
                .named_children(&mut cursor)
                .filter_map(|n| status_number(n, src))
                .max();
            found
        }
        // `ctx.status = 401`, `res.statusCode = 403`
        "assignment_expression" => {
            let left = node.field("left")?;
            let right = node.field("right")?;
            matches!(last_name(left, src), "status" | "statusCode")
                .then(|| status_number(right, src))
                .flatten()
        }
        // `next({ status: 401 })`, `throw { statusCode: 401 }`
        "pair" => {
            let key = node.field("key")?;
            let value = node.field("value")?;
            matches!(text(key, src), "status" | "statusCode" | "code")
                .then(|| status_number(value, src))
                .flatten()
        }
        // `new UnauthorizedError(…)`, `reply.unauthorized()`, `helpers.notAllowed(req, res)`.
        "new_expression" | "call_expression" => {
            let callee = node
                .field("constructor")
                .or_else(|| node.field("function"))?;
            let name = last_name(callee, src);
            // `await request.jwtVerify()` (@fastify/jwt) rejects a request without a valid
            // token with 401.
            if UNAUTHENTICATED_NAMES.contains(&name) || name == "jwtVerify" {
                return Some(Denial::Unauthenticated);
            }
            if FORBIDDEN_NAMES.contains(&name) {
                return Some(Denial::Forbidden);
            }
            // `res.redirect('/login')`, `ctx.redirect('/auth/signin?next=…')`
            if name == "redirect" {
                let args = node.field("arguments")?;
                let t = text(args, src).to_ascii_lowercase();
                if t.contains("login") || t.contains("signin") || t.contains("sign-in") {
                    return Some(Denial::Unauthenticated);
                }
            }
            None
        }
        _ => None,
    }
}

/// Whether a node reads who is calling: `req.user`, `ctx.state.user`, `req.isAuthenticated`,
/// `req.headers.authorization`, `jwt.verify`, `request.jwtVerify`, or a call of a function
/// whose name says it authenticates (`verifyToken(…)`).
fn looks_at_caller(node: Node<'_>, src: &str, vocabulary: &Vocabulary) -> bool {
    looks_at_caller_as(node, node.kind_name(), src, vocabulary)
}

/// [`looks_at_caller`] for a node whose kind the caller has read already.
fn looks_at_caller_as(node: Node<'_>, kind: &str, src: &str, vocabulary: &Vocabulary) -> bool {
    match kind {
        "member_expression" => {
            let Some(prop) = node.field("property") else {
                return false;
            };
            let prop = text(prop, src);
            if CALLER_PROPERTIES.contains(&prop) {
                return true;
            }
            if prop == "verify" {
                let object = node.field("object").map(|o| text(o, src));
                return object.is_some_and(|o| {
                    let o = o.to_ascii_lowercase();
                    o.contains("jwt") || o.contains("token")
                });
            }
            false
        }
        // `req.get('Authorization')`, `req.header('authorization')`
        "string" => {
            // `'authorization'` and longer: skip the other strings without unescaping them.
            if text(node, src).len() < "'authorization'".len() {
                return false;
            }
            let v = string_value(node, src);
            v.eq_ignore_ascii_case("authorization")
        }
        "call_expression" => {
            let Some(callee) = node.field("function").map(unwrap) else {
                return false;
            };
            // `safeEqual(token, row.pixelToken)`, `crypto.timingSafeEqual(a, b)`: a secret
            // compared in constant time is a credential check.
            let name = last_name(callee, src);
            if contains_ignore_ascii_case(name, "safeequal")
                || contains_ignore_ascii_case(name, "safecompare")
            {
                return true;
            }
            // Hono's context variables: `c.get('user')`, `c.get('jwtPayload')`.
            if name == "get" && callee.kind_name() == "member_expression" {
                let first = node
                    .field("arguments")
                    .and_then(|a| a.named_child(0))
                    .filter(|a| a.kind_name() == "string");
                return first
                    .is_some_and(|a| CONTEXT_CALLER_KEYS.contains(&string_value(a, src).as_str()));
            }
            if callee.kind_name() != "identifier" {
                return false;
            }
            vocabulary.guard_by_name(text(callee, src)).is_some()
        }
        _ => false,
    }
}

/// `haystack.to_ascii_lowercase().contains(needle)` for a lowercase `needle`, without the
/// allocation.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A statement of the body, at its top level, that calls `next()` (or `await next()`,
/// `return next()`, `setImmediate(next)`) — for a function whose last parameter is `next`.
fn unconditional_next<'t>(function: Node<'t>, body: Node<'t>, src: &str) -> Option<Node<'t>> {
    let params = function.field("parameters")?;
    let mut cursor = params.walk();
    let last = params
        .named_children(&mut cursor)
        .filter(|p| p.kind_name() != "comment")
        .last()?;
    let name = text(last, src);
    let name = name.split(':').next().unwrap_or(name).trim();
    if name != "next" {
        return None;
    }
    let mut cursor = body.walk();
    let statements: Vec<Node<'t>> = body.named_children(&mut cursor).collect();
    statements.into_iter().find(|s| {
        let expr = match s.kind_name() {
            "expression_statement" | "return_statement" => s.named_child(0),
            _ => None,
        };
        let Some(mut expr) = expr.map(unwrap) else {
            return false;
        };
        if expr.kind_name() == "await_expression" {
            match expr.named_child(0) {
                Some(inner) => expr = unwrap(inner),
                None => return false,
            }
        }
        if expr.kind_name() != "call_expression" {
            return false;
        }
        let callee = expr.field("function").map(|c| text(c, src));
        let args = expr.field("arguments").map(|a| text(a, src));
        matches!(callee, Some("next")) && matches!(args, Some("()"))
            || matches!(callee, Some("setImmediate" | "process.nextTick"))
                && matches!(args, Some("(next)"))
    })
}

/// A check at the top of a handler that turns anonymous callers away. `Some((span, true))`
/// for a top-level `if` on the caller whose branch denies; `Some((span, false))` when the
/// handler denies and looks at the caller, but not in that plain shape (conditional).
pub fn inline_check(
    function: Node<'_>,
    file: &SourceFile,
    src: &str,
    hits: &Hits,
) -> Option<(Span, bool)> {
    let summary = summarise(function, file, src, hits);
    summary.denies?;
    let checks = summary.checks?;
    let body = function.field("body")?;
    if body.kind_name() != "statement_block" {
        return None;
    }
    let vocabulary = Vocabulary::shared();
    let mut cursor = body.walk();
    let statements: Vec<Node<'_>> = body.named_children(&mut cursor).collect();
    let caller_names = caller_bindings(&statements, src, vocabulary);
    for statement in statements {
        if statement.kind_name() != "if_statement" {
            continue;
        }
        let Some(condition) = statement.field("condition") else {
            continue;
        };
        let Some(consequence) = statement.field("consequence") else {
            continue;
        };
        let mut denied = false;
        walk(consequence, |n| denied |= denies(n, src).is_some());
        if denied && condition_on_caller(condition, src, vocabulary, &caller_names, 0) {
            return Some((
                file.span(statement.start_byte(), condition.end_byte()),
                true,
            ));
        }
    }
    Some((checks, false))
}

/// Whether a condition turns on the caller alone: `!req.user`, `!req.isAuthenticated() ||
/// !req.user.admin` — not `post.private && !req.user`, which turns on the post as well.
fn condition_on_caller(
    node: Node<'_>,
    src: &str,
    vocabulary: &Vocabulary,
    caller_names: &[String],
    depth: usize,
) -> bool {
    if depth > 32 {
        return false;
    }
    match node.kind_name() {
        "binary_expression" => {
            let (Some(left), Some(right), Some(op)) = (
                node.field("left"),
                node.field("right"),
                node.field("operator"),
            ) else {
                return false;
            };
            let l = condition_on_caller(left, src, vocabulary, caller_names, depth + 1);
            let r = condition_on_caller(right, src, vocabulary, caller_names, depth + 1);
            match text(op, src) {
                "&&" => l && r,
                "||" => l || r,
                _ => l || r,
            }
        }
        "unary_expression" | "parenthesized_expression" | "await_expression" => node
            .field("argument")
            .or_else(|| node.named_child(0))
            .is_some_and(|inner| {
                condition_on_caller(inner, src, vocabulary, caller_names, depth + 1)
            }),
        "identifier" => caller_names.iter().any(|n| n == text(node, src)),
        _ => {
            let mut found = false;
            walk(node, |n| found |= looks_at_caller(n, src, vocabulary));
            found
        }
    }
}

/// Names the top-level declarations of a body bind to a read of the caller
/// (`const user = c.get('user')`, `const token = req.headers.authorization`).
fn caller_bindings(statements: &[Node<'_>], src: &str, vocabulary: &Vocabulary) -> Vec<String> {
    let mut names = Vec::new();
    for statement in statements {
        if !matches!(
            statement.kind_name(),
            "lexical_declaration" | "variable_declaration"
        ) {
            continue;
        }
        let mut cursor = statement.walk();
        for decl in statement.named_children(&mut cursor) {
            let (Some(name), Some(value)) = (decl.field("name"), decl.field("value")) else {
                continue;
            };
            if name.kind_name() != "identifier" {
                continue;
            }
            let mut found = false;
            walk(value, |n| found |= looks_at_caller(n, src, vocabulary));
            if found {
                names.push(text(name, src).to_string());
            }
        }
    }
    names
}
