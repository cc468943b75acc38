//! OpenAPI/Swagger specs in the pipeline: recognising spec files, loading them (and the
//! files their `$ref`s name) into the file table so findings render code frames, turning
//! operations into inventory endpoints, and applying `x-keyhole-ignore`.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyhole_core::auth::{Evidence, EvidenceKind};
use keyhole_core::route::ParamSyntax;
use keyhole_core::vocabulary::Vocabulary;
use keyhole_core::{
    Auth, Diagnostic, Endpoint, FileId, Framework, Language, Method, NoAuthReason, RouteTemplate,
    SourceFile, Span,
};
use keyhole_openapi::{FileSource, Format, Operation, ProblemKind, Spec};

use crate::discover::{display_path, Candidate};
use crate::Notice;

/// Spec files larger than this are not read.
pub const MAX_SPEC_SIZE: u64 = 32 * 1024 * 1024;
/// How much of a file content sniffing reads.
const SNIFF_BYTES: usize = 4096;

/// The spec language of a path, by extension.
pub fn spec_language(path: &Path) -> Option<Language> {
    match Format::from_path(path)? {
        Format::Yaml => Some(Language::Yaml),
        Format::Json => Some(Language::Json),
    }
}

/// Whether a YAML/JSON file is a spec: by name (`openapi.*`, `swagger.*`, `*.oas.*`), or by
/// a top-level `openapi`/`swagger` key in its first few KB.
pub fn is_spec_file(path: &Path) -> Option<Language> {
    let language = spec_language(path)?;
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.starts_with("openapi.") || name.starts_with("swagger.") || name.contains(".oas.") {
        return Some(language);
    }
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let file = std::fs::File::open(path).ok()?;
    file.take(SNIFF_BYTES as u64).read_to_end(&mut head).ok()?;
    let head = String::from_utf8_lossy(&head);
    sniff(&head).then_some(language)
}

/// A top-level `openapi:`/`swagger:` key (YAML, at column 0) or `"openapi":`/`"swagger":`
/// in a JSON object.
pub fn sniff(head: &str) -> bool {
    let head = head.trim_start_matches('\u{FEFF}');
    if head.trim_start().starts_with('{') {
        let compact: String = head.chars().filter(|c| !c.is_whitespace()).collect();
        return compact.contains("\"openapi\":") || compact.contains("\"swagger\":");
    }
    head.lines().any(|line| {
        [
            "openapi:",
            "swagger:",
            "\"openapi\":",
            "\"swagger\":",
            "'openapi':",
            "'swagger':",
        ]
        .iter()
        .any(|k| line.starts_with(k))
    })
}

/// The root `$ref`s may not leave: the enclosing git repository, else the analysed path
/// that contains the spec, else the spec's own folder.
fn ref_root(spec: &Path, roots: &[PathBuf]) -> PathBuf {
    let canonical = spec.canonicalize().unwrap_or_else(|_| spec.to_path_buf());
    let dir = canonical
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for ancestor in dir.ancestors() {
        if ancestor.join(".git").exists() {
            return ancestor.to_path_buf();
        }
    }
    for root in roots {
        if let Ok(root) = root.canonicalize() {
            if root.is_dir() && dir.starts_with(&root) {
                return root;
            }
        }
    }
    dir
}

/// The engine's side of `$ref` loading: reads, decodes and registers files.
struct Files {
    first_id: u32,
    files: Vec<Arc<SourceFile>>,
    by_path: HashMap<PathBuf, (FileId, Arc<str>)>,
    root: PathBuf,
}

impl Files {
    fn register(
        &mut self,
        disk: &Path,
        display: String,
        language: Language,
        text: Arc<str>,
    ) -> FileId {
        let id = FileId(self.first_id + self.files.len() as u32);
        self.files.push(Arc::new(SourceFile::new(
            id,
            display,
            disk.to_path_buf(),
            language,
            text.clone(),
        )));
        self.by_path.insert(disk.to_path_buf(), (id, text));
        id
    }
}

