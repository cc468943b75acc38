//! Function summaries: the dependencies a function declares and whether it denies a request
//! (401/403), so that a guard can be followed from the route to what actually checks.

use keyhole_core::facts::{
    DependencyRef, FunctionSummary, GuardRef, GuardSite, GuardTarget, SymbolPath,
};
use keyhole_core::vocabulary::Vocabulary;
use keyhole_core::SourceFile;
use keyhole_lang::NodeExt;
use keyhole_lang::{Hits, Needles};
use std::sync::OnceLock;
use tree_sitter::Node;

use crate::syntax::{boolean_operands, symbol_path, text, walk_bounded, Args, Walk};

/// Bound on nodes visited per function body, so a generated megafunction stays cheap.
const BODY_NODE_LIMIT: usize = 50_000;

/// Names that turn away an unauthenticated request when raised or called.
const UNAUTHENTICATED_NAMES: &[&str] = &[
    "Unauthorized",
    "NotAuthenticated",
    "AuthenticationFailed",
    "HTTPUnauthorized",
    "Unauthenticated",
    "unauthorized",
    "NoAuthorizationError",
    // Django: `return redirect_to_login(request.get_full_path())`.
    "redirect_to_login",
];

/// Names that refuse a request, for whatever reason (not necessarily authentication).
const FORBIDDEN_NAMES: &[&str] = &[
    "Forbidden",
    "PermissionDenied",
    "HTTPForbidden",
    "forbidden",
    // Django: `return HttpResponseForbidden()`.
    "HttpResponseForbidden",
];

/// Where the words of a denial occur in a file: read once per file, asked per function.
pub fn denial_hits(src: &str) -> Hits {
    denial_signals().hits(src)
}

/// Words without which a body cannot deny a request (see [`denies_as`]).
fn denial_signals() -> &'static Needles {
    static SIGNALS: OnceLock<Needles> = OnceLock::new();
    SIGNALS.get_or_init(|| {
        let mut words = vec!["401", "403", "redirect"];
        words.extend(RAISING_VERIFIERS);
        words.extend(UNAUTHENTICATED_NAMES);
        words.extend(FORBIDDEN_NAMES);
        Needles::new(&words)
    })
}

/// Functions that verify a credential sent with the request and raise when it does not
/// hold: a webhook signature (`verify_signature(payload, header)`, Stripe's
/// `Webhook.construct_event`), a token. Matched on the callee's last name, also with a
/// prefix (`_verify_signature`, `verify_github_signature` is not matched).
const RAISING_VERIFIERS: &[&str] = &[
    "verify_signature",
    "validate_signature",
    "check_signature",
    "verify_webhook",
    "validate_webhook",
    "verify_webhook_signature",
    "construct_event",
    "verify_token",
    "validate_token",
];

/// Functions that compare a secret in constant time (`hmac.compare_digest(sent, secret)`):
/// a credential check, whose result the handler acts on.
const SECRET_COMPARISONS: &[&str] = &["compare_digest", "constant_time_compare"];

/// The last name of a call's callee (`hmac.compare_digest` → `compare_digest`).
fn callee_last_name<'s>(call: Node<'_>, src: &'s str) -> Option<&'s str> {
    let callee = call.field("function")?;
    let name = text(callee, src);
    Some(name.rsplit('.').next().unwrap_or(name))
}

/// The call a statement makes: `f(…)`, `await f(…)`, `x = f(…)`, `x = await f(…)`.
fn statement_call(statement: Node<'_>) -> Option<Node<'_>> {
    let mut node = statement;
    for _ in 0..4 {
        node = match node.kind_name() {
            "call" => return Some(node),
            "expression_statement" | "await" => node.named_child(0)?,
            "assignment" => node.field("right")?,
            _ => return None,
        };
    }
    None
}

/// A statement that verifies a credential: a raising verifier called by the statement, or
/// by a statement of a `try:` block around it (Stripe's `construct_event` idiom, whose
/// `except` clauses turn the request away).
fn verifier_statement<'t>(statement: Node<'t>, src: &str) -> Option<Node<'t>> {
    if statement.kind_name() == "try_statement" {
        let body = statement.field("body")?;
        let mut cursor = body.walk();
        let found = body
            .named_children(&mut cursor)
            .find_map(|s| statement_call(s).filter(|c| is_raising_verifier(*c, src)));
        return found;
    }
    statement_call(statement).filter(|c| is_raising_verifier(*c, src))
}

