//! Grammars and extraction queries.
//!
//! Queries live in `queries/<lang>/<framework>/*.scm`, are embedded in the binary, and are
//! loaded once per process — lazily, for the languages actually present — into one merged
//! query set per grammar: each pattern read into a guard (what its root must be) and, where
//! its shape allows (every shipped pattern), a rebuild of its matches from field lookups; a
//! pattern of any other shape is compiled by tree-sitter and run as a query. Capture names
//! are checked against the contract in `queries/README.md` at load, and their indices
//! resolved, so extractors never look a capture up by name.

mod bindings;
mod captures;
mod fields;
mod guards;
mod needles;

use std::sync::OnceLock;

pub use bindings::{bindings_in, last_binding_before};
pub use captures::Capture;
pub use fields::NodeExt;
use keyhole_core::Language;
pub use needles::{Hits, Needles};
pub use streaming_iterator::StreamingIterator;
pub use tree_sitter;
use tree_sitter::{Node, Query, QueryCapture, QueryCursor};

/// One embedded query file.
#[derive(Debug, Clone, Copy)]
pub struct QueryFile {
    pub path: &'static str,
    pub source: &'static str,
}

macro_rules! query_files {
    ($($path:literal),* $(,)?) => {
        &[$(QueryFile { path: $path, source: include_str!(concat!("../../../queries/", $path)) }),*]
    };
}

/// Python extraction queries, merged into one query.
pub const PYTHON_QUERIES: &[QueryFile] = query_files![
    "python/common/imports.scm",
    "python/common/definitions.scm",
    "python/common/routes.scm",
    "python/common/calls.scm",
    "python/flask/hooks.scm",
    "python/flask/restful.scm",
    "python/django/views.scm",
];

/// JavaScript extraction queries; compiled against the JavaScript, TypeScript and TSX grammars.
pub const JAVASCRIPT_QUERIES: &[QueryFile] = query_files![
    "javascript/common/modules.scm",
    "javascript/common/bindings.scm",
    "javascript/common/functions.scm",
    "javascript/express/calls.scm",
    "javascript/nestjs/controllers.scm",
];

/// Node kinds whose subtrees hold no pattern root and nothing an extractor looks for: the
/// walk does not go into them (the query run at a pattern's root still reads inside them).
/// Literal text, comments and type annotations, everywhere; Python call arguments (a
/// registration is a statement; its arguments are read from the call); JSX markup (event
/// handlers, never routes). Together about a third of the nodes of real code.
pub fn opaque_kinds(language: Language) -> &'static [&'static str] {
    match language {
        // Attribute chains (`a.b.c`) and dotted module names hold no statement: a call in
        // an attribute's object (`make().x`) is never a registration.
        // Parameter lists hold no registration either (a default value is not one), and an
        // import statement is a pattern root that holds nothing but names.
        Language::Python => &[
            "comment",
            "string",
            "type",
            "argument_list",
            "attribute",
            "dotted_name",
            "parameters",
            "lambda_parameters",
            "import_statement",
            "import_from_statement",
            "future_import_statement",
        ],
        Language::JavaScript | Language::TypeScript | Language::Tsx => &[
            "comment",
            "string",
            "regex",
            // Template strings are not opaque: `${…}` holds code.
            "type_annotation",
            "type_arguments",
            "type_parameters",
            "interface_declaration",
            "type_alias_declaration",
            "jsx_element",
            "jsx_self_closing_element",
            "jsx_fragment",
        ],
        Language::Yaml | Language::Json => &[],
    }
}

/// The query files compiled for a language.
pub fn query_files(language: Language) -> &'static [QueryFile] {
    match language {
        Language::Python => PYTHON_QUERIES,
        Language::JavaScript | Language::TypeScript | Language::Tsx => JAVASCRIPT_QUERIES,
        Language::Yaml | Language::Json => &[],
    }
}

/// The tree-sitter grammar of a language.
pub fn grammar(language: Language) -> tree_sitter::Language {
    match language {
        Language::Python => tree_sitter_python::LANGUAGE.into(),
        Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        // Spec files are read by keyhole_openapi; the engine never parses them with
        // tree-sitter. A grammar is returned only to keep this function total.
        Language::Yaml | Language::Json => tree_sitter_python::LANGUAGE.into(),
    }
}

/// A query that failed to load, located in its `.scm` file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub struct QueryLoadError {
    pub path: &'static str,
    pub line: usize,
    pub message: String,
}

/// A compiled, immutable query with its capture indices resolved to [`Capture`]s.
#[derive(Debug)]
pub struct QuerySet {
    pub language: Language,
    /// The compiled patterns: all of them, or (see `complete`) those not rebuilt, if any.
    query: Option<Query>,
    /// Whether `query` holds every pattern; if not, the patterns rebuilt from field lookups
    /// ([`guards::Exact`]) are left out and the walk always rebuilds them.
    complete: bool,
    captures: Vec<Option<Capture>>,
    /// Node kinds (by id) at which some pattern is rooted; see [`QuerySet::for_each_match`].
    roots: Roots,
    /// Node kinds the walk does not descend into ([`opaque_kinds`]).
    opaque: KindSet,
    /// What each pattern requires of the node it is rooted at ([`guards`]).
    guards: Vec<guards::Guard>,
    /// Per pattern: how to rebuild its match from field lookups, where it can be.
    exact: Vec<Option<guards::Exact>>,
    /// Per node kind id: the patterns rooted at that kind; `None` when some pattern's root
    /// was not understood (the query then runs at every root, unguarded).
    guarded_roots: Option<Vec<Vec<usize>>>,
}

