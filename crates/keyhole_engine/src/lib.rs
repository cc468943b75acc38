//! The engine: discover files, parse and extract them in parallel, link the project, run
//! the rules, and hand back a deterministic result.

pub mod baseline;
pub mod discover;
mod join;
mod link;
mod modules;
pub mod parse;
mod registry;
pub mod specs;
mod suppress;
mod tsconfig;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use keyhole_config::Settings;

use keyhole_core::facts::FileFacts;
use keyhole_core::vocabulary::Vocabulary;
use keyhole_core::{Diagnostic, FileId, Project, SourceFile, SourceMap, Span};
use rayon::prelude::*;

pub use discover::SkipCounts;
use parse::{Loaded, Worker};

/// What to analyse.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files and directories to analyse.
    pub paths: Vec<PathBuf>,
    pub max_file_size: u64,
    pub vocabulary: Vocabulary,
    /// OpenAPI/Swagger files named on the command line (`--spec`), read even when
    /// discovery would not find them.
    pub specs: Vec<PathBuf>,
    /// The configuration: exclusions, rule selection and severities. Its vocabulary and
    /// specs are for the caller to merge into `vocabulary` and `specs`.
    pub settings: Option<Arc<Settings>>,
    /// Report only findings whose primary label is in one of these files (canonical
    /// paths); the whole of `paths` is still analysed for context.
    pub report_only: Option<HashSet<PathBuf>>,
    /// Text to use instead of what is on disk, by canonical path: an editor's unsaved
    /// buffers (code files; specs are read from disk).
    pub overlays: Arc<HashMap<PathBuf, Arc<str>>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            paths: vec![PathBuf::from(".")],
            max_file_size: discover::DEFAULT_MAX_FILE_SIZE,
            vocabulary: Vocabulary::default(),
            specs: Vec::new(),
            settings: None,
            report_only: None,
            overlays: Arc::default(),
        }
    }
}

/// A one-line problem with the input: a file skipped, a syntax error.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Notice {
    pub path: String,
    /// One-based line and column, when the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Counts for `--verbose`.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub files_analysed: usize,
    /// Files with syntax errors that declare no routes (not printed).
    pub quiet_syntax_errors: usize,
    pub skipped: SkipCounts,
    /// Wall time per phase, for `--verbose`.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// The result of a run.
pub struct Analysis {
    pub project: Project,
    pub diagnostics: Vec<Diagnostic>,
    pub notices: Vec<Notice>,
    pub stats: Stats,
}

/// Discover and load files in parallel; returns the loaded sources and notices.
type LoadedFiles = (
    Vec<Arc<SourceFile>>,
    Vec<Notice>,
    Stats,
    Vec<discover::Candidate>,
    Vec<tsconfig::PathConfig>,
);

/// Discover and read the files. With `prepare_queries`, each language's queries start
/// compiling in the background as soon as its first file is found.
fn load_files(options: &Options, prepare_queries: bool) -> LoadedFiles {
    let prepare = |language: keyhole_core::Language| {
        if prepare_queries {
            keyhole_lang::prepare(language);
        }
    };
    let (candidates, mut skipped, problems, configs) = discover::discover(
        &options.paths,
        options.max_file_size,
        options.settings.clone(),
        &prepare,
    );
    // Spec files are read by `specs`, after the code.
    let (spec_candidates, candidates): (Vec<_>, Vec<_>) =
        candidates.into_iter().partition(|c| !c.language.is_code());
    let mut notices: Vec<Notice> = problems
        .into_iter()
        .map(|(path, message)| Notice {
            path,
            position: None,
            message,
        })
        .collect();
    let overlay = |c: &discover::Candidate| {
        if options.overlays.is_empty() {
            return None;
        }
        options
            .overlays
            .get(&canonical(&c.disk))
            .map(|text| Loaded::Source {
                display: c.display.clone(),
                disk: c.disk.clone(),
                language: c.language,
                text: Arc::clone(text),
            })
    };
    let loaded: Vec<Loaded> = candidates
        .par_iter()
        .map(|c| overlay(c).unwrap_or_else(|| parse::load(c)))
        .collect();
    let mut files = Vec::new();
    for item in loaded {
        match item {
            Loaded::Source {
                display,
                disk,
                language,
                text,
            } => {
                let id = FileId(files.len() as u32);
                files.push(Arc::new(SourceFile::new(id, display, disk, language, text)));
            }
            Loaded::Skipped {
                display,
                reason,
                message,
            } => {
                skipped.add(reason);
                if let Some(message) = message {
                    notices.push(Notice {
                        path: display,
                        position: None,
                        message,
                    });
                }
            }
        }
    }
    let stats = Stats {
        files_analysed: files.len(),
        quiet_syntax_errors: 0,
        skipped,
        timings: Vec::new(),
    };
    (
        files,
        notices,
        stats,
        spec_candidates,
        tsconfig::load(&configs),
    )
}

