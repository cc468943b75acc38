//! Grammars and extraction queries.
//!
//! Queries live in `queries/<lang>/<framework>/*.scm`, are embedded in the binary, and are
//! compiled once per process — lazily, for the languages actually present — into one merged
//! query per grammar. Capture names are checked against the contract in `queries/README.md`
//! at load, and their indices resolved, so extractors never look a capture up by name.

mod captures;

use std::sync::OnceLock;

pub use captures::Capture;
use keyhole_core::Language;
pub use streaming_iterator::StreamingIterator;
pub use tree_sitter;
use tree_sitter::Query;

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
    pub query: Query,
    captures: Vec<Option<Capture>>,
}

impl QuerySet {
    /// Compile `files` for `language`, checking every capture name against the contract.
    pub fn compile(language: Language, files: &[QueryFile]) -> Result<QuerySet, QueryLoadError> {
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
        let query = Query::new(&grammar(language), &merged).map_err(|e| {
            let (path, line) = locate(e.row);
            QueryLoadError {
                path,
                line,
                message: format!("{:?} error: {}", e.kind, e.message),
            }
        })?;
        let mut captures = Vec::new();
        for name in query.capture_names() {
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
            captures,
        })
    }

    /// The contract capture behind a capture index, `None` for private (`@_x`) captures.
    pub fn capture(&self, index: u32) -> Option<Capture> {
        self.captures.get(index as usize).copied().flatten()
    }
}

/// The query set of a language, compiled on first use and shared by every thread.
pub fn query_set(language: Language) -> Result<&'static QuerySet, &'static QueryLoadError> {
    static PYTHON: OnceLock<Result<QuerySet, QueryLoadError>> = OnceLock::new();
    static JAVASCRIPT: OnceLock<Result<QuerySet, QueryLoadError>> = OnceLock::new();
    static TYPESCRIPT: OnceLock<Result<QuerySet, QueryLoadError>> = OnceLock::new();
    static TSX: OnceLock<Result<QuerySet, QueryLoadError>> = OnceLock::new();
    static NONE: OnceLock<Result<QuerySet, QueryLoadError>> = OnceLock::new();
    let cell = match language {
        Language::Python => &PYTHON,
        Language::JavaScript => &JAVASCRIPT,
        Language::TypeScript => &TYPESCRIPT,
        Language::Tsx => &TSX,
        // No queries: spec files are not extracted with tree-sitter.
        Language::Yaml | Language::Json => &NONE,
    };
    cell.get_or_init(|| QuerySet::compile(language, query_files(language)))
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Language; 4] = [
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
    ];

    #[test]
    fn every_query_compiles_against_its_grammar() {
        for language in ALL {
            if let Err(e) = query_set(language) {
                panic!("{language:?}: {e}");
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
