//! JavaScript / TypeScript / TSX extraction: Express.
//!
//! [`extract`] runs the merged JavaScript query set once over a file and turns the captured
//! nodes into [`FileFacts`]: Express apps and routers, routes (`app.get(path, …mw, h)`, and
//! `app.route(path).get(…)` chains), `use` calls (mounts and middleware), ES and CommonJS
//! imports and exports, aliases, and one problem for a syntax error.
//!
//! Conventions the linker relies on:
//!
//! - A router constructed directly in a CommonJS export (`module.exports = express.Router()`,
//!   `exports.admin = Router()`) gets the synthetic name `module.exports` / `exports.admin`
//!   (never a valid identifier, so it cannot clash); the [`ExportDef`] points at it with the
//!   same dotted path split into parts (`["module", "exports"]`).
//! - A regular-expression path keeps its literal text as written, slashes and flags included
//!   (`/^\/abc/i`): there is no template to normalise it to, and the text is what a reader of
//!   the inventory wants to see. (`PathArg` has no flag for it; a regex written `/users/`
//!   reads as the path `/users/`.)
//! - `app.all('*', mw…)` / `router.all('/api/*', mw…)` is Express's documented way to put
//!   middleware in front of every later route, so it is emitted as a [`UseDef`] (prefix: the
//!   path without its trailing wildcard), not as a route.
//! - In `app.route('/x').get(h).post(a, h2)` chains each route's span and order start at its
//!   verb (`get(h)`, `post(a, h2)`) so that the routes of one chain are told apart; the
//!   middleware of a preceding `.all(mw)` in the chain is a guard of every later verb.
//! - A module-level `const requireAuth = passport.authenticate('jwt', …)` (any call that is not
//!   a router constructor or a `require`) becomes an [`AliasDef`] whose one dependency is the
//!   callee (`passport.authenticate`), so a guard named `requireAuth` can be resolved to it.
//!   A module-level object of guards (`const auth = { required: jwt(…), optional: jwt(…) }`,
//!   the RealWorld app's idiom) gives one alias per member with a dotted name
//!   (`auth.required`), resolvable the way synthetic router names are.

mod fastify_schema;
pub mod hono;
pub mod nestjs;
pub mod nextjs;
mod params;
mod summary;
mod syntax;
mod templates;
#[cfg(test)]
mod tests;

use keyhole_lang::NodeExt;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use keyhole_core::endpoint::{Framework, Method};
use keyhole_core::facts::{
    AliasDef, CallArg, CallArgs, DependencyRef, Exclusions, ExportDef, FileFacts, FunctionDef,
    GuardRef, GuardSite, GuardTarget, ImportDef, ImportKind, ParamIndex, PathArg, PathPiece,
    Problem, RouteDef, RouteParams, RouterDef, RouterKind, SymbolPath, UseDef, UseScope,
};
use keyhole_core::vocabulary::split_words;
use keyhole_core::SourceFile;
use keyhole_lang::{Capture, QuerySet};
use tree_sitter::{Node, QueryCursor, Tree};

use syntax::{
    first_error, module_level_declarators, require_source, string_value, symbol_path, text, unwrap,
    Constants, StrValue, DEPTH_CAP,
};

/// `GuardTarget::Module` text of an `@fastify/autoload` registration; the rest is the
/// directory relative to the registering file.
pub const AUTOLOAD_PREFIX: &str = "@fastify/autoload:";

/// Bound on the source bytes summarised per file (counted once per summary).
const SUMMARY_BYTE_BUDGET: usize = 8_000_000;

/// Bound on functions summarised per file.
const MAX_FUNCTIONS: usize = 4_000;

/// Parentheses, `as T` and wrapper calls read through between a function and its binding.
const BINDING_WRAPPERS: usize = 6;

/// Fastify hooks that run before the handler and can turn a request away.
const FASTIFY_GUARD_HOOKS: &[&str] = &["onRequest", "preParsing", "preValidation", "preHandler"];

const VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "head", "options",
];

/// Extract the Express facts of one JavaScript, TypeScript or TSX file.
pub fn extract(
    file: &SourceFile,
    tree: &Tree,
    queries: &QuerySet,
    cursor: &mut QueryCursor,
) -> FileFacts {
    let src: &str = &file.text;
    let root = tree.root_node();
    let mut found = Found::default();
    let mut bind_sites = Vec::new();
    {
        let bind_kinds = bind_kinds(file.language, src);
        queries.walk(
            cursor,
            root,
            src.as_bytes(),
            bind_kinds,
            |node| bind_sites.push(node),
            |captures| {
                let mut nodes = MatchNodes::default();
                for cap in captures {
                    if let Some(capture) = queries.capture(cap.index) {
                        nodes.set(capture, cap.node);
                    }
                }
                found.push(nodes);
            },
        );
    }
    found.sort();

    let mut x = Extractor {
        file,
        src,
        root,
        facts: FileFacts::default(),
        express_names: HashSet::new(),
        router_ctor_names: HashSet::new(),
        koa_names: HashSet::new(),
        koa_router_names: HashSet::new(),
        fastify_names: HashSet::new(),
        fastify_file: false,
        fp_names: HashSet::new(),
        hono_names: HashSet::new(),
        hono_file: false,
        function_ranges: HashMap::new(),
        function_names: HashMap::new(),
        summary_budget: SUMMARY_BYTE_BUDGET,
        module_level: module_level_declarators(root),
        denial_hits: summary::denial_hits(src),
        router_names: HashSet::new(),
        consts: Constants::default(),
        scope_arrays: RefCell::default(),
        local_bindings: RefCell::default(),
    };
    for node in &found.imports {
        x.es_import(*node);
    }
    for r in &found.requires {
        x.require(r.0, r.1, r.2);
    }
    for a in &found.assigns {
        x.assign(a.0, a.1, a.2);
    }
    for node in &found.exports {
        x.es_export(*node);
    }
    for e in &found.export_assigns {
        x.export_assign(e.0, e.1, e.2);
    }
    // A plugin written `async function (fastify, opts)` is Fastify whatever the file imports.
    x.fastify_file |= found
        .functions
        .iter()
        .any(|f| params::first_param_is(*f, "fastify", src));
    for site in &found.function_sites {
        x.function_site(*site);
    }
    for (n, f) in found.functions.iter().enumerate() {
        if n >= MAX_FUNCTIONS {
            break;
        }
        x.function(*f);
    }
    for class in &found.classes {
        nestjs::controller(&mut x, *class);
        nestjs::guard_class(&mut x, *class);
    }
    for c in &found.calls {
        x.call(c.0, c.1, c.2, c.3);
    }
    x.bind_calls_and_returns(&bind_sites);
    // Hono files only: a walk of their own for what serves an app.
    hono::served_apps(&mut x, root);
    nextjs::file_routes(&mut x, root);
    nextjs::middleware(&mut x, root);
    // Chained verbs share their call's start; order them by where each verb stands.
    x.facts.routes.sort_by_key(|r| r.order);
    if let Some(err) = first_error(root) {
        let message = if err.is_missing() {
            format!(
                "syntax error (missing `{}`); routes after this point may be missed",
                err.kind_name()
            )
        } else {
            "syntax error; routes after this point may be missed".to_string()
        };
        x.facts.problems.push(Problem {
            span: file.span(err.start_byte(), err.end_byte()),
            message,
        });
    }
    x.facts
}

/// Node kinds [`Extractor::bind_calls_and_returns`] reads, per grammar: calls and returns,
/// and object literals where the file names `APP_GUARD` (the one thing read from them; a
/// file of data is mostly object literals).
fn bind_kinds(language: keyhole_core::Language, src: &str) -> &'static keyhole_lang::KindSet {
    use keyhole_core::Language;
    static KINDS: [OnceLock<keyhole_lang::KindSet>; 6] = [const { OnceLock::new() }; 6];
    let grammar = match language {
        Language::TypeScript => 1,
        Language::Tsx => 2,
        _ => 0,
    };
    let objects = src.contains("APP_GUARD");
    KINDS[grammar * 2 + usize::from(objects)].get_or_init(|| {
        let kinds: &[&str] = if objects {
            &["call_expression", "return_statement", "object"]
        } else {
            &["call_expression", "return_statement"]
        };
        keyhole_lang::KindSet::new(language, kinds)
    })
}

/// The contract captures of one match.
#[derive(Default)]
struct MatchNodes<'t> {
    import: Option<Node<'t>>,
    export: Option<Node<'t>>,
    require: Option<Node<'t>>,
    require_binding: Option<Node<'t>>,
    require_source: Option<Node<'t>>,
    assign: Option<Node<'t>>,
    assign_name: Option<Node<'t>>,
    assign_value: Option<Node<'t>>,
    export_assign: Option<Node<'t>>,
    export_target: Option<Node<'t>>,
    export_value: Option<Node<'t>>,
    call: Option<Node<'t>>,
    call_receiver: Option<Node<'t>>,
    call_method: Option<Node<'t>>,
    call_args: Option<Node<'t>>,
    function: Option<Node<'t>>,
    function_site: Option<Node<'t>>,
    class: Option<Node<'t>>,
}

impl<'t> MatchNodes<'t> {
    fn set(&mut self, capture: Capture, node: Node<'t>) {
        let slot = match capture {
            Capture::Import => &mut self.import,
            Capture::Export => &mut self.export,
            Capture::Require => &mut self.require,
            Capture::RequireBinding => &mut self.require_binding,
            Capture::RequireSource => &mut self.require_source,
            Capture::Assign => &mut self.assign,
            Capture::AssignName => &mut self.assign_name,
            Capture::AssignValue => &mut self.assign_value,
            Capture::ExportAssign => &mut self.export_assign,
            Capture::ExportTarget => &mut self.export_target,
            Capture::ExportValue => &mut self.export_value,
            Capture::Call => &mut self.call,
            Capture::CallReceiver => &mut self.call_receiver,
            Capture::CallMethod => &mut self.call_method,
            Capture::CallArgs => &mut self.call_args,
            Capture::Function => &mut self.function,
            Capture::FunctionSite => &mut self.function_site,
            Capture::Class => &mut self.class,
            _ => return,
        };
        *slot = Some(node);
    }
}

type Triple<'t> = (Node<'t>, Node<'t>, Node<'t>);

/// Captured nodes, grouped by what they are and sorted by position.
#[derive(Default)]
struct Found<'t> {
    imports: Vec<Node<'t>>,
    exports: Vec<Node<'t>>,
    requires: Vec<Triple<'t>>,
    assigns: Vec<Triple<'t>>,
    export_assigns: Vec<Triple<'t>>,
    calls: Vec<(Node<'t>, Node<'t>, Node<'t>, Node<'t>)>,
    functions: Vec<Node<'t>>,
    function_sites: Vec<Node<'t>>,
    classes: Vec<Node<'t>>,
}

impl<'t> Found<'t> {
    fn push(&mut self, m: MatchNodes<'t>) {
        if let Some(n) = m.import {
            self.imports.push(n);
        }
        if let Some(n) = m.export {
            self.exports.push(n);
        }
        if let Some(n) = m.function {
            self.functions.push(n);
        }
        if let Some(n) = m.function_site {
            self.function_sites.push(n);
        }
        if let Some(n) = m.class {
            self.classes.push(n);
        }
        if let (Some(a), Some(b), Some(c)) = (m.require, m.require_binding, m.require_source) {
            self.requires.push((a, b, c));
        }
        if let (Some(a), Some(b), Some(c)) = (m.assign, m.assign_name, m.assign_value) {
            self.assigns.push((a, b, c));
        }
        if let (Some(a), Some(b), Some(c)) = (m.export_assign, m.export_target, m.export_value) {
            self.export_assigns.push((a, b, c));
        }
        if let (Some(a), Some(b), Some(c), Some(d)) =
            (m.call, m.call_receiver, m.call_method, m.call_args)
        {
            self.calls.push((a, b, c, d));
        }
    }

    fn sort(&mut self) {
        let key = |n: &Node<'_>| (n.start_byte(), std::cmp::Reverse(n.end_byte()));
        self.imports.sort_by_key(key);
        self.imports.dedup();
        self.exports.sort_by_key(key);
        self.exports.dedup();
        self.requires.sort_by_key(|t| key(&t.0));
        self.requires.dedup_by_key(|t| t.0);
        self.assigns.sort_by_key(|t| key(&t.0));
        self.assigns.dedup_by_key(|t| t.0);
        self.export_assigns.sort_by_key(|t| key(&t.0));
        self.export_assigns.dedup_by_key(|t| t.0);
        self.functions.sort_by_key(key);
        self.functions.dedup();
        self.function_sites.sort_by_key(key);
        self.function_sites.dedup();
        self.classes.sort_by_key(key);
        self.classes.dedup();
        self.calls.sort_by_key(|t| key(&t.0));
        self.calls.dedup_by_key(|t| t.0);
    }
}

/// How sure we are that an argument is a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathCertainty {
    /// A literal (or constant) path, a regex, a template starting with `/`.
    Path,
    /// A name or expression that may hold a path.
    Maybe,
    /// Certainly not a path (`'env'`, a function, an object).
    No,
}

