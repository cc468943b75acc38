//! Secrets sent with a request and checked by the code it reaches: a license key, an
//! invitation or verification token, a one-time code, looked up and the request turned away
//! when nothing matches. Such an endpoint is public to no one without the secret, whatever
//! its decorators say: the secret is its credential.
//!
//! Read per function, over its own top-level statements (a lookup nested under an `if` guards
//! only some requests):
//! - `lk = get_or_raise_by_key(key=body.license_key)`, `get_object_or_404(Invite, token=t)`,
//!   `Invite.query.filter_by(token=token).first_or_404()`: a lookup that raises by its name;
//! - `seat = repo.by_token(token)` then `if not seat: raise NotFound()` (or `if seat is None
//!   or seat.expired: return …, 404`): a lookup whose failure is turned away;
//! - `try: invite = Invite.objects.get(code=code)` whose every `except` turns the request away.
//!
//! A function that merely accepts a secret and stores it or passes it on gates nothing. Calls
//! passing request values on (`svc.verify(session, body.token)`) are recorded, so that the
//! linker can follow them into a service function that gates on the parameter they reach.

use keyhole_lang::NodeExt;
use std::collections::HashMap;

use keyhole_core::facts::{GateCall, SecretGate};
use keyhole_core::SourceFile;
use tree_sitter::Node;

use crate::syntax::{symbol_path, text, walk_bounded, Walk};

/// Bound on nodes visited per expression.
const EXPRESSION_NODE_LIMIT: usize = 2_000;
/// Bound on calls recorded per function.
const MAX_GATE_CALLS: usize = 16;

/// Last words that make a name a secret by themselves (`token`, `invitation_token`).
const SECRET_WORDS: &[&str] = &[
    "token",
    "secret",
    "signature",
    "otp",
    "totp",
    "nonce",
    "passcode",
];

/// Tokens that are not credentials: pagination cursors.
const NOT_SECRET_QUALIFIERS: &[&str] = &["page", "next", "pagination", "continuation", "sync"];

/// `key` and `code` are secrets only when qualified (`license_key`, `verification_code`): a
/// bare `key` is as often a setting's or a cache's.
const KEY_QUALIFIERS: &[&str] = &[
    "license",
    "licence",
    "api",
    "access",
    "secret",
    "activation",
    "private",
    "auth",
    "session",
    "invite",
    "invitation",
    "signing",
    "client",
    "registration",
    "unsubscribe",
    "share",
    "download",
    "verification",
    "recovery",
];
const CODE_QUALIFIERS: &[&str] = &[
    "verification",
    "verify",
    "auth",
    "authorization",
    "otp",
    "login",
    "confirmation",
    "confirm",
    "invite",
    "invitation",
    "access",
    "reset",
    "activation",
    "magic",
    "security",
    "recovery",
    "backup",
    "pairing",
    "mfa",
    "totp",
    "sms",
    "email",
];

/// The lowercase words of a name: `invitationToken`, `X-Api-Key`, `license_key`.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a text has in it, in any case, a word without which no name in it is a secret
/// (see [`is_secret_name`]): a cheap test before walking an expression.
fn mentions_secret_word(text: &str) -> bool {
    static WORDS: std::sync::OnceLock<keyhole_lang::Needles> = std::sync::OnceLock::new();
    WORDS
        .get_or_init(|| {
            let mut words: Vec<&str> = SECRET_WORDS.to_vec();
            words.extend(["key", "code"]);
            keyhole_lang::Needles::new_ascii_case_insensitive(&words)
        })
        .any_in(text)
}

/// Whether a name says it is a secret. `context` is more words about the value (the type of
/// the object it is read from: `LicenseKeyValidate` qualifies its `key`).
pub fn is_secret_name(name: &str, context: &[String]) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    let previous = words.len().checked_sub(2).map(|i| words[i].as_str());
    if SECRET_WORDS.contains(&last.as_str()) {
        return !previous.is_some_and(|p| NOT_SECRET_QUALIFIERS.contains(&p));
    }
    let qualifiers = match last.as_str() {
        "key" => KEY_QUALIFIERS,
        "code" => CODE_QUALIFIERS,
        _ => return false,
    };
    if let Some(p) = previous {
        return qualifiers.contains(&p);
    }
    // A bare `key` read off an object whose type says which key: `validate.key` of a
    // `LicenseKeyValidate`.
    context
        .windows(2)
        .any(|w| w[1] == *last && qualifiers.contains(&w[0].as_str()))
}

