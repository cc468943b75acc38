//! Source files, spans and line/column lookup.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

/// Index of a file in the project's file table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FileId(pub u32);

impl FileId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A byte range in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            file,
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Languages keyhole parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    /// An OpenAPI/Swagger spec in YAML: read by keyhole_openapi, never by tree-sitter.
    Yaml,
    /// An OpenAPI/Swagger spec in JSON: read by keyhole_openapi, never by tree-sitter.
    Json,
}

impl Language {
    /// The language of a path, from its extension.
    pub fn from_path(path: &Path) -> Option<Language> {
        let ext = path.extension()?.to_str()?;
        Some(match ext {
            "py" | "pyi" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "mts" | "cts" => {
                if path.to_str().is_some_and(|p| p.ends_with(".d.ts")) {
                    return None;
                }
                Language::TypeScript
            }
            "tsx" => Language::Tsx,
            _ => return None,
        })
    }

    pub fn is_javascript_family(self) -> bool {
        matches!(
            self,
            Language::JavaScript | Language::TypeScript | Language::Tsx
        )
    }

    /// Whether files of this language are code parsed with tree-sitter (not spec files).
    pub fn is_code(self) -> bool {
        !matches!(self, Language::Yaml | Language::Json)
    }

    /// The comment leader used for inline expectations and suppressions.
    pub fn comment_leader(self) -> &'static str {
        match self {
            Language::Python | Language::Yaml => "#",
            _ => "//",
        }
    }
}

/// One-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// A file read into memory, with its path relative to the project root.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    /// Path as given on disk (for reading and rendering).
    pub disk_path: PathBuf,
    pub language: Language,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(
        id: FileId,
        path: String,
        disk_path: PathBuf,
        language: Language,
        text: Arc<str>,
    ) -> Self {
        let line_starts = line_starts(&text);
        SourceFile {
            id,
            path,
            disk_path,
            language,
            text,
            line_starts,
        }
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        line_col(&self.text, &self.line_starts, offset)
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.id, start, end)
    }

    /// Text of a one-based line, without its terminator.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

pub fn line_col(text: &str, line_starts: &[usize], offset: usize) -> LineCol {
    let offset = offset.min(text.len());
    let line = line_starts.partition_point(|&s| s <= offset).max(1);
    let start = line_starts[line - 1];
    let mut col_end = offset;
    while !text.is_char_boundary(col_end) {
        col_end -= 1;
    }
    LineCol {
        line,
        column: text[start..col_end].chars().count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncd\n";
        let starts = line_starts(text);
        assert_eq!(line_col(text, &starts, 0), LineCol { line: 1, column: 1 });
        assert_eq!(line_col(text, &starts, 4), LineCol { line: 2, column: 2 });
        assert_eq!(line_col(text, &starts, 99), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn language_from_extension() {
        assert_eq!(
            Language::from_path(Path::new("a/b.py")),
            Some(Language::Python)
        );
        assert_eq!(Language::from_path(Path::new("x.d.ts")), None);
        assert_eq!(Language::from_path(Path::new("x.tsx")), Some(Language::Tsx));
        assert_eq!(
            Language::from_path(Path::new("x.cjs")),
            Some(Language::JavaScript)
        );
    }
}

/// The project's files, indexed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<std::sync::Arc<SourceFile>>,
}

impl SourceMap {
    pub fn new(files: Vec<std::sync::Arc<SourceFile>>) -> Self {
        debug_assert!(files.iter().enumerate().all(|(i, f)| f.id.index() == i));
        SourceMap { files }
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.index()).map(|f| &**f)
    }

    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().map(|f| &**f)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
