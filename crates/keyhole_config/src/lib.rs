//! keyhole's configuration: finding the nearest `keyhole.toml`, `.keyhole.toml` or
//! `pyproject.toml` with `[tool.keyhole]`, following `extend`, validating it against the
//! rule catalogue (errors carry file:line), and answering the engine's questions: is this
//! file excluded, which rules run on it and at what severity, what else is a guard.

mod model;
mod starter;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use keyhole_core::vocabulary::Vocabulary;
use keyhole_core::{RuleMeta, Severity};
use serde::Deserialize;
use toml::Spanned;

pub use model::{Config, Guards, Level, Override, Public, Sensitive};
pub use starter::{starter, Detected};

/// The file names keyhole looks for, in each directory, in this order.
pub const FILE_NAMES: [&str; 3] = ["keyhole.toml", ".keyhole.toml", "pyproject.toml"];

/// How many `extend` links are followed.
const MAX_EXTEND_DEPTH: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

/// The JSON schema of the configuration, as checked in at `docs/keyhole.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Config);
    let mut out = serde_json::to_string_pretty(&schema).unwrap_or_default();
    out.push('\n');
    out
}

/// The nearest configuration file at or above `start`: in each directory `keyhole.toml`,
/// then `.keyhole.toml`, then a `pyproject.toml` with a `[tool.keyhole]` table. The walk
/// stops at the repository root (a directory holding `.git`) and at the filesystem root.
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let start = start.canonicalize().unwrap_or(start);
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        for name in FILE_NAMES {
            let candidate = d.join(name);
            if !candidate.is_file() {
                continue;
            }
            if name != "pyproject.toml" || declares_tool_keyhole(&candidate) {
                return Some(candidate);
            }
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

fn declares_tool_keyhole(pyproject: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(pyproject) else {
        return false;
    };
    match toml::from_str::<toml::Table>(&text) {
        Ok(table) => table.get("tool").and_then(|t| t.get("keyhole")).is_some(),
        // Broken, but meant for us: load it and say what is wrong.
        Err(_) => text.contains("[tool.keyhole"),
    }
}

/// A configuration loaded, validated, merged with what it extends, and compiled.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The directory of the configuration file: globs and paths are relative to it.
    pub root: PathBuf,
    /// The files read, the nearest first.
    pub files: Vec<PathBuf>,
    base: Selection,
    overrides: Vec<CompiledOverride>,
    exclude: GlobSet,
    /// Spec files to read, absolute.
    pub specs: Vec<PathBuf>,
    pub guards: Guards,
    pub public: Public,
    pub sensitive: Sensitive,
}

#[derive(Debug, Clone, Default)]
struct Selection {
    /// `None`: every rule.
    select: Option<Vec<String>>,
    ignore: Vec<String>,
    severity: BTreeMap<String, Level>,
}

#[derive(Debug, Clone)]
struct CompiledOverride {
    files: GlobSet,
    select: Vec<String>,
    ignore: Vec<String>,
    severity: BTreeMap<String, Level>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            root: PathBuf::from("."),
            files: Vec::new(),
            base: Selection::default(),
            overrides: Vec::new(),
            exclude: GlobSet::empty(),
            specs: Vec::new(),
            guards: Guards::default(),
            public: Public::default(),
            sensitive: Sensitive::default(),
        }
    }
}

