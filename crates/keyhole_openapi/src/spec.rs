//! A loaded spec: its files, `$ref` resolution, and the normalised model of Swagger 2.0 and
//! OpenAPI 3.x that the rules read.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use keyhole_core::{FileId, Span};

use crate::tree::{percent_decode, NodeId, Tree, Value};

/// How many files one spec may pull in through `$ref`.
const MAX_FILES: usize = 2_000;
/// How many `$ref` hops a chain may take.
const MAX_REF_HOPS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

impl Format {
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Swagger2,
    OpenApi30,
    /// 3.1, and 3.2 read as 3.1.
    OpenApi31,
}

/// A node in one of the spec's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeRef {
    pub doc: u32,
    pub node: NodeId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Worth saying, does not stop loading (a duplicate key, a version written as a number).
    Warning,
    /// A `$ref` keyhole did not follow: a URL, a path leaving the root, a missing target.
    UnresolvedRef,
    /// A node of the wrong type where the spec's structure fixes one (`paths` written as a
    /// list): keyhole skips the node and loads the rest.
    Type,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
}

/// Why a file could not be loaded as a spec, located in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SpecError {
    pub span: Span,
    pub message: String,
    /// The file is not a spec at all (no version key): a fragment, or another YAML file.
    pub not_a_spec: bool,
}

/// Reads files that `$ref`s name. The engine implements it (and registers each file for
/// rendering); this crate never touches the file system itself.
pub trait FileSource {
    /// Read `path`, already checked to lie lexically inside the root. May refuse (a
    /// symbolic link leading out, a device file, a file too large).
    fn load(&mut self, path: &Path) -> Result<(FileId, Arc<str>), String>;
}

#[derive(Debug)]
pub struct Doc {
    pub file: FileId,
    pub path: PathBuf,
    pub tree: Tree,
}

#[derive(Debug, Clone)]
pub struct Security {
    /// The `security` value.
    pub node: NodeRef,
    /// The key `security`.
    pub key_span: Span,
    /// Scheme names of each requirement object; an empty one (`{}`) means optional.
    pub requirements: Vec<Vec<String>>,
}

impl Security {
    /// `security: []`: explicitly public.
    pub fn is_public(&self) -> bool {
        self.requirements.is_empty()
    }

    /// A `{}` alternative: authentication is optional.
    pub fn is_optional(&self) -> bool {
        self.requirements.iter().any(Vec::is_empty)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// HTTP authentication with its scheme, lower-cased (`basic`, `bearer`, `digest`).
    Http(String),
    /// An API key and where it goes (`header`, `query`, `cookie`).
    ApiKey(String),
    /// OAuth 2 with its flows (3.x names: `implicit`, `password`, `clientCredentials`,
    /// `authorizationCode`) and where each is written.
    OAuth2(Vec<(String, Span)>),
    OpenIdConnect,
    MutualTls,
    Unknown(String),
}

#[derive(Debug, Clone)]
pub struct SecurityScheme {
    pub name: String,
    pub key_span: Span,
    pub node: NodeRef,
    pub kind: SchemeKind,
}

#[derive(Debug, Clone)]
pub struct Server {
    pub url: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    /// `query`, `path`, `header`, `cookie`, or 2.0's `formData`.
    pub location: String,
    pub node: NodeRef,
    /// Where the name is written (the `name` value).
    pub name_span: Span,
    /// The schema: 3.x `schema` (or `content.*.schema`); for 2.0 non-body parameters, the
    /// parameter itself, which carries `type`, `maxLength` and the like.
    pub schema: Option<NodeRef>,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    pub media_type: String,
    pub schema: NodeRef,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: String,
    pub key_span: Span,
    pub node: NodeRef,
    pub schemas: Vec<NodeRef>,
    pub headers: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// Lower-case method key (`get`, `post`, …, `trace`, `query`).
    pub method: String,
    pub path: String,
    pub path_item: NodeRef,
    pub node: NodeRef,
    /// The method key (`get:`): where findings about the operation point.
    pub key_span: Span,
    pub path_key_span: Span,
    pub operation_id: Option<String>,
    pub parameters: Vec<Param>,
    pub request: Vec<RequestBody>,
    pub responses: Vec<Response>,
    /// The operation's own `security`.
    pub security: Option<Security>,
    pub deprecated: bool,
}

/// A loaded spec.
#[derive(Debug)]
pub struct Spec {
    pub version: Version,
    /// The version as written (`3.1.0`, `2.0`).
    pub version_text: String,
    /// The files: the root first, then those reached through `$ref`.
    pub docs: Vec<Doc>,
    pub operations: Vec<Operation>,
    pub schemes: Vec<SecurityScheme>,
    pub global_security: Option<Security>,
    pub servers: Vec<Server>,
    /// Webhook operations (3.1): calls the API makes, kept apart from what it serves.
    pub webhooks: Vec<Operation>,
    pub problems: Vec<Problem>,
    refs: HashMap<NodeRef, Option<NodeRef>>,
    ignores: Vec<Ignore>,
}

/// One `x-keyhole-ignore`, and which of the rules it names suppressed something.
#[derive(Debug)]
struct Ignore {
    /// The mapping carrying it.
    node: NodeRef,
    /// What it covers: the mapping from its key on; `None` on the root (the whole spec).
    scope: Option<(FileId, std::ops::Range<u32>)>,
    /// Each rule named, where it is written, and whether it suppressed a finding.
    rules: Vec<(String, Span, AtomicBool)>,
}

impl Ignore {
    /// Whether it names `rule` (or `all`), marking the names that match as used.
    fn suppresses(&self, rule: &str) -> bool {
        let mut hit = false;
        for (name, _, used) in &self.rules {
            if name == rule || name == "all" {
                used.store(true, Ordering::Relaxed);
                hit = true;
            }
        }
        hit
    }
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace", "query",
];

/// Keys whose value is a map of names (so a key such as `default` inside is a name).
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "schemas",
    "responses",
    "parameters",
    "securitySchemes",
    "securityDefinitions",
    "examples",
    "headers",
    "paths",
    "links",
    "callbacks",
    "requestBodies",
    "content",
    "encoding",
    "variables",
    "webhooks",
    "pathItems",
];

impl Spec {
    /// Load a spec whose root file has been read and registered as `file`.
    pub fn load(
        file: FileId,
        path: &Path,
        text: &str,
        format: Format,
        root: &Path,
        source: &mut dyn FileSource,
    ) -> Result<Spec, SpecError> {
        let at = |offset: usize| Span::new(file, offset, offset);
        let parsed = crate::parse(text, format).map_err(|e| SpecError {
            span: at(e.offset),
            message: e.message,
            not_a_spec: false,
        })?;
        let tree = parsed.tree;
        let mut problems = Vec::new();
        duplicate_problems(file, &tree, &parsed.duplicates, text, &mut problems);
        let root_node = tree.root();
        let root_span = tree.span(root_node);
        let whole = Span::new(file, root_span.start as usize, root_span.end as usize);
        if !tree.is_map(root_node) {
            let what = if tree.is_seq(root_node) {
                "a list"
            } else {
                "a scalar"
            };
            return Err(SpecError {
                span: whole,
                message: format!("not an OpenAPI document: the root is {what}, not a mapping"),
                not_a_spec: true,
            });
        }
        let (version, version_text) = detect_version(&tree, file, &mut problems)?;
        let mut spec = Spec {
            version,
            version_text,
            docs: vec![Doc {
                file,
                path: normalize(path),
                tree,
            }],
            operations: Vec::new(),
            schemes: Vec::new(),
            global_security: None,
            servers: Vec::new(),
            webhooks: Vec::new(),
            problems,
            refs: HashMap::new(),
            ignores: Vec::new(),
        };
        spec.resolve_all(&normalize(root), source);
        spec.check_types();
        spec.build();
        spec.collect_ignores();
        Ok(spec)
    }

