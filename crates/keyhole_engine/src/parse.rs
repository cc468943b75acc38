//! Per-file work, run in parallel: read, check, parse and extract. Each worker owns its
//! parsers and query cursor; the compiled queries are shared.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use keyhole_core::facts::{FileFacts, Problem};
use keyhole_core::{FileId, Language, SourceFile};
use tree_sitter::{ParseOptions, Parser, QueryCursor, Tree};

use crate::discover::{looks_minified, Candidate};

/// Parsing one file may not take longer than this.
const PARSE_TIME_LIMIT: Duration = Duration::from_secs(5);
/// Query matches kept in flight per pattern; bounds memory on pathological files.
const MATCH_LIMIT: u32 = 2_048;

/// A file read and checked, before parsing.
pub enum Loaded {
    Source {
        display: String,
        disk: PathBuf,
        language: Language,
        text: Arc<str>,
    },
    /// Skipped, with a reason counted; `message` is shown as one line when present
    /// (expected skips, such as bundles, are only counted).
    Skipped {
        display: String,
        reason: &'static str,
        message: Option<String>,
    },
}

/// Read a candidate and decide whether it is source text.
pub fn load(candidate: &Candidate) -> Loaded {
    let skipped = |reason: &'static str, message: String| Loaded::Skipped {
        display: candidate.display.clone(),
        reason,
        message: Some(message),
    };
    let bytes = match std::fs::read(&candidate.disk) {
        Ok(bytes) => bytes,
        Err(err) => return skipped("unreadable files", format!("skipped: cannot read: {err}")),
    };
    if bytes.len() as u64 > crate::discover::DEFAULT_MAX_FILE_SIZE.max(candidate.size) {
        return skipped(
            "files over the size limit",
            "skipped: grew past the size limit while reading".into(),
        );
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return skipped("binary files", "skipped: binary content (NUL bytes)".into());
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            return skipped(
                "files that are not UTF-8",
                format!(
                    "skipped: not valid UTF-8 (invalid byte at offset {})",
                    err.utf8_error().valid_up_to()
                ),
            )
        }
    };
    if candidate.language.is_javascript_family() && looks_minified(&text) {
        return Loaded::Skipped {
            display: candidate.display.clone(),
            reason: "minified or bundled JavaScript (by content)",
            message: None,
        };
    }
    Loaded::Source {
        display: candidate.display.clone(),
        disk: candidate.disk.clone(),
        language: candidate.language,
        text: Arc::from(text),
    }
}

/// A worker's reusable state: one parser per language, one query cursor.
#[derive(Default)]
pub struct Worker {
    parsers: Vec<(Language, Parser)>,
    cursor: Option<QueryCursor>,
}

impl Worker {
    fn parser(&mut self, language: Language) -> Option<&mut Parser> {
        if !language.is_code() {
            return None;
        }
        let index = match self.parsers.iter().position(|(l, _)| *l == language) {
            Some(i) => i,
            None => {
                let mut parser = Parser::new();
                parser.set_language(&keyhole_lang::grammar(language)).ok()?;
                self.parsers.push((language, parser));
                self.parsers.len() - 1
            }
        };
        Some(&mut self.parsers[index].1)
    }

    /// Parse with a time bound.
    pub fn parse(&mut self, file: &SourceFile) -> Option<Tree> {
        let parser = self.parser(file.language)?;
        let bytes = file.text.as_bytes();
        let started = Instant::now();
        let mut past_deadline = |_: &tree_sitter::ParseState| started.elapsed() > PARSE_TIME_LIMIT;
        let options = ParseOptions::new().progress_callback(&mut past_deadline);
        let mut read = |offset: usize, _| bytes.get(offset..).unwrap_or_default();
        let tree = parser.parse_with_options(&mut read, None, Some(options));
        if tree.is_none() {
            parser.reset();
        }
        tree
    }

    /// Parse and extract one file's facts. A panic becomes a problem for that file only.
    pub fn extract(&mut self, file: &SourceFile) -> FileFacts {
        if !file.language.is_code() {
            // Spec files go to keyhole_openapi (see `specs`), not to tree-sitter.
            return FileFacts::default();
        }
        let Some(tree) = self.parse(file) else {
            return problem(file, "not analysed: parsing took too long");
        };
        let queries = match keyhole_lang::query_set(file.language) {
            Ok(q) => q,
            Err(err) => {
                return problem(
                    file,
                    &format!("internal error: query failed to load: {err}"),
                )
            }
        };
        let cursor = self.cursor.get_or_insert_with(|| {
            let mut c = QueryCursor::new();
            c.set_match_limit(MATCH_LIMIT);
            c
        });
        let result = catch_unwind(AssertUnwindSafe(|| match file.language {
            Language::Python => keyhole_python::extract(file, &tree, queries, cursor),
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                keyhole_js::extract(file, &tree, queries, cursor)
            }
            Language::Yaml | Language::Json => FileFacts::default(),
        }));
        match result {
            Ok(facts) => facts,
            Err(_) => {
                // The cursor may be mid-iteration; start the next file with a fresh one.
                self.cursor = None;
                problem(
                    file,
                    "internal error while extracting; this file's routes are missing",
                )
            }
        }
    }
}

fn problem(file: &SourceFile, message: &str) -> FileFacts {
    FileFacts {
        problems: vec![Problem {
            span: file.span(0, 0),
            message: message.to_string(),
        }],
        ..FileFacts::default()
    }
}

/// Build the file table entry for a loaded source.
pub fn source_file(
    id: FileId,
    display: String,
    disk: PathBuf,
    language: Language,
    text: Arc<str>,
) -> SourceFile {
    SourceFile::new(id, display, disk, language, text)
}
