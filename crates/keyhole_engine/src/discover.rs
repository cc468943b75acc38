//! Finding the files to analyse: `.gitignore`, `.keyholeignore`, and the directories and
//! files that are never application source (dependencies, virtualenvs, build output,
//! bundles, binaries, oversized files). Every skip is counted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use keyhole_core::Language;

/// Files larger than this are not application source.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

/// Directory names never descended into.
const SKIPPED_DIRS: &[(&str, &str)] = &[
    ("node_modules", "dependencies (node_modules)"),
    // Tests serve no endpoints in production; the apps they build would pollute the inventory.
    ("tests", "tests"),
    ("test", "tests"),
    ("__tests__", "tests"),
    ("__mocks__", "tests"),
    ("e2e", "tests"),
    ("cypress", "tests"),
    ("bower_components", "dependencies (bower_components)"),
    ("jspm_packages", "dependencies (jspm_packages)"),
    ("site-packages", "dependencies (site-packages)"),
    ("__pycache__", "bytecode caches (__pycache__)"),
    (".venv", "virtualenvs"),
    ("venv", "virtualenvs"),
    ("virtualenv", "virtualenvs"),
    (".tox", "virtualenvs"),
    (".nox", "virtualenvs"),
    ("dist", "build output"),
    ("build", "build output"),
    (".next", "build output"),
    (".nuxt", "build output"),
    (".svelte-kit", "build output"),
    (".output", "build output"),
    ("coverage", "build output"),
    (".git", "version control"),
    (".hg", "version control"),
    (".mypy_cache", "tool caches"),
    (".pytest_cache", "tool caches"),
    (".ruff_cache", "tool caches"),
];

/// A file selected for analysis.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Path as shown to the user (relative to the working directory where possible).
    pub display: String,
    pub disk: PathBuf,
    pub language: Language,
    pub size: u64,
}

/// What discovery skipped, by reason.
#[derive(Debug, Default, Clone)]
pub struct SkipCounts {
    pub by_reason: BTreeMap<String, usize>,
}

impl SkipCounts {
    pub fn add(&mut self, reason: &str) {
        *self.by_reason.entry(reason.to_string()).or_default() += 1;
    }

    pub fn total(&self) -> usize {
        self.by_reason.values().sum()
    }
}

/// What discovery found: candidates sorted by display path, skip counts, one-line problems
/// (path, message), and the tsconfig/jsconfig files (display path, disk path).
pub type Discovered = (
    Vec<Candidate>,
    SkipCounts,
    Vec<(String, String)>,
    Vec<(String, PathBuf)>,
);

