//! The whole-project link pass: resolve names through the module graph, build the router
//! graph (routers, mounts, middleware), walk every route up to the apps that serve it, and
//! decide each endpoint's auth state from the guards on that chain.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use keyhole_core::auth::EvidenceKind;
use keyhole_core::endpoint::{MountStep, ResponseType};
use keyhole_core::facts::{
    CallArg, Exclusions, FileFacts, FunctionSummary, GuardRef, GuardSite, GuardTarget, ImportKind,
    ParamIndex, PathArg, PathPiece, RouteDef, RouteSpec, RouterKind, UseScope,
};
use keyhole_core::route::ParamSyntax;
use keyhole_core::vocabulary::{GuardMatch, Vocabulary};
use keyhole_core::{
    Auth, Endpoint, Evidence, FileId, Framework, Language, Method, NoAuthReason, RouteTemplate,
    RouterId, RouterInfo, SourceMap, Span,
};

use crate::modules::ModuleIndex;

mod connexion;
mod next_middleware;
mod views;

/// Bound on name-resolution hops (re-exports, aliases), against cycles.
const MAX_RESOLVE_DEPTH: usize = 24;
/// Bound on mount chains per route (a router mounted in many places).
const MAX_CHAINS: usize = 32;
/// Bound on dependency-chain depth when following guards.
const MAX_GUARD_DEPTH: usize = 12;
/// Bound on the routes one call of a route template makes (one per item of a list).
const MAX_TEMPLATE_PATHS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Local {
    Router(usize),
    Function(usize),
    Alias(usize),
    Import(usize),
    Class(usize),
    Instance(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Router(RouterId),
    Function(FileId, usize),
    Alias(FileId, usize),
    Class(FileId, usize),
    /// `name = SomeClass(…)`, not a router.
    Instance(FileId, usize),
    Module(FileId),
    /// A name from a package outside the repository (`flask_login.login_required`).
    External(String),
    Unresolved,
}

#[derive(Clone)]
struct RouterNode {
    file: FileId,
    name: String,
    kind: RouterKind,
    framework: Framework,
    prefix: Option<PathArg>,
    guards: Vec<GuardRef>,
    /// Guards its class builds every instance with (`class AdminRouter(APIRouter)` whose
    /// `__init__` passes `dependencies=[…]`), with the file each is written in.
    class_guards: Vec<(FileId, GuardRef)>,
    shares_parent_scope: bool,
    span: Span,
}

#[derive(Clone)]
struct Edge {
    parent: RouterId,
    child: RouterId,
    file: FileId,
    prefix: Option<PathArg>,
    guards: Vec<(FileId, GuardRef)>,
    span: Span,
    order: u32,
    /// The call that made this mount by passing a router to a function: index into the
    /// file's `call_args`, for the function's route templates.
    call: Option<usize>,
}

#[derive(Clone)]
struct Middleware {
    file: FileId,
    guard: GuardRef,
    scope: UseScope,
    order: u32,
    path_scope: Option<RouteTemplate>,
    /// Paths it skips (`.unless({ path })`).
    unless: Option<Exclusions>,
    /// Routes it is limited to (NestJS `forRoutes`).
    only: Vec<RouteSpec>,
}

/// An `@fastify/autoload` registration, resolved after the rest of the graph.
struct Autoload {
    file: FileId,
    parent: RouterId,
    dir: String,
    prefix: Option<PathArg>,
    span: Span,
    order: u32,
}

/// Where a guard sits relative to the route, for the evidence text.
#[derive(Clone, Copy)]
enum Position<'a> {
    Route,
    Router(&'a str),
    Mount(&'a str),
}

pub struct Linked {
    pub endpoints: Vec<Endpoint>,
    pub routers: Vec<RouterInfo>,
    /// Indices of the specs a connexion app serves: their operations are among `endpoints`.
    pub served_specs: Vec<usize>,
}

#[derive(Clone)]
struct Linker<'a> {
    files: &'a SourceMap,
    facts: &'a [FileFacts],
    // Read-only once built, and shared by the copies that link endpoints in parallel.
    modules: Arc<ModuleIndex>,
    symbols: Arc<Vec<HashMap<&'a str, Local>>>,
    /// Router id of each file's router definitions.
    router_ids: Vec<Vec<RouterId>>,
    routers: Vec<RouterNode>,
    edges: Vec<Edge>,
    incoming: HashMap<RouterId, Vec<usize>>,
    /// Per router, in edge order, the routers mounted on it that share its scope (Fastify
    /// plugins wrapped in `fastify-plugin`); filled once the graph is built.
    scope_sharers: HashMap<RouterId, Vec<RouterId>>,
    middleware: HashMap<RouterId, Vec<Middleware>>,
    all_apps_middleware: Vec<Middleware>,
    vocabulary: &'a Vocabulary,
    function_verdicts: HashMap<(FileId, usize), Verdict>,
    /// Verdicts on guards written by name, per file, site and depth: the same guard
    /// (`login_required`, `auth.required`) stands on hundreds of routes.
    target_verdicts: HashMap<(FileId, GuardSite, String, usize), Verdict>,
    views: views::ViewState,
    /// JavaScript functions by dotted binding (`middleware.authenticateRequest`,
    /// `fastify.authenticate`), for guards written through an object keyhole cannot follow
    /// (a parameter, an object filled in another module). `None` when the name is defined
    /// more than once.
    js_dotted_functions: Arc<HashMap<&'a str, Option<(FileId, usize)>>>,
}

#[derive(Debug, Clone)]
enum Verdict {
    Required(String, String),
    Optional(String, String),
    NotGuard,
}

/// Endpoints in registration order; one per registration, route and method.
fn sort_and_dedup(endpoints: &mut Vec<Endpoint>) {
    endpoints.sort_by(|a, b| {
        (
            a.registration.file,
            a.registration.start,
            &a.route,
            a.method,
        )
            .cmp(&(
                b.registration.file,
                b.registration.start,
                &b.route,
                b.method,
            ))
    });
    endpoints.dedup_by(|a, b| {
        a.registration == b.registration && a.route == b.route && a.method == b.method
    });
}

/// `modules` is the module index of `files` ([`ModuleIndex::new`]), built by the caller
/// while the files were being parsed.
pub fn link(
    files: &SourceMap,
    facts: &[FileFacts],
    vocabulary: &Vocabulary,
    specs: &[keyhole_openapi::Spec],
    modules: ModuleIndex,
) -> Linked {
    let mut linker = Linker::new(files, facts, vocabulary, modules);
    linker.build_graph();
    let mut endpoints = linker.endpoints();
    let served = linker.connexion(specs, vocabulary);
    endpoints.extend(served.endpoints);
    let routers = linker
        .routers
        .iter()
        .enumerate()
        .map(|(i, r)| RouterInfo {
            id: RouterId(i as u32),
            name: r.name.clone(),
            framework: r.framework,
            span: r.span,
        })
        .collect();
    Linked {
        endpoints,
        routers,
        served_specs: served.specs,
    }
}

impl<'a> Linker<'a> {
    fn new(
        files: &'a SourceMap,
        facts: &'a [FileFacts],
        vocabulary: &'a Vocabulary,
        modules: ModuleIndex,
    ) -> Self {
        // Each file's table of local names, in parallel.
        let mut symbols: Vec<HashMap<&str, Local>> = facts
            .par_iter()
            .map(|f| {
                let mut table: HashMap<&str, Local> = HashMap::new();
                for (j, import) in f.imports.iter().enumerate() {
                    table.insert(import.local.as_str(), Local::Import(j));
                }
                for (j, alias) in f.aliases.iter().enumerate() {
                    table.insert(alias.name.as_str(), Local::Alias(j));
                }
                for (j, instance) in f.instances.iter().enumerate() {
                    table.insert(instance.name.as_str(), Local::Instance(j));
                }
                for (j, class) in f.classes.iter().enumerate() {
                    table.insert(class.name.as_str(), Local::Class(j));
                }
                for (j, function) in f.functions.iter().enumerate() {
                    // The first definition of a name wins over later methods of the
                    // same name.
                    table
                        .entry(function.name.as_str())
                        .or_insert(Local::Function(j));
                }
                table
            })
            .collect();
        let mut router_ids = Vec::with_capacity(facts.len());
        let mut routers = Vec::new();
        let mut js_dotted_functions: HashMap<&str, Option<(FileId, usize)>> = HashMap::new();
        for (i, f) in facts.iter().enumerate() {
            let file = FileId(i as u32);
            let table = &mut symbols[i];
            let mut ids = Vec::new();
            if files
                .get(file)
                .is_some_and(|sf| sf.language != Language::Python)
            {
                for (j, function) in f.functions.iter().enumerate() {
                    let name = function.name.as_str();
                    if name.contains('.')
                        && !name.starts_with("module.")
                        && !name.starts_with("exports.")
                    {
                        js_dotted_functions
                            .entry(name)
                            .and_modify(|e| *e = None)
                            .or_insert(Some((file, j)));
                    }
                }
            }
            for (j, router) in f.routers.iter().enumerate() {
                table.insert(router.name.as_str(), Local::Router(j));
                let id = RouterId(routers.len() as u32);
                ids.push(id);
                routers.push(RouterNode {
                    file,
                    name: router.name.clone(),
                    kind: router.kind,
                    framework: router.framework,
                    prefix: router.prefix.clone(),
                    guards: router.guards.clone(),
                    class_guards: Vec::new(),
                    shares_parent_scope: router.shares_parent_scope,
                    span: router.span,
                });
            }
            router_ids.push(ids);
        }
        Linker {
            files,
            facts,
            modules: Arc::new(modules),
            symbols: Arc::new(symbols),
            router_ids,
            routers,
            edges: Vec::new(),
            incoming: HashMap::new(),
            scope_sharers: HashMap::new(),
            middleware: HashMap::new(),
            all_apps_middleware: Vec::new(),
            vocabulary,
            function_verdicts: HashMap::new(),
            target_verdicts: HashMap::new(),
            views: views::ViewState::default(),
            js_dotted_functions: Arc::new(js_dotted_functions),
        }
    }

    fn language(&self, file: FileId) -> Language {
        self.files
            .get(file)
            .map_or(Language::Python, |f| f.language)
    }

    // ---- name resolution -------------------------------------------------------------

    fn resolve(&self, file: FileId, path: &[String], depth: usize) -> Target {
        if depth > MAX_RESOLVE_DEPTH || path.is_empty() {
            return Target::Unresolved;
        }
        let Some(table) = self.symbols.get(file.index()) else {
            return Target::Unresolved;
        };
        let facts = &self.facts[file.index()];
        // Synthetic dotted names (`module.exports` for a router built in an export).
        if path.len() > 1 {
            match table.get(path.join(".").as_str()) {
                Some(Local::Router(i)) => return Target::Router(self.router_ids[file.index()][*i]),
                Some(Local::Alias(i)) if self.language(file) == Language::Python => {
                    return Target::Alias(file, *i)
                }
                Some(Local::Function(i)) if self.language(file) != Language::Python => {
                    return Target::Function(file, *i)
                }
                _ => {}
            }
            if self.language(file) != Language::Python {
                if let Some(found) = self.resolve_js_dotted(file, path, depth) {
                    return found;
                }
            }
        }
        let (first, rest) = (&path[0], &path[1..]);
        match table.get(first.as_str()) {
            Some(Local::Router(i)) if rest.is_empty() => {
                Target::Router(self.router_ids[file.index()][*i])
            }
            Some(Local::Function(i)) if rest.is_empty() => Target::Function(file, *i),
            Some(Local::Class(i)) if rest.is_empty() => Target::Class(file, *i),
            Some(Local::Instance(i)) if rest.is_empty() => Target::Instance(file, *i),
            Some(Local::Alias(i)) => {
                let alias = &facts.aliases[*i];
                match &alias.points_to {
                    Some(points_to) if points_to.first() != Some(first) || points_to.len() > 1 => {
                        let mut next = points_to.clone();
                        next.extend_from_slice(rest);
                        self.resolve(file, &next, depth + 1)
                    }
                    _ if rest.is_empty() => Target::Alias(file, *i),
                    _ => Target::Unresolved,
                }
            }
            Some(Local::Import(i)) => {
                let import = &facts.imports[*i];
                let module = self.resolve_module(file, &import.module);
                match (&import.kind, module) {
                    (ImportKind::Named(name), Some(m)) => {
                        let mut next = vec![name.clone()];
                        next.extend_from_slice(rest);
                        self.resolve_in_module(m, &next, depth + 1)
                    }
                    (ImportKind::Named(name), None) => {
                        // `from pkg.routers import users` where `pkg/routers/` has no
                        // `__init__.py` (a namespace package): the name is the submodule.
                        if let Some(sub) = self.namespace_submodule(file, &import.module, name) {
                            return self.resolve_in_module(sub, rest, depth + 1);
                        }
                        let mut full = vec![name.clone()];
                        full.extend_from_slice(rest);
                        Target::External(full.join("."))
                    }
                    (ImportKind::Module, Some(m)) if rest.is_empty() => Target::Module(m),
                    (ImportKind::Module, Some(m)) => self.resolve_in_module(m, rest, depth + 1),
                    (ImportKind::Default, Some(m)) => self.resolve_default(m, rest, depth + 1),
                    (ImportKind::Module | ImportKind::Default, None) => {
                        let mut full = vec![import.local.clone()];
                        full.extend_from_slice(rest);
                        Target::External(full.join("."))
                    }
                }
            }
            Some(_) => Target::Unresolved,
            None => {
                // `from m import *`
                for import in facts.imports.iter().filter(|i| i.local == "*") {
                    if let Some(m) = self.resolve_module(file, &import.module) {
                        let found = self.resolve_in_module(m, path, depth + 1);
                        if found != Target::Unresolved {
                            return found;
                        }
                    }
                }
                Target::Unresolved
            }
        }
    }

    /// JavaScript dotted names bound as one (`auth.required`, `mounts.api`,
    /// `module.exports.(0)`, `makeRouter.()`), longest prefix first; the rest of the path is
    /// looked up in what the prefix names.
    fn resolve_js_dotted(&self, file: FileId, path: &[String], depth: usize) -> Option<Target> {
        let table = self.symbols.get(file.index())?;
        let facts = &self.facts[file.index()];
        for k in (2..=path.len()).rev() {
            let rest = &path[k..];
            match table.get(path[..k].join(".").as_str()) {
                Some(Local::Alias(i)) => {
                    return Some(match &facts.aliases[*i].points_to {
                        Some(points_to) => {
                            let mut next = points_to.clone();
                            next.extend_from_slice(rest);
                            self.resolve(file, &next, depth + 1)
                        }
                        None if rest.is_empty() => Target::Alias(file, *i),
                        None => Target::Unresolved,
                    });
                }
                Some(Local::Import(i)) => {
                    let import = &facts.imports[*i];
                    let m = self.resolve_module(file, &import.module)?;
                    return Some(match &import.kind {
                        ImportKind::Named(name) => {
                            let mut next = vec![name.clone()];
                            next.extend_from_slice(rest);
                            self.resolve_in_module(m, &next, depth + 1)
                        }
                        ImportKind::Module if rest.is_empty() => Target::Module(m),
                        ImportKind::Module => self.resolve_in_module(m, rest, depth + 1),
                        ImportKind::Default => self.resolve_default(m, rest, depth + 1),
                    });
                }
                _ => {}
            }
        }
        None
    }

    /// A router mounted by calling a factory (`router.use(require('./users')())`,
    /// `app.use(makeRouter(db))`): the router the function returns, when it returns one.
    fn resolve_js_factory(&self, file: FileId, arg: &GuardRef) -> Option<Target> {
        if !arg.called || self.language(file) == Language::Python {
            return None;
        }
        let returned = [String::from("()")];
        let found = match &arg.target {
            GuardTarget::Symbol(path) => {
                let mut next = path.clone();
                next.extend_from_slice(&returned);
                self.resolve(file, &next, 0)
            }
            GuardTarget::Module(spec) => {
                self.resolve_default(self.resolve_module(file, spec)?, &returned, 0)
            }
            GuardTarget::Inline(_) => return None,
        };
        matches!(found, Target::Router(_)).then_some(found)
    }

    /// `name` as a submodule of `package` when the package itself has no file (PEP 420
    /// namespace packages: a folder of modules without `__init__.py`). Python only.
    fn namespace_submodule(&self, from: FileId, package: &str, name: &str) -> Option<FileId> {
        if self.language(from) != Language::Python {
            return None;
        }
        let dotted = if package.ends_with('.') {
            format!("{package}{name}")
        } else {
            format!("{package}.{name}")
        };
        self.modules.resolve_python(from, &dotted)
    }

    fn resolve_module(&self, from: FileId, module: &str) -> Option<FileId> {
        match self.language(from) {
            Language::Python => self.modules.resolve_python(from, module),
            _ => self.modules.resolve_js(from, module),
        }
    }

    /// `path` looked up as an attribute of module `m`.
    fn resolve_in_module(&self, m: FileId, path: &[String], depth: usize) -> Target {
        if depth > MAX_RESOLVE_DEPTH || path.is_empty() {
            return Target::Module(m);
        }
        let facts = &self.facts[m.index()];
        if self.language(m) != Language::Python {
            if let Some(export) = facts
                .exports
                .iter()
                .find(|e| e.name.as_deref() == Some(path[0].as_str()))
            {
                let mut next = export.local.clone();
                next.extend_from_slice(&path[1..]);
                return self.resolve(m, &next, depth + 1);
            }
        }
        // `from pkg import handlers` inside `pkg/__init__.py` names the submodule, not itself.
        let local = self.symbols[m.index()].get(path[0].as_str()).copied();
        if matches!(local, Some(Local::Import(_)) | None) {
            if let Some(sub) = self.modules.python_submodule(m, &path[0]) {
                return self.resolve_in_module(sub, &path[1..], depth + 1);
            }
        }
        if local.is_some() {
            return self.resolve(m, path, depth + 1);
        }
        if let Some(sub) = self.modules.python_submodule(m, &path[0]) {
            return self.resolve_in_module(sub, &path[1..], depth + 1);
        }
        // `from . import *` re-exports in a package `__init__`.
        let found = self.resolve(m, path, depth + 1);
        if found != Target::Unresolved {
            return found;
        }
        // CommonJS: `const { f } = require('./helpers')` reads `f` off `module.exports`.
        if self.language(m) != Language::Python && facts.exports.iter().any(|e| e.name.is_none()) {
            return self.resolve_default(m, path, depth + 1);
        }
        Target::Unresolved
    }

    /// A JavaScript module's default export (CommonJS `module.exports`).
    fn resolve_default(&self, m: FileId, rest: &[String], depth: usize) -> Target {
        let facts = &self.facts[m.index()];
        if let Some(export) = facts.exports.iter().find(|e| e.name.is_none()) {
            let mut next = export.local.clone();
            next.extend_from_slice(rest);
            return self.resolve(m, &next, depth + 1);
        }
        if rest.is_empty() {
            Target::Module(m)
        } else {
            self.resolve_in_module(m, rest, depth + 1)
        }
    }

    fn resolve_guard_target(&self, file: FileId, target: &GuardTarget) -> Target {
        match target {
            GuardTarget::Symbol(path) => match self.resolve(file, path, 0) {
                Target::Unresolved | Target::External(_)
                    if path.len() > 1 && self.language(file) != Language::Python =>
                {
                    match self.js_dotted_functions.get(path.join(".").as_str()) {
                        Some(Some((f, i))) => Target::Function(*f, *i),
                        _ => self.resolve(file, path, 0),
                    }
                }
                found => found,
            },
            GuardTarget::Module(spec) => match self.resolve_module(file, spec) {
                Some(m) => self.resolve_default(m, &[], 0),
                None => Target::External(spec.clone()),
            },
            GuardTarget::Inline(_) => Target::Unresolved,
        }
    }

    // ---- constants ---------------------------------------------------------------------

    /// A path argument's text: the literal, or the constant its name refers to in this or
    /// another module (`prefix=settings.API_V1_STR`).
    fn path_value(&self, arg: &PathArg) -> Option<String> {
        if arg.value.is_some() {
            return arg.value.clone();
        }
        let facts = self.facts.get(arg.span.file.index())?;
        let expr = &facts.path_refs.iter().find(|r| r.span == arg.span)?.expr;
        self.resolve_constant(arg.span.file, expr, 0)
    }

    fn resolve_constant(&self, file: FileId, path: &[String], depth: usize) -> Option<String> {
        if depth > 8 || path.is_empty() {
            return None;
        }
        let facts = self.facts.get(file.index())?;
        let joined = path.join(".");
        if let Some(c) = facts.constants.iter().find(|c| c.name == joined) {
            return Some(c.value.clone());
        }
        let (first, rest) = (&path[0], &path[1..]);
        // `settings.X` where `settings = Settings()`: a class attribute's default.
        if let Some(instance) = facts.instances.iter().find(|i| &i.name == first) {
            if let Target::Class(f, i) = self.resolve(file, &instance.class, 0) {
                let mut class_path = vec![self.facts[f.index()].classes[i].name.clone()];
                class_path.extend_from_slice(rest);
                return self.resolve_constant(f, &class_path, depth + 1);
            }
        }
        if let Some(import) = facts.imports.iter().find(|i| &i.local == first) {
            let m = self.resolve_module(file, &import.module)?;
            let mut next = match &import.kind {
                ImportKind::Named(name) => vec![name.clone()],
                ImportKind::Module | ImportKind::Default => Vec::new(),
            };
            next.extend_from_slice(rest);
            if next.is_empty() {
                return None;
            }
            return self.resolve_constant(m, &next, depth + 1);
        }
        match self.resolve(file, &path[..1], 0) {
            Target::Class(f, i) if !rest.is_empty() => {
                let mut class_path = vec![self.facts[f.index()].classes[i].name.clone()];
                class_path.extend_from_slice(rest);
                self.resolve_constant(f, &class_path, depth + 1)
            }
            Target::Module(m) => self.resolve_constant(m, rest, depth + 1),
            _ => None,
        }
    }

    // ---- the router graph ------------------------------------------------------------

    /// `app = CTFdFlask(__name__)` where `class CTFdFlask(Flask)`: instances of classes that
    /// derive from a framework's app or router class are routers too.
    fn promote_instances(&mut self) {
        let facts = self.facts;
        for (i, f) in facts.iter().enumerate() {
            let file = FileId(i as u32);
            for instance in &f.instances {
                let Some((kind, framework)) = self.router_class(file, &instance.class, 0) else {
                    continue;
                };
                let id = RouterId(self.routers.len() as u32);
                self.routers.push(RouterNode {
                    file,
                    name: instance.name.clone(),
                    kind,
                    framework,
                    prefix: instance.prefix.clone(),
                    guards: instance.guards.clone(),
                    class_guards: self.constructor_guards(file, &instance.class),
                    shares_parent_scope: false,
                    span: instance.span,
                });
                let local = self.router_ids[i].len();
                self.router_ids[i].push(id);
                // Before the linker is shared: no copy is made.
                Arc::make_mut(&mut self.symbols)[i]
                    .insert(instance.name.as_str(), Local::Router(local));
            }
        }
    }

    /// The guards a class's `__init__` (or a base's) passes to its base constructor.
    fn constructor_guards(&self, file: FileId, class: &[String]) -> Vec<(FileId, GuardRef)> {
        let mut guards = Vec::new();
        let mut pending = vec![(file, class.to_vec())];
        let mut visited = 0;
        while let Some((f, path)) = pending.pop() {
            visited += 1;
            if visited > 16 {
                break;
            }
            if let Target::Class(cf, ci) = self.resolve(f, &path, 0) {
                let class = &self.facts[cf.index()].classes[ci];
                guards.extend(class.constructor_guards.iter().map(|g| (cf, g.clone())));
                pending.extend(class.bases.iter().map(|b| (cf, b.clone())));
            }
        }
        guards
    }

    /// Whether a class (or one of its bases) is named as a guard (`Authenticator`,
    /// `HTTPBearer`): the verdict and the name that decided it.
    fn class_guard(
        &self,
        file: FileId,
        class: &[String],
        depth: usize,
    ) -> Option<(GuardMatch, String)> {
        if depth > 8 {
            return None;
        }
        let name = class.join(".");
        if let Some(m) = self.vocabulary.guard_by_name(&name) {
            return Some((m, name));
        }
        match self.resolve(file, class, 0) {
            Target::Class(f, i) => self.facts[f.index()].classes[i]
                .bases
                .iter()
                .find_map(|base| self.class_guard(f, base, depth + 1)),
            Target::External(external) => self
                .vocabulary
                .guard_by_name(&external)
                .map(|m| (m, external)),
            _ => None,
        }
    }

    /// Whether a class (by name, in `file`) derives from a framework app or router class.
    fn router_class(
        &self,
        file: FileId,
        class: &[String],
        depth: usize,
    ) -> Option<(RouterKind, Framework)> {
        if depth > 8 {
            return None;
        }
        match self.resolve(file, class, 0) {
            Target::Class(f, i) => self.facts[f.index()].classes[i]
                .bases
                .iter()
                .find_map(|base| self.router_class(f, base, depth + 1)),
            Target::External(name) => {
                let last = name.rsplit('.').next().unwrap_or(&name);
                match last {
                    "Flask" | "Quart" => Some((RouterKind::App, Framework::Flask)),
                    // flask-restful / flask-restx `Api` subclasses (`class ApiExt(Api)`).
                    "Blueprint" | "Api" => Some((RouterKind::Router, Framework::Flask)),
                    "DefaultRouter"
                    | "SimpleRouter"
                    | "NestedSimpleRouter"
                    | "NestedDefaultRouter" => {
                        Some((RouterKind::Router, Framework::DjangoRestFramework))
                    }
                    "FastAPI" => Some((RouterKind::App, Framework::FastApi)),
                    "APIRouter" => Some((RouterKind::Router, Framework::FastApi)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn build_graph(&mut self) {
        self.promote_instances();
        let facts = self.facts;
        let mut autoloads: Vec<Autoload> = Vec::new();
        for (i, f) in facts.iter().enumerate() {
            let file = FileId(i as u32);
            for use_def in &f.uses {
                if let [GuardRef {
                    target: GuardTarget::Module(spec),
                    ..
                }] = use_def.args.as_slice()
                {
                    if let Some(dir) = spec.strip_prefix(keyhole_js::AUTOLOAD_PREFIX) {
                        if let Target::Router(parent) = self.resolve(file, &use_def.parent, 0) {
                            autoloads.push(Autoload {
                                file,
                                parent,
                                dir: dir.to_string(),
                                prefix: use_def.prefix.clone(),
                                span: use_def.span,
                                order: use_def.order,
                            });
                        }
                        continue;
                    }
                }
                let all_apps =
                    use_def.parent.first().map(String::as_str) == Some(keyhole_python::ALL_APPS);
                let parent = if all_apps {
                    None
                } else {
                    match self.resolve(file, &use_def.parent, 0) {
                        Target::Router(id) => Some(id),
                        _ => continue,
                    }
                };
                let mut preceding: Vec<(FileId, GuardRef)> =
                    use_def.guards.iter().map(|g| (file, g.clone())).collect();
                let mut mounted_any = false;
                for arg in &use_def.args {
                    let target = self
                        .resolve_js_factory(file, arg)
                        .or_else(|| self.view_mount(file, arg))
                        .unwrap_or_else(|| self.resolve_guard_target(file, &arg.target));
                    match (parent, target) {
                        (Some(parent), Target::Router(child)) if child != parent => {
                            mounted_any = true;
                            let index = self.edges.len();
                            self.edges.push(Edge {
                                parent,
                                child,
                                file,
                                prefix: use_def.prefix.clone(),
                                guards: preceding.clone(),
                                span: use_def.span,
                                order: use_def.order,
                                call: f.call_args.iter().position(|c| c.span == use_def.span),
                            });
                            self.incoming.entry(child).or_default().push(index);
                        }
                        _ => {
                            // `init_app.(0)`: a router parameter that did not resolve is
                            // no middleware.
                            let param_marker = matches!(&arg.target, GuardTarget::Symbol(p)
                                if p.iter().any(|l| l.starts_with('(') && l.ends_with(')')));
                            if !mounted_any && !param_marker {
                                preceding.push((file, arg.clone()));
                            }
                        }
                    }
                }
                if mounted_any {
                    continue;
                }
                // No router mounted: everything is middleware of the parent.
                let framework = parent.map(|p| self.routers[p.0 as usize].framework);
                let path_scope = use_def.prefix.as_ref().and_then(|p| {
                    let syntax = framework.map_or(ParamSyntax::Colon, param_syntax);
                    self.path_value(p).map(|v| RouteTemplate::parse(&v, syntax))
                });
                for (_, guard) in preceding {
                    let mw = Middleware {
                        file,
                        guard,
                        scope: use_def.scope,
                        order: use_def.order,
                        path_scope: path_scope.clone(),
                        unless: use_def.unless.clone(),
                        only: use_def.only.clone(),
                    };
                    match parent {
                        Some(p) => self.middleware.entry(p).or_default().push(mw),
                        None => self.all_apps_middleware.push(mw),
                    }
                }
            }
        }
        self.autoload(autoloads);
        self.mount_nest_controllers();
        self.alias_js_param_routers();
        self.django_roots();
    }

    /// NestJS wires controllers through modules, which keyhole does not follow: every
    /// controller not mounted otherwise is mounted under the Nest application (the first
    /// `NestFactory.create(…)` found), whose global prefix and guards then apply.
    fn mount_nest_controllers(&mut self) {
        let Some(app) = self
            .routers
            .iter()
            .position(|r| r.framework == Framework::NestJs && r.kind == RouterKind::App)
            .map(|i| RouterId(i as u32))
        else {
            return;
        };
        let span = self.routers[app.0 as usize].span;
        let file = self.routers[app.0 as usize].file;
        for i in 0..self.routers.len() {
            let child = RouterId(i as u32);
            let r = &self.routers[i];
            if r.framework != Framework::NestJs
                || r.kind != RouterKind::Router
                || self.incoming.contains_key(&child)
            {
                continue;
            }
            let index = self.edges.len();
            self.edges.push(Edge {
                parent: app,
                child,
                file,
                prefix: None,
                guards: Vec::new(),
                span,
                order: 0,
                call: None,
            });
            self.incoming.entry(child).or_default().push(index);
        }
    }

    /// `@fastify/autoload`: every plugin file under the directory is registered under the
    /// parent, prefixed with its folder path (`routes/api/tasks/index.ts` → `/api/tasks`);
    /// the hooks of an `autohooks` file apply to the plugins of its folder and the folders
    /// below it (`cascadeHooks`).
    fn autoload(&mut self, loads: Vec<Autoload>) {
        for load in loads {
            let Some(source) = self.files.get(load.file) else {
                continue;
            };
            let base = source.path.rsplit_once('/').map_or("", |(d, _)| d);
            if load.dir.split('/').any(|p| p == "..") {
                continue;
            }
            let root = match (base.is_empty(), load.dir.is_empty()) {
                (true, _) => load.dir.clone(),
                (false, true) => base.to_string(),
                (false, false) => format!("{base}/{}", load.dir),
            };
            let mut plugins: Vec<(RouterId, String)> = Vec::new();
            let mut hooks: Vec<(RouterId, String)> = Vec::new();
            for f in self.files.iter() {
                if f.language == Language::Python {
                    continue;
                }
                let Some(rel) = f.path.strip_prefix(&format!("{root}/")) else {
                    continue;
                };
                if rel.contains(".test.") || rel.contains(".spec.") {
                    continue;
                }
                let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
                let Target::Router(router) = self.resolve_default(f.id, &["(0)".to_string()], 0)
                else {
                    continue;
                };
                let stem = name.split('.').next().unwrap_or(name);
                if stem == "autohooks" {
                    hooks.push((router, dir.to_string()));
                } else {
                    plugins.push((router, dir.to_string()));
                }
            }
            let own = load
                .prefix
                .as_ref()
                .map_or(Some(String::new()), |p| self.path_value(p));
            for (router, dir) in plugins {
                let value = own.as_ref().map(|o| {
                    if dir.is_empty() {
                        o.clone()
                    } else {
                        format!("{o}/{dir}")
                    }
                });
                let index = self.edges.len();
                self.edges.push(Edge {
                    parent: load.parent,
                    child: router,
                    file: load.file,
                    prefix: Some(PathArg {
                        value,
                        span: load.span,
                    }),
                    guards: Vec::new(),
                    span: load.span,
                    order: load.order,
                    call: None,
                });
                self.incoming.entry(router).or_default().push(index);
                for (hook, hook_dir) in &hooks {
                    let covers = hook_dir.is_empty()
                        || dir == *hook_dir
                        || dir.starts_with(&format!("{hook_dir}/"));
                    if !covers || *hook == router {
                        continue;
                    }
                    let copied: Vec<Middleware> =
                        self.middleware.get(hook).cloned().unwrap_or_default();
                    self.middleware.entry(router).or_default().extend(copied);
                }
            }
        }
    }

    /// A JavaScript router passed to a function (`setup(app)`) is the same object as the
    /// function's parameter router (`setup.(0)`), which the extractor mounts under the
    /// argument. Where the function mounts its parameter elsewhere (`app.use('/', router)`
    /// with `router` a parameter), the argument is mounted there too.
    fn alias_js_param_routers(&mut self) {
        let is_marker = |s: &str| s.starts_with('(') && s.ends_with(')') && s.len() > 2;
        let mut bindings: Vec<(RouterId, RouterId)> = Vec::new();
        for (i, f) in self.facts.iter().enumerate() {
            let file = FileId(i as u32);
            for use_def in &f.uses {
                for arg in &use_def.args {
                    let GuardTarget::Symbol(path) = &arg.target else {
                        continue;
                    };
                    // `setup.(0)`, and `reload.(0).router` for a router in an options object.
                    if !path.iter().any(|l| is_marker(l)) {
                        continue;
                    }
                    if let (Target::Router(a), Target::Router(p)) = (
                        self.resolve(file, &use_def.parent, 0),
                        self.resolve(file, path, 0),
                    ) {
                        if a != p {
                            bindings.push((a, p));
                        }
                    }
                }
            }
        }
        if bindings.is_empty() {
            return;
        }
        let mut seen: std::collections::HashSet<(RouterId, RouterId, Span)> = self
            .edges
            .iter()
            .map(|e| (e.parent, e.child, e.span))
            .collect();
        // A few rounds, for parameters passed on to further functions.
        for _ in 0..4 {
            let mut added = false;
            for e in 0..self.edges.len() {
                let (parent, child) = (self.edges[e].parent, self.edges[e].child);
                if bindings.contains(&(parent, child)) {
                    continue;
                }
                for &(arg, param) in &bindings {
                    if param != child
                        || arg == parent
                        || !seen.insert((parent, arg, self.edges[e].span))
                    {
                        continue;
                    }
                    let edge = &self.edges[e];
                    let copy = Edge {
                        parent,
                        child: arg,
                        file: edge.file,
                        prefix: edge.prefix.clone(),
                        guards: edge.guards.clone(),
                        span: edge.span,
                        order: edge.order,
                        call: None,
                    };
                    let index = self.edges.len();
                    self.edges.push(copy);
                    self.incoming.entry(arg).or_default().push(index);
                    added = true;
                }
            }
            if !added {
                break;
            }
        }
    }

    /// Every chain of edges from a top router down to `router` (outermost first).
    fn chains(&self, router: RouterId) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        let mut stack: Vec<(RouterId, Vec<usize>)> = vec![(router, Vec::new())];
        while let Some((current, chain)) = stack.pop() {
            if out.len() >= MAX_CHAINS {
                break;
            }
            let parents = self
                .incoming
                .get(&current)
                .map(Vec::as_slice)
                .unwrap_or_default();
            if parents.is_empty() || chain.len() >= MAX_RESOLVE_DEPTH {
                let mut c = chain;
                c.reverse();
                out.push(c);
                continue;
            }
            for &edge in parents {
                let parent = self.edges[edge].parent;
                // A cycle: stop here.
                if parent == router || chain.iter().any(|&e| self.edges[e].child == parent) {
                    continue;
                }
                let mut next = chain.clone();
                next.push(edge);
                stack.push((parent, next));
            }
        }
        out.sort();
        out
    }

    // ---- endpoints -------------------------------------------------------------------

    fn endpoints(&mut self) -> Vec<Endpoint> {
        for edge in &self.edges {
            if self.routers[edge.child.0 as usize].shares_parent_scope {
                self.scope_sharers
                    .entry(edge.parent)
                    .or_default()
                    .push(edge.child);
            }
        }
        // Two halves of the files, by number of routes, on a copy of the linker each: the
        // memoised verdicts are the only state linking writes.
        let facts = self.facts;
        let total: usize = facts.iter().map(|f| f.routes.len()).sum();
        let mut seen = 0;
        let split = facts
            .iter()
            .position(|f| {
                seen += f.routes.len();
                seen * 2 >= total
            })
            .map_or(facts.len(), |i| i + 1);
        let mut other = self.clone();
        let (mut endpoints, rest) = rayon::join(
            || self.endpoints_of(0..split),
            || other.endpoints_of(split..facts.len()),
        );
        endpoints.extend(rest);
        sort_and_dedup(&mut endpoints);
        endpoints
    }

    fn endpoints_of(&mut self, files: std::ops::Range<usize>) -> Vec<Endpoint> {
        let mut endpoints = Vec::new();
        let facts = self.facts;
        for i in files {
            let f = &facts[i];
            let file = FileId(i as u32);
            for route in &f.routes {
                // A route template first: its view (if any) is expanded at each call.
                let template = f.route_params.iter().any(|p| p.route == route.span);
                if template {
                    if let Target::Router(router) = self.resolve(file, &route.router, 0) {
                        if self.template_endpoints(file, route, router, &mut endpoints) {
                            continue;
                        }
                    }
                }
                if self.view_endpoints(file, route, &mut endpoints) {
                    continue;
                }
                match self.resolve(file, &route.router, 0) {
                    Target::Router(router) => {
                        for chain in self.chains(router) {
                            self.endpoints_on_chain(
                                file,
                                route,
                                router,
                                &chain,
                                &[],
                                &mut endpoints,
                            );
                        }
                    }
                    _ => self.unresolved_route(file, route, &mut endpoints),
                }
            }
        }
        endpoints
    }

    /// A route template (`RouteParams`): one route per call that passed a router to its
    /// function, with the call's path, method, middleware and handler filled in, registered at
    /// the call. False when the route is no template or no call instantiates it (then it is
    /// listed as written, with the parameters unknown).
    fn template_endpoints(
        &mut self,
        file: FileId,
        route: &RouteDef,
        router: RouterId,
        out: &mut Vec<Endpoint>,
    ) -> bool {
        let facts = self.facts;
        let Some(params) = facts[file.index()]
            .route_params
            .iter()
            .find(|p| p.route == route.span)
        else {
            return false;
        };
        let calls: Vec<usize> = self
            .incoming
            .get(&router)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|&e| self.edges[e].call.is_some())
            .collect();
        if calls.is_empty() {
            return false;
        }
        for e in calls {
            let (cfile, Some(c)) = (self.edges[e].file, self.edges[e].call) else {
                continue;
            };
            let args = &facts[cfile.index()].call_args[c];
            let mut instance = route.clone();
            instance.span = args.span;
            if let Some(m) = params.method {
                let method = params
                    .arg(args, m)
                    .and_then(|a| a.text.as_deref())
                    .and_then(Method::parse);
                instance.methods = vec![method.unwrap_or(Method::Any)];
            }
            if let Some(handler) = params
                .handler
                .and_then(|h| params.arg(args, h))
                .and_then(|a| a.handler.clone())
            {
                instance.handler = Some(handler);
            }
            let extra: Vec<(FileId, GuardRef)> = params
                .guards
                .iter()
                .filter_map(|&p| params.arg(args, p))
                .flat_map(|a| a.guards.iter().map(|g| (cfile, g.clone())))
                .collect();
            let parent = self.edges[e].parent;
            let chains: Vec<Vec<usize>> = self
                .chains(parent)
                .into_iter()
                .map(|mut chain| {
                    chain.push(e);
                    chain
                })
                .collect();
            let paths = match &params.path {
                Some(pieces) => template_paths(pieces, |i| params.arg(args, i)),
                None => vec![None],
            };
            // The routes belong with the router the call passed: its siblings are theirs.
            let first = out.len();
            for path in paths {
                if let Some(value) = path {
                    instance.path = PathArg {
                        value,
                        span: args.span,
                    };
                }
                if self.template_view_endpoints(file, &instance, router, &chains, &extra, out) {
                    continue;
                }
                for chain in &chains {
                    self.endpoints_on_chain(file, &instance, router, chain, &extra, out);
                }
            }
            for endpoint in &mut out[first..] {
                endpoint.router = Some(parent);
            }
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn endpoints_on_chain(
        &mut self,
        file: FileId,
        route: &RouteDef,
        router: RouterId,
        chain: &[usize],
        extra: &[(FileId, GuardRef)],
        out: &mut Vec<Endpoint>,
    ) {
        let top = chain.first().map_or(router, |&e| self.edges[e].parent);
        let framework = self.routers[router.0 as usize].framework;
        // Path pieces per level: pieces[k] is what level k adds (level 0 = top router).
        let mut routers_on_chain = vec![top];
        routers_on_chain.extend(chain.iter().map(|&e| self.edges[e].child));
        let mut pieces: Vec<(Option<String>, Framework)> = Vec::new();
        let top_node = &self.routers[top.0 as usize];
        pieces.push((
            top_node
                .prefix
                .as_ref()
                .map_or(Some(String::new()), |p| self.path_value(p)),
            top_node.framework,
        ));
        for &e in chain {
            let edge = &self.edges[e];
            let child = &self.routers[edge.child.0 as usize];
            let own = child
                .prefix
                .as_ref()
                .map_or(Some(String::new()), |p| self.path_value(p));
            let at_mount = edge
                .prefix
                .as_ref()
                .map_or(Some(String::new()), |p| self.path_value(p));
            let piece = if child.framework == Framework::Flask && edge.prefix.is_some() {
                // Flask: `register_blueprint(url_prefix=…)` replaces the blueprint's own prefix.
                at_mount
            } else {
                match (at_mount, own) {
                    (Some(a), Some(b)) => Some(format!("{a}/{b}")),
                    _ => None,
                }
            };
            pieces.push((piece, child.framework));
        }
        pieces.push((self.path_value(&route.path), framework));
        let templates: Vec<RouteTemplate> = pieces
            .iter()
            .map(|(value, fw)| match value {
                Some(v) => RouteTemplate::parse(v, param_syntax(*fw)),
                None => RouteTemplate::parse("{?}", ParamSyntax::Braces),
            })
            .collect();
        let resolved = pieces.iter().all(|(v, _)| v.is_some());
        let full = templates
            .iter()
            .fold(RouteTemplate::root(), |acc, t| acc.join(t));
        // The path below level k, for path-scoped middleware.
        let below = |k: usize| {
            templates[k + 1..]
                .iter()
                .fold(RouteTemplate::root(), |acc, t| acc.join(t))
        };

        let mut found: Vec<(Verdict, Span, EvidenceKind)> = Vec::new();
        let mut rate_limits: Vec<Evidence> = Vec::new();
        // NestJS `@Public()` on the handler or a controller on the chain: app-wide guards
        // (which honour it by convention) do not apply.
        let is_marker = |g: &GuardRef| {
            matches!(&g.target, GuardTarget::Symbol(p)
                if p.len() == 1 && p[0] == keyhole_js::nestjs::PUBLIC_MARKER)
        };
        let public_mark: Option<Span> = route
            .guards
            .iter()
            .chain(
                routers_on_chain
                    .iter()
                    .flat_map(|r| self.routers[r.0 as usize].guards.iter()),
            )
            .find(|g| is_marker(g))
            .map(|g| g.span);
        // Route-level guards (and, for a route template, the middleware its call passed).
        let route_guards = route
            .guards
            .iter()
            .map(|g| (file, g))
            .chain(extra.iter().map(|(f, g)| (*f, g)));
        for (gfile, guard) in route_guards {
            let v = self.evaluate(gfile, guard, Position::Route);
            rate_limits.extend(self.rate_limit(guard, &v));
            found.push((v, guard.span, kind_of(guard.site)));
        }
        // A FastAPI/Starlette app mounted under another (`app.mount('/sub', subapp)`) is a
        // separate ASGI app: the outer app's `dependencies=` (and those given where routers
        // were included above the mount) do not reach it; its ASGI middleware does.
        let isolated_from = routers_on_chain
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, r)| {
                let node = &self.routers[r.0 as usize];
                node.kind == RouterKind::App && node.framework == Framework::FastApi
            })
            .map(|(k, _)| k)
            .next_back()
            .unwrap_or(0);
        // Router-level guards and middleware, from the top down.
        for (level, &r) in routers_on_chain.iter().enumerate() {
            let name = self.routers[r.0 as usize].name.clone();
            let own_guards = if level >= isolated_from {
                self.routers[r.0 as usize].guards.clone()
            } else {
                Vec::new()
            };
            let rfile = self.routers[r.0 as usize].file;
            let class_guards = if level >= isolated_from {
                self.routers[r.0 as usize].class_guards.clone()
            } else {
                Vec::new()
            };
            let own_guards = own_guards
                .iter()
                .map(|g| (rfile, g))
                .chain(class_guards.iter().map(|(f, g)| (*f, g)));
            for (gfile, guard) in own_guards {
                let v = self.evaluate(gfile, guard, Position::Router(&name));
                rate_limits.extend(self.rate_limit(guard, &v));
                found.push((v, guard.span, kind_of(guard.site)));
            }
            // What follows this level: the next mount, or the route itself.
            let (next_file, next_order) = match chain.get(level) {
                Some(&e) => (self.edges[e].file, self.edges[e].order),
                None => (file, route.order),
            };
            let rest = below(level);
            let mut applicable: Vec<GuardRef> = Vec::new();
            let mws = self
                .middleware
                .get(&r)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let is_app = self.routers[r.0 as usize].kind == RouterKind::App;
            let globals: &[Middleware] = if level == 0 && is_app && public_mark.is_none() {
                &self.all_apps_middleware
            } else {
                &[]
            };
            let mws: &[Middleware] = if is_app && public_mark.is_some() {
                &[]
            } else {
                mws
            };
            let mut with_files = Vec::new();
            // Fastify plugins wrapped in `fastify-plugin` add their hooks to this scope.
            let shared: Vec<&Middleware> = self
                .scope_sharers
                .get(&r)
                .into_iter()
                .flatten()
                .filter_map(|child| self.middleware.get(child))
                .flatten()
                .collect();
            for mw in mws.iter().chain(globals).chain(shared) {
                let in_order = match mw.scope {
                    UseScope::Whole => true,
                    UseScope::After => mw.file != next_file || mw.order < next_order,
                };
                let in_scope = mw.path_scope.as_ref().is_none_or(|s| rest.starts_with(s));
                if !(in_order && in_scope) {
                    continue;
                }
                if !mw.only.is_empty() && !mw.only.iter().any(|spec| covers(spec, &rest, route)) {
                    continue;
                }
                // NestJS `exclude(…)` names routes below the global prefix, as `forRoutes` does.
                if mw
                    .unless
                    .as_ref()
                    .is_some_and(|u| u.routes.iter().any(|spec| covers(spec, &below(0), route)))
                {
                    continue;
                }
                let mut guard = mw.guard.clone();
                match mw.unless.as_ref().map(|u| excluded(u, &full)) {
                    Some(Some(true)) => continue,
                    // Skipped for paths keyhole cannot read: at most optional here.
                    Some(None) => guard.optional = true,
                    _ => {}
                }
                applicable.push(guard);
                with_files.push(mw.file);
            }
            for (guard, gfile) in applicable.iter().zip(with_files) {
                let v = self.evaluate(gfile, guard, Position::Router(&name));
                rate_limits.extend(self.rate_limit(guard, &v));
                found.push((v, guard.span, kind_of(guard.site)));
            }
            // Guards given where the next router was mounted.
            if let Some(&e) = chain.get(level).filter(|_| level >= isolated_from) {
                let child_name = self.routers[self.edges[e].child.0 as usize].name.clone();
                let guards = self.edges[e].guards.clone();
                for (gfile, guard) in &guards {
                    let v = self.evaluate(*gfile, guard, Position::Mount(&child_name));
                    rate_limits.extend(self.rate_limit(guard, &v));
                    found.push((v, guard.span, kind_of(guard.site)));
                }
            }
        }

        let mut required = Vec::new();
        let mut optional = Vec::new();
        for (verdict, span, kind) in found {
            match verdict {
                Verdict::Required(detail, guard) => {
                    required.push(evidence(span, kind, detail, guard))
                }
                Verdict::Optional(detail, guard) => {
                    optional.push(evidence(span, kind, detail, guard))
                }
                Verdict::NotGuard => {}
            }
        }
        let mounted = self.routers[top.0 as usize].kind == RouterKind::App;
        let top_name = self.routers[top.0 as usize].name.clone();
        // A Next.js route the app's middleware runs on and guards.
        let next_unknown = match framework {
            Framework::NextJs => match self.next_middleware_verdict(&top_name, &full) {
                next_middleware::NextVerdict::Required(e) => {
                    required.push(e);
                    None
                }
                next_middleware::NextVerdict::Unknown(reason) => Some(reason),
                next_middleware::NextVerdict::Off => None,
            },
            _ => None,
        };
        // A marker the configuration names (`@public_route`) makes the route public on
        // purpose, unless a guard says otherwise.
        let public_marker = route
            .guards
            .iter()
            .find(|g| self.vocabulary.public_marker(&g.target.display()));
        // A sign-in handler looks at credentials and turns bad ones away: that check is what
        // it is for, not a guard that makes it optional.
        let purpose = self
            .vocabulary
            .authentication_purpose(&full, route.handler.as_deref());
        if purpose.is_some() && optional.iter().all(|e| e.kind == EvidenceKind::InlineCheck) {
            optional.clear();
        }
        let auth = if !required.is_empty() {
            Auth::Required(required)
        } else if let Some(marker) = public_marker {
            Auth::None {
                reason: NoAuthReason::ExplicitlyPublic,
                evidence: vec![evidence(
                    marker.span,
                    kind_of(marker.site),
                    format!("`{}` marks it public", marker.target.display()),
                    String::new(),
                )],
            }
        } else if !optional.is_empty() {
            Auth::Optional(optional)
        } else if let Some(span) = public_mark {
            Auth::None {
                reason: NoAuthReason::ExplicitlyPublic,
                evidence: vec![evidence(
                    span,
                    EvidenceKind::Decorator,
                    "`@Public()` on the handler or its controller".to_string(),
                    String::new(),
                )],
            }
        } else if let Some(auth) = self.view_none() {
            auth
        } else if let Some(word) = purpose {
            Auth::None {
                reason: NoAuthReason::AuthenticationEndpoint,
                evidence: vec![evidence(
                    route.span,
                    EvidenceKind::Purpose,
                    format!("`{word}` endpoint"),
                    String::new(),
                )],
            }
        } else if framework == Framework::NextJs && next_auth_routes(&full) {
            Auth::None {
                reason: NoAuthReason::AuthenticationEndpoint,
                evidence: vec![evidence(
                    route.span,
                    EvidenceKind::Purpose,
                    "NextAuth's sign-in routes (`/api/auth/…`)".to_string(),
                    String::new(),
                )],
            }
        } else if let Some(segment) = self.vocabulary.public_resource(&full).filter(|_| {
            route
                .methods
                .iter()
                .all(|m| matches!(m, Method::Get | Method::Head))
        }) {
            Auth::None {
                reason: NoAuthReason::PublicResource,
                evidence: vec![evidence(
                    route.span,
                    EvidenceKind::Purpose,
                    format!("`{segment}`"),
                    String::new(),
                )],
            }
        } else if let Some(auth) = self.view_unknown() {
            auth
        } else if !mounted {
            Auth::Unknown(format!(
                "`{}` is never mounted on an app keyhole can see (registered in a loop, by a factory, or elsewhere?), so guards added where it is mounted are unknown",
                top_name
            ))
        } else if let Some(reason) = next_unknown {
            Auth::Unknown(reason)
        } else {
            Auth::None {
                reason: NoAuthReason::NoGuardFound,
                evidence: Vec::new(),
            }
        };
        let mounts = chain
            .iter()
            .map(|&e| {
                let edge = &self.edges[e];
                MountStep {
                    span: edge.span,
                    prefix: edge.prefix.as_ref().and_then(|p| self.path_value(p)),
                    router_name: self.routers[edge.child.0 as usize].name.clone(),
                }
            })
            .collect();
        let response = self.response_of(file, route);
        for &method in &route.methods {
            out.push(Endpoint {
                method,
                route: full.clone(),
                route_resolved: resolved,
                framework,
                registration: route.span,
                handler: route.handler.clone(),
                handler_location: None,
                router: Some(router),
                mounts: Vec::clone(&mounts),
                auth: auth.clone(),
                rate_limits: rate_limits.clone(),
                response: response.clone(),
            });
        }
    }

    fn unresolved_route(&mut self, file: FileId, route: &RouteDef, out: &mut Vec<Endpoint>) {
        let route_limits: Vec<Evidence> = route
            .guards
            .iter()
            .filter_map(|g| self.rate_limit(g, &Verdict::NotGuard))
            .collect();
        let Some(framework) = route
            .framework_hint
            .or_else(|| self.framework_of_file(file))
        else {
            return;
        };
        // Without a known router, only literal paths are routes worth listing.
        let Some(path) = route.path.value.as_deref().filter(|p| p.starts_with('/')) else {
            return;
        };
        let template = RouteTemplate::parse(path, param_syntax(framework));
        let mut required = Vec::new();
        let mut optional = Vec::new();
        for guard in &route.guards {
            match self.evaluate(file, guard, Position::Route) {
                Verdict::Required(d, g) => {
                    required.push(evidence(guard.span, kind_of(guard.site), d, g))
                }
                Verdict::Optional(d, g) => {
                    optional.push(evidence(guard.span, kind_of(guard.site), d, g))
                }
                Verdict::NotGuard => {}
            }
        }
        let auth = if !required.is_empty() {
            Auth::Required(required)
        } else if !optional.is_empty() {
            Auth::Optional(optional)
        } else {
            Auth::Unknown(format!(
                "`{}` could not be resolved to an app or router, so its prefix and app-wide guards are unknown",
                route.router.join(".")
            ))
        };
        let response = self.response_of(file, route);
        for &method in &route.methods {
            out.push(Endpoint {
                method,
                route: template.clone(),
                route_resolved: false,
                framework,
                registration: route.span,
                handler: route.handler.clone(),
                handler_location: None,
                router: None,
                mounts: Vec::new(),
                auth: auth.clone(),
                rate_limits: route_limits.clone(),
                response: response.clone(),
            });
        }
    }

    /// The route's declared response type, its class resolved through the module graph
    /// when the repository defines it.
    fn response_of(&self, file: FileId, route: &RouteDef) -> Option<ResponseType> {
        let declared = self.facts[file.index()]
            .responses
            .iter()
            .find(|r| r.route == route.span)?;
        let definition =
            declared
                .class
                .as_ref()
                .and_then(|class| match self.resolve(file, class, 0) {
                    Target::Class(f, i) => Some(self.facts[f.index()].classes[i].span),
                    _ => None,
                });
        Some(ResponseType {
            name: declared.text.clone(),
            span: declared.span,
            definition,
        })
    }

    /// The framework a file uses, judged by what it imports.
    fn framework_of_file(&self, file: FileId) -> Option<Framework> {
        self.facts[file.index()].imports.iter().find_map(|i| {
            let root = i.module.split(['.', '/']).next().unwrap_or_default();
            match root {
                "flask" | "flask_login" | "flask_jwt_extended" => Some(Framework::Flask),
                "fastapi" | "starlette" => Some(Framework::FastApi),
                "express" => Some(Framework::Express),
                "koa" | "@koa" | "koa-router" => Some(Framework::Koa),
                "fastify" | "@fastify" | "fastify-plugin" => Some(Framework::Fastify),
                "hono" | "@hono" => Some(Framework::Hono),
                "django" => Some(Framework::Django),
                "rest_framework" => Some(Framework::DjangoRestFramework),
                _ => None,
            }
        })
    }

    // ---- guards ----------------------------------------------------------------------

    /// A guard candidate that is no guard but a rate limit, as evidence for the inventory.
    fn rate_limit(&self, guard: &GuardRef, verdict: &Verdict) -> Option<Evidence> {
        if !matches!(verdict, Verdict::NotGuard) {
            return None;
        }
        let GuardTarget::Symbol(path) = &guard.target else {
            return None;
        };
        let name = path.join(".");
        self.vocabulary.rate_limit_by_name(&name).then(|| Evidence {
            span: guard.span,
            kind: EvidenceKind::RateLimit,
            detail: format!("rate limit `{name}`"),
            guard: Some(name),
        })
    }

    fn evaluate(&mut self, file: FileId, guard: &GuardRef, position: Position<'_>) -> Verdict {
        let verdict = self.evaluate_target(file, guard, 0);
        let optional = guard.optional;
        let verdict = match verdict {
            Verdict::Required(d, g) if optional => Verdict::Optional(d, g),
            v => v,
        };
        match verdict {
            Verdict::Required(d, g) => Verdict::Required(place(d, position), g),
            Verdict::Optional(d, g) => Verdict::Optional(place(d, position), g),
            Verdict::NotGuard => Verdict::NotGuard,
        }
    }

    fn evaluate_target(&mut self, file: FileId, guard: &GuardRef, depth: usize) -> Verdict {
        // A verdict depends on the guard's target and site, not on where it is written.
        let key = match (&guard.target, guard.site) {
            (GuardTarget::Inline(_), _) | (_, GuardSite::View | GuardSite::ClassMiddleware) => None,
            (target, site) => Some((file, site, target.display(), depth)),
        };
        if let Some(verdict) = key.as_ref().and_then(|k| self.target_verdicts.get(k)) {
            return verdict.clone();
        }
        let verdict = self.evaluate_target_uncached(file, guard, depth);
        if let Some(key) = key {
            self.target_verdicts.insert(key, verdict.clone());
        }
        verdict
    }

    fn evaluate_target_uncached(
        &mut self,
        file: FileId,
        guard: &GuardRef,
        depth: usize,
    ) -> Verdict {
        if depth > MAX_GUARD_DEPTH {
            return Verdict::NotGuard;
        }
        if guard.site == GuardSite::View {
            return self.view_verdict(file, guard, depth);
        }
        if guard.site == GuardSite::ClassMiddleware {
            return self.middleware_class_verdict(file, guard, depth);
        }
        if guard.site == GuardSite::ClassView {
            return self.class_view_verdict(file, guard, depth);
        }
        let written = guard.target.display();
        let by_name = |name: &str, vocabulary: &Vocabulary| vocabulary.guard_by_name(name);
        let describe = |site: GuardSite, name: &str| match site {
            GuardSite::Decorator => format!("`@{name}`"),
            GuardSite::Dependency => format!("`Depends({name})`"),
            GuardSite::Annotation => format!("`{name}`"),
            GuardSite::Middleware => format!("middleware `{name}`"),
            GuardSite::RequestHook => format!("request hook `{name}`"),
            GuardSite::InlineCheck => "a check in the handler".to_string(),
            GuardSite::ClassMiddleware => format!("middleware `{name}`"),
            GuardSite::View => format!("view `{name}`"),
            GuardSite::ClassView => format!("class-based view `{name}`"),
        };
        if let GuardTarget::Inline(summary) = &guard.target {
            let summary = (**summary).clone();
            let what = describe(guard.site, "inline function");
            return match self.summary_verdict(file, &summary, depth + 1) {
                Verdict::Required(why, g) => Verdict::Required(format!("{what} that {why}"), g),
                Verdict::Optional(why, g) => Verdict::Optional(format!("{what} that {why}"), g),
                Verdict::NotGuard => Verdict::NotGuard,
            };
        }
        let name_verdict = |m: GuardMatch, detail: String, guard_name: String| match m {
            GuardMatch::Required => Verdict::Required(detail, guard_name),
            GuardMatch::Optional => Verdict::Optional(detail, guard_name),
        };
        // JavaScript middleware defined in the repository is judged by what it does before
        // what it is called: `authenticateRequest` that lets anonymous callers through is
        // optional auth, whatever its name says.
        if self.language(file) != Language::Python && guard.site == GuardSite::Middleware {
            if let Target::Function(f, i) = self.resolve_guard_target(file, &guard.target) {
                let function = &self.facts[f.index()].functions[i];
                let function_name = function.name.clone();
                let passes = function.summary.passes_through;
                let what = describe(guard.site, &written);
                let named = |g: String| {
                    if g.is_empty() {
                        function_name.clone()
                    } else {
                        g
                    }
                };
                match self.function_verdict(f, i, depth + 1) {
                    Verdict::Required(why, g) => {
                        return Verdict::Required(format!("{what}, which {why}"), named(g))
                    }
                    Verdict::Optional(why, g) => {
                        return Verdict::Optional(format!("{what}, which {why}"), named(g))
                    }
                    Verdict::NotGuard => {
                        let guard_named = by_name(&written, self.vocabulary).is_some()
                            || by_name(&function_name, self.vocabulary).is_some();
                        if let (Some(span), true) = (passes, guard_named) {
                            let line = self
                                .files
                                .get(f)
                                .map_or(0, |sf| sf.line_col(span.start as usize).line);
                            return Verdict::Optional(
                                format!(
                                    "{what}, which rejects nothing and lets requests without credentials through (`next()` on line {line})"
                                ),
                                function_name,
                            );
                        }
                    }
                }
            }
        }
        // A NestJS guard class in the repository (`@UseGuards(X)`, `APP_GUARD`,
        // `useGlobalGuards`) is judged by its `canActivate`: one that denies is a guard
        // whatever its name; one that returns `true` whatever happens is none, however it is
        // called. When `canActivate` cannot be read (it delegates to a service), the name
        // decides as before.
        if self.language(file) != Language::Python && guard.site == GuardSite::Decorator {
            if let Target::Function(f, i) = self.resolve_guard_target(file, &guard.target) {
                let function = &self.facts[f.index()].functions[i];
                let always_true = function.summary.passes_through.is_some();
                let class = function.name.clone();
                match self.function_verdict(f, i, depth + 1) {
                    Verdict::Required(why, g) => {
                        let g = if g.is_empty() { class } else { g };
                        return Verdict::Required(
                            format!("guard `{written}`, whose `canActivate` {why},"),
                            g,
                        );
                    }
                    Verdict::Optional(why, g) => {
                        let g = if g.is_empty() { class } else { g };
                        return Verdict::Optional(
                            format!("guard `{written}`, whose `canActivate` {why},"),
                            g,
                        );
                    }
                    Verdict::NotGuard if always_true => return Verdict::NotGuard,
                    Verdict::NotGuard => {}
                }
            }
        }
        // A function of the repository that turns anonymous callers away only under a
        // condition not about the caller (`force_login_if_needed`: only in members-only
        // forums) is optional auth, whatever its name says.
        if guard.site != GuardSite::Annotation {
            if let Target::Function(f, i) = self.resolve_guard_target(file, &guard.target) {
                let function = &self.facts[f.index()].functions[i];
                if function.summary.denies.is_some() && function.summary.denies_conditionally {
                    let function_name = function.name.clone();
                    if let Verdict::Optional(why, g) = self.function_verdict(f, i, depth + 1) {
                        let g = if g.is_empty() { function_name } else { g };
                        return Verdict::Optional(
                            format!("{}, which {why}", describe(guard.site, &written)),
                            g,
                        );
                    }
                }
            }
        }
        if guard.site != GuardSite::Annotation {
            if let Some(m) = by_name(&written, self.vocabulary) {
                return name_verdict(m, describe(guard.site, &written), written);
            }
        }
        match self.resolve_guard_target(file, &guard.target) {
            Target::Function(f, i) => {
                let function_name = self.facts[f.index()].functions[i].name.clone();
                if guard.site != GuardSite::Annotation {
                    if let Some(m) = by_name(&function_name, self.vocabulary) {
                        return name_verdict(m, describe(guard.site, &written), function_name);
                    }
                }
                // A NestJS decorator of the repository (`@Authenticated()` defined as
                // `applyDecorators(UseGuards(AuthGuard), …)`) guards through the guards it
                // applies; never by its name.
                if guard.site == GuardSite::Annotation && self.language(f) != Language::Python {
                    let applied = self.facts[f.index()].functions[i]
                        .summary
                        .dependencies
                        .clone();
                    let mut optional = None;
                    for dep in &applied {
                        let mut inner = dep_guard(dep);
                        inner.site = GuardSite::Decorator;
                        let what =
                            |why: String| format!("decorator `@{written}`, which applies {why}");
                        match self.evaluate_target(f, &inner, depth + 1) {
                            Verdict::Required(why, g) => return Verdict::Required(what(why), g),
                            Verdict::Optional(why, g) => {
                                optional = optional.or(Some((what(why), g)))
                            }
                            Verdict::NotGuard => {}
                        }
                    }
                    return optional
                        .map_or(Verdict::NotGuard, |(why, g)| Verdict::Optional(why, g));
                }
                if guard.site == GuardSite::Annotation {
                    return Verdict::NotGuard;
                }
                match self.function_verdict(f, i, depth + 1) {
                    Verdict::Required(why, g) => Verdict::Required(
                        format!("{}, which {why}", describe(guard.site, &written)),
                        g,
                    ),
                    Verdict::Optional(why, g) => Verdict::Optional(
                        format!("{}, which {why}", describe(guard.site, &written)),
                        g,
                    ),
                    Verdict::NotGuard => Verdict::NotGuard,
                }
            }
            Target::Alias(f, i) => {
                let alias = self.facts[f.index()].aliases[i].clone();
                if let Some(scheme) = &alias.auth_scheme {
                    let detail = format!(
                        "{} (a `{scheme}` security scheme)",
                        describe(guard.site, &written)
                    );
                    return if scheme.contains("auto_error=False") {
                        Verdict::Optional(detail, written)
                    } else {
                        Verdict::Required(detail, written)
                    };
                }
                for dep in &alias.dependencies {
                    let inner = dep_guard(dep);
                    let detail = |why: String| {
                        format!("{}, defined as {why},", describe(guard.site, &written))
                    };
                    match self.evaluate_target(f, &inner, depth + 1) {
                        Verdict::Required(why, g) if !dep.optional => {
                            return Verdict::Required(detail(why), g)
                        }
                        Verdict::Required(why, g) | Verdict::Optional(why, g) => {
                            return Verdict::Optional(detail(why), g)
                        }
                        Verdict::NotGuard => {}
                    }
                }
                Verdict::NotGuard
            }
            // `_CurrentUser = Authenticator(required_scopes=…)`: an instance used as a
            // dependency is judged by its class (and its class's bases).
            Target::Instance(f, i) if guard.site != GuardSite::Annotation => {
                let class = self.facts[f.index()].instances[i].class.clone();
                let class_name = class.join(".");
                let lets_anonymous_in = self.facts[f.index()].instances[i].allows_anonymous;
                match self.class_guard(f, &class, 0) {
                    Some((m, name)) => name_verdict(
                        if lets_anonymous_in {
                            GuardMatch::Optional
                        } else {
                            m
                        },
                        format!(
                            "{} (an instance of `{class_name}`{})",
                            describe(guard.site, &written),
                            if lets_anonymous_in {
                                " that lets anonymous callers through"
                            } else {
                                ""
                            }
                        ),
                        name,
                    ),
                    None => Verdict::NotGuard,
                }
            }
            Target::External(name) if guard.site != GuardSite::Annotation => {
                match by_name(&name, self.vocabulary) {
                    Some(m) => name_verdict(
                        m,
                        format!("{} (`{name}`)", describe(guard.site, &written)),
                        name,
                    ),
                    None => Verdict::NotGuard,
                }
            }
            _ => Verdict::NotGuard,
        }
    }

    /// A class-based view's route methods run the dependencies its class attributes declare,
    /// its own first, then its bases' in method-resolution order (an attribute a subclass
    /// redeclares replaces its base's).
    fn class_view_verdict(&mut self, file: FileId, guard: &GuardRef, depth: usize) -> Verdict {
        let GuardTarget::Symbol(path) = &guard.target else {
            return Verdict::NotGuard;
        };
        let view = path.join(".");
        let mut declared: HashSet<String> = HashSet::new();
        let mut optional = None;
        // Depth first, first base first: Python's order for single and simple inheritance.
        let mut pending = vec![(file, path.clone())];
        let mut visited = 0;
        while let Some((f, class_path)) = pending.pop() {
            visited += 1;
            if visited > 16 {
                break;
            }
            let Target::Class(cf, ci) = self.resolve(f, &class_path, 0) else {
                continue;
            };
            let class = self.facts[cf.index()].classes[ci].clone();
            for (attribute, dep) in &class.attribute_dependencies {
                if !declared.insert(attribute.clone()) {
                    continue;
                }
                let what = |why: String| {
                    format!(
                        "{why} (attribute `{}.{attribute}` of class-based view `{view}`)",
                        class.name
                    )
                };
                match self.evaluate_target(cf, &dep_guard(dep), depth + 1) {
                    Verdict::Required(why, g) if !dep.optional => {
                        return Verdict::Required(what(why), g)
                    }
                    Verdict::Required(why, g) | Verdict::Optional(why, g) => {
                        optional = optional.or(Some((what(why), g)))
                    }
                    Verdict::NotGuard => {}
                }
            }
            pending.extend(class.bases.iter().rev().map(|b| (cf, b.clone())));
        }
        optional.map_or(Verdict::NotGuard, |(why, g)| Verdict::Optional(why, g))
    }

    /// A middleware class guards when, defined in the repository, its `__call__` or
    /// `dispatch` rejects requests with 401/403; its name proves nothing.
    fn middleware_class_verdict(
        &mut self,
        file: FileId,
        guard: &GuardRef,
        depth: usize,
    ) -> Verdict {
        let Target::Class(f, c) = self.resolve_guard_target(file, &guard.target) else {
            return Verdict::NotGuard;
        };
        let Some(class_span) = self.facts[f.index()].classes.get(c).map(|c| c.span) else {
            return Verdict::NotGuard;
        };
        let methods: Vec<(usize, String)> = self.facts[f.index()]
            .functions
            .iter()
            .enumerate()
            .filter(|(_, func)| {
                matches!(func.name.as_str(), "__call__" | "dispatch")
                    && class_span.start <= func.span.start
                    && func.span.end <= class_span.end
            })
            .map(|(j, func)| (j, func.name.clone()))
            .collect();
        let written = guard.target.display();
        for (j, name) in methods {
            if let Verdict::Required(why, g) = self.function_verdict(f, j, depth + 1) {
                return Verdict::Required(
                    format!("middleware `{written}`, whose `{name}` {why},"),
                    g,
                );
            }
        }
        Verdict::NotGuard
    }

    fn function_verdict(&mut self, file: FileId, index: usize, depth: usize) -> Verdict {
        if let Some(v) = self.function_verdicts.get(&(file, index)) {
            return v.clone();
        }
        // Provisional entry: a recursive dependency is not a guard by itself.
        self.function_verdicts
            .insert((file, index), Verdict::NotGuard);
        let summary = self.facts[file.index()].functions[index].summary.clone();
        let verdict = self.summary_verdict(file, &summary, depth);
        self.function_verdicts
            .insert((file, index), verdict.clone());
        verdict
    }

    fn summary_verdict(
        &mut self,
        file: FileId,
        summary: &FunctionSummary,
        depth: usize,
    ) -> Verdict {
        if let Some(span) = summary.denies {
            let line = self
                .files
                .get(file)
                .map_or(0, |f| f.line_col(span.start as usize).line);
            if summary.denies_conditionally {
                return Verdict::Optional(
                    format!(
                        "rejects requests with 401/403 (line {line}) only under a condition that is not about the caller alone"
                    ),
                    String::new(),
                );
            }
            return Verdict::Required(
                format!("rejects requests with 401/403 (line {line})"),
                String::new(),
            );
        }
        if let Some(why) = self.secret_gate_verdict(file, summary) {
            return Verdict::Required(why, String::new());
        }
        let mut optional = None;
        for dep in &summary.dependencies {
            let inner = dep_guard(dep);
            match self.evaluate_target(file, &inner, depth + 1) {
                Verdict::Required(why, g) => {
                    return Verdict::Required(format!("depends on {why}"), g)
                }
                Verdict::Optional(why, g) => optional = optional.or(Some((why, g))),
                Verdict::NotGuard => {}
            }
        }
        match optional {
            Some((why, g)) => Verdict::Optional(format!("depends on {why}"), g),
            None => Verdict::NotGuard,
        }
    }
}

impl Linker<'_> {
    /// A secret sent with the request looked up by the function itself, or by a function it
    /// passes request values to (`svc.verify(session, body.token)` whose `verify` looks
    /// `token` up and raises when nothing matches): why the request is turned away without it.
    fn secret_gate_verdict(&self, file: FileId, summary: &FunctionSummary) -> Option<String> {
        let line = |f: FileId, span: Span| {
            self.files
                .get(f)
                .map_or(0, |sf| sf.line_col(span.start as usize).line)
        };
        if let Some(gate) = summary.secret_gate.as_ref().filter(|g| g.request_value) {
            return Some(format!(
                "looks up the secret sent with the request (`{}`) and turns the request away when nothing matches (line {})",
                gate.secret,
                line(file, gate.span)
            ));
        }
        for call in &summary.gate_calls {
            let Some((f, i)) = self.callable(file, &call.callee) else {
                continue;
            };
            let Some(gate) = self.facts[f.index()].functions[i]
                .summary
                .secret_gate
                .as_ref()
            else {
                continue;
            };
            let passed = gate.position.is_some_and(|p| call.positional.contains(&p))
                || gate
                    .param
                    .as_ref()
                    .is_some_and(|p| call.keywords.contains(p));
            if !passed {
                continue;
            }
            let place = self.files.get(f).map_or_else(String::new, |sf| {
                format!("{}:{}", sf.path, line(f, gate.span))
            });
            return Some(format!(
                "passes a request value to `{}`, which looks up the secret (`{}`) and turns the request away when nothing matches ({place})",
                call.callee.join("."),
                gate.secret
            ));
        }
        None
    }

    /// The function a call names: a function, or a method of the class of an instance
    /// (`license_key_service.get_by_key` with `license_key_service = LicenseKeyService()`) or
    /// of a class (`Service.get_by_key`).
    fn callable(&self, file: FileId, callee: &[String]) -> Option<(FileId, usize)> {
        if let Target::Function(f, i) = self.resolve(file, callee, 0) {
            return Some((f, i));
        }
        let (method, owner) = callee.split_last()?;
        if owner.is_empty() {
            return None;
        }
        let (f, c) = match self.resolve(file, owner, 0) {
            Target::Class(f, c) => (f, c),
            Target::Instance(f, k) => {
                let class = self.facts[f.index()].instances.get(k)?.class.clone();
                match self.resolve(f, &class, 0) {
                    Target::Class(f, c) => (f, c),
                    _ => return None,
                }
            }
            _ => return None,
        };
        let class_span = self.facts[f.index()].classes.get(c)?.span;
        let index = self.facts[f.index()].functions.iter().position(|func| {
            func.name == *method
                && class_span.start <= func.span.start
                && func.span.end <= class_span.end
        })?;
        Some((f, index))
    }
}

/// Whether `.unless({ path })` skips `route`: `Some(true)` when a string equals the route or a
/// regular expression matches it (parameters filled with `1`), `None` when the exclusions
/// cannot be read.
fn excluded(unless: &Exclusions, route: &RouteTemplate) -> Option<bool> {
    let concrete: String = route
        .as_str()
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') && seg.ends_with('}') {
                "1"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    for literal in &unless.patterns {
        let (pattern, flags) = literal.strip_prefix('/').and_then(|p| p.rsplit_once('/'))?;
        let pattern = if flags.contains('i') {
            format!("(?i){pattern}")
        } else {
            pattern.to_string()
        };
        match regex::Regex::new(&pattern) {
            Ok(re) if re.is_match(&concrete) => return Some(true),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    for path in &unless.paths {
        let literal = RouteTemplate::parse(path, ParamSyntax::Colon);
        if &literal == route || literal.as_str() == concrete {
            return Some(true);
        }
    }
    if unless.unreadable {
        None
    } else {
        Some(false)
    }
}

/// Whether a NestJS `forRoutes` entry names `route` (its path below the app's prefix).
fn covers(spec: &RouteSpec, rest: &RouteTemplate, route: &RouteDef) -> bool {
    let method_ok = spec.methods.is_empty()
        || spec.methods.contains(&Method::Any)
        || route.methods.iter().any(|m| spec.methods.contains(m));
    if !method_ok {
        return false;
    }
    let path = spec.path.trim_end_matches("(.*)");
    match path.strip_suffix('*') {
        Some(prefix) => rest.starts_with(&RouteTemplate::parse(
            prefix.trim_end_matches('/'),
            ParamSyntax::Colon,
        )),
        None => *rest == RouteTemplate::parse(path, ParamSyntax::Colon),
    }
}

fn dep_guard(dep: &keyhole_core::facts::DependencyRef) -> GuardRef {
    GuardRef {
        site: if dep.via_alias {
            GuardSite::Annotation
        } else {
            GuardSite::Dependency
        },
        target: GuardTarget::Symbol(dep.target.clone()),
        called: true,
        optional: dep.optional,
        span: dep.span,
    }
}

/// `/api/auth/{nextauth}`: the catch-all NextAuth / Auth.js route that signs callers in, and
/// the routes beside it under `/api/auth/` (`/api/auth/guest`), which sign callers in too.
fn next_auth_routes(route: &RouteTemplate) -> bool {
    let segments: Vec<&str> = route.segments().collect();
    matches!(segments.as_slice(), ["api", "auth", _])
}

fn place(detail: String, position: Position<'_>) -> String {
    match position {
        Position::Route => format!("{detail} on the route"),
        Position::Router(name) => format!("{detail} on `{name}`"),
        Position::Mount(name) => format!("{detail} where `{name}` is mounted"),
    }
}

fn evidence(span: Span, kind: EvidenceKind, detail: String, guard: String) -> Evidence {
    Evidence {
        span,
        kind,
        detail,
        guard: (!guard.is_empty()).then_some(guard),
    }
}

fn kind_of(site: GuardSite) -> EvidenceKind {
    match site {
        GuardSite::Decorator => EvidenceKind::Decorator,
        GuardSite::Dependency | GuardSite::Annotation => EvidenceKind::Dependency,
        GuardSite::Middleware => EvidenceKind::Middleware,
        GuardSite::RequestHook => EvidenceKind::RequestHook,
        GuardSite::InlineCheck => EvidenceKind::InlineCheck,
        GuardSite::ClassMiddleware => EvidenceKind::Middleware,
        GuardSite::View => EvidenceKind::View,
        GuardSite::ClassView => EvidenceKind::Dependency,
    }
}

fn param_syntax(framework: Framework) -> ParamSyntax {
    match framework {
        Framework::Flask => ParamSyntax::AngleBrackets,
        Framework::FastApi => ParamSyntax::Braces,
        Framework::Express
        | Framework::Koa
        | Framework::Fastify
        | Framework::NestJs
        | Framework::Hono => ParamSyntax::Colon,
        Framework::NextJs => ParamSyntax::Braces,
        Framework::OpenApi | Framework::Connexion => ParamSyntax::Braces,
        Framework::Django | Framework::DjangoRestFramework => ParamSyntax::Django,
    }
}

/// The paths a route template's call fills in: one, or one per item of the list a
/// [`PathPiece::Item`] parameter receives. `None` inside: a piece the call leaves unknown.
/// The outer `None`: the template's path is written, not computed.
fn template_paths<'a>(
    pieces: &[PathPiece],
    arg: impl Fn(ParamIndex) -> Option<&'a CallArg>,
) -> Vec<Option<Option<String>>> {
    let mut paths: Vec<Option<String>> = vec![Some(String::new())];
    for piece in pieces {
        match piece {
            PathPiece::Text(t) => paths.iter_mut().flatten().for_each(|p| p.push_str(t)),
            PathPiece::Param(i) => {
                let text = arg(*i).and_then(|a| a.text.clone());
                for path in &mut paths {
                    *path = match (path.take(), &text) {
                        (Some(p), Some(t)) => Some(p + t),
                        _ => None,
                    };
                }
            }
            PathPiece::Item(i) => {
                // An unknown list is one route with an unknown path, not none.
                let items = arg(*i)
                    .and_then(|a| a.items.clone())
                    .filter(|items| !items.is_empty())
                    .unwrap_or_else(|| vec![None]);
                paths = paths
                    .iter()
                    .flat_map(|p| {
                        items.iter().map(move |item| match (p, item) {
                            (Some(p), Some(t)) => Some(format!("{p}{t}")),
                            _ => None,
                        })
                    })
                    .take(MAX_TEMPLATE_PATHS)
                    .collect();
            }
        }
    }
    paths.into_iter().map(Some).collect()
}