    pub fn tree(&self, doc: u32) -> &Tree {
        static EMPTY: Tree = Tree { nodes: Vec::new() };
        self.docs.get(doc as usize).map_or(&EMPTY, |d| &d.tree)
    }

    pub fn root(&self) -> NodeRef {
        NodeRef {
            doc: 0,
            node: NodeId(0),
        }
    }

    pub fn file(&self, doc: u32) -> FileId {
        self.docs.get(doc as usize).map_or(FileId(0), |d| d.file)
    }

    pub fn span(&self, r: NodeRef) -> Span {
        let range = self.tree(r.doc).span(r.node);
        Span::new(self.file(r.doc), range.start as usize, range.end as usize)
    }

    fn range_span(&self, doc: u32, range: &std::ops::Range<u32>) -> Span {
        Span::new(self.file(doc), range.start as usize, range.end as usize)
    }

    pub fn value(&self, r: NodeRef) -> Option<&Value> {
        self.tree(r.doc).value(r.node)
    }

    pub fn str(&self, r: NodeRef) -> Option<&str> {
        self.tree(r.doc).str(r.node)
    }

    /// Follow `$ref`s (and YAML aliases) to the node they name. A broken or cyclic chain
    /// ends at the last `$ref` map, which has no content the rules look at.
    pub fn resolve(&self, mut r: NodeRef) -> NodeRef {
        for _ in 0..MAX_REF_HOPS {
            r.node = self.tree(r.doc).deref(r.node);
            match self.refs.get(&r) {
                Some(Some(target)) => r = *target,
                _ => return r,
            }
        }
        r
    }

    /// The value under `key` of a mapping (after resolving `r`), itself resolved.
    pub fn get(&self, r: NodeRef, key: &str) -> Option<NodeRef> {
        let r = self.resolve(r);
        let node = self.tree(r.doc).get(r.node, key)?;
        Some(self.resolve(NodeRef { doc: r.doc, node }))
    }

    /// The raw (unresolved) value under `key`, with the key's span.
    pub fn entry(&self, r: NodeRef, key: &str) -> Option<(Span, NodeRef)> {
        let r = self.resolve(r);
        let e = self.tree(r.doc).entry(r.node, key)?;
        Some((
            self.range_span(r.doc, &e.key_span),
            NodeRef {
                doc: r.doc,
                node: e.value,
            },
        ))
    }

    /// A mapping's entries (after resolving it): key, key span, resolved value.
    pub fn entries(&self, r: NodeRef) -> Vec<(&str, Span, NodeRef)> {
        let r = self.resolve(r);
        self.tree(r.doc)
            .entries(r.node)
            .iter()
            .map(|e| {
                (
                    e.key.as_str(),
                    self.range_span(r.doc, &e.key_span),
                    self.resolve(NodeRef {
                        doc: r.doc,
                        node: e.value,
                    }),
                )
            })
            .collect()
    }

    /// A sequence's items (after resolving it), each resolved.
    pub fn items(&self, r: NodeRef) -> Vec<NodeRef> {
        let r = self.resolve(r);
        self.tree(r.doc)
            .items(r.node)
            .iter()
            .map(|&node| self.resolve(NodeRef { doc: r.doc, node }))
            .collect()
    }

    pub fn get_str(&self, r: NodeRef, key: &str) -> Option<&str> {
        self.get(r, key).and_then(|v| self.str(v))
    }