fn is_raising_verifier(call: Node<'_>, src: &str) -> bool {
    callee_last_name(call, src).is_some_and(|n| {
        RAISING_VERIFIERS
            .iter()
            .any(|v| n == *v || n.ends_with(&format!("_{v}")))
    })
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Denial {
    /// 403 and its kin: a refusal that is auth only if the function looks at the caller.
    Forbidden,
    /// 401, `Unauthorized`, a redirect to the login page: authentication by definition.
    Unauthenticated,
}

/// Summarise a function: what it depends on, and whether it turns requests away. A 401 (or
/// a redirect to login) is a denial by itself; a 403 counts only when the function also
/// looks at the caller (`current_user`, `is_admin()`, …), since 403 also guards state.
/// `hits` are the file's [`denial_hits`].
pub fn summarise(function: Node<'_>, file: &SourceFile, src: &str, hits: &Hits) -> FunctionSummary {
    let mut summary = FunctionSummary {
        dependencies: dependencies_of(function, file, src),
        ..FunctionSummary::default()
    };
    (summary.secret_gate, summary.gate_calls) = crate::secrets::read(function, file, src);
    let Some(body) = function.field("body") else {
        return summary;
    };
    summary.delegates = delegates(function, body, src);
    // A dependency factory (`def Authorizer(scopes): async def dependency(user = Depends(…))
    // …; return dependency`) depends on what the function it returns depends on.
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        let inner = match statement.kind_name() {
            "function_definition" => Some(statement),
            "decorated_definition" => statement.field("definition"),
            _ => None,
        };
        if let Some(inner) = inner.filter(|n| n.kind_name() == "function_definition") {
            summary
                .dependencies
                .extend(dependencies_of(inner, file, src));
        }
    }
    // No word of a denial in the body's text: nothing to find by walking it (and `checks`
    // is only reported alongside a denial).
    if !hits.any_within(body.start_byte(), body.end_byte()) {
        return summary;
    }
    let vocabulary = Vocabulary::shared();
    let denial = first_strongest_denial(body, hits, src);
    if denial.is_some() {
        // Where the function looks at the caller: the first such node of the body, which
        // makes a 403 an authentication check.
        walk_bounded(body, BODY_NODE_LIMIT, |node| {
            let node_kind = node.kind_name();
            if looks_at_caller_as(node, node_kind, src, vocabulary) {
                summary.checks = Some(file.span(node.start_byte(), node.end_byte()));
                return Walk::Stop;
            }
            if node_kind == "attribute" {
                return Walk::SkipChildren;
            }
            Walk::Continue
        });
    }
    summary.denies = match denial {
        Some((Denial::Unauthenticated, node)) => {
            Some(file.span(node.start_byte(), node.end_byte()))
        }
        Some((Denial::Forbidden, node)) if summary.checks.is_some() => {
            Some(file.span(node.start_byte(), node.end_byte()))
        }
        _ => None,
    };
    if let (Some(_), Some((_, node))) = (summary.denies, denial) {
        summary.denies_conditionally = under_condition_not_on_caller(body, node, src, vocabulary);
    }
    summary
}

/// The strongest denial in `body` (an `Unauthenticated` over a `Forbidden`), the first of
/// its kind in document order. Every denial holds one of the denial words, so only the
/// nodes on the way from the body down to each word are judged — the nodes a walk of the
/// body would visit there: an attribute chain is judged whole, never its parts.
fn first_strongest_denial<'t>(
    body: Node<'t>,
    hits: &Hits,
    src: &str,
) -> Option<(Denial, Node<'t>)> {
    let mut best: Option<(Denial, Node<'t>)> = None;
    let mut cursor = body.walk();
    for (start, end) in hits.within(body.start_byte(), body.end_byte()) {
        cursor.reset(body);
        loop {
            let node = cursor.node();
            let kind = node.kind_name();
            if let Some(found) = denies_as(node, kind, src) {
                let earlier = |b: Node<'_>| {
                    (node.start_byte(), std::cmp::Reverse(node.end_byte()))
                        < (b.start_byte(), std::cmp::Reverse(b.end_byte()))
                };
                if best.is_none_or(|(k, b)| found > k || (found == k && earlier(b))) {
                    best = Some((found, node));
                }
            }
            if kind == "attribute" || cursor.goto_first_child_for_byte(start).is_none() {
                break;
            }
            let child = cursor.node();
            if child.start_byte() > start || child.end_byte() < end {
                break;
            }
        }
    }
    best
}