/// Walk `paths`, returning candidates sorted by display path, and the skip counts.
///
/// `first_seen` is called once for each language, when its first file is found (the
/// engine starts compiling that language's queries then, on the core discovery leaves idle).
pub fn discover(
    paths: &[PathBuf],
    max_file_size: u64,
    settings: Option<Arc<keyhole_config::Settings>>,
    first_seen: &dyn Fn(Language),
) -> Discovered {
    let mut configs = Vec::new();
    let mut seen: Vec<Language> = Vec::new();
    let mut note_language = |language: Language| {
        if !seen.contains(&language) {
            seen.push(language);
            first_seen(language);
        }
    };
    let counts = Arc::new(Mutex::new(SkipCounts::default()));
    let mut candidates = Vec::new();
    // One-line problems: (path, message).
    let mut problems = Vec::new();
    for root in paths {
        if root.is_file() {
            // A file named on the command line is analysed even if ignored.
            match Language::from_path(root).or_else(|| crate::specs::spec_language(root)) {
                Some(language) => {
                    note_language(language);
                    candidates.push(Candidate {
                        display: display_path(root),
                        disk: root.clone(),
                        language,
                        size: root.metadata().map(|m| m.len()).unwrap_or(0),
                    })
                }
                None => lock(&counts).add("not Python, JavaScript or TypeScript"),
            }
            continue;
        }
        if !root.exists() {
            problems.push((display_path(root), "no such file or directory".to_string()));
            continue;
        }
        let filter_counts = Arc::clone(&counts);
        let settings = settings.clone();
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .require_git(false)
            .follow_links(false)
            .add_custom_ignore_filename(".keyholeignore")
            .filter_entry(move |entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if entry.depth() > 0
                    && settings
                        .as_ref()
                        .is_some_and(|s| s.is_excluded(entry.path()))
                {
                    lock(&filter_counts).add("excluded by configuration");
                    return false;
                }
                if !is_dir || entry.depth() == 0 {
                    return true;
                }
                let name = entry.file_name().to_string_lossy();
                if let Some((_, reason)) = SKIPPED_DIRS.iter().find(|(n, _)| *n == name) {
                    lock(&filter_counts).add(&format!("directories: {reason}"));
                    return false;
                }
                // A virtualenv under any name.
                if entry.path().join("pyvenv.cfg").is_file() {
                    lock(&filter_counts).add("directories: virtualenvs");
                    return false;
                }
                if name.starts_with('.') && name != ".well-known" {
                    lock(&filter_counts).add("directories: hidden");
                    return false;
                }
                true
            })
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    // Symlink loops, permission errors: one line, and the walk goes on.
                    let path = error_path(&err)
                        .map(|p| display_path(&p))
                        .unwrap_or_default();
                    problems.push((path, format!("skipped: {}", error_message(&err))));
                    lock(&counts).add("unreadable paths");
                    continue;
                }
            };
            let Some(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_symlink() {
                // Never followed: a link may lead outside the repository.
                lock(&counts).add("symbolic links (not followed)");
                continue;
            }
            if !file_type.is_file() {
                continue;
            }
            let path = entry.path();
            if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(crate::tsconfig::is_config_name)
            {
                configs.push((display_path(path), path.to_path_buf()));
                continue;
            }
            let Some(language) =
                Language::from_path(path).or_else(|| crate::specs::is_spec_file(path))
            else {
                lock(&counts).add("not Python, JavaScript or TypeScript");
                continue;
            };
            if is_bundle_name(path) {
                lock(&counts).add("minified or bundled JavaScript (by name)");
                continue;
            }
            if is_test_name(path) {
                lock(&counts).add("tests");
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            let limit = if language.is_code() {
                max_file_size
            } else {
                crate::specs::MAX_SPEC_SIZE
            };
            if size > limit {
                lock(&counts).add("files over the size limit");
                problems.push((
                    display_path(path),
                    format!(
                        "skipped: {:.1} MiB is over the {} MiB limit for source files",
                        size as f64 / 1_048_576.0,
                        limit / 1_048_576
                    ),
                ));
                continue;
            }
            note_language(language);
            candidates.push(Candidate {
                display: display_path(path),
                disk: path.to_path_buf(),
                language,
                size,
            });
        }
    }
    candidates.sort_by(|a, b| a.display.cmp(&b.display));
    candidates.dedup_by(|a, b| a.display == b.display);
    let counts = lock(&counts).clone();
    configs.sort();
    (candidates, counts, problems, configs)
}

fn lock(counts: &Mutex<SkipCounts>) -> std::sync::MutexGuard<'_, SkipCounts> {
    counts
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_message(err)
        }
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loop back to {}", display_path(ancestor))
        }
        other => other.to_string(),
    }
}

/// Test modules by their name: `test_x.py`, `x_test.py`, `tests.py`, `conftest.py`,
/// `x.test.ts`, `x.spec.js`.
fn is_test_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if let Some(stem) = name.strip_suffix(".py") {
        return stem.starts_with("test_")
            || stem.ends_with("_test")
            || stem == "tests"
            || stem == "conftest";
    }
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    stem.ends_with(".test") || stem.ends_with(".spec")
}

fn is_bundle_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    [
        ".min.js",
        ".min.mjs",
        ".bundle.js",
        "-bundle.js",
        ".chunk.js",
        ".min.cjs",
    ]
    .iter()
    .any(|suffix| name.ends_with(suffix))
}

/// Whether the text looks minified: very long lines, few of them.
pub fn looks_minified(text: &str) -> bool {
    let sample = &text.as_bytes()[..text.len().min(64 * 1024)];
    let lines = sample.split(|&b| b == b'\n').count().max(1);
    let longest = sample
        .split(|&b| b == b'\n')
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    longest > 5_000 && sample.len() / lines > 300
}

/// A path as the user should see it: `/`-separated, without a leading `./`.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}
