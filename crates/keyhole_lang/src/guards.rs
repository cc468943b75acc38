//! What a pattern requires of the node it is rooted at, read from the pattern's source:
//! the kinds of the nodes at its field paths and children, and the text predicates
//! (`#eq?`, `#any-of?`, `#match?`) on their captures. Checking that costs a few field
//! lookups; running the query cursor at a node costs far more, and most nodes of a root
//! kind (most calls) match no pattern. A guard is an over-approximation: where it fails
//! no pattern can match, so the walk does nothing there; where it passes, the pattern's
//! matches are rebuilt from field lookups ([`Exact`]) or, for a pattern that cannot be, the
//! query runs and decides. Anything the reader does not understand (alternations of more
//! than plain kinds, quantified steps, supertypes, negated fields) constrains nothing.

use std::collections::HashMap;

use std::num::NonZeroU16 as FieldId;

use tree_sitter::{Language, Node};

/// A requirement on one node.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    /// Kind ids the node may have; `None`: any.
    kinds: Option<Vec<u16>>,
    /// Fields the node must have (id and name), each with what its node must satisfy.
    fields: Vec<(FieldId, &'static str, Guard)>,
    /// Named children (not by field) that must exist.
    children: Vec<Guard>,
    /// Tests on the node's text.
    text: Vec<TextTest>,
}

#[derive(Debug)]
enum TextTest {
    /// `#eq?`, `#any-of?`, and `#match?` with a regex of the form `^(a|b|c)$`.
    AnyOf(Vec<Vec<u8>>),
    Match(regex::bytes::Regex),
}