/// Load `path` (and what it extends), checking rule names against `rules`.
pub fn load(path: &Path, rules: &[RuleMeta]) -> Result<Settings, ConfigError> {
    let path = std::path::absolute(path).map_err(|source| ConfigError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let root = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let root = root.canonicalize().unwrap_or(root);
    // The chain: this file, what it extends, what that extends…
    let mut chain: Vec<(PathBuf, Config)> = Vec::new();
    let mut seen = HashSet::new();
    let mut next = Some(path);
    while let Some(file) = next.take() {
        let canonical = file.canonicalize().unwrap_or_else(|_| file.clone());
        if !seen.insert(canonical) {
            return Err(ConfigError::File {
                path: file.display().to_string(),
                message: "`extend` loops back to this file".into(),
            });
        }
        if chain.len() >= MAX_EXTEND_DEPTH {
            return Err(ConfigError::File {
                path: file.display().to_string(),
                message: format!("more than {MAX_EXTEND_DEPTH} files chained by `extend`"),
            });
        }
        let (config, text) = parse_file(&file)?;
        validate(&file, &text, &config, rules)?;
        if let Some(extend) = &config.extend {
            let base = file.parent().unwrap_or(Path::new("."));
            let target = base.join(extend);
            if !target.is_file() {
                let line = line_of_key(&text, "extend");
                return Err(ConfigError::Invalid {
                    path: file.display().to_string(),
                    line,
                    column: 1,
                    message: format!("`extend`: no such file `{extend}`"),
                });
            }
            next = Some(target);
        }
        chain.push((file, config));
    }
    let mut settings = Settings {
        root: root.clone(),
        files: chain.iter().map(|(p, _)| p.clone()).collect(),
        ..Settings::default()
    };
    let mut exclude = GlobSetBuilder::new();
    // The furthest file first, so that nearer files add to and replace its settings.
    for (file, config) in chain.iter().rev() {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        merge_selection(
            &mut settings.base,
            config.select.as_deref(),
            &config.ignore,
            &config.severity,
        );
        for pattern in &config.exclude {
            add_glob(&mut exclude, file, &text, pattern)?;
        }
        for o in &config.overrides {
            let mut files = GlobSetBuilder::new();
            for pattern in &o.files {
                add_glob(&mut files, file, &text, pattern)?;
            }
            settings.overrides.push(CompiledOverride {
                files: build(files, file)?,
                select: values(&o.select),
                ignore: values(&o.ignore),
                severity: o
                    .severity
                    .iter()
                    .map(|(k, v)| (k.clone(), *v.get_ref()))
                    .collect(),
            });
        }
        let dir = file.parent().unwrap_or(Path::new("."));
        settings
            .specs
            .extend(config.specs.iter().map(|s| dir.join(s)));
        let g = &config.guards;
        settings.guards.names.extend(g.names.iter().cloned());
        settings.guards.optional.extend(g.optional.iter().cloned());
        settings
            .guards
            .not_guards
            .extend(g.not_guards.iter().cloned());
        let p = &config.public;
        settings.public.markers.extend(p.markers.iter().cloned());
        settings.public.paths.extend(p.paths.iter().cloned());
        settings.public.prefixes.extend(p.prefixes.iter().cloned());
        settings
            .public
            .auth_endpoints
            .extend(p.auth_endpoints.iter().cloned());
        settings
            .sensitive
            .fields
            .extend(config.sensitive.fields.iter().cloned());
    }
    settings.exclude = build(exclude, &settings.files[0])?;
    Ok(settings)
}

fn values(list: &[Spanned<String>]) -> Vec<String> {
    list.iter().map(|s| s.get_ref().clone()).collect()
}

fn merge_selection(
    into: &mut Selection,
    select: Option<&[Spanned<String>]>,
    ignore: &[Spanned<String>],
    severity: &BTreeMap<String, Spanned<Level>>,
) {
    if let Some(select) = select {
        into.select = Some(values(select));
        // A nearer `select` starts the selection afresh.
        into.ignore.clear();
    }
    into.ignore.extend(values(ignore));
    for (k, v) in severity {
        into.severity.insert(k.clone(), *v.get_ref());
    }
}

/// Read and deserialise one file; `pyproject.toml` through its `[tool.keyhole]` table.
fn parse_file(file: &Path) -> Result<(Config, String), ConfigError> {
    let display = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Io {
        path: display.clone(),
        source,
    })?;
    let is_pyproject = file.file_name().is_some_and(|n| n == "pyproject.toml");
    let config = if is_pyproject {
        #[derive(Deserialize)]
        struct Pyproject {
            tool: Option<Tool>,
        }
        #[derive(Deserialize)]
        struct Tool {
            keyhole: Option<Config>,
        }
        let doc: Pyproject = toml::from_str(&text).map_err(|e| toml_error(&display, &text, &e))?;
        doc.tool
            .and_then(|t| t.keyhole)
            .ok_or_else(|| ConfigError::File {
                path: display.clone(),
                message: "no `[tool.keyhole]` table".into(),
            })?
    } else {
        toml::from_str(&text).map_err(|e| toml_error(&display, &text, &e))?
    };
    Ok((config, text))
}

fn toml_error(path: &str, text: &str, err: &toml::de::Error) -> ConfigError {
    let (line, column) = err.span().map_or((1, 1), |span| line_col(text, span.start));
    ConfigError::Invalid {
        path: path.to_string(),
        line,
        column,
        message: err.message().trim().to_string(),
    }
}

/// One-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map_or(1, |i| i + 1)
}

fn invalid_at(file: &Path, text: &str, offset: usize, message: String) -> ConfigError {
    let (line, column) = line_col(text, offset);
    ConfigError::Invalid {
        path: file.display().to_string(),
        line,
        column,
        message,
    }
}

/// Rule names and families must exist.
fn validate(
    file: &Path,
    text: &str,
    config: &Config,
    rules: &[RuleMeta],
) -> Result<(), ConfigError> {
    let known =
        |name: &str| name == "all" || rules.iter().any(|r| r.name == name || r.family == name);
    let check_list = |list: &[Spanned<String>], what: &str| -> Result<(), ConfigError> {
        for item in list {
            if !known(item.get_ref()) {
                return Err(invalid_at(
                    file,
                    text,
                    item.span().start,
                    format!(
                        "`{what}`: unknown rule or family `{}` (see `keyhole rules`)",
                        item.get_ref()
                    ),
                ));
            }
        }
        Ok(())
    };
    let check_severity =
        |map: &BTreeMap<String, Spanned<Level>>, what: &str| -> Result<(), ConfigError> {
            for (name, level) in map {
                if name == "all" || !known(name) {
                    return Err(invalid_at(
                        file,
                        text,
                        level.span().start,
                        format!("`{what}`: unknown rule or family `{name}` (see `keyhole rules`)"),
                    ));
                }
            }
            Ok(())
        };
    if let Some(select) = &config.select {
        check_list(select, "select")?;
    }
    check_list(&config.ignore, "ignore")?;
    check_severity(&config.severity, "severity")?;
    for o in &config.overrides {
        check_list(&o.select, "overrides.select")?;
        check_list(&o.ignore, "overrides.ignore")?;
        check_severity(&o.severity, "overrides.severity")?;
        if o.files.is_empty() {
            return Err(ConfigError::File {
                path: file.display().to_string(),
                message: "an `[[overrides]]` entry needs `files`".into(),
            });
        }
    }
    Ok(())
}