/// The functions every `return` of a dispatching view calls with its first parameter
/// (`return get_checks(request)`); empty when any `return` does something else.
fn delegates(function: Node<'_>, body: Node<'_>, src: &str) -> Vec<SymbolPath> {
    let first_param = function
        .field("parameters")
        .and_then(|p| p.named_child(0))
        .and_then(|p| match p.kind_name() {
            "identifier" => Some(p),
            "typed_parameter" => p.named_child(0).filter(|n| n.kind_name() == "identifier"),
            _ => None,
        })
        .map(|p| text(p, src));
    let Some(first_param) = first_param else {
        return Vec::new();
    };
    // A body that never writes `return` or never passes the parameter first (`(request`)
    // delegates nothing; most bodies are ruled out by their text.
    let body_text = &src[body.byte_range()];
    let passed_first = body_text
        .match_indices(first_param)
        .any(|(at, _)| body_text[..at].trim_end().ends_with('('));
    if !passed_first || !body_text.contains("return") {
        return Vec::new();
    }
    let mut delegates: Vec<SymbolPath> = Vec::new();
    let mut every_return_delegates = true;
    walk_bounded(body, BODY_NODE_LIMIT, |node| match node.kind_name() {
        // One `return` that does not delegate settles it.
        _ if !every_return_delegates => Walk::SkipChildren,
        // Nested definitions return for themselves.
        "function_definition" | "class_definition" | "lambda" => Walk::SkipChildren,
        "return_statement" => {
            let callee = node
                .named_child(0)
                .filter(|call| call.kind_name() == "call")
                .filter(|call| {
                    call.field("arguments")
                        .and_then(|a| a.named_child(0))
                        .is_some_and(|a| {
                            a.kind_name() == "identifier" && text(a, src) == first_param
                        })
                })
                .and_then(|call| call.field("function"))
                .filter(|f| matches!(f.kind_name(), "identifier" | "attribute"))
                .and_then(|f| symbol_path(f, src));
            match callee {
                Some(callee) if !delegates.contains(&callee) => delegates.push(callee),
                Some(_) => {}
                None => every_return_delegates = false,
            }
            Walk::SkipChildren
        }
        _ => Walk::Continue,
    });
    if every_return_delegates {
        delegates
    } else {
        Vec::new()
    }
}

/// Whether a name in the body looks at who is calling: `current_user`, `is_admin()`,
/// `g.user`, `verify_jwt_in_request()`, `request.authorization`.
fn looks_at_caller(node: Node<'_>, src: &str, vocabulary: &Vocabulary) -> bool {
    looks_at_caller_as(node, node.kind_name(), src, vocabulary)
}

/// [`looks_at_caller`] for a node whose kind the caller has read already.
fn looks_at_caller_as(node: Node<'_>, kind: &str, src: &str, vocabulary: &Vocabulary) -> bool {
    if kind == "call" {
        // `hmac.compare_digest(sent, settings.SECRET)`, `verify_signature(…)`: a credential
        // sent with the request, checked.
        return callee_last_name(node, src).is_some_and(|n| SECRET_COMPARISONS.contains(&n))
            || is_raising_verifier(node, src);
    }
    if !matches!(kind, "identifier" | "attribute") {
        return false;
    }
    let t = text(node, src);
    // `ENABLE_PASSWORD_AUTH`, `app.state.config.ENABLE_LDAP`: a setting in SCREAMING_CASE is
    // the server's configuration, never the caller.
    if is_constant_name(t.rsplit('.').next().unwrap_or(t)) {
        return false;
    }
    if t.contains("current_user")
        || t.contains("is_authenticated")
        || t.contains("is_anonymous")
        || t == "g.user"
        || t.ends_with(".authorization")
    {
        return true;
    }
    // Most names say nothing about the caller; skip the word split for them.
    const HINTS: &[&str] = &[
        "auth",
        "login",
        "logged",
        "admin",
        "jwt",
        "token",
        "perm",
        "role",
        "staff",
        "guard",
        "protect",
        "verif",
        "sign",
        "key",
        "scope",
        "bearer",
        "passport",
        "acl",
        "user",
        "superuser",
        "owner",
    ];
    // `t.to_ascii_lowercase().contains(h)`, without allocating for every name.
    let contains = |h: &str| {
        t.as_bytes()
            .windows(h.len())
            .any(|w| w.eq_ignore_ascii_case(h.as_bytes()))
    };
    HINTS.iter().any(|h| contains(h)) && vocabulary.guard_by_name(t).is_some()
}