/// One parameter of a `def`.
struct Param {
    name: String,
    /// Position in a call, `self`/`cls` not counted; `None` for keyword-only ones.
    position: Option<usize>,
    /// Not `self`/`cls`, not a `Depends(…)`: a value the request carries, should the function
    /// be a handler or a dependency.
    request_value: bool,
    /// The words of its annotation (`LicenseKeyValidate`).
    type_words: Vec<String>,
}

fn params_of(function: Node<'_>, src: &str) -> Vec<Param> {
    let mut out = Vec::new();
    let Some(params) = function.field("parameters") else {
        return out;
    };
    let mut position = 0usize;
    let mut keyword_only = false;
    let mut cursor = params.walk();
    for (i, param) in params.named_children(&mut cursor).enumerate() {
        let name_node = match param.kind_name() {
            "identifier" => Some(param),
            "typed_parameter" => param
                .named_child(0)
                .filter(|n| n.kind_name() == "identifier"),
            "default_parameter" | "typed_default_parameter" => param.field("name"),
            "keyword_separator" | "list_splat_pattern" => {
                keyword_only = true;
                continue;
            }
            _ => continue,
        };
        let Some(name_node) = name_node else {
            continue;
        };
        let name = text(name_node, src).to_string();
        if i == 0 && matches!(name.as_str(), "self" | "cls") {
            continue;
        }
        let declared = text(param, src);
        let request_value = !declared.contains("Depends(") && !declared.contains("Security(");
        let type_words = param
            .field("type")
            .map(|t| words(text(t, src)))
            .unwrap_or_default();
        out.push(Param {
            name,
            position: (!keyword_only).then_some(position),
            request_value,
            type_words,
        });
        position += 1;
    }
    out
}

/// Where a value comes from: a parameter (by index into the function's [`Param`]s), or the
/// request itself (`request.args["token"]`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Root {
    Param(usize),
    Request,
}

struct Scope<'p> {
    params: &'p [Param],
    /// Locals bound to a secret (`token = body.token`, `token_hash = hash(token)`), with the
    /// secret as first read.
    secrets: HashMap<String, (Root, String)>,
    /// Locals bound to a request value (`data = body.model_dump()`).
    values: HashMap<String, Root>,
}