/// The nodes of a root's fields, looked up once for all the guards rooted there.
#[derive(Default)]
pub(crate) struct FieldMemo<'t> {
    seen: [(u16, Option<Node<'t>>); 4],
    len: usize,
}

impl<'t> FieldMemo<'t> {
    fn get(&mut self, node: Node<'t>, field: FieldId) -> Option<Node<'t>> {
        let id = field.get();
        if let Some((_, found)) = self.seen[..self.len].iter().find(|(f, _)| *f == id) {
            return *found;
        }
        let found = node.child_by_field_id(id);
        if self.len < self.seen.len() {
            self.seen[self.len] = (id, found);
            self.len += 1;
        }
        found
    }
}

impl Guard {
    /// Whether `node` may match.
    pub(crate) fn admits(&self, node: Node<'_>, src: &[u8]) -> bool {
        self.admits_with(node, src, |field| node.child_by_field_id(field.get()))
    }

    /// [`Guard::admits`] for a pattern's root, its fields looked up through `memo`.
    pub(crate) fn admits_root<'t>(
        &self,
        node: Node<'t>,
        src: &[u8],
        memo: &mut FieldMemo<'t>,
    ) -> bool {
        self.admits_with(node, src, |field| memo.get(node, field))
    }

    fn admits_with<'t>(
        &self,
        node: Node<'t>,
        src: &[u8],
        mut field_of: impl FnMut(FieldId) -> Option<Node<'t>>,
    ) -> bool {
        if let Some(kinds) = &self.kinds {
            if !kinds.contains(&node.kind_id()) {
                return false;
            }
        }
        if !self.text.is_empty() {
            let text = src.get(node.byte_range()).unwrap_or_default();
            let passes = |test: &TextTest| match test {
                TextTest::AnyOf(wants) => wants.iter().any(|w| text == w.as_slice()),
                TextTest::Match(regex) => regex.is_match(text),
            };
            if !self.text.iter().all(passes) {
                return false;
            }
        }
        for (field, _, guard) in &self.fields {
            // The grammars' fields read here hold one node each (a test checks it).
            match field_of(*field) {
                Some(child) if guard.admits(child, src) => {}
                _ => return false,
            }
        }
        for guard in &self.children {
            let count = node.named_child_count();
            // Few children (the usual case): by index, without a cursor to allocate.
            let found = if count <= 6 {
                (0..count).any(|i| node.named_child(i).is_some_and(|c| guard.admits(c, src)))
            } else {
                let mut cursor = node.walk();
                let found = node
                    .named_children(&mut cursor)
                    .any(|child| guard.admits(child, src));
                found
            };
            if !found {
                return false;
            }
        }
        true
    }

    /// Whether this guard admits every node (nothing to check).
    pub(crate) fn is_trivial(&self) -> bool {
        self.kinds.is_none()
            && self.text.is_empty()
            && self.fields.is_empty()
            && self.children.is_empty()
    }

    /// The fields this guard reads, each with the kinds of the node it is read from
    /// (`None`: any kind), for the test that those fields hold a single node.
    #[cfg(test)]
    pub(crate) fn fields_read(&self, out: &mut Vec<(Option<Vec<u16>>, &'static str)>) {
        for (_, field, guard) in &self.fields {
            out.push((self.kinds.clone(), field));
            guard.fields_read(out);
        }
        for guard in &self.children {
            guard.fields_read(out);
        }
    }

    /// The kinds of the node this guard tests (`None`: any).
    pub(crate) fn kinds(&self) -> Option<&[u16]> {
        self.kinds.as_deref()
    }
}

/// The byte range of every pattern of `source` (a query's text), in order; `None` where the
/// text holds syntax this reader does not know (the caller then asks tree-sitter).
pub(crate) fn split_patterns(source: &str) -> Option<Vec<std::ops::Range<usize>>> {
    let bytes = source.as_bytes();
    let mut ranges = Vec::new();
    let mut at = 0;
    loop {
        while at < bytes.len() {
            match bytes[at] {
                b';' => {
                    while at < bytes.len() && bytes[at] != b'\n' {
                        at += 1;
                    }
                }
                c if c.is_ascii_whitespace() => at += 1,
                _ => break,
            }
        }
        if at == bytes.len() {
            return Some(ranges);
        }
        let (tokens, len) = tokenize(&source[at..]);
        if tokens.is_empty() || len == 0 {
            return None;
        }
        ranges.push(at..at + len);
        at += len;
    }
}

/// The capture names of `patterns`, in the order they first appear (the order in which
/// tree-sitter numbers them).
pub(crate) fn capture_names(source: &str, patterns: &[std::ops::Range<usize>]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for range in patterns {
        for token in tokenize(&source[range.clone()]).0 {
            if let Token::Capture(name) = token {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names
}

/// The guard of every pattern of `source` (the merged query text), each given by its byte
/// range, and its [`Exact`] rebuild where it has one; `capture_index` numbers captures.
pub(crate) fn pattern_guards(
    source: &str,
    patterns: &[std::ops::Range<usize>],
    language: &Language,
    capture_index: &dyn Fn(&str) -> Option<u32>,
) -> Vec<(Guard, Option<Exact>)> {
    let kinds = KindIds::new(language);
    patterns
        .iter()
        .map(|range| {
            let text = source.get(range.start..).unwrap_or_default();
            let mut reader = Reader {
                tokens: tokenize(text).0,
                at: 0,
                predicates: Vec::new(),
                inexact: false,
            };
            let Some(root) = reader.node(None) else {
                return (Guard::default(), None);
            };
            let mut uses = HashMap::new();
            count_captures(&root, &mut uses);
            let mut all_tests = true;
            // The text tests by capture; built anew for each guard that takes them.
            let tests = || {
                let mut tests: HashMap<String, Vec<TextTest>> = HashMap::new();
                for predicate in &reader.predicates {
                    // A capture on several steps passes when any of its nodes does.
                    if let Some((capture, test)) = text_test(predicate) {
                        if uses.get(capture) == Some(&1) {
                            tests.entry(capture.to_string()).or_default().push(test);
                        }
                    }
                }
                tests
            };
            for predicate in &reader.predicates {
                match text_test(predicate) {
                    Some((capture, _)) if uses.get(capture) == Some(&1) => {}
                    _ => all_tests = false,
                }
            }
            let exact = (all_tests && !reader.inexact && uses.values().all(|n| *n == 1))
                .then(|| ExactStep::of(&root, &kinds, language, capture_index, &tests))
                .flatten()
                .map(|root| Exact { root });
            (build(&root, &kinds, language, &mut tests()), exact)
        })
        .collect()
}

/// A pattern whose matches are rebuilt from field lookups, without running the query: a
/// root and its steps (recursively), each a named kind, an alternation of plain kinds or
/// `(_)`, reached through a field or, for at most one step per parent, as a child without a
/// field (possibly anchored first or last); tested only by kind and by text predicates
/// (which the [`Guard`]s check). Such a pattern matches a node exactly when its guard admits
/// it and every field step's node is there (and named); a step without a field matches each
/// child in turn that its own guard admits and that stands, among its siblings, where the
/// pattern puts it — one match per such child, as the query gives, except that matches
/// capturing the same nodes are given once (as the query cursor dedupes them).
#[derive(Debug)]
pub(crate) struct Exact {
    root: ExactStep,
}

#[derive(Debug)]
struct ExactStep {
    /// Capture indices of the step.
    captures: Vec<u32>,
    /// Field steps, each with whether the pattern lists it before the step without a field.
    fields: Vec<(FieldId, bool, ExactStep)>,
    /// The step without a field.
    child: Option<Box<ChildStep>>,
}

/// A step without a field: matched by each named child in turn.
#[derive(Debug)]
struct ChildStep {
    /// What a child must satisfy (kind, text, fields).
    guard: Guard,
    step: ExactStep,
    /// Anchored as the first or last named child.
    first: bool,
    last: bool,
    /// Whether the step or a step below captures anything. A query cursor gives matches
    /// that capture the same nodes once: where nothing below is captured, the first child
    /// that fits is the only match.
    captures_inside: bool,
}

/// Whether `step` or a step below it has a capture.
fn has_captures(step: &Step) -> bool {
    !step.captures.is_empty() || step.children.iter().any(has_captures)
}

impl Exact {
    /// Call `visit` with the captures of each match at `root` (whose guard admitted it), in
    /// the order a query cursor gives them (document order, parents first).
    pub(crate) fn for_each_match<'t>(
        &self,
        root: Node<'t>,
        src: &[u8],
        captures: &mut Vec<tree_sitter::QueryCapture<'t>>,
        visit: &mut dyn FnMut(&[tree_sitter::QueryCapture<'t>]),
    ) {
        captures.clear();
        let mut pending = vec![(root, &self.root)];
        expand(&mut pending, src, captures, visit, &mut 0);
    }
}

impl ExactStep {
    fn of(
        step: &Step,
        kinds: &KindIds,
        language: &Language,
        capture_index: &dyn Fn(&str) -> Option<u32>,
        tests: &dyn Fn() -> HashMap<String, Vec<TextTest>>,
    ) -> Option<ExactStep> {
        if step.loose {
            return None;
        }
        // A supertype or unknown name: the guard does not check it.
        for kind in step.kind.iter().chain(&step.alternatives) {
            kinds.0.get(kind)?;
        }
        let captures = step
            .captures
            .iter()
            .map(|c| capture_index(c))
            .collect::<Option<Vec<u32>>>()?;
        let mut fields = Vec::new();
        let mut child: Option<Box<ChildStep>> = None;
        for sub in &step.children {
            match sub.field.as_deref() {
                Some(field) => {
                    // An anchor says where a child stands among its siblings, which a field
                    // lookup does not see.
                    if sub.first || sub.last {
                        return None;
                    }
                    let field = language.field_id_for_name(field)?;
                    let exact = ExactStep::of(sub, kinds, language, capture_index, tests)?;
                    fields.push((field, child.is_none(), exact));
                }
                None => {
                    // One step without a field per parent, of named kinds (`(_)` would also
                    // match extras).
                    if child.is_some() || (sub.kind.is_none() && sub.alternatives.is_empty()) {
                        return None;
                    }
                    child = Some(Box::new(ChildStep {
                        guard: build(sub, kinds, language, &mut tests()),
                        step: ExactStep::of(sub, kinds, language, capture_index, tests)?,
                        first: sub.first,
                        last: sub.last,
                        captures_inside: has_captures(sub),
                    }));
                }
            }
        }
        Some(ExactStep {
            captures,
            fields,
            child,
        })
    }
}

/// Match the `pending` (node, step) pairs, adding their captures to `captures`, and call
/// `visit` once per way they all match (counted in `matched`).
fn expand<'t>(
    pending: &mut Vec<(Node<'t>, &ExactStep)>,
    src: &[u8],
    captures: &mut Vec<tree_sitter::QueryCapture<'t>>,
    visit: &mut dyn FnMut(&[tree_sitter::QueryCapture<'t>]),
    matched: &mut usize,
) {
    let Some((node, step)) = pending.pop() else {
        let mut sorted = captures.clone();
        sorted.sort_by_key(|c| (c.node.start_byte(), std::cmp::Reverse(c.node.end_byte())));
        visit(&sorted);
        *matched += 1;
        return;
    };
    // `(_)` matches a named node, never an ERROR node.
    if !node.is_named() || node.is_error() {
        pending.push((node, step));
        return;
    }
    let (pending_len, captures_len) = (pending.len(), captures.len());
    for &index in &step.captures {
        captures.push(tree_sitter::QueryCapture { node, index });
    }
    let mut at_fields: Vec<(Node<'t>, bool)> = Vec::with_capacity(step.fields.len());
    let mut complete = true;
    for (field, before_child, sub) in &step.fields {
        match node.child_by_field_id(field.get()) {
            Some(child) => {
                at_fields.push((child, *before_child));
                pending.push((child, sub));
            }
            None => {
                complete = false;
                break;
            }
        }
    }
    if complete {
        match &step.child {
            None => expand(pending, src, captures, visit, matched),
            Some(child_step) => {
                let count = node.named_child_count();
                let mut cursor = node.walk();
                for (index, child) in node.named_children(&mut cursor).enumerate() {
                    if (child_step.first && index != 0) || (child_step.last && index + 1 != count) {
                        continue;
                    }
                    let in_place = at_fields.iter().all(|(field, before)| {
                        if *before {
                            field.end_byte() <= child.start_byte() && *field != child
                        } else {
                            child.end_byte() <= field.start_byte() && *field != child
                        }
                    });
                    if in_place && child_step.guard.admits(child, src) {
                        let before = *matched;
                        pending.push((child, &child_step.step));
                        expand(pending, src, captures, visit, matched);
                        pending.pop();
                        // Another child would give the same captures again.
                        if !child_step.captures_inside && *matched > before {
                            break;
                        }
                    }
                }
            }
        }
    }
    pending.truncate(pending_len);
    captures.truncate(captures_len);
    pending.push((node, step));
}

/// Named kind ids by name (a name the grammar aliases has several ids).
struct KindIds(HashMap<String, Vec<u16>>);

impl KindIds {
    fn new(language: &Language) -> KindIds {
        let mut ids: HashMap<String, Vec<u16>> = HashMap::new();
        for id in 0..language.node_kind_count() {
            let Ok(id) = u16::try_from(id) else { break };
            if !language.node_kind_is_named(id) || language.node_kind_is_supertype(id) {
                continue;
            }
            if let Some(name) = language.node_kind_for_id(id) {
                ids.entry(name.to_string()).or_default().push(id);
            }
        }
        KindIds(ids)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    /// `name:`
    Field(String),
    /// `!name`
    NegatedField,
    /// `@name`
    Capture(String),
    /// `"…"`
    Str(String),
    /// `?`, `*`, `+`
    Quantifier,
    /// `.`
    Anchor,
    /// A node kind, `_`, or a predicate name (`#eq?`).
    Word(String),
}

/// The tokens of the first pattern of `text` (up to its root's closing parenthesis and the
/// captures and quantifiers after it), and the length of text they were read from.
fn tokenize(text: &str) -> (Vec<Token>, usize) {
    let bytes = text.as_bytes();
    let run = |from: usize, ok: &dyn Fn(u8) -> bool| {
        let mut end = from;
        while end < bytes.len() && ok(bytes[end]) {
            end += 1;
        }
        end
    };
    let name_byte = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let capture_byte = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-');
    let predicate_byte =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'?' | b'!');
    let mut tokens = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b';' => i = run(i, &|c| c != b'\n'),
            b'(' | b'[' => {
                depth += 1;
                tokens.push(if c == b'(' {
                    Token::Open
                } else {
                    Token::OpenBracket
                });
                i += 1;
            }
            b')' | b']' => {
                tokens.push(if c == b')' {
                    Token::Close
                } else {
                    Token::CloseBracket
                });
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'"' => {
                let mut value = Vec::new();
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' && i + 1 < bytes.len() {
                        i += 1;
                        value.push(match bytes[i] {
                            b'n' => b'\n',
                            b't' => b'\t',
                            b'r' => b'\r',
                            b'0' => 0,
                            other => other,
                        });
                    } else {
                        value.push(bytes[i]);
                    }
                    i += 1;
                }
                i += 1;
                tokens.push(Token::Str(String::from_utf8_lossy(&value).into_owned()));
            }
            b'?' | b'*' | b'+' => {
                tokens.push(Token::Quantifier);
                i += 1;
            }
            b'.' => {
                tokens.push(Token::Anchor);
                i += 1;
            }
            b'@' => {
                let end = run(i + 1, &capture_byte);
                tokens.push(Token::Capture(text[i + 1..end].to_string()));
                i = end;
            }
            b'!' => {
                i = run(i + 1, &name_byte);
                tokens.push(Token::NegatedField);
            }
            b'#' => {
                let end = run(i + 1, &predicate_byte);
                tokens.push(Token::Word(text[i..end].to_string()));
                i = end;
            }
            c if c.is_ascii_whitespace() => {
                // The root is done once its parenthesis closed and no capture or quantifier
                // follows on the same item.
                if depth == 0 && !tokens.is_empty() {
                    let next = run(i, &|c| c.is_ascii_whitespace());
                    if !matches!(bytes.get(next), Some(b'@' | b'?' | b'*' | b'+')) {
                        break;
                    }
                }
                i += 1;
            }
            c if name_byte(c) => {
                let end = run(i, &name_byte);
                let word = text[i..end].to_string();
                if bytes.get(end) == Some(&b':') {
                    tokens.push(Token::Field(word));
                    i = end + 1;
                } else {
                    tokens.push(Token::Word(word));
                    i = end;
                }
            }
            _ => {
                // Not query syntax this reader knows: stop; what was read constrains less.
                tokens.clear();
                break;
            }
        }
    }
    (tokens, i)
}

/// One step of a pattern: a node (or something the guard cannot use).
#[derive(Debug, Default)]
struct Step {
    /// `Some(kind)` for `(kind …)`; `None` for `(_ …)`, `_`, alternations, strings.
    kind: Option<String>,
    /// The kinds of an alternation of plain kinds, `[(identifier) (attribute)]`.
    alternatives: Vec<String>,
    field: Option<String>,
    captures: Vec<String>,
    /// Quantified (`?`, `*`, `+`), another alternation, a group or a string: not required
    /// as written, or not a node the guard can test.
    loose: bool,
    /// Anchored as its parent's first (`(p . (x))`) or last (`(p (x) .)`) named child.
    first: bool,
    last: bool,
    children: Vec<Step>,
}

/// A predicate: name and arguments.
#[derive(Debug)]
struct Predicate {
    name: String,
    args: Vec<Token>,
}

struct Reader {
    tokens: Vec<Token>,
    at: usize,
    predicates: Vec<Predicate>,
    /// Saw syntax a match cannot be rebuilt from field lookups alone (anchors, negated
    /// fields, `_`): see [`Exact`].
    inexact: bool,
}

impl Reader {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    /// The node at the reader's position, with its captures and quantifiers; `None` for a
    /// predicate (recorded) or the end of the tokens.
    fn node(&mut self, field: Option<String>) -> Option<Step> {
        let mut step = Step {
            field,
            ..Step::default()
        };
        match self.next()? {
            Token::Open => match self.next()? {
                Token::Word(w) if w.starts_with('#') => {
                    let mut args = Vec::new();
                    while let Some(t) = self.next() {
                        if t == Token::Close {
                            break;
                        }
                        args.push(t);
                    }
                    self.predicates.push(Predicate { name: w, args });
                    return None;
                }
                Token::Word(w) => {
                    if w != "_" {
                        step.kind = Some(w);
                    }
                    self.children(&mut step);
                }
                _ => {
                    // A group, or a parenthesised string: skip to the matching `)`.
                    self.at -= 2;
                    self.skip_balanced();
                    step.loose = true;
                }
            },
            Token::OpenBracket => {
                // `[(a) (b)]`: an alternation of plain kinds is a step of either kind.
                let start = self.at;
                let mut plain = true;
                while !matches!(self.peek(), Some(Token::CloseBracket) | None) {
                    let inexact = self.inexact;
                    match self.node(None) {
                        Some(alternative)
                            if alternative.children.is_empty()
                                && alternative.captures.is_empty()
                                && !alternative.loose
                                && alternative.kind.is_some()
                                && self.inexact == inexact =>
                        {
                            step.alternatives.extend(alternative.kind);
                        }
                        _ => {
                            plain = false;
                            break;
                        }
                    }
                }
                if plain
                    && self.next() == Some(Token::CloseBracket)
                    && !step.alternatives.is_empty()
                {
                    // Read as kinds.
                } else {
                    step.alternatives.clear();
                    self.at = start - 1;
                    self.skip_balanced();
                    step.loose = true;
                }
            }
            Token::Word(w) if w == "_" => self.inexact = true,
            _ => step.loose = true,
        }
        loop {
            match self.peek() {
                Some(Token::Quantifier) => {
                    self.next();
                    step.loose = true;
                }
                Some(Token::Capture(_)) => {
                    if let Some(Token::Capture(name)) = self.next() {
                        step.captures.push(name);
                    }
                }
                _ => return Some(step),
            }
        }
    }

    /// The children of `step`, up to its closing parenthesis. An anchor is understood
    /// before the first child step and after the last one; anywhere else it makes the
    /// pattern inexact.
    fn children(&mut self, step: &mut Step) {
        let mut anchor = false;
        while let Some(token) = self.peek() {
            match token {
                Token::Close => {
                    self.next();
                    if anchor {
                        match step.children.last_mut() {
                            Some(last) => last.last = true,
                            None => self.inexact = true,
                        }
                    }
                    return;
                }
                Token::Anchor => {
                    self.next();
                    if anchor {
                        self.inexact = true;
                    }
                    anchor = true;
                }
                Token::Field(name) => {
                    let name = name.clone();
                    self.next();
                    if let Some(child) = self.node(Some(name)) {
                        if std::mem::take(&mut anchor) {
                            self.inexact = true;
                        }
                        step.children.push(child);
                    }
                }
                Token::NegatedField | Token::Capture(_) | Token::Quantifier => {
                    self.next();
                    self.inexact = true;
                }
                _ => {
                    if let Some(mut child) = self.node(None) {
                        if std::mem::take(&mut anchor) {
                            if step.children.is_empty() {
                                child.first = true;
                            } else {
                                self.inexact = true;
                            }
                        }
                        step.children.push(child);
                    }
                }
            }
        }
    }

    /// Skip a balanced `(…)` or `[…]` starting at the reader's position.
    fn skip_balanced(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.next() {
            match t {
                Token::Open | Token::OpenBracket => depth += 1,
                Token::Close | Token::CloseBracket => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }
}

/// How many steps carry each capture name.
fn count_captures(step: &Step, uses: &mut HashMap<String, usize>) {
    for capture in &step.captures {
        *uses.entry(capture.clone()).or_default() += 1;
    }
    for child in &step.children {
        count_captures(child, uses);
    }
}

/// The text test of a predicate on one capture and literal strings.
fn text_test(predicate: &Predicate) -> Option<(&str, TextTest)> {
    let (Token::Capture(capture), rest) = predicate.args.split_first()? else {
        return None;
    };
    let strings = rest
        .iter()
        .map(|t| match t {
            Token::Str(s) => Some(s.as_bytes().to_vec()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    let test = match (predicate.name.as_str(), strings.as_slice()) {
        ("#eq?", [_]) | ("#any-of?", [_, ..]) => TextTest::AnyOf(strings),
        ("#match?", [one]) => {
            let regex = std::str::from_utf8(one).ok()?;
            match literal_alternatives(regex) {
                Some(words) => TextTest::AnyOf(words),
                None => TextTest::Match(regex::bytes::Regex::new(regex).ok()?),
            }
        }
        _ => return None,
    };
    Some((capture.as_str(), test))
}

/// The words of a regex written `^(a|b|c)$` (or `^a$`) with plain words: an equality test
/// is cheaper than running the regex.
fn literal_alternatives(regex: &str) -> Option<Vec<Vec<u8>>> {
    let inner = regex.strip_prefix('^')?.strip_suffix('$')?;
    let inner = inner
        .strip_prefix('(')
        .and_then(|i| i.strip_suffix(')'))
        .unwrap_or(inner);
    let words: Vec<Vec<u8>> = inner.split('|').map(|w| w.as_bytes().to_vec()).collect();
    let plain =
        |w: &Vec<u8>| !w.is_empty() && w.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
    words.iter().all(plain).then_some(words)
}

/// The guard of a required step.
fn build(
    step: &Step,
    kinds: &KindIds,
    language: &Language,
    tests: &mut HashMap<String, Vec<TextTest>>,
) -> Guard {
    let mut guard = Guard::default();
    if let Some(kind) = &step.kind {
        // An unknown name (a supertype) constrains nothing.
        guard.kinds = kinds.0.get(kind).cloned();
    } else if !step.alternatives.is_empty() {
        guard.kinds = step
            .alternatives
            .iter()
            .map(|k| kinds.0.get(k).cloned())
            .collect::<Option<Vec<Vec<u16>>>>()
            .map(|ids| ids.concat());
    }
    for capture in &step.captures {
        guard.text.extend(tests.remove(capture).unwrap_or_default());
    }
    for child in step.children.iter().filter(|c| !c.loose) {
        let sub = build(child, kinds, language, tests);
        if sub.is_trivial() {
            continue;
        }
        match child.field.as_deref() {
            Some(field) => {
                // A field this grammar lacks (the query compiled, so it cannot happen):
                // constrain nothing rather than reject.
                if let Some(id) = language.field_id_for_name(field) {
                    guard.fields.push((id, static_field(field), sub));
                }
            }
            None => guard.children.push(sub),
        }
    }
    guard
}

/// Field names as `'static` for [`NodeExt::field`]: the few names the queries use, leaked
/// once per process.
fn static_field(name: &str) -> &'static str {
    use std::sync::Mutex;
    static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = names.iter().find(|n| **n == name) {
        return found;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.push(leaked);
    leaked
}
