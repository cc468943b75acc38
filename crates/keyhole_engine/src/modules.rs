//! The module graph: which file an import names. Python modules are found by dotted name
//! (absolute imports match any suffix of a file's dotted path, nearest file first, so `src/`
//! layouts and apps nested in monorepos resolve; relative imports are exact); JavaScript
//! specifiers by path with extension and index-file resolution. Packages outside the
//! repository are not resolved.

use std::collections::HashMap;

use keyhole_core::{FileId, Language, SourceFile};

use crate::tsconfig::PathConfig;

#[derive(Clone)]
pub struct ModuleIndex {
    /// Every dotted suffix of every Python file's module name → files.
    python_by_suffix: HashMap<String, Vec<FileId>>,
    /// FileId → (full dotted name, is a package `__init__`).
    python_names: Vec<Option<(String, bool)>>,
    /// Display path → file, for JavaScript resolution.
    by_path: HashMap<String, FileId>,
    paths: Vec<String>,
    /// tsconfig/jsconfig path aliases, by config directory.
    aliases: Vec<PathConfig>,
}

const JS_EXTENSIONS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];

impl ModuleIndex {
    pub fn new<'a>(files: impl Iterator<Item = &'a SourceFile>, aliases: &[PathConfig]) -> Self {
        let mut index = ModuleIndex {
            python_by_suffix: HashMap::new(),
            python_names: Vec::new(),
            by_path: HashMap::new(),
            paths: Vec::new(),
            aliases: aliases.to_vec(),
        };
        for file in files {
            let i = file.id.index();
            if index.python_names.len() <= i {
                index.python_names.resize(i + 1, None);
                index.paths.resize(i + 1, String::new());
            }
            index.paths[i] = file.path.clone();
            index.by_path.insert(file.path.clone(), file.id);
            if file.language == Language::Python {
                let Some((name, package)) = python_module_name(&file.path) else {
                    continue;
                };
                let parts: Vec<&str> = name.split('.').collect();
                for start in 0..parts.len() {
                    index
                        .python_by_suffix
                        .entry(parts[start..].join("."))
                        .or_default()
                        .push(file.id);
                }
                index.python_names[i] = Some((name, package));
            }
        }
        index
    }

    /// The file a Python import names, from the importing file.
    pub fn resolve_python(&self, from: FileId, module: &str) -> Option<FileId> {
        if module.starts_with('.') {
            let (name, package) = self.python_names.get(from.index())?.as_ref()?;
            let dots = module.chars().take_while(|&c| c == '.').count();
            let rest = &module[dots..];
            let mut parts: Vec<&str> = name.split('.').collect();
            // A module's package is its parent; a package's is itself.
            let up = if *package { dots - 1 } else { dots };
            for _ in 0..up {
                parts.pop()?;
            }
            if !rest.is_empty() {
                parts.extend(rest.split('.'));
            }
            let full = parts.join(".");
            return self.exact_python(&full);
        }
        let candidates = self.python_by_suffix.get(module)?;
        // Prefer the candidate nearest to the importing file (longest shared directory).
        let from_path = self.paths.get(from.index())?;
        candidates.iter().copied().max_by_key(|c| {
            let p = &self.paths[c.index()];
            let shared = shared_prefix_dirs(from_path, p);
            // Shallower candidates win ties: `app/models.py` over `tests/app/models.py`.
            (shared, usize::MAX - p.matches('/').count())
        })
    }

    /// A submodule of a Python package (`pkg` + `views` → `pkg/views.py`).
    pub fn python_submodule(&self, package: FileId, name: &str) -> Option<FileId> {
        let (full, is_package) = self.python_names.get(package.index())?.as_ref()?;
        if !is_package {
            return None;
        }
        self.exact_python(&format!("{full}.{name}"))
    }

    fn exact_python(&self, full: &str) -> Option<FileId> {
        let candidates = self.python_by_suffix.get(full)?;
        candidates
            .iter()
            .copied()
            .find(|c| {
                self.python_names[c.index()]
                    .as_ref()
                    .is_some_and(|(n, _)| n == full)
            })
            .or_else(|| candidates.first().copied())
    }

    /// The file a JavaScript specifier names, from the importing file. Bare specifiers are
    /// resolved only through the path aliases of the nearest tsconfig/jsconfig; packages are
    /// not resolved.
    pub fn resolve_js(&self, from: FileId, spec: &str) -> Option<FileId> {
        let from_path = self.paths.get(from.index())?;
        if !spec.starts_with('.') {
            return self.resolve_alias(from_path, spec);
        }
        let dir = match from_path.rfind('/') {
            Some(i) => &from_path[..i],
            None => "",
        };
        // A file at the root (analysing `.`) has no directory: `./x` is `x`, not `/x`.
        self.find_js(&crate::tsconfig::join(dir, spec))
    }

    /// A bare specifier through the aliases of the config nearest to `from_path`:
    /// `compilerOptions.paths` (the longest matching prefix wins, its targets in order), then
    /// a file below `baseUrl`.
    fn resolve_alias(&self, from_path: &str, spec: &str) -> Option<FileId> {
        let config = self
            .aliases
            .iter()
            .filter(|c| c.dir.is_empty() || from_path.starts_with(&format!("{}/", c.dir)))
            .max_by_key(|c| c.dir.len())?;
        let mut best: Option<(usize, &str, &[String])> = None;
        for (pattern, targets) in &config.paths {
            let matched = match pattern.split_once('*') {
                None => (pattern == spec).then_some((pattern.len(), "")),
                Some((prefix, suffix)) => spec
                    .strip_prefix(prefix)
                    .and_then(|rest| rest.strip_suffix(suffix))
                    .map(|star| (prefix.len(), star)),
            };
            if let Some((len, star)) = matched {
                if best.is_none_or(|(l, _, _)| len > l) {
                    best = Some((len, star, targets));
                }
            }
        }
        if let Some((_, star, targets)) = best {
            let found = targets.iter().find_map(|t| {
                let target = t.replace('*', star);
                self.find_js(&crate::tsconfig::join(&config.paths_base, &target))
            });
            if found.is_some() {
                return found;
            }
        }
        let base = config.base_url.as_deref()?;
        self.find_js(&crate::tsconfig::join(base, spec))
    }

    /// The file a resolved path names: as is, with an extension, or as a folder's index.
    fn find_js(&self, joined: &str) -> Option<FileId> {
        let joined = joined.to_string();
        let mut tries = vec![joined.clone()];
        // TypeScript ESM writes `./x.js` for `./x.ts`.
        if let Some(stem) = joined
            .strip_suffix(".js")
            .or_else(|| joined.strip_suffix(".mjs"))
        {
            tries.extend(JS_EXTENSIONS.iter().map(|e| format!("{stem}.{e}")));
        }
        tries.extend(JS_EXTENSIONS.iter().map(|e| format!("{joined}.{e}")));
        tries.extend(JS_EXTENSIONS.iter().map(|e| format!("{joined}/index.{e}")));
        tries.iter().find_map(|t| self.by_path.get(t).copied())
    }
}