struct Extractor<'a> {
    file: &'a SourceFile,
    src: &'a str,
    /// The file's root node (`Node::parent` walks down from the root on every call: climbing
    /// to it costs the square of the depth).
    root: Node<'a>,
    facts: FileFacts,
    /// Local names bound to the `express` module (`express` in `express()`).
    express_names: HashSet<String>,
    /// Local names bound to `express.Router`.
    router_ctor_names: HashSet<String>,
    /// Names of routers constructed in this file.
    router_names: HashSet<String>,
    /// Local names bound to the `koa` module (`new Koa()`).
    koa_names: HashSet<String>,
    /// Local names bound to `@koa/router` / `koa-router` (`new Router({ prefix })`).
    koa_router_names: HashSet<String>,
    /// Local names bound to the `fastify` module (`Fastify({ logger })`).
    fastify_names: HashSet<String>,
    /// The file imports `fastify`, `fastify-plugin` or an `@fastify/*` package.
    fastify_file: bool,
    /// Local names bound to `fastify-plugin` (`fp`).
    fp_names: HashSet<String>,
    /// Local names bound to Hono's app class (`Hono`, `OpenAPIHono`).
    hono_names: HashSet<String>,
    /// The file imports `hono`, `hono/*` or an `@hono/*` package.
    hono_file: bool,
    /// Byte ranges of functions bound to a plain name in this file, for handlers named by
    /// their function (`router.get('/x', getUser)`).
    function_ranges: HashMap<String, (usize, usize)>,
    /// The names functions are bound to (by node id), read from the binding sites.
    function_names: HashMap<usize, String>,
    /// Source bytes of function bodies still to be summarised in this file: nested bound
    /// functions are walked once per enclosing summary, so the total is bounded.
    summary_budget: usize,
    /// Node ids of the variable declarators at the top level of the module.
    module_level: HashSet<usize>,
    /// Where the words of a denial occur in the file (see [`summary::summarise`]).
    denial_hits: keyhole_lang::Hits,
    consts: Constants,
    /// Per block (by node id): the array literals its declarations bind, see `array_binding`.
    scope_arrays: RefCell<HashMap<usize, ScopeArrays>>,
    /// Per function body (by node id) and name: where the name is bound (see
    /// [`Extractor::bindings_of`]).
    local_bindings: RefCell<HashMap<(usize, String), Vec<Binding>>>,
}

/// Where a name is bound: start and end of the declaration or assignment, end of the value.
type Binding = (usize, usize, usize);

type ScopeArrays = HashMap<String, Option<(usize, usize)>>;

/// The variable of a loop over a route table.
enum LoopVariable {
    /// `(route) => …`, `for (const route of …)`.
    Whole(String),
    /// `({ path, route: r }) => …`: (local, key) pairs.
    Destructured(Vec<(String, String)>),
}

impl<'a> Extractor<'a> {
    /// The bindings of `name` in `body`: (start, end, end of the bound value) of each
    /// declaration or assignment, found by `find` once per body and name.
    fn bindings_of(
        &self,
        body: Node<'_>,
        name: &str,
        find: impl FnOnce() -> Vec<Binding>,
    ) -> Vec<Binding> {
        let key = (body.id(), name.to_string());
        if let Some(found) = self.local_bindings.borrow().get(&key) {
            return found.clone();
        }
        let found = find();
        self.local_bindings.borrow_mut().insert(key, found.clone());
        found
    }

    /// Whether a variable declarator is at the module's top level (`const x = …`, also
    /// `export const x = …`).
    fn is_module_level(&self, declarator: Node<'_>) -> bool {
        self.module_level.contains(&declarator.id())
    }