impl FileSource for Files {
    fn load(&mut self, path: &Path) -> Result<(FileId, Arc<str>), String> {
        if let Some((id, text)) = self.by_path.get(path) {
            return Ok((*id, text.clone()));
        }
        let canonical = path
            .canonicalize()
            .map_err(|_| "referenced file not found".to_string())?;
        if !canonical.starts_with(&self.root) {
            return Err("it leads outside the repository (through a link); not read".into());
        }
        let meta = std::fs::metadata(&canonical).map_err(|e| e.to_string())?;
        if !meta.is_file() {
            return Err("not a regular file; not read".into());
        }
        if meta.len() > MAX_SPEC_SIZE {
            return Err(format!(
                "over the {} MiB limit; not read",
                MAX_SPEC_SIZE >> 20
            ));
        }
        let bytes = std::fs::read(&canonical).map_err(|e| e.to_string())?;
        let text = keyhole_openapi::decode(&bytes).map_err(|e| {
            format!(
                "{}:{}:{}: {}",
                display_path(path),
                e.line,
                e.column,
                e.message
            )
        })?;
        let text: Arc<str> = Arc::from(text);
        let language = spec_language(path).unwrap_or(Language::Yaml);
        let id = self.register(path, display_path(path), language, text.clone());
        Ok((id, text))
    }
}

/// What loading the specs produced.
pub struct Loaded {
    pub specs: Vec<Spec>,
    /// Spec files and the files they reference, numbered after the code files.
    pub files: Vec<Arc<SourceFile>>,
    pub notices: Vec<Notice>,
    /// Files found by name that have no version key (fragments of multi-file specs).
    pub fragments: usize,
}

/// Load the discovered spec candidates and the `--spec` files, numbering files from `first_id`.
pub fn load(
    candidates: &[Candidate],
    explicit: &[PathBuf],
    roots: &[PathBuf],
    first_id: u32,
) -> Loaded {
    let mut files = Files {
        first_id,
        files: Vec::new(),
        by_path: HashMap::new(),
        root: PathBuf::new(),
    };
    let mut out = Loaded {
        specs: Vec::new(),
        files: Vec::new(),
        notices: Vec::new(),
        fragments: 0,
    };
    let mut todo: Vec<(PathBuf, String, bool)> = candidates
        .iter()
        .map(|c| (c.disk.clone(), c.display.clone(), false))
        .collect();
    for path in explicit {
        if !todo.iter().any(|(d, _, _)| d == path) {
            todo.push((path.clone(), display_path(path), true));
        }
    }
    let notice = |path: &str, position: Option<(usize, usize)>, message: String| Notice {
        path: path.to_string(),
        position,
        message,
    };
    for (disk, display, named) in todo {
        let normalized = std::path::absolute(&disk).unwrap_or_else(|_| disk.clone());
        if files.by_path.contains_key(&normalized) {
            continue; // already read as another spec's `$ref` target
        }
        let meta = match std::fs::metadata(&disk) {
            Ok(m) => m,
            Err(e) => {
                out.notices
                    .push(notice(&display, None, format!("cannot read: {e}")));
                continue;
            }
        };
        if !meta.is_file() || meta.len() > MAX_SPEC_SIZE {
            out.notices.push(notice(
                &display,
                None,
                format!(
                    "skipped: not a regular file, or over the {} MiB limit for specs",
                    MAX_SPEC_SIZE >> 20
                ),
            ));
            continue;
        }
        let bytes = match std::fs::read(&disk) {
            Ok(b) => b,
            Err(e) => {
                out.notices
                    .push(notice(&display, None, format!("cannot read: {e}")));
                continue;
            }
        };
        let text = match keyhole_openapi::decode(&bytes) {
            Ok(t) => t,
            Err(e) => {
                out.notices
                    .push(notice(&display, Some((e.line, e.column)), e.message));
                continue;
            }
        };
        let language = spec_language(&disk).unwrap_or(if text.trim_start().starts_with('{') {
            Language::Json
        } else {
            Language::Yaml
        });
        let format = if language == Language::Json {
            Format::Json
        } else {
            Format::Yaml
        };
        files.root = ref_root(&disk, roots);
        let text: Arc<str> = Arc::from(text);
        let id = files.register(&normalized, display.clone(), language, text.clone());
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Spec::load(
                id,
                &normalized,
                &text,
                format,
                &files.root.clone(),
                &mut files,
            )
        }));
        let file = files.files.get((id.0 - first_id) as usize).cloned();
        let position = |span: keyhole_core::Span| {
            file.as_ref().map(|f| {
                let at = f.line_col(span.start as usize);
                (at.line, at.column)
            })
        };
        match result {
            Ok(Ok(spec)) => out.specs.push(spec),
            Ok(Err(err)) if err.not_a_spec && !named => out.fragments += 1,
            Ok(Err(err)) => out
                .notices
                .push(notice(&display, position(err.span), err.message)),
            Err(_) => out.notices.push(notice(
                &display,
                None,
                "internal error while loading this spec".into(),
            )),
        }
    }
    out.files = files.files;
    for spec in &out.specs {
        for p in spec
            .problems
            .iter()
            .filter(|p| matches!(p.kind, ProblemKind::Warning | ProblemKind::Type))
        {
            let Some(file) = out.files.get((p.span.file.0 - first_id) as usize) else {
                continue;
            };
            let at = file.line_col(p.span.start as usize);
            out.notices.push(notice(
                &file.path,
                Some((at.line, at.column)),
                p.message.clone(),
            ));
        }
    }
    out
}