impl Scope<'_> {
    fn param(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// The secret an expression holds or reads, and where it comes from.
    fn secret_in(&self, node: Node<'_>, src: &str) -> Option<(Root, String)> {
        // Its text names a local bound to a secret or has a secret word in it, or there is
        // nothing to find by walking it (most expressions).
        let written = text(node, src);
        if !mentions_secret_word(written) && !self.secrets.keys().any(|k| written.contains(k)) {
            return None;
        }
        let mut found = None;
        walk_bounded(node, EXPRESSION_NODE_LIMIT, |n| {
            if found.is_some() {
                return Walk::SkipChildren;
            }
            match n.kind_name() {
                "identifier" => {
                    let name = text(n, src);
                    if let Some(secret) = self.secrets.get(name) {
                        found = Some(secret.clone());
                    } else if let Some(i) = self.param(name) {
                        if is_secret_name(name, &[]) {
                            found = Some((Root::Param(i), name.to_string()));
                        }
                    }
                    Walk::SkipChildren
                }
                "attribute" => {
                    // `body.token`, `validate.key`: a secret read off a parameter.
                    if let Some(path) = symbol_path(n, src) {
                        if let (Some(i), Some(last)) = (self.param(&path[0]), path.last()) {
                            if path.len() > 1 && is_secret_name(last, &self.params[i].type_words) {
                                found = Some((Root::Param(i), path.join(".")));
                            }
                        }
                        return Walk::SkipChildren;
                    }
                    Walk::Continue
                }
                "call" | "subscript" => {
                    if let Some(secret) = self.read_secret(n, src) {
                        found = Some(secret);
                        return Walk::SkipChildren;
                    }
                    Walk::Continue
                }
                _ => Walk::Continue,
            }
        });
        found
    }

    /// `request.args.get("token")`, `request.headers["X-Api-Key"]`, `data["token"]` of a
    /// request value: a secret read by its name.
    fn read_secret(&self, node: Node<'_>, src: &str) -> Option<(Root, String)> {
        let (object, key) = match node.kind_name() {
            "subscript" => (node.field("value")?, node.field("subscript")?),
            "call" => {
                let callee = node.field("function")?;
                if callee.kind_name() != "attribute"
                    || !matches!(
                        callee.field("attribute").map(|a| text(a, src)),
                        Some("get" | "getlist" | "pop")
                    )
                {
                    return None;
                }
                let first = node.field("arguments")?.named_child(0)?;
                (callee.field("object")?, first)
            }
            _ => return None,
        };
        if key.kind_name() != "string" {
            return None;
        }
        let name = text(key, src).trim_matches(|c| c == '"' || c == '\'');
        // A request header named `…-Key` (`X-Api-Key`, `X-Metrics-Key`) carries a key.
        let from_headers = matches!(
            text(object, src).rsplit('.').next(),
            Some("headers" | "META")
        );
        let header_key = from_headers && words(name).last().is_some_and(|w| w == "key");
        if !is_secret_name(name, &[]) && !header_key {
            return None;
        }
        let root = self.value_root(object, src)?;
        Some((root, text(node, src).to_string()))
    }

    /// Where a value comes from when it is the request's: `request…`, a request-value
    /// parameter or something read off one, a local bound to one.
    fn value_root(&self, node: Node<'_>, src: &str) -> Option<Root> {
        let mut base = node;
        for _ in 0..16 {
            base = match base.kind_name() {
                "attribute" => base.field("object")?,
                "call" => base.field("function")?,
                "subscript" => base.field("value")?,
                "await" | "parenthesized_expression" => base.named_child(0)?,
                _ => break,
            };
        }
        if base.kind_name() != "identifier" {
            return None;
        }
        let name = text(base, src);
        if let Some((root, _)) = self.secrets.get(name) {
            return Some(*root);
        }
        if let Some(root) = self.values.get(name) {
            return Some(*root);
        }
        match self.param(name) {
            Some(i) if self.params[i].request_value => Some(Root::Param(i)),
            Some(_) => None,
            None if name == "request" => Some(Root::Request),
            None => None,
        }
    }
}

/// The call a statement makes: `f(…)`, `await f(…)`, `x = f(…)`, `x = await f(…)`, and the
/// name it binds, if any.
fn statement_call<'t>(statement: Node<'t>, src: &str) -> Option<(Node<'t>, Option<String>)> {
    let mut node = statement;
    let mut bound = None;
    for _ in 0..5 {
        node = match node.kind_name() {
            "call" => return Some((node, bound)),
            "expression_statement" | "await" => node.named_child(0)?,
            "assignment" => {
                let left = node.field("left")?;
                if left.kind_name() == "identifier" {
                    bound = Some(text(left, src).to_string());
                }
                node.field("right")?
            }
            _ => return None,
        };
    }
    None
}

/// A lookup that raises when nothing matches, by its name: `get_or_raise_by_key`,
/// `get_object_or_404`, `first_or_404`, `one_or_abort`.
fn raises_by_name(call: Node<'_>, src: &str) -> bool {
    let Some(callee) = call.field("function") else {
        return false;
    };
    let name = text(callee, src);
    let last = name.rsplit('.').next().unwrap_or(name);
    last.contains("or_raise") || last.contains("or_404") || last.ends_with("or_abort")
}