/// `a/b/c.py` → (`a.b.c`, false); `a/b/__init__.py` → (`a.b`, true).
pub(crate) fn python_module_name(path: &str) -> Option<(String, bool)> {
    let stem = path
        .strip_suffix(".py")
        .or_else(|| path.strip_suffix(".pyi"))?;
    let (stem, package) = match stem
        .strip_suffix("/__init__")
        .or_else(|| (stem == "__init__").then_some(""))
    {
        Some(pkg) => (pkg, true),
        None => (stem, false),
    };
    // Directory names with dots (`/tmp/.tmpX/app`, `v1.2/`) are never importable themselves;
    // they only make the dotted name unique, so their dots become underscores instead of
    // splitting the name.
    let parts: Vec<String> = stem
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(|c| c.replace('.', "_"))
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some((parts.join("."), package))
}

fn shared_prefix_dirs(a: &str, b: &str) -> usize {
    a.split('/')
        .zip(b.split('/'))
        .take_while(|(x, y)| x == y)
        .count()
}

/// Resolve `.` and `..` in a `/`-separated path.
pub(crate) fn normalise(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let joined = out.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names() {
        assert_eq!(
            python_module_name("a/b/c.py"),
            Some(("a.b.c".into(), false))
        );
        assert_eq!(
            python_module_name("a/b/__init__.py"),
            Some(("a.b".into(), true))
        );
        assert_eq!(normalise("a/b/../c/./d"), "a/c/d");
        assert_eq!(normalise("./routes/notes"), "routes/notes");
        assert_eq!(normalise("/tmp/x/./routes/../users"), "/tmp/x/users");
    }
}