/// The inventory endpoints of a spec that no code serves (framework `openapi`).
pub fn endpoints(spec: &Spec, vocabulary: &Vocabulary) -> Vec<Endpoint> {
    let mut out = Vec::new();
    for op in &spec.operations {
        let Some(method) = Method::parse(&op.method) else {
            continue;
        };
        let route = RouteTemplate::parse(&op.path, ParamSyntax::Braces);
        let auth = operation_auth(spec, op, &route, vocabulary);
        out.push(Endpoint {
            method,
            route,
            route_resolved: true,
            framework: Framework::OpenApi,
            registration: op.key_span,
            handler: op.operation_id.clone(),
            handler_location: None,
            router: None,
            mounts: Vec::new(),
            auth,
            rate_limits: Vec::new(),
            response: None,
        });
    }
    out
}

/// What an operation's effective `security` says: required, optional (a `{}` alternative),
/// public on purpose (`security: []`), or none — an authentication endpoint by its purpose,
/// or no guard found.
pub(crate) fn operation_auth(
    spec: &Spec,
    op: &Operation,
    route: &RouteTemplate,
    vocabulary: &Vocabulary,
) -> Auth {
    let evidence = |span, detail: String| Evidence {
        span,
        kind: EvidenceKind::SpecSecurity,
        detail,
        guard: None,
    };
    let own = op.security.is_some();
    match spec.effective_security(op) {
        Some(s) => {
            let names: Vec<String> = s.requirements.iter().flatten().cloned().collect();
            let where_ = if own { "on the operation" } else { "global" };
            if s.is_public() {
                Auth::None {
                    reason: NoAuthReason::ExplicitlyPublic,
                    evidence: vec![evidence(s.key_span, format!("`security: []` {where_}"))],
                }
            } else {
                let e = vec![evidence(
                    s.key_span,
                    format!("`security` {where_}: {}", names.join(", ")),
                )];
                if s.is_optional() {
                    Auth::Optional(e)
                } else {
                    Auth::Required(e)
                }
            }
        }
        None => match vocabulary.authentication_purpose(route, op.operation_id.as_deref()) {
            Some(word) => Auth::None {
                reason: NoAuthReason::AuthenticationEndpoint,
                evidence: vec![Evidence {
                    span: op.path_key_span,
                    kind: EvidenceKind::Purpose,
                    detail: format!("`{word}` endpoint"),
                    guard: None,
                }],
            },
            None => Auth::None {
                reason: NoAuthReason::NoGuardFound,
                evidence: Vec::new(),
            },
        },
    }
}

/// Run the spec rules over every spec, drop what `x-keyhole-ignore` suppresses, and report
/// the rules it names that suppressed nothing (`unused-suppression`, as for comments).
///
/// `served` holds the operations (their method keys) that code serves — a connexion app's
/// spec: `missing-auth` judges those as endpoints, so `missing-auth-spec` does not report
/// them a second time at the same place.
pub fn check(
    specs: &[Spec],
    vocabulary: &Vocabulary,
    served: &HashSet<Span>,
    out: &mut Vec<Diagnostic>,
) {
    use keyhole_rules::rules::meta::unused_suppression::{Unused, UnusedSuppression};
    for spec in specs {
        let mut found = Vec::new();
        for rule in keyhole_rules::all_rules() {
            rule.check_spec_in(spec, vocabulary, &mut found);
        }
        found.retain(|d| !spec.is_ignored(d.rule, d.primary.span));
        found.retain(|d| d.rule != "missing-auth-spec" || !served.contains(&d.primary.span));
        out.extend(found);
        for (span, rule) in spec.unused_ignores() {
            let why = if rule == "all" || keyhole_rules::find(&rule).is_some() {
                Unused::NoFinding(rule)
            } else {
                Unused::UnknownRule(rule)
            };
            out.push(UnusedSuppression::diagnostic(span, &why));
        }
    }
}