    pub fn get_bool(&self, r: NodeRef, key: &str) -> Option<bool> {
        match self.get(r, key).and_then(|v| self.value(v)) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// Whether a `x-keyhole-ignore` on this mapping names `rule` (or `all`); a walk that
    /// skips the mapping because of it counts as the ignore being used.
    pub fn ignored_at(&self, r: NodeRef, rule: &str) -> bool {
        self.ignores
            .iter()
            .filter(|i| i.node == r)
            // Every ignore that names the rule is used, not only the first.
            .filter(|i| i.suppresses(rule))
            .count()
            > 0
    }

    /// Whether `x-keyhole-ignore` on the root, or on a mapping enclosing `span`, names `rule`.
    /// Every ignore that does is marked used.
    pub fn is_ignored(&self, rule: &str, span: Span) -> bool {
        self.ignores
            .iter()
            .filter(|i| match &i.scope {
                None => true,
                Some((file, range)) => {
                    *file == span.file && range.start <= span.start && span.end <= range.end
                }
            })
            // Every ignore that names the rule is used, not only the first.
            .filter(|i| i.suppresses(rule))
            .count()
            > 0
    }

    /// The rules named in `x-keyhole-ignore` that suppressed nothing so far, with where each
    /// name is written. Read after every spec rule has run.
    pub fn unused_ignores(&self) -> Vec<(Span, String)> {
        self.ignores
            .iter()
            .flat_map(|i| &i.rules)
            .filter(|(_, _, used)| !used.load(Ordering::Relaxed))
            .map(|(name, span, _)| (*span, name.clone()))
            .collect()
    }

    /// The path prefixes the spec's paths are served under: 2.0's `basePath`, and the path
    /// part of each top-level 3.x server URL (`https://api.example.com/v1` → `/v1`,
    /// `/api` → `/api`), server variables replaced by their defaults. Root prefixes (`/`)
    /// are left out.
    pub fn path_prefixes(&self) -> Vec<String> {
        let root = self.root();
        let mut out: Vec<String> = Vec::new();
        let mut push = |p: String| {
            let p = p.trim_end_matches('/').to_string();
            if p.starts_with('/') && p.len() > 1 && !out.contains(&p) {
                out.push(p);
            }
        };
        if self.version == Version::Swagger2 {
            if let Some(base) = self.get_str(root, "basePath") {
                push(base.to_string());
            }
            return out;
        }
        let Some(list) = self.get(root, "servers") else {
            return out;
        };
        for server in self.items(list) {
            let Some(url) = self.get_str(server, "url") else {
                continue;
            };
            let mut url = url.to_string();
            if let Some(vars) = self.get(server, "variables") {
                for (name, _, var) in self.entries(vars) {
                    if let Some(default) = self.get_str(var, "default") {
                        url = url.replace(&format!("{{{name}}}"), default);
                    }
                }
            }
            if url.contains('{') {
                continue; // a variable without a default: the prefix is not known
            }
            let path = match url.find("://") {
                Some(i) => url[i + 3..].find('/').map_or("", |j| &url[i + 3 + j..]),
                None => url.as_str(),
            };
            let path = path.split(['?', '#']).next().unwrap_or_default();
            push(path.to_string());
        }
        out
    }

    /// The security that applies to an operation: its own, else the global one.
    pub fn effective_security<'a>(&'a self, op: &'a Operation) -> Option<&'a Security> {
        op.security.as_ref().or(self.global_security.as_ref())
    }

    pub fn scheme(&self, name: &str) -> Option<&SecurityScheme> {
        self.schemes.iter().find(|s| s.name == name)
    }

    // ---- $ref resolution ------------------------------------------------------------

    /// Find every `$ref` in every file (outside examples, defaults and extensions), load
    /// the files they name, and record each target or why it was not followed.
    fn resolve_all(&mut self, root: &Path, source: &mut dyn FileSource) {
        let mut loaded: HashMap<PathBuf, Result<u32, String>> = HashMap::new();
        loaded.insert(self.docs[0].path.clone(), Ok(0));
        let mut next_doc = 0usize;
        while next_doc < self.docs.len() {
            let doc = next_doc as u32;
            next_doc += 1;
            for (ref_map, value) in ref_sites(self.tree(doc)) {
                let site = NodeRef { doc, node: ref_map };
                let value_span = self.span(NodeRef { doc, node: value });
                let Some(text) = self.tree(doc).str(value).map(str::to_string) else {
                    self.unresolved(value_span, "`$ref` must be a string".into());
                    self.refs.insert(site, None);
                    continue;
                };
                let target = self.target(doc, &text, root, source, &mut loaded);
                match target {
                    Ok(t) => {
                        self.refs.insert(site, Some(t));
                    }
                    Err(why) => {
                        self.unresolved(value_span, format!("`$ref: {text}` not followed: {why}"));
                        self.refs.insert(site, None);
                    }
                }
            }
        }
        // Chains that come back to where they started.
        let mut sites: Vec<NodeRef> = self.refs.keys().copied().collect();
        sites.sort_by_key(|r| (r.doc, r.node));
        let mut reported: HashSet<NodeRef> = HashSet::new();
        for start in sites {
            let mut seen = vec![start];
            let mut r = start;
            while let Some(Some(t)) = self.refs.get(&r) {
                let t = NodeRef {
                    doc: t.doc,
                    node: self.tree(t.doc).deref(t.node),
                };
                if let Some(pos) = seen.iter().position(|s| *s == t) {
                    let cycle = &seen[pos..];
                    if cycle.iter().all(|c| !reported.contains(c)) {
                        reported.extend(cycle.iter().copied());
                        let chain: Vec<String> = cycle
                            .iter()
                            .chain(std::iter::once(&t))
                            .filter_map(|c| self.get_raw_ref(*c))
                            .collect();
                        let span = self.ref_value_span(t);
                        self.unresolved(
                            span,
                            format!("`$ref` cycle: {} (it names no schema)", chain.join(" → ")),
                        );
                    }
                    for c in cycle {
                        self.refs.insert(*c, None);
                    }
                    break;
                }
                if seen.len() > MAX_REF_HOPS {
                    break;
                }
                seen.push(t);
                r = t;
            }
        }
    }

    fn get_raw_ref(&self, r: NodeRef) -> Option<String> {
        let tree = self.tree(r.doc);
        tree.get_str(r.node, "$ref").map(str::to_string)
    }

    fn ref_value_span(&self, r: NodeRef) -> Span {
        match self.tree(r.doc).get(r.node, "$ref") {
            Some(v) => self.span(NodeRef {
                doc: r.doc,
                node: v,
            }),
            None => self.span(r),
        }
    }

    fn unresolved(&mut self, span: Span, message: String) {
        self.problems.push(Problem {
            kind: ProblemKind::UnresolvedRef,
            span,
            message,
        });
    }

    fn target(
        &mut self,
        doc: u32,
        text: &str,
        root: &Path,
        source: &mut dyn FileSource,
        loaded: &mut HashMap<PathBuf, Result<u32, String>>,
    ) -> Result<NodeRef, String> {
        let (file_part, fragment) = match text.split_once('#') {
            Some((f, frag)) => (f, Some(frag)),
            None => (text, None),
        };
        let target_doc = if file_part.is_empty() {
            doc
        } else {
            self.external(doc, file_part, root, source, loaded)?
        };
        let fragment = percent_decode(fragment.unwrap_or(""));
        if !fragment.is_empty() && !fragment.starts_with('/') {
            return Err(format!(
                "`#{fragment}` is not a JSON pointer (anchors are not supported)"
            ));
        }
        let tree = self.tree(target_doc);
        if !tree.is_map(tree.root()) && !tree.is_seq(tree.root()) && !fragment.is_empty() {
            return Err("the target file is not a mapping".into());
        }
        for token in fragment.split('/').skip(1) {
            if crate::tree::unescape_pointer(token).is_none() {
                return Err(format!("invalid escape in pointer token `{token}`"));
            }
        }
        match tree.lookup(&fragment) {
            Some(node) => Ok(NodeRef {
                doc: target_doc,
                node,
            }),
            None => Err(format!("nothing at `#{fragment}`")),
        }
    }

    fn external(
        &mut self,
        doc: u32,
        file_part: &str,
        root: &Path,
        source: &mut dyn FileSource,
        loaded: &mut HashMap<PathBuf, Result<u32, String>>,
    ) -> Result<u32, String> {
        let lower = file_part.to_ascii_lowercase();
        if lower.starts_with("//") || has_scheme(&lower) {
            return Err("remote and absolute URLs are never fetched".into());
        }
        if file_part.contains('\\') {
            return Err("backslash paths are not followed".into());
        }
        if file_part.starts_with('/') {
            return Err("absolute paths are not followed".into());
        }
        let base = self.docs[doc as usize]
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut candidate = normalize(&base.join(file_part));
        if !candidate.starts_with(root) {
            return Err(format!(
                "it leads outside the root `{}`; not read",
                root.display()
            ));
        }
        let decoded = percent_decode(file_part);
        if decoded != file_part && !loaded.contains_key(&candidate) && !candidate.is_file() {
            candidate = normalize(&base.join(&decoded));
            if !candidate.starts_with(root) {
                return Err("it leads outside the root; not read".into());
            }
        }
        if let Some(result) = loaded.get(&candidate) {
            return result.clone();
        }
        let result = if self.docs.len() >= MAX_FILES {
            Err(format!("more than {MAX_FILES} files referenced; not read"))
        } else {
            self.read_doc(&candidate, source)
        };
        loaded.insert(candidate, result.clone());
        result
    }

    fn read_doc(&mut self, path: &Path, source: &mut dyn FileSource) -> Result<u32, String> {
        let (file, text) = source.load(path)?;
        let format = Format::from_path(path).unwrap_or(if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Yaml
        });
        let parsed = crate::parse(&text, format).map_err(|e| {
            let starts = keyhole_core::source::line_starts(&text);
            let at = keyhole_core::source::line_col(&text, &starts, e.offset);
            format!(
                "{}:{}:{}: {}",
                path.display(),
                at.line,
                at.column,
                e.message
            )
        })?;
        duplicate_problems(
            file,
            &parsed.tree,
            &parsed.duplicates,
            &text,
            &mut self.problems,
        );
        self.docs.push(Doc {
            file,
            path: path.to_path_buf(),
            tree: parsed.tree,
        });
        Ok((self.docs.len() - 1) as u32)
    }