/// Run the whole pipeline.
pub fn analyze(options: &Options) -> Analysis {
    run(options, None)
}

/// Facts kept from one run to the next (the language server): a file whose text is
/// unchanged is not parsed and extracted again; only linking and the rules run on it.
#[derive(Debug, Default)]
pub struct FactsCache {
    /// Display path → (hash of the text, file id, facts).
    entries: HashMap<String, (u64, FileId, FileFacts)>,
}

/// Run the whole pipeline, reusing the facts of files unchanged since the last run.
pub fn analyze_cached(options: &Options, cache: &mut FactsCache) -> Analysis {
    run(options, Some(cache))
}

/// The pipeline; with a cache, facts of unchanged files are reused and the new facts kept
/// (a one-shot run keeps nothing: copying every file's facts is serial work it never uses).
fn run(options: &Options, mut cache: Option<&mut FactsCache>) -> Analysis {
    let started = std::time::Instant::now();
    let (files, mut notices, stats, spec_candidates, aliases) = load_files(options, true);
    let loaded = started.elapsed();
    // Specs load on one thread while the code is parsed on the others.
    let previous = cache.as_deref().map(|c| &c.entries);
    let (hashed, specs): (Vec<(u64, FileFacts)>, _) = rayon::join(
        || {
            largest_first(&files, |worker, file| {
                let Some(previous) = previous else {
                    return (0, worker.extract(file));
                };
                let hash = xxhash_rust::xxh3::xxh3_64(file.text.as_bytes());
                match previous.get(&file.path) {
                    Some((h, id, facts)) if *h == hash && *id == file.id => (hash, facts.clone()),
                    _ => (hash, worker.extract(file)),
                }
            })
        },
        || {
            // The module index needs only the files' paths: it is built here, off the link
            // pass's serial path.
            rayon::join(
                || {
                    specs::load(
                        &spec_candidates,
                        &options.specs,
                        &options.paths,
                        files.len() as u32,
                    )
                },
                || modules::ModuleIndex::new(files.iter().map(|f| &**f), &aliases),
            )
        },
    );
    let (specs, modules) = specs;
    let mut facts = Vec::with_capacity(hashed.len());
    if let Some(cache) = cache.as_deref_mut() {
        cache.entries.clear();
    }
    for (file, (hash, f)) in files.iter().zip(hashed) {
        if let Some(cache) = cache.as_deref_mut() {
            cache
                .entries
                .insert(file.path.clone(), (hash, file.id, f.clone()));
        }
        facts.push(f);
    }
    let extracted = started.elapsed();
    let mut stats = stats;
    for (file, f) in files.iter().zip(&facts) {
        // A syntax error only matters where it can hide routes: in files that declare
        // routers, routes or mounts. Elsewhere (a component the grammar misreads) it is
        // counted for `--verbose`, not printed.
        let relevant = !(f.routes.is_empty() && f.routers.is_empty() && f.uses.is_empty());
        if !relevant && !f.problems.is_empty() {
            stats.quiet_syntax_errors += 1;
            continue;
        }
        for problem in &f.problems {
            let at = file.line_col(problem.span.start as usize);
            notices.push(Notice {
                path: file.path.clone(),
                position: Some((at.line, at.column)),
                message: problem.message.clone(),
            });
        }
    }
    notices.sort();
    registry::expand(&files, &mut facts);
    let code_files = files.clone();
    let files = SourceMap::new(files);
    let linked = link::link(&files, &facts, &options.vocabulary, &specs.specs, modules);
    stats.files_analysed += specs.files.len();
    if specs.fragments > 0 {
        *stats
            .skipped
            .by_reason
            .entry("YAML/JSON spec fragments without a version key".to_string())
            .or_default() += specs.fragments;
    }
    notices.extend(specs.notices);
    notices.sort();
    let files = SourceMap::new(code_files.into_iter().chain(specs.files).collect());
    // A spec a connexion app serves is listed once, as the app's endpoints; the others as
    // `openapi` endpoints.
    let served: HashSet<Span> = linked
        .endpoints
        .iter()
        .filter(|e| e.framework == keyhole_core::Framework::Connexion)
        .map(|e| e.registration)
        .collect();
    let mut endpoints = linked.endpoints;
    for (i, spec) in specs.specs.iter().enumerate() {
        if !linked.served_specs.contains(&i) {
            endpoints.extend(specs::endpoints(spec, &options.vocabulary));
        }
    }
    let mut project = Project {
        files,
        endpoints,
        routers: linked.routers,
        vocabulary: options.vocabulary.clone(),
        spec_links: Vec::new(),
    };
    project.spec_links = join::join(&project, &specs.specs);
    let linked_at = started.elapsed();
    // Rules, and the spec rules per spec, run in parallel; collecting keeps their order.
    let (by_rule, by_spec): (Vec<Vec<Diagnostic>>, Vec<Vec<Diagnostic>>) = rayon::join(
        || {
            keyhole_rules::all_rules()
                .par_iter()
                .map(|rule| {
                    let mut found = Vec::new();
                    rule.check(&project, &mut found);
                    found
                })
                .collect()
        },
        || {
            specs
                .specs
                .par_iter()
                .map(|spec| {
                    let mut found = Vec::new();
                    specs::check(
                        std::slice::from_ref(spec),
                        &options.vocabulary,
                        &served,
                        &mut found,
                    );
                    found
                })
                .collect()
        },
    );
    let mut diagnostics: Vec<Diagnostic> = by_rule.into_iter().chain(by_spec).flatten().collect();
    join::relate(&mut diagnostics, &project, &specs.specs);
    // Suppressions first, so that a suppressed finding of a rule the configuration turns
    // off still counts as used; then the configuration, which also governs
    // `unused-suppression`.
    let mut suppressions = suppress::collect(&project.files);
    suppress::apply(&mut diagnostics, &project.files, &mut suppressions);
    diagnostics.extend(suppress::unused(&suppressions));
    if let Some(settings) = &options.settings {
        configure(&mut diagnostics, &project, settings);
    }
    if let Some(only) = &options.report_only {
        diagnostics.retain(|d| {
            project
                .files
                .get(d.primary.span.file)
                .is_some_and(|f| only.contains(&canonical(&f.disk_path)))
        });
    }
    for diagnostic in &mut diagnostics {
        diagnostic.fingerprint = fingerprint(&project, diagnostic);
    }
    diagnostics.sort_by(|a, b| {
        (
            a.primary.span.file,
            a.primary.span.start,
            a.rule,
            &a.message,
        )
            .cmp(&(
                b.primary.span.file,
                b.primary.span.start,
                b.rule,
                &b.message,
            ))
    });
    // Freeing every file's facts is serial work that nothing waits for.
    let _ = std::thread::Builder::new()
        .name("keyhole-free".into())
        .spawn(move || drop(facts));
    let done = started.elapsed();
    stats.timings = vec![
        ("discover and read", loaded),
        ("parse and extract (specs alongside)", extracted - loaded),
        ("link", linked_at - extracted),
        ("rules", done - linked_at),
    ];
    Analysis {
        project,
        diagnostics,
        notices,
        stats,
    }
}