/// Calls that only convert a value (`str(token)`, `token.strip()`): a secret still, not a
/// lookup.
fn converts(call: Node<'_>, src: &str) -> bool {
    let Some(callee) = call.field("function") else {
        return false;
    };
    let name = text(callee, src);
    let last = name.rsplit('.').next().unwrap_or(name);
    matches!(
        last,
        "str" | "int" | "bytes" | "strip" | "lower" | "upper" | "encode" | "decode" | "UUID"
    )
}

/// The names an `if` condition finds missing: `not x`, `x is None`, `x == None`, either side
/// of an `or` (`not seat or seat.is_revoked()`).
fn missing_names(condition: Node<'_>, src: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    match condition.kind_name() {
        "not_operator" => {
            if let Some(arg) = condition.field("argument") {
                if arg.kind_name() == "identifier" {
                    out.push(text(arg, src).to_string());
                }
            }
        }
        "parenthesized_expression" => {
            if let Some(inner) = condition.named_child(0) {
                missing_names(inner, src, out, depth + 1);
            }
        }
        "boolean_operator" => {
            let op = condition.field("operator").map(|o| text(o, src));
            if op == Some("or") {
                for side in ["left", "right"] {
                    if let Some(n) = condition.child_by_field_name(side) {
                        missing_names(n, src, out, depth + 1);
                    }
                }
            }
        }
        "comparison_operator" => {
            let t = text(condition, src);
            let (Some(left), Some(right)) = (condition.named_child(0), condition.named_child(1))
            else {
                return;
            };
            let is_none = |n: Node<'_>| text(n, src) == "None";
            let negated = t.contains("is not") || t.contains("!=");
            if left.kind_name() == "identifier" && is_none(right) && !negated {
                out.push(text(left, src).to_string());
            }
        }
        _ => {}
    }
}

/// The call an `if` condition finds missing: `not f(…)`, `not await f(…)`, `f(…) is None`.
fn missing_call<'t>(condition: Node<'t>) -> Option<Node<'t>> {
    let inner = match condition.kind_name() {
        "not_operator" => condition.field("argument")?,
        "comparison_operator" => {
            let right = condition.named_child(1)?;
            let mut cursor = condition.walk();
            let negated = condition
                .children(&mut cursor)
                .any(|c| matches!(c.kind_name(), "is not" | "!="));
            if right.kind_name() != "none" || negated || condition.named_child_count() != 2 {
                return None;
            }
            condition.named_child(0)?
        }
        _ => return None,
    };
    let inner = if inner.kind_name() == "await" {
        inner.named_child(0)?
    } else {
        inner
    };
    (inner.kind_name() == "call").then_some(inner)
}

/// Where the server keeps its own secrets: settings, app configuration, the environment.
const SERVER_VALUE_PREFIXES: &[&str] = &[
    "settings.",
    "app.config",
    "current_app.config",
    "config.",
    "self.config",
    "os.environ",
    "os.getenv(",
    "environ[",
];

/// The request secret of a condition `sent != server_value` (either order): a comparison
/// that fails when the caller does not hold the server's secret.
fn compared_with_server_value(
    scope: &Scope<'_>,
    condition: Node<'_>,
    src: &str,
) -> Option<(Root, String)> {
    if condition.kind_name() != "comparison_operator" || condition.named_child_count() != 2 {
        return None;
    }
    let mut operators = condition.walk();
    let not_equal = condition
        .children(&mut operators)
        .any(|c| c.kind_name() == "!=" || c.kind_name() == "is not");
    if !not_equal {
        return None;
    }
    let (left, right) = (condition.named_child(0)?, condition.named_child(1)?);
    let is_server_value = |n: Node<'_>| {
        let written = text(n, src);
        SERVER_VALUE_PREFIXES.iter().any(|p| written.starts_with(p))
    };
    if is_server_value(right) {
        scope.secret_in(left, src)
    } else if is_server_value(left) {
        scope.secret_in(right, src)
    } else {
        None
    }
}