/// Add a glob: `pattern`, and everything below it when it names a directory. A pattern
/// without `/` matches at any depth.
fn add_glob(
    set: &mut GlobSetBuilder,
    file: &Path,
    text: &str,
    pattern: &Spanned<String>,
) -> Result<(), ConfigError> {
    let raw = pattern.get_ref().trim_end_matches('/');
    let raw = raw.strip_prefix("./").unwrap_or(raw);
    let anchored = if raw.contains('/') {
        raw.trim_start_matches('/').to_string()
    } else {
        format!("**/{raw}")
    };
    for p in [anchored.clone(), format!("{anchored}/**")] {
        let glob = GlobBuilder::new(&p)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                invalid_at(
                    file,
                    text,
                    pattern.span().start,
                    format!("bad glob `{}`: {}", pattern.get_ref(), e.kind()),
                )
            })?;
        set.add(glob);
    }
    Ok(())
}

fn build(set: GlobSetBuilder, file: &Path) -> Result<GlobSet, ConfigError> {
    set.build().map_err(|e| ConfigError::File {
        path: file.display().to_string(),
        message: e.to_string(),
    })
}

fn matches(selectors: &[String], rule: &RuleMeta) -> bool {
    selectors
        .iter()
        .any(|s| s == "all" || s == rule.name || s == rule.family)
}

fn severity_for(map: &BTreeMap<String, Level>, rule: &RuleMeta) -> Option<Level> {
    map.get(rule.name).or_else(|| map.get(rule.family)).copied()
}

impl Settings {
    /// `disk` relative to the configuration's directory, `/`-separated; `None` when outside.
    pub fn relative(&self, disk: &Path) -> Option<String> {
        let abs = std::path::absolute(disk).ok()?;
        let abs = abs.canonicalize().unwrap_or(abs);
        let rel = abs.strip_prefix(&self.root).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    }

    /// Whether discovery should skip this file or directory.
    pub fn is_excluded(&self, disk: &Path) -> bool {
        !self.exclude.is_empty()
            && self
                .relative(disk)
                .is_some_and(|rel| !rel.is_empty() && self.exclude.is_match(&rel))
    }

    /// The severity `rule` reports with in `disk`, or `None` when it is off there.
    pub fn severity(&self, disk: Option<&Path>, rule: &RuleMeta) -> Option<Severity> {
        let base = &self.base;
        let mut on =
            base.select.as_ref().is_none_or(|s| matches(s, rule)) && !matches(&base.ignore, rule);
        let mut level = severity_for(&base.severity, rule);
        if !self.overrides.is_empty() {
            if let Some(rel) = disk.and_then(|d| self.relative(d)) {
                for o in self.overrides.iter().filter(|o| o.files.is_match(&rel)) {
                    if matches(&o.select, rule) {
                        on = true;
                    }
                    if matches(&o.ignore, rule) {
                        on = false;
                    }
                    if let Some(l) = severity_for(&o.severity, rule) {
                        level = Some(l);
                    }
                }
            }
        }
        match level {
            _ if !on => None,
            Some(Level::Off) => None,
            Some(Level::Error) => Some(Severity::Error),
            Some(Level::Warning) => Some(Severity::Warning),
            Some(Level::Info) => Some(Severity::Info),
            None => Some(rule.default_severity),
        }
    }

    /// Teach the vocabulary this codebase's names.
    pub fn extend_vocabulary(&self, v: &mut Vocabulary) {
        v.guard_names.extend(self.guards.names.iter().cloned());
        v.optional_guard_names
            .extend(self.guards.optional.iter().cloned());
        v.not_guards.extend(self.guards.not_guards.iter().cloned());
        v.public_markers.extend(self.public.markers.iter().cloned());
        v.public_resource_segments
            .extend(self.public.paths.iter().map(|s| s.to_ascii_lowercase()));
        v.public_resource_prefixes
            .extend(self.public.prefixes.iter().map(|s| s.to_ascii_lowercase()));
        v.auth_endpoint_segments.extend(
            self.public
                .auth_endpoints
                .iter()
                .map(|s| s.to_ascii_lowercase()),
        );
        v.sensitive_fields
            .extend(self.sensitive.fields.iter().map(|s| s.to_ascii_lowercase()));
    }
}

#[cfg(test)]
mod tests;