    // ---- node types -----------------------------------------------------------------

    /// Report every node whose type the spec's structure fixes and that has another one
    /// (`paths` written as a list, an operation as a string): each such node is skipped by
    /// [`Spec::build`], so saying so is the only trace it leaves. Walks the fixed skeleton
    /// only (root, components, path items, operations, responses), each node once.
    fn check_types(&mut self) {
        let mut check = TypeCheck {
            spec: self,
            seen: HashSet::new(),
            found: Vec::new(),
            dropped: 0,
        };
        check.root();
        let TypeCheck { found, dropped, .. } = check;
        if dropped > 0 {
            if let Some(last) = found.last() {
                let span = last.span;
                self.problems.extend(found);
                self.problems.push(Problem {
                    kind: ProblemKind::Type,
                    span,
                    message: format!("{dropped} more nodes of the wrong type not listed"),
                });
                return;
            }
        }
        self.problems.extend(found);
    }

    // ---- the model ------------------------------------------------------------------

    fn build(&mut self) {
        let root = self.root();
        let swagger = self.version == Version::Swagger2;
        // Security schemes.
        let schemes_node = if swagger {
            self.get(root, "securityDefinitions")
        } else {
            self.get(root, "components")
                .and_then(|c| self.get(c, "securitySchemes"))
        };
        let mut schemes = Vec::new();
        if let Some(node) = schemes_node {
            for (name, key_span, scheme) in self.entries(node) {
                if name.starts_with("x-") {
                    continue; // an extension, not a scheme
                }
                let kind = self.scheme_kind(scheme);
                schemes.push(SecurityScheme {
                    name: name.to_string(),
                    key_span,
                    node: scheme,
                    kind,
                });
            }
        }
        self.schemes = schemes;
        self.global_security = self.security(root);
        // Servers.
        let mut servers = Vec::new();
        if swagger {
            if let Some(schemes) = self.get(root, "schemes") {
                let host = self.get_str(root, "host").unwrap_or("");
                for item in self.items(schemes) {
                    if let Some(s) = self.str(item) {
                        servers.push(Server {
                            url: format!("{s}://{host}"),
                            span: self.span(item),
                        });
                    }
                }
            }
        } else {
            servers.extend(self.servers_of(root));
        }
        // Operations.
        let mut operations = Vec::new();
        if let Some(paths) = self.get(root, "paths") {
            for (path, path_key_span, item) in self.entries(paths) {
                if !path.starts_with('/') && path.starts_with("x-") {
                    continue;
                }
                if !swagger {
                    servers.extend(self.servers_of(item));
                }
                operations.extend(self.operations_of(path, path_key_span, item, &mut servers));
            }
        }
        let mut webhooks = Vec::new();
        if let Some(hooks) = self.get(root, "webhooks") {
            for (name, key_span, item) in self.entries(hooks) {
                webhooks.extend(self.operations_of(name, key_span, item, &mut Vec::new()));
            }
        }
        self.servers = servers;
        self.operations = operations;
        self.webhooks = webhooks;
    }

    fn servers_of(&self, node: NodeRef) -> Vec<Server> {
        let Some(list) = self.get(node, "servers") else {
            return Vec::new();
        };
        self.items(list)
            .into_iter()
            .filter_map(|server| {
                let (_, url) = self.entry(server, "url")?;
                Some(Server {
                    url: self.str(url)?.to_string(),
                    span: self.span(url),
                })
            })
            .collect()
    }

    fn operations_of(
        &self,
        path: &str,
        path_key_span: Span,
        item: NodeRef,
        servers: &mut Vec<Server>,
    ) -> Vec<Operation> {
        let shared = self.parameters(item);
        let mut out = Vec::new();
        for (key, key_span, op) in self.entries(item) {
            let method = key.to_ascii_lowercase();
            if !METHODS.contains(&method.as_str()) || !self.tree(op.doc).is_map(op.node) {
                continue;
            }
            if self.version != Version::Swagger2 {
                servers.extend(self.servers_of(op));
            }
            let mut parameters = self.parameters(op);
            for p in &shared {
                if !parameters
                    .iter()
                    .any(|q| q.name == p.name && q.location == p.location)
                {
                    parameters.push(p.clone());
                }
            }
            let mut request = Vec::new();
            if self.version == Version::Swagger2 {
                for raw in self
                    .raw_parameters(op)
                    .into_iter()
                    .chain(self.raw_parameters(item))
                {
                    if self.get_str(raw, "in") == Some("body") {
                        if let Some(schema) = self.get(raw, "schema") {
                            request.push(RequestBody {
                                media_type: "application/json".into(),
                                schema,
                            });
                        }
                    }
                }
            } else if let Some(body) = self.get(op, "requestBody") {
                if let Some(content) = self.get(body, "content") {
                    for (media_type, _, media) in self.entries(content) {
                        if let Some(schema) = self.get(media, "schema") {
                            request.push(RequestBody {
                                media_type: media_type.to_string(),
                                schema,
                            });
                        }
                    }
                }
            }
            let mut responses = Vec::new();
            if let Some(map) = self.get(op, "responses") {
                for (status, status_span, response) in self.entries(map) {
                    if status.starts_with("x-") {
                        continue;
                    }
                    let mut schemas = Vec::new();
                    if self.version == Version::Swagger2 {
                        schemas.extend(self.get(response, "schema"));
                    } else if let Some(content) = self.get(response, "content") {
                        for (_, _, media) in self.entries(content) {
                            schemas.extend(self.get(media, "schema"));
                        }
                    }
                    let headers = self
                        .get(response, "headers")
                        .map(|h| {
                            self.entries(h)
                                .into_iter()
                                .map(|(k, _, _)| k.to_string())
                                .collect()
                        })
                        .unwrap_or_default();
                    responses.push(Response {
                        status: status.to_string(),
                        key_span: status_span,
                        node: response,
                        schemas,
                        headers,
                    });
                }
            }
            out.push(Operation {
                method,
                path: path.to_string(),
                path_item: item,
                node: op,
                key_span,
                path_key_span,
                operation_id: self.get_str(op, "operationId").map(str::to_string),
                parameters: parameters
                    .into_iter()
                    .filter(|p| p.location != "body")
                    .collect(),
                request,
                responses,
                security: self.security(op),
                deprecated: self.get_bool(op, "deprecated") == Some(true),
            });
        }
        out
    }

    fn raw_parameters(&self, node: NodeRef) -> Vec<NodeRef> {
        self.get(node, "parameters")
            .map(|list| self.items(list))
            .unwrap_or_default()
    }