/// Whether a block turns the request away: it raises, aborts, or returns a 4xx status.
fn turns_away(block: Node<'_>, src: &str) -> bool {
    let mut found = false;
    walk_bounded(block, EXPRESSION_NODE_LIMIT, |n| {
        if found {
            return Walk::SkipChildren;
        }
        match n.kind_name() {
            "raise_statement" => found = true,
            "call" => {
                let callee = n.field("function").map(|c| text(c, src));
                found = callee.is_some_and(|c| c == "abort" || c.ends_with(".abort"));
            }
            "integer" => {
                found = text(n, src)
                    .parse::<u16>()
                    .is_ok_and(|s| (400..500).contains(&s));
            }
            "identifier" | "attribute" => {
                let t = text(n, src);
                let last = t.rsplit('.').next().unwrap_or(t);
                if last.starts_with("HTTP_4")
                    || last.starts_with("HttpResponseNotFound")
                    || last.starts_with("HttpResponseForbidden")
                {
                    found = true;
                }
                return Walk::SkipChildren;
            }
            "function_definition" | "class_definition" | "lambda" => return Walk::SkipChildren,
            _ => {}
        }
        Walk::Continue
    });
    found
}

/// The secret gate of a function and the calls it passes request values to.
pub fn read(
    function: Node<'_>,
    file: &SourceFile,
    src: &str,
) -> (Option<SecretGate>, Vec<GateCall>) {
    let params = params_of(function, src);
    let Some(body) = function.field("body") else {
        return (None, Vec::new());
    };
    // Every value followed here comes from a parameter or from `request`: without either
    // there is nothing to read (most methods take only `self`).
    if params.is_empty() && !src[body.byte_range()].contains("request") {
        return (None, Vec::new());
    }
    let mut scope = Scope {
        params: &params,
        secrets: HashMap::new(),
        values: HashMap::new(),
    };
    // Locals bound to the result of a lookup of a secret, with the lookup.
    let mut lookups: HashMap<String, (Root, String, Node<'_>)> = HashMap::new();
    let mut calls = Vec::new();
    let gate = |root: Root, secret: String, from: Node<'_>, to: Node<'_>| {
        let (param, position, request_value) = match root {
            Root::Param(i) => (
                Some(params[i].name.clone()),
                params[i].position,
                params[i].request_value,
            ),
            Root::Request => (None, None, true),
        };
        SecretGate {
            param,
            position,
            request_value,
            secret,
            span: file.span(from.start_byte(), to.end_byte()),
        }
    };
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        match statement.kind_name() {
            "if_statement" => {
                let (Some(condition), Some(consequence)) =
                    (statement.field("condition"), statement.field("consequence"))
                else {
                    continue;
                };
                let mut missing = Vec::new();
                missing_names(condition, src, &mut missing, 0);
                let looked_up = missing.iter().find_map(|m| lookups.get(m));
                if let Some((root, secret, lookup)) = looked_up {
                    if turns_away(consequence, src) {
                        return (Some(gate(*root, secret.clone(), *lookup, condition)), calls);
                    }
                }
                // `if key != settings.METRICS_KEY: return HttpResponseForbidden()`: a secret
                // sent with the request compared with the one the server holds.
                if let Some((root, secret)) = compared_with_server_value(&scope, condition, src) {
                    if turns_away(consequence, src) {
                        return (Some(gate(root, secret, condition, condition)), calls);
                    }
                }
                // `if not Invite.query.filter_by(token=token).first(): abort(404)`.
                let direct = missing_call(condition)
                    .filter(|c| !converts(*c, src) && scope.read_secret(*c, src).is_none())
                    .and_then(|c| scope.secret_in(c, src));
                if let Some((root, secret)) = direct {
                    if turns_away(consequence, src) {
                        return (Some(gate(root, secret, condition, condition)), calls);
                    }
                }
                continue;
            }
            "try_statement" => {
                // `try: invite = Invite.objects.get(code=code)` with every `except` turning
                // the request away.
                let Some(try_body) = statement.field("body") else {
                    continue;
                };
                let mut handlers = statement.walk();
                let excepts: Vec<Node<'_>> = statement
                    .named_children(&mut handlers)
                    .filter(|c| c.kind_name() == "except_clause")
                    .collect();
                let all_deny = !excepts.is_empty() && excepts.iter().all(|e| turns_away(*e, src));
                let mut inner = try_body.walk();
                for s in try_body.named_children(&mut inner) {
                    let Some((call, _)) = statement_call(s, src) else {
                        continue;
                    };
                    if converts(call, src) {
                        continue;
                    }
                    if let Some((root, secret)) = scope.secret_in(call, src) {
                        if all_deny || raises_by_name(call, src) {
                            return (Some(gate(root, secret, call, call)), calls);
                        }
                    }
                    record_call(&scope, call, file, src, &mut calls);
                }
                continue;
            }
            _ => {}
        }
        // A plain assignment binds a secret or a request value under a new name.
        if statement.kind_name() == "expression_statement" {
            if let Some(assignment) = statement
                .named_child(0)
                .filter(|n| n.kind_name() == "assignment")
            {
                if let (Some(left), Some(right)) =
                    (assignment.field("left"), assignment.field("right"))
                {
                    if left.kind_name() == "identifier" {
                        let name = text(left, src).to_string();
                        if let Some(secret) = scope.secret_in(right, src) {
                            scope.secrets.insert(name.clone(), secret);
                        } else if let Some(root) = scope.value_root(right, src) {
                            scope.values.insert(name.clone(), root);
                        }
                    }
                }
            }
        }
        let Some((call, bound)) = statement_call(statement, src) else {
            continue;
        };
        if converts(call, src) || scope.read_secret(call, src).is_some() {
            continue;
        }
        if let Some((root, secret)) = scope.secret_in(call, src) {
            if raises_by_name(call, src) {
                return (Some(gate(root, secret, call, call)), calls);
            }
            if let Some(name) = bound {
                lookups.insert(name, (root, secret, call));
            }
        }
        record_call(&scope, call, file, src, &mut calls);
    }
    (None, calls)
}