/// A SCREAMING_CASE name (`ENABLE_SIGNUP`, `AUTH_REQUIRED`): a constant or setting.
fn is_constant_name(name: &str) -> bool {
    name.len() > 1
        && name.bytes().any(|b| b.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn denies(node: Node<'_>, src: &str) -> Option<Denial> {
    denies_as(node, node.kind_name(), src)
}

/// [`denies`] for a node whose kind the caller has read already.
fn denies_as(node: Node<'_>, kind: &str, src: &str) -> Option<Denial> {
    match kind {
        // `abort(401)`, `status_code=403`, `return body, 401`: a status among a call's
        // arguments, a keyword's value, or a returned tuple.
        "argument_list" | "keyword_argument" | "expression_list" | "tuple" => {
            let mut cursor = node.walk();
            let mut found = None;
            for child in node.named_children(&mut cursor) {
                if child.kind_name() != "integer" {
                    continue;
                }
                match text(child, src) {
                    "401" => return Some(Denial::Unauthenticated),
                    "403" => found = Some(Denial::Forbidden),
                    _ => {}
                }
            }
            found
        }
        "identifier" | "attribute" => {
            let t = text(node, src);
            let last = t.rsplit('.').next().unwrap_or(t);
            if UNAUTHENTICATED_NAMES.contains(&last) || t.contains("HTTP_401") {
                Some(Denial::Unauthenticated)
            } else if FORBIDDEN_NAMES.contains(&last) || t.contains("HTTP_403") {
                Some(Denial::Forbidden)
            } else {
                None
            }
        }
        "call" => {
            // `verify_signature(payload, signature)`: raises when the credential is wrong.
            if is_raising_verifier(node, src) {
                return Some(Denial::Unauthenticated);
            }
            // `redirect(url_for("auth.login"))`: the Flask way to turn away an anonymous user.
            let callee = node.field("function")?;
            let name = text(callee, src);
            let to_login = (name == "redirect" || name.ends_with(".redirect"))
                && node
                    .field("arguments")
                    .is_some_and(|a| text(a, src).contains("login"));
            to_login.then_some(Denial::Unauthenticated)
        }
        _ => None,
    }
}

/// The dependencies declared in a function's parameters.
pub fn dependencies_of(function: Node<'_>, file: &SourceFile, src: &str) -> Vec<DependencyRef> {
    let mut deps = Vec::new();
    let Some(params) = function.field("parameters") else {
        return deps;
    };
    let mut cursor = params.walk();
    for param in params.named_children(&mut cursor) {
        if let Some(ty) = param.field("type") {
            let expr = if ty.kind_name() == "type" {
                ty.named_child(0)
            } else {
                Some(ty)
            };
            if let Some(expr) = expr {
                match expr.kind_name() {
                    "subscript" | "generic_type" => {
                        deps.extend(annotated_dependencies(expr, file, src));
                    }
                    "identifier" | "attribute" => {
                        if let Some(target) = symbol_path(expr, src) {
                            deps.push(DependencyRef {
                                target,
                                optional: false,
                                via_alias: true,
                                span: file.span(expr.start_byte(), expr.end_byte()),
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(value) = param.field("value") {
            if let Some(dep) = dependency_call(value, file, src) {
                deps.push(dep);
            }
        }
    }
    deps
}

/// `Depends(x)` / `Security(x, scopes=[…])` / `fastapi.Depends(x)`.
pub fn dependency_call(node: Node<'_>, file: &SourceFile, src: &str) -> Option<DependencyRef> {
    if node.kind_name() != "call" {
        return None;
    }
    let callee = symbol_path(node.field("function")?, src)?;
    if !matches!(callee.last()?.as_str(), "Depends" | "Security") {
        return None;
    }
    let args = Args::of(node.field("arguments")?, src);
    let target = args.arg(0, "dependency")?;
    // `Depends(get_user())`-style factories: the callee is the dependency's origin; one
    // built to let anonymous callers through (`Authenticator(allowed_subjects={User,
    // Anonymous})`) makes the dependency optional.
    let (target, optional) = if target.kind_name() == "call" {
        let optional = target
            .field("arguments")
            .is_some_and(|a| crate::allows_anonymous(&Args::of(a, src), src));
        (target.field("function")?, optional)
    } else {
        (target, false)
    };
    Some(DependencyRef {
        target: symbol_path(target, src)?,
        optional,
        via_alias: false,
        span: file.span(node.start_byte(), node.end_byte()),
    })
}

/// The `Depends(…)` inside `Annotated[T, Depends(…)]` (also `Optional[Annotated[…]]`).
pub fn annotated_dependencies(node: Node<'_>, file: &SourceFile, src: &str) -> Vec<DependencyRef> {
    let mut deps = Vec::new();
    walk_bounded(node, 2_000, |n| {
        if let Some(dep) = dependency_call(n, file, src) {
            deps.push(dep);
            return Walk::SkipChildren;
        }
        Walk::Continue
    });
    if deps.is_empty() {
        return deps;
    }
    // Only inside `Annotated[…]`: a bare subscript elsewhere is not a dependency.
    let t = text(node, src);
    if !t.contains("Annotated") {
        return Vec::new();
    }
    deps
}

/// A secret sent with the request that the handler looks up, itself or through a function
/// it passes request values to, turning the request away when nothing matches: a guard of
/// its own, apart from [`inline_check`]. The guard carries the gate alone, so that the
/// handler's other denials are not judged twice.
pub fn secret_check(summary: &FunctionSummary) -> Vec<GuardRef> {
    let guard = |span, gate_summary| GuardRef {
        site: GuardSite::InlineCheck,
        target: GuardTarget::Inline(Box::new(gate_summary)),
        called: false,
        optional: false,
        span,
    };
    if let Some(gate) = summary.secret_gate.as_ref().filter(|g| g.request_value) {
        let only = FunctionSummary {
            secret_gate: Some(gate.clone()),
            ..FunctionSummary::default()
        };
        return vec![guard(gate.span, only)];
    }
    // One guard per call, so that the evidence points at the call that gates.
    summary
        .gate_calls
        .iter()
        .map(|call| {
            let only = FunctionSummary {
                gate_calls: vec![call.clone()],
                ..FunctionSummary::default()
            };
            guard(call.span, only)
        })
        .collect()
}

/// A check in a handler's own body that turns away anonymous callers. `Some((span, true))`
/// when it is a top-level `if` on the caller that denies (the handler is guarded);
/// `Some((span, false))` when the denial is conditional on something else as well (the
/// handler is guarded only for some requests).
pub fn inline_check(
    function: Node<'_>,
    summary: &FunctionSummary,
    file: &SourceFile,
    src: &str,
) -> Option<(keyhole_core::Span, bool)> {
    summary.denies?;
    let checks = summary.checks?;
    let body = function.field("body")?;
    let vocabulary = Vocabulary::shared();
    let mut presented: Option<keyhole_core::Span> = None;
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        // `verify_signature(payload, signature)` (awaited, or bound to a name) as a statement
        // of the handler: every request passes it or is turned away.
        if let Some(call) = verifier_statement(statement, src) {
            return Some((file.span(call.start_byte(), call.end_byte()), true));
        }
        if statement.kind_name() != "if_statement" {
            continue;
        }
        let Some(condition) = statement.field("condition") else {
            continue;
        };
        let on_caller = condition_on_caller(condition, src, vocabulary, 0);
        let Some(consequence) = statement.field("consequence") else {
            continue;
        };
        let mut denied = false;
        walk_bounded(consequence, BODY_NODE_LIMIT, |n| {
            denied |= denies(n, src).is_some();
            Walk::Continue
        });
        if on_caller && denied {
            let span = file.span(statement.start_byte(), condition.end_byte());
            // `if token: … raise 401` runs only for callers who present a credential: it
            // turns away bad credentials, and lets anonymous callers through.
            if presence_test(condition, src, 0) {
                presented.get_or_insert(span);
                continue;
            }
            return Some((span, true));
        }
    }
    Some((presented.unwrap_or(checks), false))
}

/// Whether a condition is false for a caller who presents nothing: a bare name or attribute
/// tested for truth (`if token:`, `if request.headers.authorization:`), or a conjunction
/// with one (`if token and not valid(token):`). Names of an absence (`is_anonymous`,
/// `missing_token`) are not presence tests.
fn presence_test(condition: Node<'_>, src: &str, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    match condition.kind_name() {
        "parenthesized_expression" => condition
            .named_child(0)
            .is_some_and(|inner| presence_test(inner, src, depth + 1)),
        "boolean_operator" => {
            let Some((left, right, and)) = boolean_operands(condition, src) else {
                return false;
            };
            let l = presence_test(left, src, depth + 1);
            let r = presence_test(right, src, depth + 1);
            if and {
                l || r
            } else {
                l && r
            }
        }
        "identifier" | "attribute" => {
            let t = text(condition, src).to_ascii_lowercase();
            const ABSENCE: &[&str] = &[
                "anonymous",
                "anon",
                "guest",
                "unauth",
                "not_",
                "no_",
                "missing",
                "invalid",
                "expired",
                "denied",
                "forbidden",
                "banned",
                "blocked",
            ];
            !ABSENCE.iter().any(|w| t.contains(w))
        }
        _ => false,
    }
}

/// Whether `denial` sits in the body of an `if` whose condition does not turn on the caller
/// alone (`if current_forum and should_force_login(current_user, current_forum):`). Found
/// going down from `body`, so no `Node::parent` lookups.
fn under_condition_not_on_caller(
    body: Node<'_>,
    denial: Node<'_>,
    src: &str,
    vocabulary: &Vocabulary,
) -> bool {
    let mut node = body;
    for _ in 0..64 {
        if node == denial {
            return false;
        }
        let Some(child) = node.child_with_descendant(denial) else {
            return false;
        };
        if matches!(node.kind_name(), "if_statement" | "elif_clause")
            && node.field("consequence") == Some(child)
        {
            if let Some(condition) = node.field("condition") {
                if restricted_by_other_terms(condition, src, vocabulary) {
                    return true;
                }
            }
        }
        // Nested definitions are judged on their own.
        if matches!(child.kind_name(), "function_definition" | "lambda") {
            return false;
        }
        node = child;
    }
    false
}

/// Whether a condition is a conjunction of a check on the caller and terms that are not
/// (`current_forum and should_force_login(current_user, current_forum)`,
/// `request.method == "POST" and not current_user.is_authenticated`).
fn restricted_by_other_terms(condition: Node<'_>, src: &str, vocabulary: &Vocabulary) -> bool {
    fn conjuncts<'t>(node: Node<'t>, src: &str, out: &mut Vec<Node<'t>>, depth: usize) {
        let node = if node.kind_name() == "parenthesized_expression" {
            node.named_child(0).unwrap_or(node)
        } else {
            node
        };
        match boolean_operands(node, src) {
            Some((left, right, true)) if depth < 16 => {
                conjuncts(left, src, out, depth + 1);
                conjuncts(right, src, out, depth + 1);
            }
            _ => out.push(node),
        }
    }
    let mut terms = Vec::new();
    conjuncts(condition, src, &mut terms, 0);
    let on_caller = |t: &Node<'_>| condition_on_caller(*t, src, vocabulary, 0);
    terms.len() > 1 && terms.iter().any(on_caller) && !terms.iter().all(on_caller)
}

/// Whether a condition turns on the caller alone: `not current_user.is_authenticated`,
/// `not authed() or not is_admin()` — but not `page.private and not authed()`, which
/// turns on the page as well.
fn condition_on_caller(node: Node<'_>, src: &str, vocabulary: &Vocabulary, depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    match node.kind_name() {
        "boolean_operator" => {
            let Some((left, right, and)) = boolean_operands(node, src) else {
                return false;
            };
            let l = condition_on_caller(left, src, vocabulary, depth + 1);
            let r = condition_on_caller(right, src, vocabulary, depth + 1);
            if and {
                l && r
            } else {
                l || r
            }
        }
        "not_operator" | "parenthesized_expression" => node
            .field("argument")
            .or_else(|| node.named_child(0))
            .is_some_and(|inner| condition_on_caller(inner, src, vocabulary, depth + 1)),
        _ => {
            let mut found = false;
            walk_bounded(node, 2_000, |n| {
                found |= looks_at_caller(n, src, vocabulary);
                Walk::Continue
            });
            found
        }
    }
}