/// Drop what the configuration turns off and apply its severities, file by file.
fn configure(diagnostics: &mut Vec<Diagnostic>, project: &Project, settings: &Settings) {
    diagnostics.retain_mut(|d| {
        let Some(rule) = keyhole_rules::find(d.rule) else {
            return true;
        };
        let disk = project
            .files
            .get(d.primary.span.file)
            .map(|f| f.disk_path.as_path());
        match settings.severity(disk, rule.meta()) {
            Some(severity) => {
                d.severity = severity;
                true
            }
            None => false,
        }
    });
}

/// A path made absolute and canonical where possible, to compare files named differently.
pub fn canonical(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    abs.canonicalize().unwrap_or(abs)
}

/// `work` on every file in parallel, each worker with its own [`Worker`], the largest files
/// first so that no big file is left to run alone at the end; results in file order.
fn largest_first<T: Send>(
    files: &[Arc<SourceFile>],
    work: impl Fn(&mut Worker, &Arc<SourceFile>) -> T + Sync,
) -> Vec<T> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].text.len()));
    thread_local! {
        static WORKER: std::cell::RefCell<Worker> = std::cell::RefCell::new(Worker::default());
    }
    let mut done: Vec<(usize, T)> = order
        .par_iter()
        .with_max_len(1)
        .map(|&i| WORKER.with_borrow_mut(|worker| (i, work(worker, &files[i]))))
        .collect();
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// Parse every file and do nothing else: the baseline the benchmark compares against.
pub fn parse_only(options: &Options) -> (usize, usize) {
    let (files, _, _, _, _) = load_files(options, false);
    let nodes: usize = largest_first(&files, |worker, file| {
        worker
            .parse(file)
            .map_or(0, |tree| tree.root_node().descendant_count())
    })
    .into_iter()
    .sum();
    (files.len(), nodes)
}

/// A finding's identity: rule, file, and what it is about (the endpoint, or the primary
/// label's text) — not line numbers, so it survives unrelated edits.
fn fingerprint(project: &Project, diagnostic: &Diagnostic) -> String {
    let path = project
        .files
        .get(diagnostic.primary.span.file)
        .map_or("", |f| f.path.as_str());
    let what = match &diagnostic.endpoint {
        Some(e) => format!("{} {}", e.method, e.route),
        None => project
            .files
            .get(diagnostic.primary.span.file)
            .and_then(|f| f.text.get(diagnostic.primary.span.range()))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    };
    let key = format!("{}\0{path}\0{what}", diagnostic.rule);
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()))
}