    fn text(&self, node: Node<'_>) -> &'a str {
        text(node, self.src)
    }

    fn span(&self, node: Node<'_>) -> keyhole_core::Span {
        self.file.span(node.start_byte(), node.end_byte())
    }

    fn add_import(&mut self, local: &str, module: &str, kind: ImportKind, node: Node<'_>) {
        let whole = matches!(kind, ImportKind::Default | ImportKind::Module);
        match module {
            "koa" if whole => {
                self.koa_names.insert(local.to_string());
            }
            "@koa/router" | "koa-router"
                if whole
                    || matches!(&kind, ImportKind::Named(n) if n == "Router" || n == "default") =>
            {
                self.koa_router_names.insert(local.to_string());
            }
            "fastify" => {
                self.fastify_file = true;
                if whole
                    || matches!(&kind, ImportKind::Named(n) if n == "fastify" || n == "Fastify")
                {
                    self.fastify_names.insert(local.to_string());
                }
            }
            "fastify-plugin" => {
                self.fastify_file = true;
                self.fp_names.insert(local.to_string());
            }
            m if m.starts_with("@fastify/") => self.fastify_file = true,
            m if hono::is_hono_module(m) => {
                self.hono_file = true;
                if matches!(&kind, ImportKind::Named(n) if hono::is_ctor_export(m, n)) {
                    self.hono_names.insert(local.to_string());
                }
            }
            _ => {}
        }
        if module == "express" {
            match &kind {
                ImportKind::Default | ImportKind::Module => {
                    self.express_names.insert(local.to_string());
                }
                ImportKind::Named(n) if n == "Router" => {
                    self.router_ctor_names.insert(local.to_string());
                }
                ImportKind::Named(_) => {}
            }
        }
        self.facts.imports.push(ImportDef {
            local: local.to_string(),
            module: module.to_string(),
            kind,
            span: self.span(node),
        });
    }

    // ---- imports -------------------------------------------------------------------------

    fn es_import(&mut self, stmt: Node<'_>) {
        let mut cursor = stmt.walk();
        let children: Vec<Node<'_>> = stmt.children(&mut cursor).collect();
        // `import type { … } from 'm'` binds no runtime name.
        if children.iter().any(|c| c.kind_name() == "type") {
            return;
        }
        if let Some(clause) = children
            .iter()
            .find(|c| c.kind_name() == "import_require_clause")
        {
            // TypeScript `import x = require('m')`.
            let name = clause
                .named_child(0)
                .filter(|n| n.kind_name() == "identifier");
            let source = clause.field("source");
            if let (Some(name), Some(source)) = (name, source) {
                let module = string_value(source, self.src);
                self.add_import(self.text(name), &module, ImportKind::Default, stmt);
            }
            return;
        }
        let Some(source) = stmt.field("source") else {
            return;
        };
        let module = string_value(source, self.src);
        let Some(clause) = children.iter().find(|c| c.kind_name() == "import_clause") else {
            return; // `import 'm'` for its side effects.
        };
        let mut cursor = clause.walk();
        let parts: Vec<Node<'_>> = clause.named_children(&mut cursor).collect();
        for part in parts {
            match part.kind_name() {
                "identifier" => {
                    self.add_import(self.text(part), &module, ImportKind::Default, stmt);
                }
                "namespace_import" => {
                    let mut c = part.walk();
                    let name = part
                        .named_children(&mut c)
                        .find(|n| n.kind_name() == "identifier");
                    if let Some(name) = name {
                        self.add_import(self.text(name), &module, ImportKind::Module, stmt);
                    }
                }
                "named_imports" => {
                    let mut c = part.walk();
                    let specs: Vec<Node<'_>> = part
                        .named_children(&mut c)
                        .filter(|n| n.kind_name() == "import_specifier")
                        .collect();
                    for spec in specs {
                        // `import { type Foo }`
                        let mut sc = spec.walk();
                        if spec.children(&mut sc).any(|c| c.kind_name() == "type") {
                            continue;
                        }
                        let Some(name) = spec.field("name") else {
                            continue;
                        };
                        let imported = self.name_text(name);
                        let local = spec
                            .field("alias")
                            .map(|a| self.name_text(a))
                            .unwrap_or_else(|| imported.clone());
                        let kind = if imported == "default" {
                            ImportKind::Default
                        } else {
                            ImportKind::Named(imported)
                        };
                        self.add_import(&local, &module, kind, stmt);
                    }
                }
                _ => {}
            }
        }
    }

    /// An identifier, or a string used as a module export name (`import { "a-b" as c }`).
    fn name_text(&self, node: Node<'_>) -> String {
        if node.kind_name() == "string" {
            string_value(node, self.src)
        } else {
            self.text(node).to_string()
        }
    }

    fn require(&mut self, decl: Node<'_>, binding: Node<'_>, source: Node<'_>) {
        let module = string_value(source, self.src);
        match binding.kind_name() {
            "identifier" => {
                self.add_import(self.text(binding), &module, ImportKind::Default, decl);
            }
            "object_pattern" => {
                let mut cursor = binding.walk();
                let props: Vec<Node<'_>> = binding.named_children(&mut cursor).collect();
                for prop in props {
                    match prop.kind_name() {
                        "shorthand_property_identifier_pattern" => {
                            let name = self.text(prop);
                            self.add_import(name, &module, ImportKind::Named(name.into()), decl);
                        }
                        "pair_pattern" => {
                            let key = prop.field("key");
                            let value = prop.field("value").map(|v| {
                                if v.kind_name() == "assignment_pattern" {
                                    v.field("left").unwrap_or(v)
                                } else {
                                    v
                                }
                            });
                            if let (Some(key), Some(value)) = (key, value) {
                                if value.kind_name() == "identifier" {
                                    let key = self.name_text(key);
                                    let local = self.text(value);
                                    self.add_import(local, &module, ImportKind::Named(key), decl);
                                }
                            }
                        }
                        "object_assignment_pattern" => {
                            // `{ a = 1 }`
                            if let Some(left) = prop.field("left") {
                                if left.kind_name() == "shorthand_property_identifier_pattern" {
                                    let name = self.text(left);
                                    self.add_import(
                                        name,
                                        &module,
                                        ImportKind::Named(name.into()),
                                        decl,
                                    );
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    // ---- bindings ------------------------------------------------------------------------

    /// What kind of router a value constructs, if any, and of which framework: Express
    /// (`express()`, `express.Router()`), Koa (`new Koa()`, `new Router({ prefix })` from
    /// `@koa/router`), Fastify (`Fastify({ logger })`).
    fn router_ctor_fw(&self, value: Node<'_>) -> Option<(RouterKind, Framework)> {
        let mut value = unwrap(value);
        // `const app = await NestFactory.create(AppModule)`
        if value.kind_name() == "await_expression" {
            value = unwrap(value.named_child(0)?);
        }
        if nestjs::is_factory_create(value, self.src) {
            return Some((RouterKind::App, Framework::NestJs));
        }
        if let Some(found) = hono::ctor(self, value) {
            return Some(found);
        }
        if let Some(kind) = self.router_ctor(value) {
            return Some((kind, Framework::Express));
        }
        let (callee, is_new) = match value.kind_name() {
            "call_expression" => (value.field("function")?, false),
            "new_expression" => (value.field("constructor")?, true),
            _ => return None,
        };
        let callee = unwrap(callee);
        if callee.kind_name() == "identifier" {
            let name = self.text(callee);
            if self.koa_names.contains(name) && is_new {
                return Some((RouterKind::App, Framework::Koa));
            }
            if self.koa_router_names.contains(name) {
                return Some((RouterKind::Router, Framework::Koa));
            }
            if self.fastify_names.contains(name) && !is_new {
                return Some((RouterKind::App, Framework::Fastify));
            }
            return None;
        }
        let module = require_source(callee, self.src)?;
        match module.as_str() {
            "koa" if is_new => Some((RouterKind::App, Framework::Koa)),
            "@koa/router" | "koa-router" => Some((RouterKind::Router, Framework::Koa)),
            "fastify" if !is_new => Some((RouterKind::App, Framework::Fastify)),
            _ => None,
        }
    }

    /// The `prefix` given to a Koa router's constructor: `new Router({ prefix: '/api' })`.
    fn ctor_prefix(&self, value: Node<'_>) -> Option<PathArg> {
        let value = unwrap(value);
        let args = value.field("arguments")?;
        let first = unwrap(*arguments(args).first()?);
        let prefix = self.object_value(first, "prefix")?;
        self.use_prefix(prefix)
    }

    /// The value of key `key` in an object literal.
    fn object_value<'t>(&self, object: Node<'t>, key: &str) -> Option<Node<'t>> {
        if object.kind_name() != "object" {
            return None;
        }
        let mut cursor = object.walk();
        for pair in object.named_children(&mut cursor) {
            match pair.kind_name() {
                "pair" => {
                    let k = pair.field("key").map(|k| self.name_text(k));
                    if k.as_deref() == Some(key) {
                        return pair.field("value").map(unwrap);
                    }
                }
                "shorthand_property_identifier" if self.text(pair) == key => return Some(pair),
                _ => {}
            }
        }
        None
    }

    /// The framework of routers built from parameters and of routes on unknown receivers.
    fn file_framework(&self) -> Framework {
        if !self.koa_names.is_empty() || !self.koa_router_names.is_empty() {
            Framework::Koa
        } else if self.fastify_file {
            Framework::Fastify
        } else if self.hono_file && self.express_names.is_empty() {
            Framework::Hono
        } else {
            Framework::Express
        }
    }

    /// What kind of Express router a value constructs, if any.
    fn router_ctor(&self, value: Node<'_>) -> Option<RouterKind> {
        let value = unwrap(value);
        let (callee, is_new) = match value.kind_name() {
            "call_expression" => (value.field("function")?, false),
            "new_expression" => (value.field("constructor")?, true),
            _ => return None,
        };
        let callee = unwrap(callee);
        match callee.kind_name() {
            "identifier" => {
                let name = self.text(callee);
                if self.router_ctor_names.contains(name) {
                    Some(RouterKind::Router)
                } else if !is_new && self.express_names.contains(name) {
                    Some(RouterKind::App)
                } else {
                    None
                }
            }
            "member_expression" => {
                let prop = callee.field("property")?;
                if self.text(prop) != "Router" {
                    return None;
                }
                let object = unwrap(callee.field("object")?);
                let from_express = match object.kind_name() {
                    "identifier" => self.express_names.contains(self.text(object)),
                    _ => require_source(object, self.src).is_some_and(|m| m == "express"),
                };
                from_express.then_some(RouterKind::Router)
            }
            // `require('express')()`
            "call_expression" if !is_new => require_source(callee, self.src)
                .is_some_and(|m| m == "express")
                .then_some(RouterKind::App),
            _ => None,
        }
    }

    fn assign(&mut self, anchor: Node<'_>, name: Node<'_>, value: Node<'_>) {
        let name = self.text(name);
        let late = anchor.kind_name() == "assignment_expression";
        if late && matches!(name, "exports" | "module") {
            return;
        }
        // `const router = module.exports = express.Router()`: look through the chain.
        let mut value = unwrap(value);
        for _ in 0..DEPTH_CAP {
            if value.kind_name() != "assignment_expression" {
                break;
            }
            match value.field("right") {
                Some(right) => value = unwrap(right),
                None => break,
            }
        }
        if self.router_use_chain(name, value, anchor) {
            return;
        }
        if let Some((kind, framework)) = self.router_ctor_fw(value) {
            self.router_names.insert(name.to_string());
            let prefix = match framework {
                Framework::Koa => self.ctor_prefix(value),
                Framework::Hono => hono::ctor_prefix(self, value),
                _ => None,
            };
            self.facts.routers.push(RouterDef {
                name: name.to_string(),
                kind,
                framework,
                prefix,
                guards: Vec::new(),
                shares_parent_scope: false,
                span: self.span(anchor),
            });
            return;
        }
        if late {
            // Plain reassignments elsewhere are too noisy to be aliases.
            return;
        }
        if hono::derived_app(self, anchor, name, value) {
            return;
        }
        if require_source(value, self.src).is_some() {
            return; // an import, handled by `@require`
        }
        match value.kind_name() {
            "member_expression" => {
                let object = value.field("object").map(unwrap);
                if let Some(module) = object.and_then(|o| require_source(o, self.src)) {
                    // `const x = require('m').y`
                    if let Some(prop) = value.field("property") {
                        let prop = self.text(prop).to_string();
                        self.add_import(name, &module, ImportKind::Named(prop), anchor);
                    }
                    return;
                }
                // `const Router = express.Router`
                if let (Some(obj), Some(prop)) = (object, value.field("property")) {
                    if obj.kind_name() == "identifier"
                        && self.express_names.contains(self.text(obj))
                        && self.text(prop) == "Router"
                    {
                        self.router_ctor_names.insert(name.to_string());
                        return;
                    }
                }
                if let Some(path) = symbol_path(value, self.src) {
                    // `const helpers = module.exports; helpers.f = …`: the module's default
                    // export is this object.
                    if path == ["module", "exports"] && self.is_module_level(anchor) {
                        self.export(None, vec![name.to_string()]);
                    }
                    self.alias(name, Some(path), Vec::new(), anchor);
                }
                if self.is_module_level(anchor) {
                    self.consts.record(name, value, self.src);
                }
            }
            "identifier" => {
                if self.express_names.contains(self.text(value)) {
                    self.express_names.insert(name.to_string());
                }
                if self.router_ctor_names.contains(self.text(value)) {
                    self.router_ctor_names.insert(name.to_string());
                }
                if let Some(path) = symbol_path(value, self.src) {
                    self.alias(name, Some(path), Vec::new(), anchor);
                }
                if self.is_module_level(anchor) {
                    self.consts.record(name, value, self.src);
                }
            }
            "call_expression" if self.is_module_level(anchor) => {
                // `const requireAuth = passport.authenticate('jwt', { session: false })`
                self.call_alias(name, value, anchor);
            }
            "object" if self.is_module_level(anchor) => {
                // `const auth = { required: jwt({…}), optional: jwt({…, credentialsRequired:
                // false}) }`: each member is an alias with a dotted name (`auth.required`).
                let mut cursor = value.walk();
                let pairs: Vec<Node<'_>> = value
                    .named_children(&mut cursor)
                    .filter(|p| p.kind_name() == "pair")
                    .collect();
                for pair in pairs {
                    let key = pair.field("key");
                    let val = pair.field("value").map(unwrap);
                    let (Some(key), Some(val)) = (key, val) else {
                        continue;
                    };
                    let key = match key.kind_name() {
                        "property_identifier" => self.text(key).to_string(),
                        "string" => string_value(key, self.src),
                        _ => continue,
                    };
                    let member = format!("{name}.{key}");
                    if let Some(module) = require_source(val, self.src) {
                        // `const mounts = { api: require('./api') }`: `mounts.api` is an import.
                        self.add_import(&member, &module, ImportKind::Default, pair);
                        continue;
                    }
                    match val.kind_name() {
                        "call_expression" => self.call_alias(&member, val, pair),
                        "identifier" | "member_expression" => {
                            if let Some(path) = symbol_path(val, self.src) {
                                self.alias(&member, Some(path), Vec::new(), pair);
                            }
                        }
                        _ => {}
                    }
                }
                self.consts.record(name, value, self.src);
            }
            _ => {
                if self.is_module_level(anchor) {
                    self.consts.record(name, value, self.src);
                }
            }
        }
    }

    /// `Router().use(a).use('/api', b)` (the RealWorld app's `export default
    /// Router().use('/api', api)`): a router built and given its mounts in one expression. The
    /// router is bound to `name` and each `use` in the chain is a `use` on it.
    fn router_use_chain(&mut self, name: &str, value: Node<'_>, anchor: Node<'_>) -> bool {
        let mut cur = unwrap(value);
        let mut calls = Vec::new();
        for _ in 0..DEPTH_CAP * 4 {
            match self.method_call(cur) {
                Some((object, "use")) => {
                    calls.push(cur);
                    cur = object;
                }
                _ => break,
            }
        }
        if calls.is_empty() {
            return false;
        }
        let Some((kind, framework)) = self.router_ctor_fw(cur) else {
            return false;
        };
        self.router_names.insert(name.to_string());
        self.facts.routers.push(RouterDef {
            name: name.to_string(),
            kind,
            framework,
            prefix: None,
            guards: Vec::new(),
            shares_parent_scope: false,
            span: self.span(anchor),
        });
        for call in calls.into_iter().rev() {
            let args = call.field("arguments").map(arguments).unwrap_or_default();
            self.use_call_on(call, vec![name.to_string()], &args);
        }
        true
    }

    /// `name = callee(…)` where the callee is not a router constructor: an alias whose one
    /// dependency is the callee, so a guard factory's result is judged by the factory.
    fn call_alias(&mut self, name: &str, call: Node<'_>, node: Node<'_>) {
        if require_source(call, self.src).is_some() {
            return;
        }
        let Some(callee) = call.field("function") else {
            return;
        };
        if let Some(target) = symbol_path(callee, self.src) {
            let optional = self.optional_auth_call(call);
            let dep = DependencyRef {
                target,
                optional,
                via_alias: false,
                span: self.span(call),
            };
            self.alias(name, None, vec![dep], node);
        }
    }

    fn alias(
        &mut self,
        name: &str,
        points_to: Option<SymbolPath>,
        dependencies: Vec<DependencyRef>,
        node: Node<'_>,
    ) {
        self.facts.aliases.push(AliasDef {
            name: name.to_string(),
            dependencies,
            auth_scheme: None,
            points_to,
            span: self.span(node),
        });
    }

    // ---- exports -------------------------------------------------------------------------

    fn export(&mut self, name: Option<String>, local: SymbolPath) {
        self.facts.exports.push(ExportDef { name, local });
    }

    fn es_export(&mut self, stmt: Node<'_>) {
        let mut cursor = stmt.walk();
        let children: Vec<Node<'_>> = stmt.children(&mut cursor).collect();
        let is_default = children
            .iter()
            .any(|c| matches!(c.kind_name(), "default" | "="));
        let source = stmt.field("source").map(|s| string_value(s, self.src));

        if let Some(decl) = stmt.field("declaration") {
            match decl.kind_name() {
                "lexical_declaration" | "variable_declaration" => {
                    let mut c = decl.walk();
                    let names: Vec<String> = decl
                        .named_children(&mut c)
                        .filter(|d| d.kind_name() == "variable_declarator")
                        .filter_map(|d| d.field("name"))
                        .filter(|n| n.kind_name() == "identifier")
                        .map(|n| self.text(n).to_string())
                        .collect();
                    for n in names {
                        self.export(Some(n.clone()), vec![n]);
                    }
                }
                _ => {
                    if let Some(name) = decl.field("name") {
                        let n = self.text(name).to_string();
                        let exported = if is_default { None } else { Some(n.clone()) };
                        self.export(exported, vec![n]);
                    } else if is_default && params::is_function(decl) {
                        self.export(None, vec!["module".into(), "exports".into()]);
                    }
                }
            }
            return;
        }
        if let Some(clause) = children.iter().find(|c| c.kind_name() == "export_clause") {
            let mut c = clause.walk();
            let specs: Vec<Node<'_>> = clause
                .named_children(&mut c)
                .filter(|n| n.kind_name() == "export_specifier")
                .collect();
            for spec in specs {
                let Some(name) = spec.field("name") else {
                    continue;
                };
                let local = self.name_text(name);
                let exported = self.export_alias(spec).unwrap_or_else(|| local.clone());
                let exported_opt = (exported != "default").then(|| exported.clone());
                match &source {
                    Some(module) => {
                        // Re-export: bind the exported name as an import, then export it.
                        let kind = if local == "default" {
                            ImportKind::Default
                        } else {
                            ImportKind::Named(local.clone())
                        };
                        self.add_import(&exported, module, kind, stmt);
                        self.export(exported_opt, vec![exported]);
                    }
                    None => self.export(exported_opt, vec![local]),
                }
            }
            return;
        }
        if let Some(ns) = children
            .iter()
            .find(|c| c.kind_name() == "namespace_export")
        {
            let name = ns.named_child(0).map(|n| self.name_text(n));
            if let (Some(name), Some(module)) = (name, &source) {
                self.add_import(&name, module, ImportKind::Module, stmt);
                self.export(Some(name.clone()), vec![name]);
            }
            return;
        }
        if is_default {
            // `export default router` / TS `export = router`
            let value = stmt.field("value").or_else(|| {
                children
                    .iter()
                    .rev()
                    .find(|c| c.is_named() && c.kind_name() != "comment")
                    .copied()
            });
            if let Some(value) = value {
                if let Some(path) = symbol_path(value, self.src) {
                    self.export(None, path);
                } else if self.router_use_chain("module.exports", value, stmt) {
                    self.export(None, vec!["module".into(), "exports".into()]);
                } else if params::is_function(unwrap(value))
                    || (unwrap(value).kind_name() == "call_expression"
                        && params::binding_of_wrapped(unwrap(value), self.src))
                {
                    // `export default async function (fastify) {…}`, `export default fp(…)`:
                    // its parameter routers are named after `module.exports` (see `params`).
                    self.export(None, vec!["module".into(), "exports".into()]);
                }
            }
        }
    }

    /// The alias of an export specifier; `default` is a keyword, not an identifier, in
    /// `export { x as default }`, so read the token after `as`.
    fn export_alias(&self, spec: Node<'_>) -> Option<String> {
        if let Some(alias) = spec.field("alias") {
            return Some(self.name_text(alias));
        }
        let mut cursor = spec.walk();
        let mut after_as = false;
        for child in spec.children(&mut cursor) {
            if after_as {
                return Some(self.name_text(child));
            }
            after_as = child.kind_name() == "as";
        }
        None
    }

    fn export_assign(&mut self, assign: Node<'_>, target: Node<'_>, value: Node<'_>) {
        let Some(target_path) = symbol_path(target, self.src) else {
            return;
        };
        let name: Option<String> = match target_path.as_slice() {
            [m, e] if m == "module" && e == "exports" => None,
            [m, e, n] if m == "module" && e == "exports" => Some(n.clone()),
            [e, n] if e == "exports" => Some(n.clone()),
            _ => return,
        };
        // `const router = module.exports = express.Router()`, `app = module.exports = express()`:
        // the name bound alongside is the local.
        let mut up = assign.parent();
        let mut bound: Option<Node<'_>> = None;
        for _ in 0..DEPTH_CAP {
            let Some(p) = up else { break };
            match p.kind_name() {
                "parenthesized_expression" => {}
                "assignment_expression" => {
                    match p.field("left").filter(|l| l.kind_name() == "identifier") {
                        // `exports = module.exports = router`
                        Some(left) if self.text(left) == "exports" => {}
                        Some(left) => bound = Some(left),
                        None => break,
                    }
                }
                "variable_declarator" => {
                    bound = p
                        .field("name")
                        .filter(|n| n.kind_name() == "identifier")
                        .or(bound);
                    break;
                }
                _ => break,
            }
            up = p.parent();
        }
        if let Some(n) = bound {
            self.export(name, vec![self.text(n).to_string()]);
            return;
        }
        let mut value = unwrap(value);
        for _ in 0..DEPTH_CAP {
            if value.kind_name() != "assignment_expression" {
                break;
            }
            // `module.exports = app = express()`: the identifier on the left is the local.
            let left = value.field("left").map(unwrap);
            if let Some(path) = left.and_then(|l| symbol_path(l, self.src)) {
                self.export(name, path);
                return;
            }
            match value.field("right") {
                Some(right) => value = unwrap(right),
                None => return,
            }
        }
        match value.kind_name() {
            "identifier" | "member_expression" => {
                if let Some(path) = symbol_path(value, self.src) {
                    self.export(name, path);
                }
            }
            "object" if name.is_none() => {
                let mut cursor = value.walk();
                let props: Vec<Node<'_>> = value.named_children(&mut cursor).collect();
                for prop in props {
                    match prop.kind_name() {
                        "shorthand_property_identifier" => {
                            let n = self.text(prop).to_string();
                            self.export(Some(n.clone()), vec![n]);
                        }
                        "pair" => {
                            let key = prop.field("key");
                            let val = prop.field("value");
                            if let (Some(key), Some(val)) = (key, val) {
                                let key = match key.kind_name() {
                                    "property_identifier" => self.text(key).to_string(),
                                    "string" => string_value(key, self.src),
                                    _ => continue,
                                };
                                if let Some(path) = symbol_path(val, self.src) {
                                    self.export(Some(key), path);
                                } else if params::is_function(unwrap(val)) {
                                    // `module.exports = { requireAuth: (req, res, next) => … }`
                                    let mut local = target_path.clone();
                                    local.push(key.clone());
                                    self.export(Some(key), local);
                                }
                            }
                        }
                        "method_definition" => {
                            if let Some(key) = prop.field("name") {
                                let key = self.name_text(key);
                                let mut local = target_path.clone();
                                local.push(key.clone());
                                self.export(Some(key), local);
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ if params::is_function(value) || params::binding_of_wrapped(value, self.src) => {
                // `module.exports = function (app) {…}`, `module.exports = fp(async (fastify)
                // => …)`: its parameter routers and returned router are named after
                // `module.exports` (see `params`).
                self.export(name, target_path);
            }
            _ => {
                if self.router_use_chain(&target_path.join("."), value, assign) {
                    self.export(name, target_path);
                    return;
                }
                if let Some((kind, framework)) = self.router_ctor_fw(value) {
                    let synthetic = target_path.join(".");
                    self.router_names.insert(synthetic.clone());
                    self.facts.routers.push(RouterDef {
                        name: synthetic,
                        kind,
                        framework,
                        prefix: None,
                        guards: Vec::new(),
                        shares_parent_scope: false,
                        span: self.span(assign),
                    });
                    self.export(name, target_path);
                }
            }
        }
    }

    // ---- functions -----------------------------------------------------------------------

    /// A function bound to a name becomes a [`FunctionDef`] with its summary, so that a guard
    /// naming it is judged by what it does.
    fn function(&mut self, function: Node<'_>) {
        let Some(name) = self.function_binding(function) else {
            return;
        };
        let size = function.end_byte().saturating_sub(function.start_byte());
        if size > self.summary_budget {
            return;
        }
        self.summary_budget -= size;
        if !name.contains('.') && !name.contains('@') {
            self.function_ranges
                .entry(name.clone())
                .or_insert((function.start_byte(), function.end_byte()));
        }
        let mut summary = summary::summarise(function, self.file, self.src, &self.denial_hits);
        // A NestJS decorator factory (`applyDecorators(UseGuards(AuthGuard), …)`).
        nestjs::applied_guards(self, function, &mut summary.dependencies);
        self.facts.functions.push(FunctionDef {
            name,
            span: self.span(function),
            summary,
            guards: Vec::new(),
        });
    }

    /// The name a function is bound to: `function f`, `const f = …`, `exports.f = …`,
    /// `obj.f = wrap(async (req, res, next) => …)`, `{ f(req, res, next) {…} }` in an object
    /// bound to `obj` (`obj.f`), `fastify.decorate('authenticate', fn)`
    /// (`fastify.authenticate`).
    fn function_binding(&mut self, function: Node<'_>) -> Option<String> {
        if function.kind_name() == "function_declaration" {
            return function.field("name").map(|n| self.text(n).to_string());
        }
        self.function_names.remove(&function.id())
    }

    /// Read the names of the functions bound at `site` (a declarator, an assignment, a
    /// `decorate` call) into `function_names`: the value, through at most
    /// [`BINDING_WRAPPERS`] parentheses, `as T` and single-argument wrappers (`helpers.try(fn)`,
    /// `asyncHandler(fn)`, `fp(fn)`), and the functions and methods of an object literal.
    fn function_site(&mut self, site: Node<'_>) {
        match site.kind_name() {
            "variable_declarator" => {
                let (Some(name), Some(value)) = (site.field("name"), site.field("value")) else {
                    return;
                };
                if name.kind_name() == "object_pattern" {
                    self.destructure_alias(site, name, value);
                    return;
                }
                if name.kind_name() != "identifier" {
                    return;
                }
                let name = self.text(name);
                self.bind_value(value, name, BINDING_WRAPPERS);
                if value.kind_name() == "object" {
                    self.bind_object(value, name);
                }
            }
            "assignment_expression" => {
                let (Some(left), Some(right)) = (site.field("left"), site.field("right")) else {
                    return;
                };
                let Some(name) = symbol_path(unwrap(left), self.src).map(|p| p.join(".")) else {
                    return;
                };
                self.bind_value(right, &name, BINDING_WRAPPERS);
                if right.kind_name() == "object" {
                    self.bind_object(right, &name);
                }
            }
            "call_expression" => {
                // `fastify.decorate('authenticate', async (request, reply) => …)`
                let Some(callee) = site.field("function").map(unwrap) else {
                    return;
                };
                if callee.kind_name() != "member_expression"
                    || callee
                        .field("property")
                        .is_none_or(|p| self.text(p) != "decorate")
                {
                    return;
                }
                let Some(args) = site
                    .field("arguments")
                    .filter(|a| a.kind_name() == "arguments")
                else {
                    return;
                };
                let args = arguments(args);
                let [key, value] = args.as_slice() else {
                    return;
                };
                if key.kind_name() != "string" {
                    return;
                }
                let Some(function) = self.wrapped_function(*value, BINDING_WRAPPERS - 1) else {
                    return;
                };
                let Some(receiver) = callee
                    .field("object")
                    .and_then(|o| symbol_path(o, self.src))
                else {
                    return;
                };
                let name = format!("{}.{}", receiver.join("."), string_value(*key, self.src));
                self.function_names.entry(function.id()).or_insert(name);
            }
            _ => {}
        }
    }

    /// `const { setupPageRoute } = helpers;` at module level: each name is an alias of the
    /// member (`helpers.setupPageRoute`). Inside functions such names are too often locals
    /// of a request or an options object to be worth it.
    fn destructure_alias(&mut self, site: Node<'_>, pattern: Node<'_>, value: Node<'_>) {
        if !self.is_module_level(site) || require_source(value, self.src).is_some() {
            return;
        }
        let Some(object) = symbol_path(value, self.src) else {
            return;
        };
        let mut cursor = pattern.walk();
        let props: Vec<Node<'_>> = pattern.named_children(&mut cursor).collect();
        for prop in props {
            let (key, local) = match prop.kind_name() {
                "shorthand_property_identifier_pattern" => {
                    (self.text(prop).to_string(), self.text(prop).to_string())
                }
                "pair_pattern" => {
                    let key = prop.field("key").map(|k| self.name_text(k));
                    let value = prop
                        .field("value")
                        .filter(|v| v.kind_name() == "identifier");
                    match (key, value) {
                        (Some(k), Some(v)) => (k, self.text(v).to_string()),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let mut path = object.clone();
            path.push(key);
            self.alias(&local, Some(path), Vec::new(), prop);
        }
    }

    /// Name the function `value` holds (see [`Self::function_site`]) `name`.
    fn bind_value(&mut self, value: Node<'_>, name: &str, wrappers: usize) {
        if let Some(function) = self.wrapped_function(value, wrappers) {
            self.function_names
                .entry(function.id())
                .or_insert_with(|| name.to_string());
        }
    }

    /// Name the functions of the object literal bound to `object` `object.key`.
    fn bind_object(&mut self, object: Node<'_>, object_name: &str) {
        let mut cursor = object.walk();
        for member in object.named_children(&mut cursor) {
            match member.kind_name() {
                "method_definition" => {
                    let Some(key) = member.field("name") else {
                        continue;
                    };
                    let key = self.name_text(key);
                    self.function_names
                        .entry(member.id())
                        .or_insert_with(|| format!("{object_name}.{key}"));
                }
                "pair" => {
                    let (Some(key), Some(value)) = (member.field("key"), member.field("value"))
                    else {
                        continue;
                    };
                    let key = match key.kind_name() {
                        "property_identifier" => self.text(key).to_string(),
                        "string" => string_value(key, self.src),
                        _ => continue,
                    };
                    self.bind_value(value, &format!("{object_name}.{key}"), BINDING_WRAPPERS);
                }
                _ => {}
            }
        }
    }

    /// The function `node` is, or holds through at most `wrappers` parentheses, `as T`,
    /// `satisfies T` and single-argument wrapper calls; route and mount calls take handlers,
    /// not bindings.
    fn wrapped_function<'t>(&self, mut node: Node<'t>, wrappers: usize) -> Option<Node<'t>> {
        for _ in 0..=wrappers {
            match node.kind_name() {
                "arrow_function" | "function_expression" => return Some(node),
                "parenthesized_expression" | "as_expression" | "satisfies_expression" => {
                    let mut cursor = node.walk();
                    let inner = node.named_children(&mut cursor).find(|n| !n.is_extra())?;
                    node = inner;
                }
                "call_expression" => {
                    let callee = unwrap(node.field("function")?);
                    let method = match callee.kind_name() {
                        "member_expression" => {
                            callee.field("property").map_or("", |p| self.text(p))
                        }
                        "identifier" => self.text(callee),
                        _ => return None,
                    };
                    if method == "decorate"
                        || VERBS.contains(&method)
                        || matches!(method, "use" | "route" | "register" | "addHook")
                    {
                        return None;
                    }
                    let args = node.field("arguments")?;
                    if args.kind_name() != "arguments" {
                        return None;
                    }
                    let args = arguments(args);
                    let [only] = args.as_slice() else {
                        return None;
                    };
                    node = *only;
                }
                _ => return None,
            }
        }
        None
    }

    /// The function a node is or names (a function defined in this file).
    fn function_node<'t>(&self, node: Node<'t>) -> Option<Node<'t>>
    where
        'a: 't,
    {
        let node = unwrap(node);
        if params::is_function(node) {
            return Some(node);
        }
        if node.kind_name() != "identifier" {
            return None;
        }
        let (start, end) = *self.function_ranges.get(self.text(node))?;
        self.root
            .named_descendant_for_byte_range(start, end)
            .filter(|n| params::is_function(*n))
    }

    /// A check at the top of the handler (`if (!req.user) return res.sendStatus(401)`), for
    /// an inline handler or one named by a function defined in this file.
    fn handler_check(&self, handler: Node<'_>) -> Option<GuardRef> {
        let node = unwrap(handler);
        let function = if params::is_function(node) {
            node
        } else if node.kind_name() == "identifier" {
            let (start, end) = *self.function_ranges.get(self.text(node))?;
            self.root
                .named_descendant_for_byte_range(start, end)
                .filter(|n| params::is_function(*n))?
        } else {
            return None;
        };
        let Some((span, unconditional)) =
            summary::inline_check(function, self.file, self.src, &self.denial_hits)
        else {
            if !self.hono_file {
                return None;
            }
            return hono::helper_check(self, function).or_else(|| {
                // `async (c) => trashCipherById(c)`: the function it hands the request to.
                hono::delegate(self, function)
                    .and_then(|d| self.function_node(d))
                    .filter(|f| f.id() != function.id())
                    .and_then(|f| hono::helper_check(self, f))
            });
        };
        Some(GuardRef {
            site: GuardSite::InlineCheck,
            target: GuardTarget::Inline(Box::new(summary::summarise(
                function,
                self.file,
                self.src,
                &self.denial_hits,
            ))),
            called: false,
            optional: !unconditional,
            span,
        })
    }

    // ---- calls ---------------------------------------------------------------------------

    fn call(&mut self, call: Node<'_>, receiver: Node<'_>, method: Node<'_>, args: Node<'_>) {
        let args = arguments(args);
        // `router[verb](name, …)`: a route only as a template of its function's parameters.
        if method
            .parent()
            .is_some_and(|p| p.kind_name() == "subscript_expression")
        {
            self.template_route(call, receiver, Err(method), &args);
            return;
        }
        let method = self.text(method);
        if method == "use" || VERBS.contains(&method) {
            if let Some(instances) = self.loop_instances(call, &args) {
                for args in instances {
                    self.call_with(call, receiver, method, &args);
                }
                return;
            }
        }
        self.call_with(call, receiver, method, &args);
    }

    fn call_with(&mut self, call: Node<'_>, receiver: Node<'_>, method: &str, args: &[Node<'_>]) {
        let args = args.to_vec();
        if hono::call(self, call, receiver, method, &args) {
            return;
        }
        if method == "use" {
            self.use_call(call, receiver, &args);
            return;
        }
        match method {
            "prefix" => return self.koa_prefix(receiver, &args),
            "setGlobalPrefix" => return nestjs::global_prefix(self, receiver, &args),
            "useGlobalGuards" => return nestjs::global_guards(self, call, receiver, &args),
            "forRoutes" => return nestjs::for_routes(self, call, receiver, &args),
            "register" | "addHook" | "decorate" if self.file_framework() != Framework::Fastify => {
                return
            }
            "register" => return self.fastify_register(call, receiver, &args),
            "addHook" => return self.fastify_hook(call, receiver, &args),
            "decorate" => return,
            "route"
                if args
                    .first()
                    .is_some_and(|a| unwrap(*a).kind_name() == "object") =>
            {
                return self.fastify_route(call, receiver, &args);
            }
            _ => {}
        }
        if !VERBS.contains(&method) {
            return; // `route(…)` is read from the verb calls chained on it
        }
        let receiver = unwrap(receiver);
        if receiver.kind_name() == "call_expression" && hono::chain_router(self, receiver).is_none()
        {
            self.chained_route(call, receiver, method, &args);
        } else {
            self.route_call(call, receiver, method, &args);
        }
    }

    fn route_call(&mut self, call: Node<'_>, receiver: Node<'_>, verb: &str, args: &[Node<'_>]) {
        let Some(router) = self.receiver_path(receiver) else {
            return;
        };
        if hono::verb_middleware(self, call, &router, verb, args) {
            return;
        }
        // Koa named routes: `router.get('user', '/users/:id', handler)`.
        let args = match args {
            [name, path, _, ..]
                if self.file_framework() == Framework::Koa
                    && unwrap(*name).kind_name() == "string"
                    && !string_value(unwrap(*name), self.src).starts_with('/')
                    && self
                        .paths(*path)
                        .iter()
                        .all(|(_, c)| *c == PathCertainty::Path) =>
            {
                &args[1..]
            }
            _ => args,
        };
        // `app.get('env')` is the settings getter; `map.get(key)` is not a route either.
        let [first, .., last] = args else {
            return;
        };
        if self.template_route(call, receiver, Ok(verb), args) {
            return;
        }
        let mut paths = self.paths(*first);
        // koa-router joins a path without a leading slash to the prefix it is mounted under
        // (`router.post('users.list', …)` under `router.use('/', users.routes())`).
        let koa_router = router.len() == 1
            && self.router_names.contains(&router[0])
            && self
                .facts
                .routers
                .iter()
                .any(|r| r.name == router[0] && r.framework == Framework::Koa);
        if koa_router {
            for (path, c) in &mut paths {
                if *c == PathCertainty::No
                    && path
                        .value
                        .as_deref()
                        .is_some_and(|v| !v.is_empty() && !v.contains(char::is_whitespace))
                {
                    *c = PathCertainty::Path;
                }
            }
        }
        if paths.is_empty() || paths.iter().any(|(_, c)| *c == PathCertainty::No) {
            return;
        }
        if paths.iter().any(|(_, c)| *c == PathCertainty::Maybe) && !self.router_like(&router) {
            return;
        }
        // A handler is a function: `axios.get('/x', { params })` passes an object.
        if !handler_shaped(*last) {
            return;
        }
        // `app.options('*', cors())` answers CORS preflight requests, which never carry
        // credentials: not an endpoint of the app.
        if verb == "options" && self.is_cors_call(*last) {
            return;
        }
        let middle = &args[1..args.len() - 1];
        // Hono's `app.all('/api/auth/*', h)` is a route for every method, not middleware.
        if verb == "all" && !hono::is_hono_router(self, &router) {
            if let [(path, PathCertainty::Path)] = paths.as_slice() {
                if let Some(prefix) = path.value.as_deref().and_then(wildcard_prefix) {
                    // `app.all('*', requireAuth)`: middleware for every later route.
                    let mut guards = Vec::new();
                    for arg in &args[1..] {
                        self.guard_refs(*arg, &mut guards);
                    }
                    let prefix = (!prefix.is_empty()).then(|| PathArg {
                        value: Some(prefix.to_string()),
                        span: path.span,
                    });
                    let router = self.bind_receiver(router, call);
                    self.facts.uses.push(UseDef {
                        parent: router,
                        prefix,
                        args: guards,
                        guards: Vec::new(),
                        scope: UseScope::After,
                        unless: None,
                        only: Vec::new(),
                        span: self.span(call),
                        order: call.order(),
                    });
                    return;
                }
            }
        }
        let mut guards = Vec::new();
        for arg in middle {
            self.guard_refs(*arg, &mut guards);
        }
        guards.extend(self.handler_check(*last));
        let handler = self.handler_name(*last);
        let router = self.bind_receiver(router, call);
        // In a Hono chain (`new Hono().get(…).post(…)`) a route starts at its verb.
        let from = if matches!(
            unwrap(receiver).kind_name(),
            "call_expression" | "new_expression"
        ) {
            call.field("function")
                .and_then(|f| f.field("property"))
                .map_or(call.start_byte(), |p| p.start_byte())
        } else {
            call.start_byte()
        };
        // `fastify.get('/x', { schema: { response: { 200: S } } }, h)`.
        if let Some(options) = middle.first() {
            let route_span = self.file.span(from, call.end_byte());
            fastify_schema::record(self, route_span, *options);
        }
        for (path, _) in paths {
            self.facts.routes.push(RouteDef {
                router: router.clone(),
                framework_hint: self.framework_hint(&router),
                methods: Method::parse(verb).into_iter().collect(),
                path,
                guards: guards.clone(),
                handler: handler.clone(),
                span: self.file.span(from, call.end_byte()),
                order: u32::try_from(from).unwrap_or(u32::MAX),
            });
        }
    }

    /// A `use` or route call in the body of a loop over a route table written in this file
    /// (`routes.forEach((route) => router.use(route.path, route.route))`, `for (const { path,
    /// route } of routes)`): its arguments once per element of the table, with `route.key`
    /// (or a destructured `key`) read from the element. `None` when no argument reads the
    /// loop variable or the table is not a local array literal of object literals; elements
    /// without the key are left out.
    fn loop_instances<'t>(&self, call: Node<'t>, args: &[Node<'t>]) -> Option<Vec<Vec<Node<'t>>>> {
        let (variable, table) = self.enclosing_loop(call)?;
        let array = if table.kind_name() == "array" {
            table
        } else {
            self.array_binding(table)?
        };
        let elements = named_elements(array);
        if elements.iter().any(|e| unwrap(*e).kind_name() != "object") {
            return None;
        }
        // Which key of the element an argument reads, if any.
        let key_of = |arg: Node<'t>| -> Option<String> {
            let arg = unwrap(arg);
            match (&variable, arg.kind_name()) {
                (LoopVariable::Whole(v), "member_expression") => {
                    let object = unwrap(arg.field("object")?);
                    (object.kind_name() == "identifier" && self.text(object) == v)
                        .then(|| arg.field("property").map(|p| self.text(p)))
                        .flatten()
                        .map(str::to_string)
                }
                (LoopVariable::Destructured(names), "identifier") => names
                    .iter()
                    .find(|(local, _)| local == self.text(arg))
                    .map(|(_, key)| key.clone()),
                _ => None,
            }
        };
        let keys: Vec<Option<String>> = args.iter().map(|a| key_of(*a)).collect();
        if keys.iter().all(Option::is_none) {
            return None;
        }
        let mut out = Vec::new();
        for element in elements {
            let element = unwrap(element);
            let substituted: Option<Vec<Node<'t>>> = args
                .iter()
                .zip(&keys)
                .map(|(arg, key)| match key {
                    Some(k) => self.object_value(element, k),
                    None => Some(*arg),
                })
                .collect();
            out.extend(substituted);
        }
        Some(out)
    }

    /// The loop a call stands in, directly (through blocks and `if`s, not other functions):
    /// `table.forEach((item) => …)` / `table.map(…)`, `for (const item of table)`.
    fn enclosing_loop<'t>(&self, call: Node<'t>) -> Option<(LoopVariable, Node<'t>)> {
        let mut cur = call.parent();
        for _ in 0..DEPTH_CAP * 4 {
            let node = cur?;
            if node.kind_name() == "for_in_statement" {
                let of = node.field("operator").is_some_and(|o| self.text(o) == "of");
                let table = unwrap(node.field("right")?);
                if !of || !matches!(table.kind_name(), "identifier" | "array") {
                    return None;
                }
                let variable = self.loop_variable(node.field("left")?)?;
                return Some((variable, table));
            }
            if params::is_function(node) {
                let args = node.parent().filter(|p| p.kind_name() == "arguments")?;
                let first = args.named_child(0).is_some_and(|f| f.id() == node.id());
                let (object, method) = self.method_call(args.parent()?)?;
                if !first
                    || !matches!(method, "forEach" | "map")
                    || !matches!(object.kind_name(), "identifier" | "array")
                {
                    return None;
                }
                let param = node.field("parameter").or_else(|| {
                    let list = node.field("parameters")?;
                    let mut c = list.walk();
                    let first = list
                        .named_children(&mut c)
                        .find(|p| p.kind_name() != "comment");
                    first
                })?;
                let param = match param.kind_name() {
                    "required_parameter" | "optional_parameter" => param.field("pattern")?,
                    _ => param,
                };
                return Some((self.loop_variable(param)?, object));
            }
            cur = node.parent();
        }
        None
    }

    fn loop_variable(&self, pattern: Node<'_>) -> Option<LoopVariable> {
        match pattern.kind_name() {
            "identifier" => Some(LoopVariable::Whole(self.text(pattern).to_string())),
            "object_pattern" => {
                let mut names = Vec::new();
                let mut cursor = pattern.walk();
                for prop in pattern.named_children(&mut cursor) {
                    match prop.kind_name() {
                        "shorthand_property_identifier_pattern" => {
                            let n = self.text(prop).to_string();
                            names.push((n.clone(), n));
                        }
                        "pair_pattern" => {
                            let key = prop.field("key").map(|k| self.name_text(k));
                            let value = prop
                                .field("value")
                                .filter(|v| v.kind_name() == "identifier");
                            if let (Some(k), Some(v)) = (key, value) {
                                names.push((self.text(v).to_string(), k));
                            }
                        }
                        _ => {}
                    }
                }
                Some(LoopVariable::Destructured(names))
            }
            _ => None,
        }
    }

    /// A route registered on a router parameter of a named function with its path, method or
    /// middleware taken from the function's parameters (see [`templates`]): the route goes on
    /// the parameter router with a [`RouteParams`]. `verb` is the method called, or the
    /// index of `router[verb](…)`. False (nothing recorded) for any other route.
    fn template_route(
        &mut self,
        call: Node<'_>,
        receiver: Node<'_>,
        verb: Result<&str, Node<'_>>,
        args: &[Node<'_>],
    ) -> bool {
        let [first, .., last] = args else {
            return false;
        };
        if !handler_shaped(*last) {
            return false;
        }
        let Some(router_name) = symbol_path(receiver, self.src) else {
            return false;
        };
        if !self.router_like(&router_name) {
            return false;
        }
        let Some(function) = enclosing_function(call) else {
            return false;
        };
        let Some(binding) = params::binding(function, self.src) else {
            return false;
        };
        let scope = templates::Scope::of(function, self.src);
        let templates::Value::Param(ParamIndex::Front(index)) = scope.value(self, receiver, 0)
        else {
            return false;
        };
        let method = match verb {
            Ok(_) => None,
            Err(node) => match scope.value(self, node, 0) {
                templates::Value::Param(p) => Some(p),
                _ => return false,
            },
        };
        let path = scope.path(self, *first, 0);
        let path_from_param = path.as_deref().is_some_and(templates::has_param);
        let mut guards = Vec::new();
        let mut from_params = Vec::new();
        for arg in &args[1..args.len() - 1] {
            scope.guards(self, *arg, 0, false, &mut guards, &mut from_params);
        }
        if !path_from_param && method.is_none() && from_params.is_empty() {
            return false;
        }
        guards.extend(self.handler_check(*last));
        let value = match path.as_deref() {
            Some([PathPiece::Text(t)]) => Some(t.clone()),
            Some([]) => Some(String::new()),
            _ => None,
        };
        let router = self.param_router(function, &binding, index);
        let methods = match verb {
            Ok(v) => Method::parse(v).into_iter().collect(),
            Err(_) => Vec::new(),
        };
        let span = self.span(call);
        self.facts.routes.push(RouteDef {
            router: router.clone(),
            framework_hint: self.framework_hint(&router),
            methods,
            path: PathArg {
                value,
                span: self.span(*first),
            },
            guards,
            handler: self.handler_name(*last),
            span,
            order: call.order(),
        });
        self.facts.route_params.push(RouteParams {
            route: span,
            path: path.filter(|_| path_from_param),
            method,
            guards: from_params,
            handler: scope.handler(self, *last),
            formal: Vec::new(),
        });
        true
    }

    /// `app.route('/x').all(mw).get(h).post(a, h2)`: `call` is one verb call of the chain.
    fn chained_route(&mut self, call: Node<'_>, receiver: Node<'_>, verb: &str, args: &[Node<'_>]) {
        let Some(last) = args.last() else {
            return;
        };
        // An `.all(mw)` followed by more verbs is middleware for them, not a route.
        if verb == "all" && is_chained_verb_receiver(call, self.src) {
            return;
        }
        let mut cur = receiver;
        let mut all_calls: Vec<Node<'_>> = Vec::new();
        let mut route: Option<(SymbolPath, Node<'_>)> = None;
        for _ in 0..DEPTH_CAP * 4 {
            if cur.kind_name() != "call_expression" {
                return;
            }
            let Some(callee) = cur.field("function").map(unwrap) else {
                return;
            };
            if callee.kind_name() != "member_expression" {
                return;
            }
            let (Some(prop), Some(object)) = (callee.field("property"), callee.field("object"))
            else {
                return;
            };
            let prop = self.text(prop);
            if prop == "route" {
                let Some(router) = symbol_path(object, self.src) else {
                    return;
                };
                let route_args = cur.field("arguments").map(arguments);
                let Some(path) = route_args.and_then(|a| a.first().copied()) else {
                    return;
                };
                route = Some((router, path));
                break;
            }
            if !VERBS.contains(&prop) {
                return;
            }
            if prop == "all" {
                all_calls.push(cur);
            }
            cur = unwrap(object);
        }
        let Some((router, path_node)) = route else {
            return;
        };
        let paths: Vec<PathArg> = self
            .paths(path_node)
            .into_iter()
            .filter(|(_, c)| *c != PathCertainty::No)
            .map(|(p, _)| p)
            .collect();
        let mut guards = Vec::new();
        for all in all_calls.iter().rev() {
            if let Some(a) = all.field("arguments") {
                for arg in arguments(a) {
                    self.guard_refs(arg, &mut guards);
                }
            }
        }
        for arg in &args[..args.len() - 1] {
            self.guard_refs(*arg, &mut guards);
        }
        guards.extend(self.handler_check(*last));
        let handler = self.handler_name(*last);
        let router = self.bind_receiver(router, call);
        // The verb's own part of the chain: `get(h)` in `app.route('/x').get(h)`.
        let verb_start = call
            .field("function")
            .and_then(|f| f.field("property"))
            .map_or(call.start_byte(), |p| p.start_byte());
        for path in paths {
            self.facts.routes.push(RouteDef {
                router: router.clone(),
                framework_hint: self.framework_hint(&router),
                methods: Method::parse(verb).into_iter().collect(),
                path,
                guards: guards.clone(),
                handler: handler.clone(),
                span: self.file.span(verb_start, call.end_byte()),
                order: u32::try_from(verb_start).unwrap_or(u32::MAX),
            });
        }
    }

    /// The router a call is made on: a name, or the app a Hono chain is made on.
    fn receiver_path(&self, receiver: Node<'_>) -> Option<SymbolPath> {
        symbol_path(receiver, self.src).or_else(|| hono::chain_router(self, receiver))
    }

    fn use_call(&mut self, call: Node<'_>, receiver: Node<'_>, args: &[Node<'_>]) {
        let Some(parent) = self.receiver_path(receiver) else {
            return;
        };
        self.use_call_on(call, parent, args);
    }

    fn use_call_on(&mut self, call: Node<'_>, parent: SymbolPath, args: &[Node<'_>]) {
        if hono::is_hono_router(self, &parent) {
            return hono::use_call(self, call, parent, args);
        }
        let Some(first) = args.first() else {
            return;
        };
        // koa-mount: `app.use(mount('/api', api))` mounts `api` under `/api`.
        if let [only] = args {
            if let Some((path, inner)) = self.koa_mount(*only) {
                let prefix = self.use_prefix(path);
                return self.use_args(call, parent, prefix, &[inner]);
            }
        }
        let prefix = self.use_prefix(*first);
        let rest = if prefix.is_some() { &args[1..] } else { args };
        self.use_args(call, parent, prefix, rest);
    }

    fn use_args(
        &mut self,
        call: Node<'_>,
        parent: SymbolPath,
        prefix: Option<PathArg>,
        rest: &[Node<'_>],
    ) {
        if rest.is_empty() {
            return;
        }
        let mut refs = Vec::new();
        let mut unless = None;
        for arg in rest {
            let arg = unwrap(*arg);
            // Koa: `router.routes()` / `router.middleware()` mount the router;
            // `router.allowedMethods()` answers OPTIONS and 405s.
            if let Some((object, method)) = self.method_call(arg) {
                match method {
                    "routes" | "middleware" => {
                        if let Some(path) = symbol_path(object, self.src) {
                            refs.push(GuardRef {
                                site: GuardSite::Middleware,
                                target: GuardTarget::Symbol(path),
                                called: false,
                                optional: false,
                                span: self.span(arg),
                            });
                        }
                        continue;
                    }
                    "allowedMethods" => continue,
                    "unless" => unless = Some(self.exclusions(arg)),
                    _ => {}
                }
            }
            self.guard_refs(arg, &mut refs);
        }
        if refs.is_empty() {
            return;
        }
        // A router passed in as a parameter and mounted here: `app.use('/x', router)`.
        for r in &mut refs {
            if let GuardTarget::Symbol(path) = &r.target {
                if path.len() == 1 && self.router_like(path) {
                    let bound = self.bind_receiver(path.clone(), call);
                    r.target = GuardTarget::Symbol(bound);
                }
            }
        }
        let parent = self.bind_receiver(parent, call);
        self.facts.uses.push(UseDef {
            parent,
            prefix,
            args: refs,
            guards: Vec::new(),
            scope: UseScope::After,
            unless,
            only: Vec::new(),
            span: self.span(call),
            order: call.order(),
        });
    }

    /// `object.method(…)`: the object and the method's name.
    fn method_call<'t>(&self, node: Node<'t>) -> Option<(Node<'t>, &'a str)> {
        if node.kind_name() != "call_expression" {
            return None;
        }
        let callee = unwrap(node.field("function")?);
        if callee.kind_name() != "member_expression" {
            return None;
        }
        let object = unwrap(callee.field("object")?);
        let method = self.text(callee.field("property")?);
        Some((object, method))
    }

    /// `mount('/api', api)` (koa-mount): its path and what it mounts.
    fn koa_mount<'t>(&self, node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
        let node = unwrap(node);
        if node.kind_name() != "call_expression" || self.file_framework() != Framework::Koa {
            return None;
        }
        let callee = unwrap(node.field("function")?);
        if callee.kind_name() != "identifier" || self.text(callee) != "mount" {
            return None;
        }
        match arguments(node.field("arguments")?).as_slice() {
            [path, inner] => Some((*path, *inner)),
            _ => None,
        }
    }

    /// `.unless({ path: ['/login', /^\/public/] })` (koa-jwt, express-jwt, express-unless):
    /// the paths the middleware skips.
    fn exclusions(&self, call: Node<'_>) -> Exclusions {
        let mut out = Exclusions {
            span: Some(self.span(call)),
            ..Exclusions::default()
        };
        let args = call.field("arguments").map(arguments).unwrap_or_default();
        let Some(options) = args.first().map(|a| unwrap(*a)) else {
            out.unreadable = true;
            return out;
        };
        if options.kind_name() != "object" {
            out.unreadable = true;
            return out;
        }
        let mut cursor = options.walk();
        let pairs: Vec<Node<'_>> = options.named_children(&mut cursor).collect();
        for pair in pairs {
            let key = pair.field("key").map(|k| self.name_text(k));
            match key.as_deref() {
                Some("path") => {}
                Some("useOriginalUrl") => continue,
                _ => {
                    out.unreadable = true;
                    continue;
                }
            }
            let Some(value) = pair.field("value").map(unwrap) else {
                continue;
            };
            let items = if value.kind_name() == "array" {
                named_elements(value)
            } else {
                vec![value]
            };
            for item in items {
                let item = unwrap(item);
                match item.kind_name() {
                    "regex" => out.patterns.push(self.text(item).to_string()),
                    _ => match self.consts.resolve(item, self.src) {
                        StrValue::Known(p) => out.paths.push(p),
                        _ => out.unreadable = true,
                    },
                }
            }
        }
        out
    }

    // ---- Koa and Fastify ------------------------------------------------------------------

    /// Koa `router.prefix('/api')`: sets the prefix of a router built in this file.
    fn koa_prefix(&mut self, receiver: Node<'_>, args: &[Node<'_>]) {
        let Some(name) = symbol_path(receiver, self.src).map(|p| p.join(".")) else {
            return;
        };
        let [path] = args else {
            return;
        };
        let prefix = self.use_prefix(*path);
        if let Some(router) = self
            .facts
            .routers
            .iter_mut()
            .find(|r| r.name == name && r.framework == Framework::Koa)
        {
            router.prefix = prefix;
        }
    }

    /// Fastify `fastify.register(plugin, { prefix })`: mounts the plugin's parameter router
    /// (`<plugin>.(0)`) under the receiver. Plugins from packages (`@fastify/jwt`, cors) and
    /// anything else that does not resolve to a plugin function are left alone.
    fn fastify_register(&mut self, call: Node<'_>, receiver: Node<'_>, args: &[Node<'_>]) {
        let Some(parent) = symbol_path(receiver, self.src) else {
            return;
        };
        let Some(plugin) = args.first().map(|a| unwrap(*a)) else {
            return;
        };
        if let Some(dir) = self.autoload_dir(plugin, args.get(1).copied()) {
            // `fastify.register(autoload, { dir: path.join(__dirname, 'routes') })`: every
            // plugin file under the directory, prefixed with its folder (see the linker).
            let parent = self.bind_receiver(parent, call);
            let prefix = args
                .get(1)
                .and_then(|o| self.object_value(unwrap(*o), "options"))
                .and_then(|o| self.object_value(o, "prefix"))
                .and_then(|p| self.use_prefix(p));
            let plugins = GuardTarget::Module(format!("{AUTOLOAD_PREFIX}{dir}"));
            self.facts.uses.push(UseDef::after(
                parent,
                prefix,
                vec![GuardRef::middleware(plugins, self.span(plugin))],
                self.span(call),
                call.order(),
            ));
            return;
        }
        let mut target: SymbolPath = if params::is_function(plugin) {
            vec![format!("register@{}", plugin.start_byte())]
        } else if let Some(module) = require_source(plugin, self.src) {
            if !module.starts_with('.') {
                return;
            }
            let local = format!("require('{module}')");
            if !self.facts.imports.iter().any(|i| i.local == local) {
                self.add_import(&local, &module, ImportKind::Default, plugin);
            }
            vec![local]
        } else if plugin.kind_name() == "call_expression"
            && params::binding_of_wrapped(plugin, self.src)
        {
            let Some(inner) = plugin.field("arguments").and_then(|a| a.named_child(0)) else {
                return;
            };
            vec![format!("register@{}", unwrap(inner).start_byte())]
        } else if let Some(path) = self.fp_argument(plugin) {
            // `fastify.register(fp(serviceApp))`
            path
        } else if let Some(path) = symbol_path(plugin, self.src) {
            path
        } else {
            return;
        };
        target.push("(0)".to_string());
        let prefix = args
            .get(1)
            .and_then(|o| self.object_value(unwrap(*o), "prefix"))
            .and_then(|p| self.use_prefix(p));
        let parent = self.bind_receiver(parent, call);
        self.facts.uses.push(UseDef::after(
            parent,
            prefix,
            vec![GuardRef::middleware(
                GuardTarget::Symbol(target),
                self.span(plugin),
            )],
            self.span(call),
            call.order(),
        ));
    }

    /// `fp(name)` / `fastifyPlugin(name)`: the wrapped plugin's name.
    fn fp_argument(&self, node: Node<'_>) -> Option<SymbolPath> {
        if node.kind_name() != "call_expression" {
            return None;
        }
        let callee = unwrap(node.field("function")?);
        let name = self.text(callee);
        if callee.kind_name() != "identifier"
            || !(self.fp_names.contains(name) || matches!(name, "fp" | "fastifyPlugin"))
        {
            return None;
        }
        let [only] = arguments(node.field("arguments")?)[..] else {
            return None;
        };
        symbol_path(unwrap(only), self.src)
    }

    /// The directory `@fastify/autoload` is registered with, relative to this file:
    /// `{ dir: path.join(__dirname, 'routes') }` (also `import.meta.dirname`) → `routes`.
    fn autoload_dir(&self, plugin: Node<'_>, options: Option<Node<'_>>) -> Option<String> {
        let name = symbol_path(plugin, self.src)?.join(".");
        let from_autoload = self
            .facts
            .imports
            .iter()
            .any(|i| i.local == name && i.module == "@fastify/autoload");
        if !from_autoload {
            return None;
        }
        let dir = self.object_value(unwrap(options?), "dir")?;
        if dir.kind_name() != "call_expression" {
            return None;
        }
        let callee = symbol_path(dir.field("function")?, self.src)?;
        if callee.last().map(String::as_str) != Some("join") {
            return None;
        }
        let parts = arguments(dir.field("arguments")?);
        let (base, rest) = parts.split_first()?;
        let base = self.text(*base);
        if !matches!(base, "__dirname" | "import.meta.dirname") {
            return None;
        }
        let mut out = Vec::new();
        for part in rest {
            match self.consts.resolve(*part, self.src) {
                StrValue::Known(s) => out.push(s.trim_matches('/').to_string()),
                _ => return None,
            }
        }
        Some(out.join("/"))
    }

    /// Fastify `fastify.addHook('onRequest', guard)`: covers every route of the plugin scope
    /// and of the plugins it registers (encapsulation), whenever they are registered.
    fn fastify_hook(&mut self, call: Node<'_>, receiver: Node<'_>, args: &[Node<'_>]) {
        let Some(parent) = symbol_path(receiver, self.src) else {
            return;
        };
        let [hook, rest @ ..] = args else {
            return;
        };
        let hook = unwrap(*hook);
        if hook.kind_name() != "string"
            || !FASTIFY_GUARD_HOOKS.contains(&string_value(hook, self.src).as_str())
        {
            return;
        }
        let mut guards = Vec::new();
        for arg in rest {
            self.guard_refs(*arg, &mut guards);
        }
        if guards.is_empty() {
            return;
        }
        let parent = self.bind_receiver(parent, call);
        self.facts.uses.push(UseDef {
            parent,
            prefix: None,
            args: Vec::new(),
            guards,
            scope: UseScope::Whole,
            unless: None,
            only: Vec::new(),
            span: self.span(call),
            order: call.order(),
        });
    }

    /// Fastify `fastify.route({ method, url, handler, onRequest, preHandler })`.
    fn fastify_route(&mut self, call: Node<'_>, receiver: Node<'_>, args: &[Node<'_>]) {
        let Some(router) = symbol_path(receiver, self.src) else {
            return;
        };
        let Some(options) = args.first().map(|a| unwrap(*a)) else {
            return;
        };
        let Some(url) = self
            .object_value(options, "url")
            .or_else(|| self.object_value(options, "path"))
        else {
            return;
        };
        let (path, certainty) = self.path(url);
        if certainty == PathCertainty::No {
            return;
        }
        let Some(method) = self.object_value(options, "method") else {
            return;
        };
        let items = if method.kind_name() == "array" {
            named_elements(method)
        } else {
            vec![method]
        };
        let methods: Vec<Method> = items
            .into_iter()
            .filter(|m| unwrap(*m).kind_name() == "string")
            .filter_map(|m| Method::parse(&string_value(unwrap(m), self.src).to_ascii_lowercase()))
            .collect();
        if methods.is_empty() {
            return;
        }
        let mut guards = Vec::new();
        self.guard_refs(options, &mut guards);
        let handler_node = self.object_value(options, "handler");
        if let Some(h) = handler_node {
            guards.extend(self.handler_check(h));
        }
        let handler = handler_node.and_then(|h| self.handler_name(h));
        let router = self.bind_receiver(router, call);
        fastify_schema::record(self, self.span(call), options);
        self.facts.routes.push(RouteDef {
            router: router.clone(),
            framework_hint: self.framework_hint(&router),
            methods,
            path,
            guards,
            handler,
            span: self.span(call),
            order: call.order(),
        });
    }

    /// The mount path of a `use` call, when its first argument is one.
    fn use_prefix(&self, first: Node<'_>) -> Option<PathArg> {
        let node = unwrap(first);
        let span = self.span(node);
        match node.kind_name() {
            "regex" => Some(PathArg {
                value: Some(self.text(node).to_string()),
                span,
            }),
            // `app.use(['/a', '/b'], r)`: Express mounts on each; keyhole keeps the first.
            "array" => {
                let elem = named_elements(node).into_iter().next()?;
                let value = match self.consts.resolve(elem, self.src) {
                    StrValue::Known(s) => Some(s),
                    StrValue::Partial(_) | StrValue::Unknown => None,
                    StrValue::NotString => return None,
                };
                Some(PathArg { value, span })
            }
            // `relativePath || '/'`: the deployment default when the setting is unset.
            "binary_expression"
                if node
                    .field("operator")
                    .is_some_and(|o| matches!(self.text(o), "||" | "??")) =>
            {
                let right = node.field("right")?;
                let value = match self.consts.resolve(right, self.src) {
                    StrValue::Known(s) => Some(s),
                    StrValue::NotString => return None,
                    _ => None,
                };
                Some(PathArg { value, span })
            }
            "string" | "template_string" | "binary_expression" => {
                match self.consts.resolve(node, self.src) {
                    StrValue::Known(s) => Some(PathArg {
                        value: Some(s),
                        span,
                    }),
                    StrValue::Partial(_) | StrValue::Unknown => Some(PathArg { value: None, span }),
                    StrValue::NotString => None,
                }
            }
            "identifier" | "member_expression" => match self.consts.resolve(node, self.src) {
                StrValue::Known(s) => Some(PathArg {
                    value: Some(s),
                    span,
                }),
                _ => {
                    let path = symbol_path(node, self.src)?;
                    pathish_name(path.last()?).then_some(PathArg { value: None, span })
                }
            },
            _ => None,
        }
    }

    /// The path(s) a route's first argument names, with how sure we are of each.
    fn paths(&self, first: Node<'_>) -> Vec<(PathArg, PathCertainty)> {
        let node = unwrap(first);
        if node.kind_name() == "array" {
            return named_elements(node)
                .into_iter()
                .map(|e| self.path(e))
                .collect();
        }
        vec![self.path(node)]
    }

    fn path(&self, node: Node<'_>) -> (PathArg, PathCertainty) {
        let node = unwrap(node);
        let span = self.span(node);
        if node.kind_name() == "regex" {
            let value = Some(self.text(node).to_string());
            return (PathArg { value, span }, PathCertainty::Path);
        }
        let (value, certainty) = match self.consts.resolve(node, self.src) {
            StrValue::Known(s) => {
                let c = if s.is_empty() || s.starts_with('/') || s.starts_with('*') {
                    PathCertainty::Path
                } else {
                    PathCertainty::No
                };
                (Some(s), c)
            }
            StrValue::Partial(prefix) => {
                let c = if prefix.starts_with('/') {
                    PathCertainty::Path
                } else if prefix.is_empty() {
                    PathCertainty::Maybe
                } else {
                    PathCertainty::No
                };
                (None, c)
            }
            StrValue::Unknown => (None, PathCertainty::Maybe),
            StrValue::NotString => (None, PathCertainty::No),
        };
        (PathArg { value, span }, certainty)
    }

    /// A receiver that is a parameter of an enclosing named function becomes that function's
    /// synthetic parameter router (see [`params`]); anything else is returned as is.
    fn bind_receiver(&mut self, router: SymbolPath, at: Node<'_>) -> SymbolPath {
        let [name] = router.as_slice() else {
            return router;
        };
        let Some((function, index)) = params::enclosing_param(at, name, self.src) else {
            return self.bind_member_receiver(router, at);
        };
        let Some(binding) = params::binding(function, self.src) else {
            return router;
        };
        self.param_router(function, &binding, index)
    }

    /// A router taken from an options object the function receives (`async (params) => {
    /// const { router } = params; … }`): the synthetic router `<binding>.(<i>).<key>`, which a
    /// call passing `{ router }` mounts (see [`Self::bind_call`]).
    fn bind_member_receiver(&mut self, router: SymbolPath, at: Node<'_>) -> SymbolPath {
        let [name] = router.as_slice() else {
            return router;
        };
        let Some((function, index, key)) = params::enclosing_param_member(at, name, self.src)
        else {
            return router;
        };
        let Some(binding) = params::binding(function, self.src) else {
            return router;
        };
        let synthetic = format!("{}.{key}", params::param_router_name(&binding, index));
        if self.router_names.insert(synthetic.clone()) {
            self.facts.routers.push(RouterDef {
                name: synthetic.clone(),
                kind: RouterKind::Router,
                framework: self.file_framework(),
                prefix: None,
                guards: Vec::new(),
                shares_parent_scope: false,
                span: self.span(function),
            });
        }
        vec![synthetic]
    }

    /// The synthetic router of parameter `index` of `function` (bound to `binding`), made
    /// on first use.
    fn param_router(&mut self, function: Node<'_>, binding: &str, index: usize) -> SymbolPath {
        let synthetic = params::param_router_name(binding, index);
        if self.router_names.insert(synthetic.clone()) {
            let shares_parent_scope = self.fp_wrapped(function);
            // `function init(app: Koa = new Koa())`: an app of its own when no caller passes one.
            let (kind, framework) = params::param_default(function, index)
                .and_then(|d| self.router_ctor_fw(d))
                .unwrap_or((RouterKind::Router, self.file_framework()));
            self.facts.routers.push(RouterDef {
                name: synthetic.clone(),
                kind,
                framework,
                prefix: None,
                guards: Vec::new(),
                shares_parent_scope,
                span: self.span(function),
            });
        }
        vec![synthetic]
    }

    /// Call sites that hand a router to a function (`require('./routes')(app)`,
    /// `setupRoutes(app, db)`, `_mounts.api(router)`) become mounts of the function's parameter
    /// router under the argument, without a prefix; functions that return a router they built
    /// get a `<binding>.()` alias to it.
    /// Calls, returns and object literals anywhere in the file (collected during the one
    /// walk of the file, in document order), read once the module's names are known.
    fn bind_calls_and_returns(&mut self, sites: &[Node<'_>]) {
        for node in sites {
            match node.kind_name() {
                "call_expression" => self.bind_call(*node),
                "return_statement" => self.bind_return(*node),
                "object" => nestjs::app_guard_provider(self, *node),
                _ => {}
            }
        }
    }

    fn bind_call(&mut self, call: Node<'_>) {
        let Some(callee) = call.field("function").map(unwrap) else {
            return;
        };
        if callee.kind_name() == "member_expression" {
            let method = callee
                .field("property")
                .map(|p| self.text(p))
                .unwrap_or_default();
            if method == "use" || method == "route" || VERBS.contains(&method) {
                return;
            }
        }
        let Some(arg_list) = call.field("arguments") else {
            return;
        };
        // Only a name or an options object passed on can bind a router; most calls pass
        // neither (read without collecting the arguments) and skip the callee's path.
        let binds = |a: Node<'_>| matches!(unwrap(a).kind_name(), "identifier" | "object");
        let count = arg_list.named_child_count();
        let any_binds = if count <= 8 {
            (0..count).any(|i| arg_list.named_child(i).is_some_and(binds))
        } else {
            true
        };
        if !any_binds && require_source(callee, self.src).is_none() {
            return;
        }
        let args = arguments(arg_list);
        let callee_path = match require_source(callee, self.src) {
            Some(module) => {
                // `require('./routes')(app)`: bind the module under a name no code can write.
                let local = format!("require('{module}')");
                if !self.facts.imports.iter().any(|i| i.local == local) {
                    self.add_import(&local, &module, ImportKind::Default, callee);
                }
                vec![local]
            }
            None if !args.iter().any(|a| binds(*a)) => return,
            None => match symbol_path(callee, self.src) {
                Some(p) => p,
                None => return,
            },
        };
        let mut mounted = false;
        for (i, arg) in args.iter().enumerate() {
            let arg = unwrap(*arg);
            if arg.kind_name() == "object" {
                mounted |= self.bind_object_arg(call, &callee_path, i, arg);
                continue;
            }
            if arg.kind_name() != "identifier" {
                continue;
            }
            let name = self.text(arg).to_string();
            let path = vec![name.clone()];
            let router_like = self.router_like(&path);
            // Neither kind of router: skip the walk up to the enclosing functions.
            if !router_like && !self.router_names.contains(&name) {
                continue;
            }
            let is_param = params::enclosing_param(call, &name, self.src).is_some();
            let router = if is_param {
                if !router_like {
                    continue;
                }
                self.bind_receiver(path, call)
            } else if self.router_names.contains(&name) {
                path
            } else {
                continue;
            };
            let mut target = callee_path.clone();
            target.push(format!("({i})"));
            mounted = true;
            self.mount_param_router(router, target, arg, call);
        }
        if mounted {
            // For route templates of the function (see `templates`).
            let args = args.iter().map(|a| self.call_arg(*a)).collect();
            self.facts.call_args.push(CallArgs {
                span: self.span(call),
                args,
                keywords: Vec::new(),
            });
        }
    }

    /// Mount `router` as the parameter router `target` (`<fn>.(<i>)`, `<fn>.(<i>).<key>`) of
    /// the function `call` calls: routes the function registers on that parameter land on
    /// `router`.
    fn mount_param_router(
        &mut self,
        router: SymbolPath,
        target: SymbolPath,
        arg: Node<'_>,
        call: Node<'_>,
    ) {
        self.facts.uses.push(UseDef::after(
            router,
            None,
            vec![GuardRef::middleware(
                GuardTarget::Symbol(target),
                self.span(arg),
            )],
            self.span(call),
            call.order(),
        ));
    }

    /// `reload({ router })`, `setup({ app: router, db })`: each router in an options object
    /// is mounted as the function's `<binding>.(<i>).<key>` router. True when one was.
    fn bind_object_arg(
        &mut self,
        call: Node<'_>,
        callee: &SymbolPath,
        index: usize,
        object: Node<'_>,
    ) -> bool {
        let mut found = false;
        let mut cursor = object.walk();
        let members: Vec<Node<'_>> = object.named_children(&mut cursor).collect();
        for member in members {
            let (key, value) = match member.kind_name() {
                "shorthand_property_identifier" => (self.text(member).to_string(), member),
                "pair" => {
                    let (Some(k), Some(v)) =
                        (member.field("key"), member.field("value").map(unwrap))
                    else {
                        continue;
                    };
                    if k.kind_name() != "property_identifier" || v.kind_name() != "identifier" {
                        continue;
                    }
                    (self.text(k).to_string(), v)
                }
                _ => continue,
            };
            let name = self.text(value).to_string();
            let path = vec![name.clone()];
            let router = if self.router_names.contains(&name) {
                path
            } else if self.router_like(&path)
                && params::enclosing_param(call, &name, self.src).is_some()
            {
                self.bind_receiver(path, call)
            } else {
                continue;
            };
            let mut target = callee.clone();
            target.push(format!("({index})"));
            target.push(key);
            found = true;
            self.mount_param_router(router, target, member, call);
        }
        found
    }

    /// What a route template may take from one argument of a call.
    fn call_arg(&self, arg: Node<'_>) -> CallArg {
        let arg = unwrap(arg);
        let text = match self.consts.resolve(arg, self.src) {
            StrValue::Known(s) => Some(s),
            _ => None,
        };
        let mut guards = Vec::new();
        if !matches!(
            arg.kind_name(),
            "string" | "template_string" | "binary_expression"
        ) {
            self.guard_refs(arg, &mut guards);
        }
        CallArg {
            text,
            guards,
            handler: self.handler_name(arg),
            items: None,
        }
    }

    fn bind_return(&mut self, ret: Node<'_>) {
        let Some(value) = ret.named_child(0).map(unwrap) else {
            return;
        };
        if value.kind_name() != "identifier" {
            return;
        }
        let name = self.text(value);
        if !self.router_names.contains(name) {
            return;
        }
        let mut cur = ret.parent();
        let mut function = None;
        for _ in 0..DEPTH_CAP * 8 {
            let Some(node) = cur else { break };
            if params::is_function(node) {
                function = Some(node);
                break;
            }
            cur = node.parent();
        }
        let Some(binding) = function.and_then(|f| params::binding(f, self.src)) else {
            return;
        };
        let alias = params::return_name(&binding);
        if self.facts.aliases.iter().any(|a| a.name == alias) {
            return;
        }
        let points_to = params::enclosing_param(ret, name, self.src)
            .and_then(|(f, i)| {
                params::binding(f, self.src).map(|b| params::param_router_name(&b, i))
            })
            .unwrap_or_else(|| name.to_string());
        self.alias(&alias, Some(vec![points_to]), Vec::new(), ret);
    }

    fn is_cors_call(&self, node: Node<'_>) -> bool {
        let node = unwrap(node);
        node.kind_name() == "call_expression"
            && node
                .field("function")
                .and_then(|f| symbol_path(f, self.src))
                .and_then(|p| p.last().cloned())
                .is_some_and(|name| name == "cors")
    }

    /// Express when the receiver is a router built here or the file imports Express; else
    /// left to the linker (which judges by the file's imports, and drops routes it cannot
    /// place), so that `http.get('/x', cb)` in a file without Express stays out.
    fn framework_hint(&self, router: &SymbolPath) -> Option<Framework> {
        let local_router = router.len() == 1 && self.router_names.contains(&router[0]);
        let imports_framework = !self.express_names.is_empty()
            || !self.router_ctor_names.is_empty()
            || !self.koa_names.is_empty()
            || !self.koa_router_names.is_empty()
            || self.fastify_file
            || self.hono_file;
        (local_router || imports_framework).then(|| self.file_framework())
    }

    /// Whether a function is the argument of `fp(…)` / `fastifyPlugin(…)`.
    fn fp_wrapped(&self, function: Node<'_>) -> bool {
        let mut node = function;
        for _ in 0..4 {
            let Some(parent) = node.parent() else {
                return false;
            };
            match parent.kind_name() {
                "parenthesized_expression" | "arguments" => node = parent,
                "call_expression" => {
                    return parent.field("function").map(unwrap).is_some_and(|c| {
                        c.kind_name() == "identifier"
                            && (self.fp_names.contains(self.text(c))
                                || matches!(self.text(c), "fp" | "fastifyPlugin"))
                    });
                }
                _ => return false,
            }
        }
        false
    }

    /// Whether a receiver is likely an Express app or router, for paths we cannot read.
    fn router_like(&self, router: &SymbolPath) -> bool {
        let Some(last) = router.last() else {
            return false;
        };
        if router.len() == 1 && self.router_names.contains(last) {
            return true;
        }
        split_words(last).iter().any(|w| {
            matches!(
                w.as_str(),
                "app"
                    | "application"
                    | "router"
                    | "routes"
                    | "route"
                    | "api"
                    | "server"
                    | "express"
            )
        })
    }

    fn handler_name(&self, last: Node<'_>) -> Option<String> {
        let node = unwrap(last);
        match node.kind_name() {
            "identifier" | "member_expression" => symbol_path(node, self.src).map(|p| p.join(".")),
            "call_expression" => {
                // `ctrl.list.bind(ctrl)`, `asyncHandler(ctrl.list)`, `catchAsync(getUser)`
                let callee = symbol_path(node.field("function")?, self.src)?;
                let args = arguments(node.field("arguments")?);
                let last_word = callee.last()?;
                if last_word == "bind" && callee.len() > 1 {
                    return Some(callee[..callee.len() - 1].join("."));
                }
                let wrapper = split_words(last_word).iter().any(|w| {
                    matches!(
                        w.as_str(),
                        "async" | "wrap" | "wrapper" | "catch" | "handler" | "try" | "safe"
                    )
                });
                match args.as_slice() {
                    [only] if wrapper => self.handler_name(*only).filter(|_| {
                        matches!(
                            unwrap(*only).kind_name(),
                            "identifier" | "member_expression"
                        )
                    }),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Guard references for one middleware argument; arrays and spreads are flattened.
    fn guard_refs(&self, arg: Node<'_>, out: &mut Vec<GuardRef>) {
        let mut stack = vec![(arg, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            let node = unwrap(node);
            match node.kind_name() {
                "array" if depth < 4 => {
                    let elems = named_elements(node);
                    for e in elems.into_iter().rev() {
                        stack.push((e, depth + 1));
                    }
                }
                "spread_element" if depth < 4 => {
                    if let Some(inner) = node.named_child(0) {
                        stack.push((inner, depth + 1));
                    }
                }
                // Fastify route options: `{ onRequest: [fastify.authenticate], preHandler }`.
                "object" if depth < 4 => {
                    for hook in FASTIFY_GUARD_HOOKS.iter().rev() {
                        if let Some(value) = self.object_value(node, hook) {
                            stack.push((value, depth + 1));
                        }
                    }
                }
                // `const middlewares = [auth, csrf]; router.post('/x', middlewares, h)`.
                "identifier" if depth < 4 => match self.array_binding(node) {
                    Some(array) => stack.push((array, depth + 1)),
                    None => {
                        if let Some(g) = self.guard_ref(node) {
                            out.push(g);
                        }
                    }
                },
                _ => {
                    if let Some(g) = self.guard_ref(node) {
                        out.push(g);
                    }
                }
            }
        }
    }

    /// The array literal a name is bound to by a `const`/`let`/`var` in an enclosing block
    /// (the nearest one that declares it), when it is bound to one.
    fn array_binding<'t>(&self, ident: Node<'t>) -> Option<Node<'t>> {
        let name = self.text(ident);
        let mut cur = ident.parent();
        for _ in 0..DEPTH_CAP * 8 {
            let scope = cur?;
            if matches!(scope.kind_name(), "statement_block" | "program") {
                let mut cache = self.scope_arrays.borrow_mut();
                let names = cache
                    .entry(scope.id())
                    .or_insert_with(|| self.scope_declarations(scope));
                if let Some(range) = names.get(name) {
                    let (start, end) = (*range)?;
                    return scope
                        .named_descendant_for_byte_range(start, end)
                        .filter(|n| n.kind_name() == "array");
                }
            }
            if params::is_function(scope)
                && params::enclosing_param(ident, name, self.src)
                    .is_some_and(|(f, _)| f.id() == scope.id())
            {
                return None; // a parameter of this function hides outer bindings
            }
            cur = scope.parent();
        }
        None
    }

    /// Names declared directly in a block, with the byte range of the array literal each is
    /// bound to (`None` when bound to anything else).
    fn scope_declarations(&self, scope: Node<'_>) -> ScopeArrays {
        let mut names = ScopeArrays::new();
        let mut cursor = scope.walk();
        for stmt in scope.named_children(&mut cursor) {
            if !matches!(
                stmt.kind_name(),
                "lexical_declaration" | "variable_declaration"
            ) {
                continue;
            }
            let mut c = stmt.walk();
            for decl in stmt.named_children(&mut c) {
                let Some(n) = decl.field("name").filter(|n| n.kind_name() == "identifier") else {
                    continue;
                };
                let array = decl
                    .field("value")
                    .map(unwrap)
                    .filter(|v| v.kind_name() == "array")
                    .map(|v| (v.start_byte(), v.end_byte()));
                names.entry(self.text(n).to_string()).or_insert(array);
            }
        }
        names
    }

    fn guard_ref(&self, node: Node<'_>) -> Option<GuardRef> {
        let span = self.span(node);
        let guard = |target, called, optional| GuardRef {
            site: GuardSite::Middleware,
            target,
            called,
            optional,
            span,
        };
        match node.kind_name() {
            "identifier" | "member_expression" | "this" => {
                let path = symbol_path(node, self.src)?;
                Some(guard(GuardTarget::Symbol(path), false, false))
            }
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                let summary = summary::summarise(node, self.file, self.src, &self.denial_hits);
                Some(guard(GuardTarget::Inline(Box::new(summary)), false, false))
            }
            "call_expression" => {
                if let Some(module) = require_source(node, self.src) {
                    return Some(guard(GuardTarget::Module(module), false, false));
                }
                let mut optional = self.optional_auth_call(node);
                // `auth()()`, `require('./routes')(db)`: look through calls to the base callee;
                // `jwt({…}).unless({ path })`: through a method called on a call's result.
                let mut callee = unwrap(node.field("function")?);
                for _ in 0..DEPTH_CAP {
                    let inner_call = match callee.kind_name() {
                        "call_expression" => callee,
                        "member_expression" => {
                            let object = unwrap(callee.field("object")?);
                            if object.kind_name() != "call_expression" {
                                break;
                            }
                            object
                        }
                        _ => break,
                    };
                    if let Some(module) = require_source(inner_call, self.src) {
                        return Some(guard(GuardTarget::Module(module), true, optional));
                    }
                    optional = optional || self.optional_auth_call(inner_call);
                    callee = unwrap(inner_call.field("function")?);
                }
                let path = symbol_path(callee, self.src)?;
                Some(guard(GuardTarget::Symbol(path), true, optional))
            }
            "new_expression" => {
                let ctor = node.field("constructor")?;
                let path = symbol_path(ctor, self.src)?;
                Some(guard(GuardTarget::Symbol(path), true, false))
            }
            _ => None,
        }
    }

    /// Whether a guard call asks for optional authentication: express-jwt
    /// `credentialsRequired: false`, express-openid-connect `authRequired: false`, passport's
    /// `'anonymous'` strategy.
    fn optional_auth_call(&self, call: Node<'_>) -> bool {
        let Some(args) = call.field("arguments") else {
            return false;
        };
        for arg in arguments(args) {
            let arg = unwrap(arg);
            match arg.kind_name() {
                "object" => {
                    let mut cursor = arg.walk();
                    for pair in arg.named_children(&mut cursor) {
                        if pair.kind_name() != "pair" {
                            continue;
                        }
                        let key = pair.field("key").map(|k| self.name_text(k));
                        let value = pair.field("value").map(|v| self.text(v));
                        if matches!(key.as_deref(), Some("credentialsRequired" | "authRequired"))
                            && value == Some("false")
                        {
                            return true;
                        }
                        // Outline's `auth({ optional: true })`, koa-jwt's `passthrough: true`.
                        if matches!(key.as_deref(), Some("optional" | "passthrough"))
                            && value == Some("true")
                        {
                            return true;
                        }
                    }
                }
                "string" if string_value(arg, self.src) == "anonymous" => return true,
                "array"
                    if named_elements(arg).into_iter().any(|e| {
                        e.kind_name() == "string" && string_value(e, self.src) == "anonymous"
                    }) =>
                {
                    return true;
                }
                _ => {}
            }
        }
        false
    }
}

/// The arguments of an `arguments` node, without comments.
fn arguments(args: Node<'_>) -> Vec<Node<'_>> {
    named_elements(args)
}

fn named_elements(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|n| n.kind_name() != "comment")
        .collect()
}

/// Whether an argument can be a request handler (a function, a name, a call returning one).
fn handler_shaped(node: Node<'_>) -> bool {
    matches!(
        unwrap(node).kind_name(),
        "identifier"
            | "member_expression"
            | "call_expression"
            | "arrow_function"
            | "function_expression"
            | "function"
            | "array"
            | "spread_element"
            | "this"
    )
}

/// `*`, `/*`, `(.*)` → `""`; `/api/*` → `/api`. `None` when the path is no wildcard.
fn wildcard_prefix(path: &str) -> Option<&str> {
    for suffix in ["/*", "*", "/(.*)", "(.*)", "/*splat", "/{*splat}"] {
        if let Some(prefix) = path.strip_suffix(suffix) {
            if !prefix.contains('*') && !prefix.contains(':') {
                return Some(prefix);
            }
        }
    }
    None
}

/// Whether a name looks like it holds a mount path (`API_PREFIX`, `basePath`, `config.apiUrl`).
fn pathish_name(name: &str) -> bool {
    let screaming = name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    screaming
        || split_words(name).last().is_some_and(|w| {
            matches!(
                w.as_str(),
                "path" | "prefix" | "url" | "uri" | "base" | "basepath" | "mountpath" | "endpoint"
            )
        })
}

/// Whether `call` (an `.all(…)` in a route chain) is itself the receiver of another verb call.
fn is_chained_verb_receiver(call: Node<'_>, src: &str) -> bool {
    let Some(member) = call.parent() else {
        return false;
    };
    if member.kind_name() != "member_expression" {
        return false;
    }
    let Some(outer) = member.parent() else {
        return false;
    };
    outer.kind_name() == "call_expression"
        && member
            .field("property")
            .is_some_and(|p| VERBS.contains(&text(p, src)))
}

/// The nearest function around a node.
fn enclosing_function(node: Node<'_>) -> Option<Node<'_>> {
    let mut cur = node.parent();
    for _ in 0..DEPTH_CAP * 8 {
        let n = cur?;
        if params::is_function(n) {
            return Some(n);
        }
        cur = n.parent();
    }
    None
}