    fn parameters(&self, node: NodeRef) -> Vec<Param> {
        let mut out = Vec::new();
        for p in self.raw_parameters(node) {
            let Some((_, name_node)) = self.entry(p, "name") else {
                continue;
            };
            let Some(name) = self.str(name_node) else {
                continue;
            };
            let location = self.get_str(p, "in").unwrap_or("").to_string();
            let schema = if self.version == Version::Swagger2 {
                (location != "body").then_some(p)
            } else {
                self.get(p, "schema").or_else(|| {
                    self.get(p, "content").and_then(|c| {
                        self.entries(c)
                            .into_iter()
                            .find_map(|(_, _, m)| self.get(m, "schema"))
                    })
                })
            };
            out.push(Param {
                name: name.to_string(),
                location,
                node: p,
                name_span: self.span(name_node),
                schema,
                required: self.get_bool(p, "required") == Some(true),
            });
        }
        out
    }

    fn security(&self, node: NodeRef) -> Option<Security> {
        let (key_span, value) = self.entry(node, "security")?;
        let value = self.resolve(value);
        if !self.tree(value.doc).is_seq(value.node) {
            return None;
        }
        let requirements = self
            .items(value)
            .into_iter()
            .map(|req| {
                self.entries(req)
                    .into_iter()
                    .map(|(name, _, _)| name.to_string())
                    .collect()
            })
            .collect();
        Some(Security {
            node: value,
            key_span,
            requirements,
        })
    }

    fn scheme_kind(&self, scheme: NodeRef) -> SchemeKind {
        let ty = self.get_str(scheme, "type").unwrap_or("").to_string();
        match ty.as_str() {
            "basic" => SchemeKind::Http("basic".into()),
            "http" => SchemeKind::Http(
                self.get_str(scheme, "scheme")
                    .unwrap_or("")
                    .to_ascii_lowercase(),
            ),
            "apiKey" => SchemeKind::ApiKey(self.get_str(scheme, "in").unwrap_or("").to_string()),
            "oauth2" => {
                let mut flows = Vec::new();
                if self.version == Version::Swagger2 {
                    if let Some((_, flow)) = self.entry(scheme, "flow") {
                        let name = match self.str(flow).unwrap_or("") {
                            "application" => "clientCredentials",
                            "accessCode" => "authorizationCode",
                            other => other,
                        };
                        flows.push((name.to_string(), self.span(flow)));
                    }
                } else if let Some(map) = self.get(scheme, "flows") {
                    for (name, span, _) in self.entries(map) {
                        flows.push((name.to_string(), span));
                    }
                }
                SchemeKind::OAuth2(flows)
            }
            "openIdConnect" => SchemeKind::OpenIdConnect,
            "mutualTLS" => SchemeKind::MutualTls,
            other => SchemeKind::Unknown(other.to_string()),
        }
    }

    fn collect_ignores(&mut self) {
        let root = self.root();
        let mut ignores = Vec::new();
        if let Some(list) = self.get(root, "x-keyhole-ignore") {
            let file = self.docs.first().map_or(FileId(0), |d| d.file);
            ignores.push(Ignore {
                node: root,
                scope: None,
                rules: ignore_list(self.tree(list.doc), list.node, file),
            });
        }
        for (d, doc) in self.docs.iter().enumerate() {
            let tree = &doc.tree;
            for node in &tree.nodes {
                let children: Vec<(u32, NodeId)> = match &node.value {
                    Value::Map(entries) => entries
                        .iter()
                        .map(|e| (e.key_span.start, e.value))
                        .collect(),
                    Value::Seq(items) => items.iter().map(|&i| (tree.span(i).start, i)).collect(),
                    _ => continue,
                };
                for (start, child) in children {
                    if let Some(list) = tree.get(child, "x-keyhole-ignore") {
                        let end = tree.span(child).end;
                        ignores.push(Ignore {
                            node: NodeRef {
                                doc: d as u32,
                                node: child,
                            },
                            scope: Some((doc.file, start..end)),
                            rules: ignore_list(tree, list, doc.file),
                        });
                    }
                }
            }
        }
        self.ignores = ignores;
    }
}

/// The rule names of a `x-keyhole-ignore` value (one name, or a list), each with its span.
fn ignore_list(tree: &Tree, list: NodeId, file: FileId) -> Vec<(String, Span, AtomicBool)> {
    let item = |i: NodeId| {
        let name = tree.str(i)?.to_string();
        let range = tree.span(i);
        Some((
            name,
            Span::new(file, range.start as usize, range.end as usize),
            AtomicBool::new(false),
        ))
    };
    match tree.value(list) {
        Some(Value::String(_)) => item(list).into_iter().collect(),
        Some(Value::Seq(items)) => items.iter().filter_map(|&i| item(i)).collect(),
        _ => Vec::new(),
    }
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) if i > 0 => s[..i]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')),
        _ => false,
    }
}

/// Lexical normalisation: drop `.`, resolve `..` (never above the start).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn detect_version(
    tree: &Tree,
    file: FileId,
    problems: &mut Vec<Problem>,
) -> Result<(Version, String), SpecError> {
    let root = tree.root();
    let swagger = tree.entry(root, "swagger");
    let openapi = tree.entry(root, "openapi");
    let span_of =
        |range: &std::ops::Range<u32>| Span::new(file, range.start as usize, range.end as usize);
    let error = |span: Span, message: String| SpecError {
        span,
        message,
        not_a_spec: false,
    };
    match (swagger, openapi) {
        (Some(s), Some(o)) => Err(error(
            span_of(&o.key_span),
            format!(
                "both `swagger: {}` and `openapi: {}`: the version is ambiguous",
                tree.scalar_text(s.value).unwrap_or_default(),
                tree.scalar_text(o.value).unwrap_or_default()
            ),
        )),
        (None, None) => Err(SpecError {
            span: span_of(&tree.span(root)),
            message: "not an OpenAPI document: no top-level `openapi` or `swagger` version key"
                .into(),
            not_a_spec: true,
        }),
        (Some(entry), None) | (None, Some(entry)) => {
            let key = entry.key.as_str();
            let value_span = span_of(&tree.span(entry.value));
            let Some(text) = tree.scalar_text(entry.value) else {
                return Err(error(
                    value_span,
                    format!("`{key}` must be a version string"),
                ));
            };
            if matches!(tree.value(entry.value), Some(Value::Number(_))) {
                problems.push(Problem {
                    kind: ProblemKind::Warning,
                    span: value_span,
                    message: format!(
                        "`{key}: {text}` is a number; write it as a string (`\"{text}\"`)"
                    ),
                });
            }
            let version = if key == "swagger" {
                match text.as_str() {
                    "2.0" | "2" => Some(Version::Swagger2),
                    _ => None,
                }
            } else {
                let mut parts = text.split('.');
                match (parts.next(), parts.next()) {
                    (Some("3"), Some("0")) => Some(Version::OpenApi30),
                    (Some("3"), Some("1" | "2")) => Some(Version::OpenApi31),
                    _ => None,
                }
            };
            match version {
                Some(v) => Ok((v, text)),
                None => {
                    let what = if key == "swagger" {
                        "Swagger"
                    } else {
                        "OpenAPI"
                    };
                    Err(error(
                        value_span,
                        format!("unsupported {what} version `{text}` (keyhole reads Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2)"),
                    ))
                }
            }
        }
    }
}