/// The most patterns rebuilt at one node kind (more, and the query holds every pattern).
const MAX_REBUILT: usize = 16;

/// What the walk does at a node whose kind roots some pattern.
struct Plan {
    /// Whether some pattern that runs as a query may match.
    run: bool,
    /// The patterns whose matches are rebuilt without the query that may match.
    rebuild: [u16; MAX_REBUILT],
    rebuilt: usize,
}

impl Plan {
    const RUN: Plan = Plan {
        run: true,
        rebuild: [0; MAX_REBUILT],
        rebuilt: 0,
    };
    const SKIP: Plan = Plan {
        run: false,
        rebuild: [0; MAX_REBUILT],
        rebuilt: 0,
    };
}

/// Where the patterns of a query can start.
#[derive(Debug)]
enum Roots {
    /// Some pattern is rooted at a wildcard, an alternation or a supertype: any node.
    Any,
    /// Indexed by node kind id.
    Kinds(Vec<bool>),
}

impl QuerySet {
    /// Compile `files` for `language`, checking every capture name against the contract.
    pub fn compile(language: Language, files: &[QueryFile]) -> Result<QuerySet, QueryLoadError> {
        QuerySet::compile_with(language, files, true)
    }

    /// [`QuerySet::compile`]; with `leave_out_rebuilt` false the compiled query holds every
    /// pattern (for the tests that compare the walk with a whole-tree cursor).
    fn compile_with(
        language: Language,
        files: &[QueryFile],
        leave_out_rebuilt: bool,
    ) -> Result<QuerySet, QueryLoadError> {
        let mut merged = String::new();
        // (first line of the file in `merged`, file)
        let mut starts = Vec::new();
        for file in files {
            starts.push((merged.lines().count(), file));
            merged.push_str(file.source);
            if !merged.ends_with('\n') {
                merged.push('\n');
            }
        }
        let locate = |row: usize| {
            let (start, file) = starts
                .iter()
                .rev()
                .find(|(start, _)| *start <= row)
                .copied()
                .unwrap_or((0, &files[0]));
            (file.path, row - start + 1)
        };
        let grammar = grammar(language);
        let compile_error = |e: tree_sitter::QueryError| {
            let (path, line) = locate(e.row);
            QueryLoadError {
                path,
                line,
                message: format!("{:?} error: {}", e.kind, e.message),
            }
        };
        // The patterns, split here when this reader understands the text, else by
        // tree-sitter (which then has to compile the whole text first).
        let (patterns, mut query) = match guards::split_patterns(&merged) {
            Some(patterns) => (patterns, None),
            None => {
                let query = Query::new(&grammar, &merged).map_err(compile_error)?;
                let patterns = (0..query.pattern_count())
                    .map(|p| {
                        let start = query.start_byte_for_pattern(p);
                        let end = query.end_byte_for_pattern(p);
                        start..end
                    })
                    .collect();
                (patterns, Some(query))
            }
        };
        let names = guards::capture_names(&merged, &patterns);
        let index_of = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .and_then(|i| u32::try_from(i).ok())
        };
        let roots = pattern_roots(&merged, &patterns, &grammar);
        let (guards, mut exact): (Vec<_>, Vec<_>) =
            guards::pattern_guards(&merged, &patterns, &grammar, &index_of)
                .into_iter()
                .unzip();
        let mut guarded_roots = Some(vec![Vec::new(); grammar.node_kind_count()]);
        for (pattern, guard) in guards.iter().enumerate() {
            let (Some(kinds), Some(roots)) = (guard.kinds(), guarded_roots.as_mut()) else {
                // A pattern whose root this reader did not understand: no guards at all.
                guarded_roots = None;
                break;
            };
            for &kind in kinds {
                if let Some(patterns) = roots.get_mut(usize::from(kind)) {
                    patterns.push(pattern);
                }
            }
        }
        // Compiling a pattern costs tree-sitter an analysis of the grammar's parse table for
        // each of its steps with children (1–5 ms a pattern on TypeScript). A pattern rebuilt
        // from field lookups never runs as a query, so it is left out of the compiled text
        // wherever every node the walk visits is planned by guards; the text keeps its line
        // numbers, and a first, disabled pattern names every capture so that the capture
        // indices are those of the whole text. (Left out, a pattern tree-sitter would reject
        // as impossible goes unreported here; a test compiles the shipped queries whole.)
        let plannable = matches!(roots, Roots::Kinds(_))
            && guarded_roots.as_ref().is_some_and(|by_kind| {
                by_kind
                    .iter()
                    .all(|ps| ps.iter().filter(|&&p| exact[p].is_some()).count() <= MAX_REBUILT)
            });
        let mut complete = true;
        if leave_out_rebuilt && query.is_none() && plannable && exact.iter().any(Option::is_some) {
            let kept = exact.iter().filter(|e| e.is_none()).count();
            if kept == 0 {
                // Every pattern is rebuilt: nothing for tree-sitter to compile.
                complete = false;
            } else {
                let mut reduced = String::from("(identifier)");
                for name in &names {
                    reduced.push_str(" @");
                    reduced.push_str(name);
                }
                reduced.push(' ');
                let mut from = 0;
                for (range, exact) in patterns.iter().zip(&exact) {
                    if exact.is_some() {
                        reduced.push_str(&merged[from..range.start]);
                        reduced.extend(merged[range.clone()].chars().map(|c| {
                            if c == '\n' {
                                '\n'
                            } else {
                                ' '
                            }
                        }));
                        from = range.end;
                    }
                }
                reduced.push_str(&merged[from..]);
                if let Ok(mut compiled) = Query::new(&grammar, &reduced) {
                    // The reduced text must be read as this reader read it: else the whole
                    // text.
                    if compiled.pattern_count() == kept + 1 && compiled.capture_names() == names {
                        compiled.disable_pattern(0);
                        query = Some(compiled);
                        complete = false;
                    }
                }
            }
        }
        let query = match query {
            Some(query) => Some(query),
            None if complete => Some(Query::new(&grammar, &merged).map_err(compile_error)?),
            None => None,
        };
        // Capture indices: the compiled whole text's, else this reader's (the same order).
        let capture_names: Vec<&str> = match &query {
            Some(query) if complete => query.capture_names().to_vec(),
            _ => names.iter().map(String::as_str).collect(),
        };
        if complete && capture_names != names {
            // Numbered differently from this reader: rebuild nothing.
            exact.iter_mut().for_each(|e| *e = None);
        }
        let mut captures = Vec::new();
        for name in capture_names {
            if name.starts_with('_') {
                captures.push(None);
                continue;
            }
            match Capture::from_name(name) {
                Some(c) if c.allowed_in(language) => captures.push(Some(c)),
                _ => {
                    let row = merged
                        .lines()
                        .position(|l| l.contains(&format!("@{name}")))
                        .unwrap_or(0);
                    let (path, line) = locate(row);
                    return Err(QueryLoadError {
                        path,
                        line,
                        message: format!(
                            "capture `@{name}` is not in the capture-name contract (queries/README.md)"
                        ),
                    });
                }
            }
        }
        Ok(QuerySet {
            language,
            query,
            complete,
            captures,
            roots,
            opaque: KindSet::new(language, opaque_kinds(language)),
            guards,
            exact,
            guarded_roots,
        })
    }

    /// Run the query over `root`'s tree and call `visit` with each match, in document order
    /// of the node each pattern is rooted at.
    ///
    /// A query cursor run over a whole tree pays its own per-node bookkeeping on every node
    /// (field and supertype status, points, range checks) — about three times the cost of
    /// walking the tree. Instead the tree is walked once with a tree cursor; at a node whose
    /// kind roots some pattern, the patterns' guards decide, the matches of rebuilt patterns
    /// are read by field lookups, and any other pattern runs as a query with the start depth
    /// pinned to that node. The matches are the same (tests compare them with a whole-tree
    /// cursor's); the cost is a walk plus the patterns' local work.
    pub fn for_each_match<'t>(
        &self,
        cursor: &mut QueryCursor,
        root: Node<'t>,
        src: &[u8],
        visit: impl FnMut(&[QueryCapture<'t>]),
    ) {
        self.walk(cursor, root, src, &KindSet::NONE, |_| {}, visit);
    }

    /// [`QuerySet::for_each_match`], also calling `on_node` with every node of a kind in
    /// `watch` (in document order, before the matches rooted at it), so that an extractor
    /// that needs to see some node kind everywhere does not walk the tree a second time.
    /// The walk skips opaque kinds' insides and the children of a node whose children are
    /// all leaves, so `watch` may hold any kind but the opaque ones and leaf kinds.
    pub fn walk<'t>(
        &self,
        cursor: &mut QueryCursor,
        root: Node<'t>,
        src: &[u8],
        watch: &KindSet,
        mut on_node: impl FnMut(Node<'t>),
        mut visit: impl FnMut(&[QueryCapture<'t>]),
    ) {
        cursor.set_max_start_depth(Some(0));
        let mut rebuilt = Vec::new();
        let mut walk = root.walk();
        // Per level below `root`: how many siblings of the current node are still to come.
        let mut siblings_left: Vec<usize> = Vec::new();
        loop {
            let node = walk.node();
            let kind = usize::from(node.kind_id());
            if watch.0.get(kind) == Some(&true) {
                on_node(node);
            }
            let plan = match &self.roots {
                Roots::Any => Plan::RUN,
                Roots::Kinds(kinds) if kinds.get(kind) == Some(&true) => self.plan(kind, node, src),
                Roots::Kinds(_) => Plan::SKIP,
            };
            for &p in &plan.rebuild[..plan.rebuilt] {
                if let Some(exact) = &self.exact[usize::from(p)] {
                    exact.for_each_match(node, src, &mut rebuilt, &mut visit);
                }
            }
            if let (true, Some(query)) = (plan.run, &self.query) {
                let mut matches = cursor.matches(query, node, src);
                while let Some(m) = matches.next() {
                    visit(m.captures);
                }
            }
            // Below a node whose children are all leaves there is nothing to visit: no
            // pattern is rooted at a leaf (a test reads the grammars' node types). A leaf
            // counts itself as its one descendant.
            if self.opaque.0.get(kind) != Some(&true) {
                let below = node.descendant_count();
                if below > 1 {
                    let children = node.child_count();
                    if below > children + 1 && walk.goto_first_child() {
                        siblings_left.push(children.saturating_sub(1));
                        continue;
                    }
                }
            }
            // A cursor's step to the next sibling costs hundreds of instructions, also when
            // there is none: the children are counted instead (the cursor visits as many as
            // `child_count` says), and a failed step only ends the level if they were not.
            loop {
                match siblings_left.last_mut() {
                    None => {
                        cursor.set_max_start_depth(None);
                        return;
                    }
                    Some(left) if *left > 0 => {
                        *left -= 1;
                        if walk.goto_next_sibling() {
                            break;
                        }
                        siblings_left.pop();
                        walk.goto_parent();
                    }
                    Some(_) => {
                        siblings_left.pop();
                        walk.goto_parent();
                    }
                }
            }
        }
    }

    /// What to do at `node`, whose kind roots some pattern: nothing where no pattern's guard
    /// admits it; rebuild the admitted patterns that are [`Exact`](guards::Exact); run the
    /// query for the others — and, where the query holds every pattern, instead of
    /// rebuilding.
    fn plan(&self, kind: usize, node: Node<'_>, src: &[u8]) -> Plan {
        let Some(patterns) = self.guarded_roots.as_ref().and_then(|r| r.get(kind)) else {
            return Plan::RUN;
        };
        let mut memo = guards::FieldMemo::default();
        let mut plan = Plan::SKIP;
        for &p in patterns {
            if !self.guards[p].admits_root(node, src, &mut memo) {
                continue;
            }
            match self.exact[p] {
                Some(_) if plan.rebuilt < MAX_REBUILT => {
                    plan.rebuild[plan.rebuilt] = p as u16;
                    plan.rebuilt += 1;
                }
                _ => plan.run = true,
            }
        }
        if plan.run && self.complete {
            plan.rebuilt = 0;
        }
        plan
    }

    /// Whether some pattern rooted at `node`'s kind may match it (see [`guards`]).
    #[cfg(test)]
    fn guards_admit(&self, kind: usize, node: Node<'_>, src: &[u8]) -> bool {
        let plan = self.plan(kind, node, src);
        plan.run || plan.rebuilt > 0
    }

    /// The contract capture behind a capture index, `None` for private (`@_x`) captures.
    pub fn capture(&self, index: u32) -> Option<Capture> {
        self.captures.get(index as usize).copied().flatten()
    }
}

/// A set of named node kinds of one grammar, tested by kind id (no string compares).
#[derive(Debug, Clone)]
pub struct KindSet(Vec<bool>);

impl KindSet {
    /// No kind.
    pub const NONE: KindSet = KindSet(Vec::new());

    /// The named kinds called `names` in `language` (every id of a name that the grammar
    /// aliases several times).
    pub fn new(language: Language, names: &[&str]) -> KindSet {
        let grammar = grammar(language);
        let ids = (0..grammar.node_kind_count())
            .map(|id| {
                u16::try_from(id).is_ok_and(|id| {
                    grammar.node_kind_is_named(id)
                        && grammar
                            .node_kind_for_id(id)
                            .is_some_and(|kind| names.contains(&kind))
                })
            })
            .collect();
        KindSet(ids)
    }

    pub fn contains(&self, node: Node<'_>) -> bool {
        self.0.get(usize::from(node.kind_id())) == Some(&true)
    }
}

/// The node kinds at which `patterns` (byte ranges of `source`) are rooted, read from each
/// pattern's text: `(kind …)` roots at `kind`; anything else (`(_ …)`, `[…]`, a string, a
/// supertype) can root anywhere.
fn pattern_roots(
    source: &str,
    patterns: &[std::ops::Range<usize>],
    language: &tree_sitter::Language,
) -> Roots {
    let count = language.node_kind_count();
    let mut kinds = vec![false; count];
    for range in patterns {
        let rest = source.get(range.start..).unwrap_or_default().trim_start();
        let Some(after_paren) = rest.strip_prefix('(') else {
            return Roots::Any;
        };
        let name: String = after_paren
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() || name == "_" {
            return Roots::Any;
        }
        let mut found = false;
        for (id, rooted) in kinds.iter_mut().enumerate() {
            let Ok(id) = u16::try_from(id) else { break };
            if language.node_kind_is_named(id) && language.node_kind_for_id(id) == Some(&name) {
                if language.node_kind_is_supertype(id) {
                    return Roots::Any;
                }
                *rooted = true;
                found = true;
            }
        }
        if !found {
            return Roots::Any;
        }
    }
    Roots::Kinds(kinds)
}

/// The query set of a language, compiled on first use and shared by every thread.
pub fn query_set(language: Language) -> Result<&'static QuerySet, &'static QueryLoadError> {
    cell(language)
        .get_or_init(|| QuerySet::compile(language, query_files(language)))
        .as_ref()
}

/// Start compiling a language's queries on a background thread (a no-op once they are
/// compiled), so that the first file of the language does not wait for them.
pub fn prepare(language: Language) {
    if !language.is_code() || cell(language).get().is_some() {
        return;
    }
    // Failure to spawn only means the first file compiles them, as without this call.
    let _ = std::thread::Builder::new()
        .name(format!("keyhole-queries-{language:?}"))
        .spawn(move || {
            let _ = query_set(language);
        });
}

type QueryCell = OnceLock<Result<QuerySet, QueryLoadError>>;

fn cell(language: Language) -> &'static QueryCell {
    static PYTHON: QueryCell = OnceLock::new();
    static JAVASCRIPT: QueryCell = OnceLock::new();
    static TYPESCRIPT: QueryCell = OnceLock::new();
    static TSX: QueryCell = OnceLock::new();
    static NONE: QueryCell = OnceLock::new();
    match language {
        Language::Python => &PYTHON,
        Language::JavaScript => &JAVASCRIPT,
        Language::TypeScript => &TYPESCRIPT,
        Language::Tsx => &TSX,
        // No queries: spec files are not extracted with tree-sitter.
        Language::Yaml | Language::Json => &NONE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Each grammar's node types, as its crate ships them.
    const NODE_TYPES: [(Language, &str); 4] = [
        (Language::Python, tree_sitter_python::NODE_TYPES),
        (Language::JavaScript, tree_sitter_javascript::NODE_TYPES),
        (
            Language::TypeScript,
            tree_sitter_typescript::TYPESCRIPT_NODE_TYPES,
        ),
        (Language::Tsx, tree_sitter_typescript::TSX_NODE_TYPES),
    ];

    const ALL: [Language; 4] = [
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
    ];

    /// Every query loads as shipped (read into guards and rebuilt patterns) and compiles
    /// whole with tree-sitter, which also rejects patterns the grammar makes impossible.
    #[test]
    fn every_query_compiles_against_its_grammar() {
        for language in ALL {
            if let Err(e) = query_set(language) {
                panic!("{language:?}: {e}");
            }
            let whole = QuerySet::compile_with(language, query_files(language), false);
            match whole {
                Ok(set) => assert!(set.complete && set.query.is_some(), "{language:?}"),
                Err(e) => panic!("{language:?}: {e}"),
            }
        }
    }

    #[test]
    fn unknown_capture_is_a_load_error_with_file_and_line() {
        let files = [
            QueryFile {
                path: "python/x/a.scm",
                source: "(import_statement) @import\n",
            },
            QueryFile {
                path: "python/x/b.scm",
                source: "; comment\n(function_definition) @not.in.contract\n",
            },
        ];
        let err = QuerySet::compile(Language::Python, &files).unwrap_err();
        assert_eq!(err.path, "python/x/b.scm");
        assert_eq!(err.line, 2);
        assert!(err.message.contains("@not.in.contract"), "{}", err.message);
    }

    #[test]
    fn syntax_error_is_located_in_its_file() {
        let files = [
            QueryFile {
                path: "python/x/a.scm",
                source: "(import_statement) @import\n",
            },
            QueryFile {
                path: "python/x/b.scm",
                source: "\n\n(function_definition @function\n",
            },
        ];
        let err = QuerySet::compile(Language::Python, &files).unwrap_err();
        assert_eq!(err.path, "python/x/b.scm");
        assert_eq!(err.line, 3, "{err}");
    }

    /// A step without a field is matched by each child in turn that fits it, as the query
    /// cursor matches it: one match per decorator that fits, also below a chain of such
    /// steps; a pattern that cannot be rebuilt runs as a query beside them. (A pattern that lists a decorator after the definition is a structure error
    /// tree-sitter reports; the test compiling the shipped queries whole catches it.)
    #[test]
    fn rebuilt_child_steps_match_as_the_query_does() {
        let source = "(decorated_definition (decorator (call function: (attribute attribute: \
            (identifier) @route.verb))) @route.decorator definition: (function_definition) \
            @route.function (#match? @route.verb \"^(get|post)$\"))\n\
            (decorated_definition (decorator) @hook.decorator definition: \
            (function_definition) @function)\n\
            (module (expression_statement (assignment left: (identifier) @assign.name \
            right: (_) @assign.value) @assign))\n\
            (function_definition name: (identifier) @function !return_type)\n";
        let files = [QueryFile {
            path: "python/x/a.scm",
            source,
        }];
        let rebuilt = QuerySet::compile(Language::Python, &files).unwrap();
        // All but the last (a negated field) are rebuilt; the last is compiled alone, after
        // the disabled pattern that names the captures.
        let kinds: Vec<bool> = rebuilt.exact.iter().map(Option::is_some).collect();
        assert_eq!(kinds, [true, true, true, false]);
        assert_eq!(rebuilt.query.as_ref().map(Query::pattern_count), Some(2));
        let whole = QuerySet::compile_with(Language::Python, &files, false).unwrap();
        let src = "x = 1\n@app.get('/a')\n@login_required\n@app.post('/a')\ndef f(): pass\n\
                   if y:\n    z = 2\nw: int = 3\n";
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&grammar(Language::Python)).unwrap();
        let tree = parser.parse(src, None).unwrap();
        let collect = |set: &QuerySet, rooted: bool| {
            let mut cursor = QueryCursor::new();
            let mut out: Vec<Vec<(u32, usize)>> = Vec::new();
            let mut record = |captures: &[QueryCapture<'_>]| {
                let mut m: Vec<_> = captures
                    .iter()
                    .map(|c| (c.index, c.node.start_byte()))
                    .collect();
                m.sort();
                out.push(m);
            };
            if rooted {
                set.for_each_match(&mut cursor, tree.root_node(), src.as_bytes(), record);
            } else {
                let query = set.query.as_ref().unwrap();
                let mut matches = cursor.matches(query, tree.root_node(), src.as_bytes());
                while let Some(m) = matches.next() {
                    record(m.captures);
                }
            }
            out.sort();
            out
        };
        let expected = collect(&whole, false);
        // Two route decorators, three decorators, two assignments at the module's top level,
        // one function without a return type.
        assert_eq!(expected.len(), 8, "{expected:?}");
        assert_eq!(collect(&rebuilt, true), expected);
    }

    /// The shipped queries are split into the patterns tree-sitter reads, their captures
    /// numbered as tree-sitter numbers them, and the patterns rebuilt from field lookups are
    /// left out of the compiled query.
    #[test]
    fn shipped_queries_compile_without_their_rebuilt_patterns() {
        for language in ALL {
            let mut merged = String::new();
            for file in query_files(language) {
                merged.push_str(file.source);
                if !merged.ends_with('\n') {
                    merged.push('\n');
                }
            }
            let whole = complete_set(language).query.as_ref().unwrap();
            let split = guards::split_patterns(&merged).unwrap();
            let ranges: Vec<_> = (0..whole.pattern_count())
                .map(|p| whole.start_byte_for_pattern(p)..whole.end_byte_for_pattern(p))
                .collect();
            let starts =
                |r: &[std::ops::Range<usize>]| r.iter().map(|r| r.start).collect::<Vec<_>>();
            assert_eq!(starts(&split), starts(&ranges), "{language:?}");
            assert_eq!(
                guards::capture_names(&merged, &split),
                whole.capture_names(),
                "{language:?}"
            );
            let set = query_set(language).unwrap();
            assert!(!set.complete, "{language:?}");
            let rebuilt = set.exact.iter().filter(|e| e.is_some()).count();
            assert!(rebuilt >= 5, "{language:?}: {rebuilt}");
            // Compiled: the patterns not rebuilt, after the one that names the captures.
            let compiled = set.query.as_ref().map_or(0, |q| q.pattern_count() - 1);
            assert_eq!(compiled, whole.pattern_count() - rebuilt, "{language:?}");
        }
    }

    /// A mistake in a pattern that would be rebuilt (an unknown kind or field) is still a
    /// load error, located in its file.
    #[test]
    fn mistakes_in_rebuildable_patterns_are_load_errors() {
        for source in [
            "(assignment left: (identifer) @assign.name right: (_) @assign.value) @assign\n",
            "(assignment lft: (identifier) @assign.name right: (_) @assign.value) @assign\n",
        ] {
            let files = [
                QueryFile {
                    path: "python/x/a.scm",
                    source: "(import_statement) @import\n(function_definition) @function\n",
                },
                QueryFile {
                    path: "python/x/b.scm",
                    source,
                },
            ];
            let err = QuerySet::compile(Language::Python, &files).unwrap_err();
            assert_eq!((err.path, err.line), ("python/x/b.scm", 1), "{err}");
        }
    }

    /// The shipped queries of `language` compiled whole (every pattern in the query).
    fn complete_set(language: Language) -> &'static QuerySet {
        static SETS: [OnceLock<QuerySet>; 4] = [const { OnceLock::new() }; 4];
        let at = ALL.iter().position(|l| *l == language).unwrap();
        SETS[at].get_or_init(|| {
            let set = QuerySet::compile_with(language, query_files(language), false).unwrap();
            assert!(set.complete);
            set
        })
    }

    /// A match as its captured (capture, start, end).
    type MatchRanges = Vec<(u32, usize, usize)>;

    /// Every match, as pattern and captured ranges, sorted.
    fn matches_of(set: &QuerySet, src: &str, rooted: bool) -> Vec<MatchRanges> {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&grammar(set.language)).unwrap();
        let tree = parser.parse(src, None).unwrap();
        let mut cursor = QueryCursor::new();
        let mut out = Vec::new();
        let mut record = |captures: &[QueryCapture<'_>]| {
            let captures = captures
                .iter()
                .map(|c| (c.index, c.node.start_byte(), c.node.end_byte()))
                .collect();
            out.push(captures);
        };
        if rooted {
            set.for_each_match(&mut cursor, tree.root_node(), src.as_bytes(), record);
        } else {
            let whole = complete_set(set.language).query.as_ref().unwrap();
            let mut matches = cursor.matches(whole, tree.root_node(), src.as_bytes());
            while let Some(m) = matches.next() {
                record(m.captures);
            }
        }
        out.sort();
        out
    }

    #[test]
    fn rooted_matching_finds_what_the_whole_tree_cursor_finds() {
        let python = r#"
from flask import Blueprint
import os
bp = Blueprint("admin", __name__, url_prefix="/admin")
urlpatterns = [path("x/", views.x)]
MIDDLEWARE = ["a"]
MIDDLEWARE += ["b"]

@bp.route("/users", methods=["POST"])
@login_required
def create():
    def inner():
        app.register_blueprint(other, url_prefix="/o")
    return inner

class Users(Resource):
    @api.route("/r")
    class Nested: pass

app.add_url_rule("/x", view_func=X.as_view("x"))
init_app(app)
bp.before_request(check)
"#;
        let javascript = r#"
import express from 'express';
const { Router } = require('express');
const router = express.Router();
router.get('/a', requireAuth, (req, res) => { res.status(401).end(); });
app.use('/api', router);
module.exports = router;
exports.admin = function (app) { app.post('/x', h); };
fastify.decorate('authenticate', async function (req) {});
(function () { app.route('/r').get(h); })();
class C { @Get() m() {} }
"#;
        for (language, src) in [
            (Language::Python, python),
            (Language::JavaScript, javascript),
            (Language::TypeScript, javascript),
            (Language::Tsx, javascript),
        ] {
            let set = query_set(language).unwrap();
            let whole = matches_of(set, src, false);
            assert!(whole.len() > 10, "{language:?}: the sample should match");
            assert_eq!(matches_of(set, src, true), whole, "{language:?}");
        }
    }

    /// Every source file of the fixture apps, with its language.
    fn fixture_sources() -> Vec<(Language, String)> {
        let mut sources = Vec::new();
        sources_under(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures"),
            &mut sources,
        );
        sources
    }

    /// Every source file under `dir`, recursively, with its language.
    fn sources_under(dir: &std::path::Path, out: &mut Vec<(Language, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources_under(&path, out);
                continue;
            }
            let language = match path.extension().and_then(|e| e.to_str()) {
                Some("py") => Language::Python,
                Some("js" | "mjs" | "cjs" | "jsx") => Language::JavaScript,
                Some("ts" | "mts" | "cts") => Language::TypeScript,
                Some("tsx") => Language::Tsx,
                _ => continue,
            };
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((language, text));
            }
        }
    }

    /// The guards only skip nodes where no pattern can match: on every fixture app (real
    /// idioms of every framework) the guarded walk finds exactly what a cursor run over the
    /// whole tree finds.
    #[test]
    fn guarded_walk_finds_what_the_whole_tree_cursor_finds_on_every_fixture() {
        let sources = fixture_sources();
        assert!(sources.len() > 200, "fixtures not found: {}", sources.len());
        let mut matched = 0;
        for (language, src) in &sources {
            let set = query_set(*language).unwrap();
            let whole = matches_of(set, src, false);
            matched += whole.len();
            assert_eq!(matches_of(set, src, true), whole, "{language:?}:\n{src}");
        }
        assert!(matched > 2_000, "{matched}");
    }

    /// Broken code (ERROR and MISSING nodes where fields are expected) gets the same
    /// matches from the guarded walk as from a whole-tree cursor.
    #[test]
    fn guarded_walk_agrees_on_broken_code() {
        let python = [
            "x = \nfoo(bar)\n",
            "x = )\napp.register_blueprint(bp\n",
            "urlpatterns = [path('a', v),\ndef f(:\n  pass\n",
            "@app.route('/x'\ndef view(): return 1\n",
            "from . import (a, \nclass C(:\n",
        ];
        let javascript = [
            "const x = ;\nrouter.get('/a', h\n",
            "app.use('/x', ) router = express.Router(\n",
            "module.exports = ;\nexports.x = function (app) { app.post('/x', h) \n",
            "const { a } = require(;\nfoo = () => \n",
            "class C { @Get( m() {} }\n",
        ];
        let mut checked = 0;
        for (language, sources) in [
            (Language::Python, &python[..]),
            (Language::JavaScript, &javascript[..]),
            (Language::TypeScript, &javascript[..]),
            (Language::Tsx, &javascript[..]),
        ] {
            let set = query_set(language).unwrap();
            for src in sources {
                let whole = matches_of(set, src, false);
                checked += whole.len();
                assert_eq!(matches_of(set, src, true), whole, "{language:?}: {src}");
            }
        }
        assert!(checked > 10, "{checked}");
        // And every fixture broken in a few ways: cut short, a bracket or colon dropped.
        let sources = fixture_sources();
        // Compared with the same walk without guards (a whole-tree cursor would also look
        // inside the opaque kinds, which broken code puts in odd places).
        let unguarded = |language: Language| {
            let mut set = QuerySet::compile_with(language, query_files(language), false).unwrap();
            set.guarded_roots = None;
            set
        };
        let unguarded = [
            (Language::Python, unguarded(Language::Python)),
            (Language::JavaScript, unguarded(Language::JavaScript)),
            (Language::TypeScript, unguarded(Language::TypeScript)),
            (Language::Tsx, unguarded(Language::Tsx)),
        ];
        let mut broken = 0;
        for (language, src) in &sources {
            let set = query_set(*language).unwrap();
            let plain = &unguarded.iter().find(|(l, _)| l == language).unwrap().1;
            let mut variants = Vec::new();
            for cut in [src.len() / 3, src.len() / 2, src.len() * 2 / 3] {
                let cut = (0..=cut)
                    .rev()
                    .find(|&i| src.is_char_boundary(i))
                    .unwrap_or(0);
                variants.push(src[..cut].to_string());
            }
            for drop in ['(', ')', ':', '{', '=', ','] {
                if let Some(at) = src.find(drop) {
                    variants.push(format!("{}{}", &src[..at], &src[at + 1..]));
                }
            }
            for variant in variants {
                let expected = matches_of(plain, &variant, true);
                broken += expected.len();
                assert_eq!(
                    matches_of(set, &variant, true),
                    expected,
                    "{language:?}:\n{variant}"
                );
            }
        }
        assert!(broken > 10_000, "{broken}");
    }

    /// Each grammar with its node types (as its crate ships them) and its shipped queries.
    fn shipped_with_node_types() -> Vec<(
        Language,
        serde_json::Value,
        tree_sitter::Language,
        &'static QuerySet,
    )> {
        NODE_TYPES
            .into_iter()
            .map(|(language, json)| {
                let types = serde_json::from_str(json).unwrap();
                (
                    language,
                    types,
                    grammar(language),
                    query_set(language).unwrap(),
                )
            })
            .collect()
    }

    /// The guards read a field's first node only, which is right when the field holds one
    /// node, as the grammars' node types say.
    #[test]
    fn guards_read_only_single_node_fields() {
        for (language, types, grammar, set) in shipped_with_node_types() {
            let mut read = Vec::new();
            for guard in &set.guards {
                guard.fields_read(&mut read);
            }
            assert!(!read.is_empty(), "{language:?}: no guard reads a field");
            for (kinds, field) in read {
                let names: Option<Vec<&str>> = kinds.map(|ids| {
                    ids.iter()
                        .filter_map(|&id| grammar.node_kind_for_id(id))
                        .collect()
                });
                for node_type in types.as_array().unwrap() {
                    let name = node_type["type"].as_str().unwrap_or_default();
                    if names.as_ref().is_some_and(|n| !n.contains(&name)) {
                        continue;
                    }
                    let multiple = &node_type["fields"][field]["multiple"];
                    assert_ne!(
                        multiple,
                        &serde_json::Value::Bool(true),
                        "{language:?}: field `{field}` of `{name}` holds several nodes"
                    );
                }
            }
        }
    }

    #[test]
    fn guards_read_fields_kinds_and_text_predicates() {
        let set = query_set(Language::Python).unwrap();
        let src = "app.register_blueprint(bp)\napp.get('/x')(view)\nrequest.args.get('x')\n";
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&grammar(Language::Python)).unwrap();
        let tree = parser.parse(src, None).unwrap();
        // The call of the `i`th statement.
        let call_of = |i: usize| {
            tree.root_node()
                .named_child(i)
                .and_then(|s| s.named_child(0))
                .unwrap()
        };
        let kind = usize::from(call_of(0).kind_id());
        assert!(set.guards_admit(kind, call_of(0), src.as_bytes()));
        assert!(set.guards_admit(kind, call_of(1), src.as_bytes()));
        // A method call no pattern names, whatever its arguments.
        assert!(!set.guards_admit(kind, call_of(2), src.as_bytes()));
    }

    /// The node kinds that can occur below a node of `kind`, per the grammar's node types
    /// (supertypes expanded).
    fn kinds_below(node_types: &serde_json::Value, kind: &str) -> HashSet<String> {
        let types = node_types.as_array().unwrap();
        let subtypes = |name: &str| -> Vec<String> {
            types
                .iter()
                .find(|t| t["type"] == name && t["named"] == true)
                .and_then(|t| t["subtypes"].as_array())
                .map(|s| {
                    s.iter()
                        .filter_map(|t| t["type"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let children_of = |name: &str| -> Vec<String> {
            let Some(t) = types
                .iter()
                .find(|t| t["type"] == name && t["named"] == true)
            else {
                return Vec::new();
            };
            let mut out = Vec::new();
            let mut add = |slot: &serde_json::Value| {
                for child in slot["types"].as_array().into_iter().flatten() {
                    if let Some(name) = child["type"].as_str() {
                        out.push(name.to_string());
                    }
                }
            };
            if let Some(fields) = t["fields"].as_object() {
                fields.values().for_each(&mut add);
            }
            add(&t["children"]);
            out
        };
        let mut seen = HashSet::new();
        let mut todo = children_of(kind);
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            todo.extend(subtypes(&name));
            todo.extend(children_of(&name));
        }
        seen
    }

    /// The walk counts a node's children with `child_count` instead of asking the cursor for
    /// one more sibling: the two agree on every node of every fixture, also cut short or with
    /// a bracket dropped (ERROR and MISSING nodes, extras such as comments).
    #[test]
    fn child_count_is_what_the_cursor_visits() {
        let sources = fixture_sources();
        let mut checked = 0;
        for (language, src) in &sources {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&grammar(*language)).unwrap();
            let cut = (0..=src.len() / 2)
                .rev()
                .find(|&i| src.is_char_boundary(i))
                .unwrap_or(0);
            let dropped = src.replacen('(', "", 1);
            for text in [src.as_str(), &src[..cut], dropped.as_str()] {
                let tree = parser.parse(text, None).unwrap();
                let mut walk = tree.walk();
                let mut stack = vec![tree.root_node()];
                while let Some(node) = stack.pop() {
                    walk.reset(node);
                    let mut visited = 0;
                    if walk.goto_first_child() {
                        loop {
                            visited += 1;
                            stack.push(walk.node());
                            if !walk.goto_next_sibling() {
                                break;
                            }
                        }
                    }
                    assert_eq!(visited, node.child_count(), "{language:?}: {node:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
    }

    /// The walk does not visit the children of a node whose children are all leaves, which
    /// is right only if no pattern is rooted at a kind that can be a leaf: every root kind
    /// is a rule with fields or children in the grammar's node types (a rule, unlike a
    /// token, never matches nothing, and each of these starts with a keyword or holds a
    /// named child).
    #[test]
    fn no_pattern_is_rooted_at_a_leaf_kind() {
        for (language, types, grammar, set) in shipped_with_node_types() {
            let Roots::Kinds(roots) = &set.roots else {
                panic!("{language:?}: every pattern should have a named root");
            };
            let mut checked = 0;
            for (id, _) in roots.iter().enumerate().filter(|(_, rooted)| **rooted) {
                let name = grammar.node_kind_for_id(id as u16).unwrap();
                let entry = types
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|t| t["type"] == name && t["named"] == true)
                    .unwrap_or_else(|| panic!("{language:?}: `{name}` not in node types"));
                let has_fields = entry["fields"].as_object().is_some_and(|f| !f.is_empty());
                assert!(
                    has_fields || entry["children"].is_object(),
                    "{language:?}: patterns are rooted at `{name}`, which can be a leaf"
                );
                checked += 1;
            }
            assert!(checked >= 5, "{language:?}: {checked}");
        }
    }

    /// A pattern rooted at an opaque kind matches at that node (the walk visits it) but not
    /// inside it: allowed only where the grammar puts no pattern root inside that kind.
    #[test]
    fn no_pattern_root_hides_inside_an_opaque_root() {
        let mut sealed = 0;
        for (language, json) in NODE_TYPES {
            let types: serde_json::Value = serde_json::from_str(json).unwrap();
            let set = query_set(language).unwrap();
            let grammar = grammar(language);
            let Roots::Kinds(roots) = &set.roots else {
                continue;
            };
            let root_names: HashSet<&str> = roots
                .iter()
                .enumerate()
                .filter(|(_, r)| **r)
                .filter_map(|(id, _)| grammar.node_kind_for_id(u16::try_from(id).ok()?))
                .collect();
            for kind in opaque_kinds(language) {
                if !root_names.contains(kind) {
                    continue;
                }
                sealed += 1;
                let below = kinds_below(&types, kind);
                assert!(!below.is_empty(), "{language:?}: `{kind}` unknown");
                for name in &root_names {
                    assert!(
                        !below.contains(*name),
                        "{language:?}: `{name}` roots a pattern and can occur inside the opaque root `{kind}`"
                    );
                }
            }
        }
        assert!(sealed >= 2, "{sealed}");
    }

    #[test]
    fn readme_documents_every_capture() {
        let readme = include_str!("../../../queries/README.md");
        for capture in Capture::ALL {
            assert!(
                readme.contains(&format!("`@{}`", capture.name())),
                "queries/README.md does not document @{}",
                capture.name()
            );
        }
    }
}
