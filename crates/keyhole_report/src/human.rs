//! Compiler-style output with code frames, rendered by codespan-reporting.

use std::collections::HashMap;
use std::ops::Range;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor, Config};
use keyhole_core::{Diagnostic, FileId, Severity, SourceFile, SourceMap};

use crate::{clamp_range, one_line, Located, Report};

/// Render every diagnostic with a code frame: `error[missing-auth]: …`, the primary label under
/// the offending code, secondary labels, then `= note: …` and `= help: …` lines.
///
/// ANSI colour codes are emitted only when `color` is true.
pub fn human(report: &Report, color: bool) -> String {
    let files = CodespanFiles::new(report.files, report.diagnostics);
    let config = Config::default();
    let mut out = String::new();
    for d in report.diagnostics {
        let diagnostic = to_codespan(d, report.files);
        match render(&config, &files, &diagnostic, color) {
            Some(text) => out.push_str(&text),
            None => out.push_str(&fallback(d, report.files)),
        }
    }
    out
}

fn render(
    config: &Config,
    files: &CodespanFiles,
    diagnostic: &cs::Diagnostic<FileId>,
    color: bool,
) -> Option<String> {
    if color {
        let mut writer = termcolor::Ansi::new(Vec::new());
        term::emit_to_write_style(&mut writer, config, files, diagnostic).ok()?;
        String::from_utf8(writer.into_inner()).ok()
    } else {
        term::emit_into_string(config, files, diagnostic).ok()
    }
}

fn to_codespan(d: &Diagnostic, files: &SourceMap) -> cs::Diagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Info => cs::Severity::Note,
    };
    let label = |style: cs::LabelStyle, l: &keyhole_core::Label| {
        cs::Label::new(style, l.span.file, range_in(files, l.span))
            .with_message(one_line(&l.message))
    };
    let mut labels = vec![label(cs::LabelStyle::Primary, &d.primary)];
    labels.extend(
        d.secondary
            .iter()
            // A label in a file we cannot show would make the whole frame fail to render.
            .filter(|l| files.get(l.span.file).is_some())
            .map(|l| label(cs::LabelStyle::Secondary, l)),
    );
    let mut notes: Vec<String> = d.notes.iter().map(|n| format!("note: {n}")).collect();
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.rule)
        .with_message(one_line(&d.message))
        .with_labels(labels)
        .with_notes(notes)
}

fn range_in(files: &SourceMap, span: keyhole_core::Span) -> Range<usize> {
    match files.get(span.file) {
        Some(file) => clamp_range(&file.text, span.range()),
        None => span.range(),
    }
}

/// Used when the primary label's file is not in the source map: no code frame, same shape.
fn fallback(d: &Diagnostic, files: &SourceMap) -> String {
    let loc = Located::new(files, d.primary.span);
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let mut out = format!(
        "{severity}[{}]: {}\n  ┌─ {}\n  │\n",
        d.rule,
        one_line(&d.message),
        loc.path,
    );
    for note in &d.notes {
        out.push_str(&format!("  = note: {note}\n"));
    }
    if let Some(help) = &d.help {
        out.push_str(&format!("  = help: {help}\n"));
    }
    out.push('\n');
    out
}

/// The source map seen through codespan's `Files` trait, with line starts computed once for
/// the files the diagnostics mention.
struct CodespanFiles<'m> {
    map: &'m SourceMap,
    line_starts: HashMap<FileId, Vec<usize>>,
}

impl<'m> CodespanFiles<'m> {
    fn new(map: &'m SourceMap, diagnostics: &[Diagnostic]) -> Self {
        let mut line_starts = HashMap::new();
        let spans = diagnostics
            .iter()
            .flat_map(|d| std::iter::once(&d.primary).chain(&d.secondary))
            .map(|l| l.span.file);
        for id in spans {
            if let Some(file) = map.get(id) {
                line_starts
                    .entry(id)
                    .or_insert_with(|| keyhole_core::source::line_starts(&file.text));
            }
        }
        CodespanFiles { map, line_starts }
    }

    fn file(&self, id: FileId) -> Result<(&'m SourceFile, &[usize]), FilesError> {
        let file = self.map.get(id).ok_or(FilesError::FileMissing)?;
        let starts = self.line_starts.get(&id).ok_or(FilesError::FileMissing)?;
        Ok((file, starts))
    }
}

impl<'a> Files<'a> for CodespanFiles<'_> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.file(id)?.0.path)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.file(id)?.0.text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let (_, starts) = self.file(id)?;
        Ok(starts
            .partition_point(|&s| s <= byte_index)
            .saturating_sub(1))
    }

    fn column_number(
        &'a self,
        id: FileId,
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        Ok(self.file(id)?.0.line_col(byte_index).column)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let (file, starts) = self.file(id)?;
        let start = line_start(file, starts, line_index)?;
        let end = line_start(file, starts, line_index + 1)?;
        Ok(start..end)
    }
}

fn line_start(file: &SourceFile, starts: &[usize], line_index: usize) -> Result<usize, FilesError> {
    match line_index.cmp(&starts.len()) {
        std::cmp::Ordering::Less => Ok(starts[line_index]),
        std::cmp::Ordering::Equal => Ok(file.text.len()),
        std::cmp::Ordering::Greater => Err(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len().saturating_sub(1),
        }),
    }
}