fn duplicate_problems(
    file: FileId,
    tree: &Tree,
    duplicates: &[(String, std::ops::Range<u32>, std::ops::Range<u32>)],
    text: &str,
    out: &mut Vec<Problem>,
) {
    if duplicates.is_empty() {
        return;
    }
    let starts = keyhole_core::source::line_starts(text);
    let at = |offset: u32| keyhole_core::source::line_col(text, &starts, offset as usize);
    let parents = parent_index(tree);
    // The entry whose key is written at a span: its mapping and its value (one index
    // for all the duplicates, so a file full of them stays linear).
    let mut by_key_span: HashMap<(u32, u32), (NodeId, NodeId)> = HashMap::new();
    for (i, node) in tree.nodes.iter().enumerate() {
        if let Value::Map(entries) = &node.value {
            for e in entries {
                by_key_span.insert(
                    (e.key_span.start, e.key_span.end),
                    (NodeId(i as u32), e.value),
                );
            }
        }
    }
    let entry_at = |span: &std::ops::Range<u32>| by_key_span.get(&(span.start, span.end)).copied();
    // The value as written, when it is short enough to quote on one line.
    let preview = |key: &str, value: Option<NodeId>| -> String {
        let Some(value) = value else {
            return String::new();
        };
        let range = tree.span(value);
        match text.get(range.start as usize..range.end as usize) {
            Some(v) if v.len() <= 60 && !v.contains('\n') => format!(", `{key}: {v}`"),
            _ => String::new(),
        }
    };
    for (key, first, later) in duplicates {
        let (a, b) = (at(first.start), at(later.start));
        let (where_first, where_later) = if a.line == b.line {
            (
                format!("line {}, column {}", a.line, a.column),
                format!("line {}, column {}", b.line, b.column),
            )
        } else {
            (format!("line {}", a.line), format!("line {}", b.line))
        };
        let used = entry_at(later);
        let pointer = match used {
            Some((map, _)) => format!(
                "{}/{}",
                pointer_of(&parents, map),
                crate::tree::escape_pointer(key)
            ),
            None => format!("/{}", crate::tree::escape_pointer(key)),
        };
        let ignored = entry_at(first).map(|(_, v)| v);
        out.push(Problem {
            kind: ProblemKind::Warning,
            span: Span::new(file, later.start as usize, later.end as usize),
            message: format!(
                "duplicate key `{key}` at `{pointer}`: written at {where_first} and again at {where_later}; \
                 keyhole uses the later copy ({where_later}{}) and ignores the first ({where_first}{})",
                preview(key, used.map(|(_, v)| v)),
                preview(key, ignored),
            ),
        });
    }
}

/// Each node's parent and the pointer token leading to it (the first, for shared nodes).
fn parent_index(tree: &Tree) -> Vec<Option<(NodeId, String)>> {
    let mut parents: Vec<Option<(NodeId, String)>> = vec![None; tree.nodes.len()];
    for (i, node) in tree.nodes.iter().enumerate() {
        let children: Vec<(NodeId, String)> = match &node.value {
            Value::Map(entries) => entries
                .iter()
                .map(|e| (e.value, crate::tree::escape_pointer(&e.key)))
                .collect(),
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(k, &c)| (c, k.to_string()))
                .collect(),
            _ => continue,
        };
        for (child, token) in children {
            if let Some(slot) = parents.get_mut(child.0 as usize) {
                if slot.is_none() && child.0 as usize != i {
                    *slot = Some((NodeId(i as u32), token));
                }
            }
        }
    }
    parents
}

/// The JSON pointer of a node, through [`parent_index`] (bounded: a reader never builds a
/// tree deeper than [`crate::MAX_DEPTH`]).
fn pointer_of(parents: &[Option<(NodeId, String)>], mut node: NodeId) -> String {
    let mut tokens = Vec::new();
    for _ in 0..=crate::MAX_DEPTH + 1 {
        match parents.get(node.0 as usize) {
            Some(Some((parent, token))) => {
                tokens.push(token.as_str());
                node = *parent;
            }
            _ => break,
        }
    }
    tokens.reverse();
    tokens.iter().map(|t| format!("/{t}")).collect()
}

/// Every mapping with a `$ref` key in a file, with the `$ref` value — skipping examples,
/// defaults, enums and extensions, whose `$ref`s are data.
fn ref_sites(tree: &Tree) -> Vec<(NodeId, NodeId)> {
    let mut out = Vec::new();
    if tree.nodes.is_empty() {
        return out;
    }
    let mut seen: HashSet<NodeId> = HashSet::new();
    // (node, key under which it sits, key of its parent)
    let mut stack: Vec<(NodeId, Option<&str>)> = vec![(tree.root(), None)];
    while let Some((id, parent_key)) = stack.pop() {
        let id = tree.deref(id);
        if !seen.insert(id) {
            continue;
        }
        match tree.node(id).map(|n| &n.value) {
            Some(Value::Map(entries)) => {
                let in_name_map = parent_key.is_some_and(|k| NAME_MAPS.contains(&k));
                for e in entries {
                    if e.key == "$ref" && !in_name_map {
                        out.push((id, e.value));
                        continue;
                    }
                    let data = !in_name_map
                        && (matches!(e.key.as_str(), "example" | "default" | "enum" | "const")
                            || e.key.starts_with("x-")
                            || (e.key == "value" && parent_key == Some("examples_item")));
                    if data {
                        continue;
                    }
                    let key = if parent_key == Some("examples") {
                        "examples_item"
                    } else {
                        e.key.as_str()
                    };
                    stack.push((e.value, Some(key)));
                }
            }
            Some(Value::Seq(items)) => {
                for &i in items {
                    stack.push((i, Some("[]")));
                }
            }
            _ => {}
        }
    }
    out.sort();
    out
}

/// How many wrong-type nodes one spec reports before summing up the rest.
const MAX_TYPE_PROBLEMS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Map,
    Seq,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Map => "a mapping",
            Shape::Seq => "a sequence",
        }
    }
}

fn type_name(value: Option<&Value>) -> &'static str {
    match value {
        None | Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "a boolean",
        Some(Value::Number(_)) => "a number",
        Some(Value::String(_)) => "a string",
        Some(Value::Seq(_)) => "a sequence",
        Some(Value::Map(_)) => "a mapping",
        Some(Value::Alias(_)) => "an alias",
    }
}

/// The walk behind [`Spec::check_types`].
struct TypeCheck<'a> {
    spec: &'a Spec,
    /// Resolved mappings already walked (shared through `$ref` or YAML aliases).
    seen: HashSet<NodeRef>,
    found: Vec<Problem>,
    dropped: usize,
}