/// Records a call that passes request values on (`svc.verify(session, body.token)`).
fn record_call(
    scope: &Scope<'_>,
    call: Node<'_>,
    file: &SourceFile,
    src: &str,
    calls: &mut Vec<GateCall>,
) {
    if calls.len() >= MAX_GATE_CALLS {
        return;
    }
    let Some(arguments) = call.field("arguments") else {
        return;
    };
    let mut positional = Vec::new();
    let mut keywords = Vec::new();
    let mut index = 0usize;
    let mut cursor = arguments.walk();
    for arg in arguments.named_children(&mut cursor) {
        match arg.kind_name() {
            "keyword_argument" => {
                let (Some(name), Some(value)) = (arg.field("name"), arg.field("value")) else {
                    continue;
                };
                if scope.value_root(value, src).is_some() {
                    keywords.push(text(name, src).to_string());
                }
            }
            "list_splat" | "dictionary_splat" | "comment" => {}
            _ => {
                if scope.value_root(arg, src).is_some() {
                    positional.push(index);
                }
                index += 1;
            }
        }
    }
    if positional.is_empty() && keywords.is_empty() {
        return;
    }
    // The callee's path last: most calls pass no request value on.
    let Some(callee) = call.field("function").and_then(|c| symbol_path(c, src)) else {
        return;
    };
    calls.push(GateCall {
        callee,
        positional,
        keywords,
        span: file.span(call.start_byte(), call.end_byte()),
    });
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;

    #[test]
    fn secret_names() {
        for name in [
            "token",
            "invitation_token",
            "invitationToken",
            "X-Api-Key",
            "license_key",
            "verification_code",
            "otp",
            "client_secret",
        ] {
            assert!(is_secret_name(name, &[]), "{name}");
        }
        for name in [
            "key",
            "code",
            "cache_key",
            "country_code",
            "page_token",
            "discount_code",
            "tokens_used",
            "email",
        ] {
            assert!(!is_secret_name(name, &[]), "{name}");
        }
        let context = vec![
            "license".to_string(),
            "key".to_string(),
            "validate".to_string(),
        ];
        assert!(is_secret_name("key", &context));
    }
}