impl TypeCheck<'_> {
    /// `raw` (as written, maybe a `$ref` or an alias) must resolve to `shape`; the resolved
    /// node when it does, after a problem when it does not. A broken `$ref` is left to
    /// `unresolved-ref`.
    fn expect(
        &mut self,
        raw: NodeRef,
        pointer: &str,
        shape: Shape,
        effect: &str,
    ) -> Option<NodeRef> {
        let spec = self.spec;
        let r = spec.resolve(raw);
        let value = spec.value(r);
        match (shape, value) {
            (Shape::Map, Some(Value::Map(_))) | (Shape::Seq, Some(Value::Seq(_))) => {
                return Some(r)
            }
            _ => {}
        }
        if spec.refs.contains_key(&r) {
            return None;
        }
        if self.found.len() >= MAX_TYPE_PROBLEMS {
            self.dropped += 1;
            return None;
        }
        self.found.push(Problem {
            kind: ProblemKind::Type,
            span: spec.span(raw),
            message: format!(
                "`{pointer}` should be {}, found {}; {effect}",
                shape.name(),
                type_name(value)
            ),
        });
        None
    }

    /// The raw value of `key` in the (resolved) mapping `parent`, with its pointer.
    fn field(&self, parent: NodeRef, pointer: &str, key: &str) -> Option<(NodeRef, String)> {
        let (_, value) = self.spec.entry(parent, key)?;
        Some((
            value,
            format!("{pointer}/{}", crate::tree::escape_pointer(key)),
        ))
    }

    /// Raw entries of a resolved mapping, skipping extensions, with their pointers.
    fn children(&self, map: NodeRef, pointer: &str) -> Vec<(String, NodeRef, String)> {
        self.spec
            .tree(map.doc)
            .entries(map.node)
            .iter()
            // A `$ref` among names is not followed by the loader (see `NAME_MAPS`) and is
            // not a name either: not judged here.
            .filter(|e| !e.key.starts_with("x-") && e.key != "$ref")
            .map(|e| {
                (
                    e.key.clone(),
                    NodeRef {
                        doc: map.doc,
                        node: e.value,
                    },
                    format!("{pointer}/{}", crate::tree::escape_pointer(&e.key)),
                )
            })
            .collect()
    }

    /// `key` of `parent`, if present, must be `shape`.
    fn member(
        &mut self,
        parent: NodeRef,
        pointer: &str,
        key: &str,
        shape: Shape,
        effect: &str,
    ) -> Option<(NodeRef, String)> {
        let (raw, pointer) = self.field(parent, pointer, key)?;
        let r = self.expect(raw, &pointer, shape, effect)?;
        Some((r, pointer))
    }

    /// A sequence whose items must all be mappings.
    fn seq_of_maps(&mut self, parent: NodeRef, pointer: &str, key: &str, effect: &str) {
        let Some((list, pointer)) = self.member(parent, pointer, key, Shape::Seq, effect) else {
            return;
        };
        let items: Vec<NodeId> = self.spec.tree(list.doc).items(list.node).to_vec();
        for (i, node) in items.into_iter().enumerate() {
            let item = NodeRef {
                doc: list.doc,
                node,
            };
            self.expect(
                item,
                &format!("{pointer}/{i}"),
                Shape::Map,
                "keyhole skips this item",
            );
        }
    }

    fn first_visit(&mut self, r: NodeRef) -> bool {
        self.seen.insert(r)
    }

    fn root(&mut self) {
        let root = self.spec.root();
        let swagger = self.spec.version == Version::Swagger2;
        let skipped = "keyhole skips it";
        self.member(root, "", "info", Shape::Map, skipped);
        self.member(root, "", "externalDocs", Shape::Map, skipped);
        self.seq_of_maps(root, "", "tags", skipped);
        self.security(
            root,
            "",
            "keyhole ignores it, so no global security applies",
        );
        if let Some((paths, pointer)) = self.member(
            root,
            "",
            "paths",
            Shape::Map,
            "keyhole reads no operations from it",
        ) {
            for (_, item, pointer) in self.children(paths, &pointer) {
                self.path_item(item, &pointer);
            }
        }
        if swagger {
            for key in ["schemes", "consumes", "produces"] {
                self.member(root, "", key, Shape::Seq, skipped);
            }
            for key in ["definitions", "parameters", "securityDefinitions"] {
                self.member(root, "", key, Shape::Map, skipped);
            }
            self.named(root, "", "securityDefinitions", "keyhole skips this scheme");
            self.named(root, "", "parameters", "keyhole skips this parameter");
            if let Some((map, pointer)) = self.member(root, "", "responses", Shape::Map, skipped) {
                for (_, response, pointer) in self.children(map, &pointer) {
                    self.response(response, &pointer);
                }
            }
            return;
        }
        self.seq_of_maps(root, "", "servers", skipped);
        if let Some((hooks, pointer)) = self.member(root, "", "webhooks", Shape::Map, skipped) {
            for (_, item, pointer) in self.children(hooks, &pointer) {
                self.path_item(item, &pointer);
            }
        }
        let Some((components, pointer)) = self.member(root, "", "components", Shape::Map, skipped)
        else {
            return;
        };
        for key in [
            "schemas",
            "responses",
            "parameters",
            "examples",
            "requestBodies",
            "headers",
            "securitySchemes",
            "links",
            "callbacks",
            "pathItems",
        ] {
            self.member(components, &pointer, key, Shape::Map, skipped);
        }
        self.named(
            components,
            &pointer,
            "securitySchemes",
            "keyhole skips this scheme",
        );
        self.named(
            components,
            &pointer,
            "parameters",
            "keyhole skips this parameter",
        );
        self.named(components, &pointer, "requestBodies", "keyhole skips it");
        if let Some((map, pointer)) = self.field(components, &pointer, "responses") {
            let map = self.spec.resolve(map);
            if self.spec.tree(map.doc).is_map(map.node) {
                for (_, response, pointer) in self.children(map, &pointer) {
                    self.response(response, &pointer);
                }
            }
        }
        if let Some((map, pointer)) = self.field(components, &pointer, "pathItems") {
            let map = self.spec.resolve(map);
            if self.spec.tree(map.doc).is_map(map.node) {
                for (_, item, pointer) in self.children(map, &pointer) {
                    self.path_item(item, &pointer);
                }
            }
        }
    }

    /// Each entry of the mapping under `key` (when it is one) must be a mapping.
    fn named(&mut self, parent: NodeRef, pointer: &str, key: &str, effect: &str) {
        let Some((map, pointer)) = self.field(parent, pointer, key) else {
            return;
        };
        let map = self.spec.resolve(map);
        if !self.spec.tree(map.doc).is_map(map.node) {
            return;
        }
        for (_, value, pointer) in self.children(map, &pointer) {
            self.expect(value, &pointer, Shape::Map, effect);
        }
    }

    /// `security`: a list of requirement mappings, each naming schemes with scope lists.
    fn security(&mut self, parent: NodeRef, pointer: &str, effect: &str) {
        let Some((list, pointer)) = self.member(parent, pointer, "security", Shape::Seq, effect)
        else {
            return;
        };
        let items: Vec<NodeId> = self.spec.tree(list.doc).items(list.node).to_vec();
        for (i, node) in items.into_iter().enumerate() {
            let item_pointer = format!("{pointer}/{i}");
            let raw = NodeRef {
                doc: list.doc,
                node,
            };
            if let Some(req) = self.expect(
                raw,
                &item_pointer,
                Shape::Map,
                "keyhole reads it as naming no scheme",
            ) {
                for (_, scopes, pointer) in self.children(req, &item_pointer) {
                    self.expect(
                        scopes,
                        &pointer,
                        Shape::Seq,
                        "keyhole reads the scheme name only",
                    );
                }
            }
        }
    }

    fn path_item(&mut self, raw: NodeRef, pointer: &str) {
        let Some(item) = self.expect(
            raw,
            pointer,
            Shape::Map,
            "keyhole reads no operations from this path",
        ) else {
            return;
        };
        if !self.first_visit(item) {
            return;
        }
        self.seq_of_maps(item, pointer, "parameters", "keyhole skips them");
        if self.spec.version != Version::Swagger2 {
            self.seq_of_maps(item, pointer, "servers", "keyhole skips them");
        }
        for (key, op, pointer) in self.children(item, pointer) {
            if METHODS.contains(&key.to_ascii_lowercase().as_str()) {
                self.operation(op, &pointer);
            }
        }
    }

    fn operation(&mut self, raw: NodeRef, pointer: &str) {
        let Some(op) = self.expect(raw, pointer, Shape::Map, "keyhole skips this operation") else {
            return;
        };
        if !self.first_visit(op) {
            return;
        }
        let skipped = "keyhole skips it";
        self.seq_of_maps(op, pointer, "parameters", skipped);
        self.member(op, pointer, "tags", Shape::Seq, skipped);
        self.member(op, pointer, "callbacks", Shape::Map, skipped);
        self.security(
            op,
            pointer,
            "keyhole ignores it, so the global `security` applies to this operation",
        );
        if self.spec.version != Version::Swagger2 {
            self.seq_of_maps(op, pointer, "servers", skipped);
            if let Some((body, pointer)) =
                self.member(op, pointer, "requestBody", Shape::Map, skipped)
            {
                self.member(body, &pointer, "content", Shape::Map, skipped);
            }
        }
        if let Some((responses, pointer)) = self.member(
            op,
            pointer,
            "responses",
            Shape::Map,
            "keyhole reads no responses for this operation",
        ) {
            for (_, response, pointer) in self.children(responses, &pointer) {
                self.response(response, &pointer);
            }
        }
    }

    fn response(&mut self, raw: NodeRef, pointer: &str) {
        let Some(response) = self.expect(raw, pointer, Shape::Map, "keyhole skips this response")
        else {
            return;
        };
        if !self.first_visit(response) {
            return;
        }
        let skipped = "keyhole skips it";
        self.member(response, pointer, "headers", Shape::Map, skipped);
        if self.spec.version != Version::Swagger2 {
            self.member(response, pointer, "links", Shape::Map, skipped);
            if let Some((content, pointer)) =
                self.member(response, pointer, "content", Shape::Map, skipped)
            {
                for (_, media, pointer) in self.children(content, &pointer) {
                    self.expect(media, &pointer, Shape::Map, "keyhole skips this media type");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoFiles;

    impl FileSource for NoFiles {
        fn load(&mut self, _: &Path) -> Result<(FileId, Arc<str>), String> {
            Err("no files here".into())
        }
    }

    fn load(text: &str, format: Format) -> Spec {
        Spec::load(
            FileId(0),
            Path::new("/r/openapi.yaml"),
            text,
            format,
            Path::new("/r"),
            &mut NoFiles,
        )
        .expect("loads")
    }

    /// (line, message) of each problem of a kind.
    fn problems(spec: &Spec, text: &str, kind: ProblemKind) -> Vec<(usize, String)> {
        let starts = keyhole_core::source::line_starts(text);
        spec.problems
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| {
                let at = keyhole_core::source::line_col(text, &starts, p.span.start as usize);
                (at.line, p.message.clone())
            })
            .collect()
    }

    #[test]
    fn every_wrong_type_node_is_reported_and_the_rest_loads() {
        let text = "openapi: 3.0.3\n\
                    info: a string\n\
                    security: {k: []}\n\
                    paths:\n  \
                      /a:\n    \
                        get: nope\n    \
                        post:\n      \
                          security: [{k: x}]\n      \
                          responses:\n        \
                            '200': [1]\n        \
                            '201': {description: ok, content: []}\n  \
                      /b: 3\n\
                    components:\n  \
                      schemas: []\n  \
                      securitySchemes:\n    \
                        k: {type: http, scheme: bearer}\n    \
                        x-note: 1\n";
        let spec = load(text, Format::Yaml);
        let got = problems(&spec, text, ProblemKind::Type);
        let expected = [
            (2, "`/info` should be a mapping, found a string"),
            (3, "`/security` should be a sequence, found a mapping"),
            (6, "`/paths/~1a/get` should be a mapping, found a string"),
            (
                8,
                "`/paths/~1a/post/security/0/k` should be a sequence, found a string",
            ),
            (
                10,
                "`/paths/~1a/post/responses/200` should be a mapping, found a sequence",
            ),
            (
                11,
                "`/paths/~1a/post/responses/201/content` should be a mapping, found a sequence",
            ),
            (12, "`/paths/~1b` should be a mapping, found a number"),
            (
                14,
                "`/components/schemas` should be a mapping, found a sequence",
            ),
        ];
        assert_eq!(got.len(), expected.len(), "{got:#?}");
        for ((line, message), (got_line, got_message)) in expected.iter().zip(&got) {
            assert_eq!(line, got_line, "{got_message}");
            assert!(got_message.starts_with(message), "{got_message}");
        }
        // What is valid still loads: the `post`, its security and its good response.
        assert_eq!(spec.operations.len(), 1);
        assert_eq!(spec.operations[0].method, "post");
        assert!(spec.operations[0].security.is_some());
        assert_eq!(spec.operations[0].responses.len(), 2);
        assert_eq!(spec.schemes.len(), 1);
        assert!(spec.global_security.is_none());
    }

    #[test]
    fn well_formed_specs_have_no_type_problems() {
        let text = "swagger: '2.0'\n\
                    info: {title: t, version: '1'}\n\
                    securityDefinitions: {k: {type: basic}}\n\
                    security: [{k: []}]\n\
                    paths:\n  \
                      x-ext: 1\n  \
                      /a:\n    \
                        parameters: [{$ref: '#/parameters/p'}]\n    \
                        get: &op {responses: {200: {description: ok, schema: {type: string}}}}\n    \
                        put: *op\n\
                    parameters: {p: {name: p, in: query, type: string}}\n";
        let spec = load(text, Format::Yaml);
        assert_eq!(problems(&spec, text, ProblemKind::Type), []);
        assert_eq!(spec.operations.len(), 2);
    }

    #[test]
    fn duplicate_keys_name_both_lines_and_the_copy_used() {
        let text = "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": \"1\"},\n\
                    \"security\": [{\"k\": []}],\n\
                    \"paths\": {},\n\
                    \"security\": []}\n";
        let spec = load(text, Format::Json);
        let got = problems(&spec, text, ProblemKind::Warning);
        assert_eq!(
            got,
            [(
                4,
                "duplicate key `security` at `/security`: written at line 2 and again at \
                 line 4; keyhole uses the later copy (line 4, `security: []`) and ignores the \
                 first (line 2, `security: [{\"k\": []}]`)"
                    .to_string()
            )]
        );
        assert!(spec
            .global_security
            .as_ref()
            .is_some_and(Security::is_public));
    }
}
