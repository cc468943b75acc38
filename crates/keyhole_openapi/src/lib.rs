//! Swagger 2.0 and OpenAPI 3.0 / 3.1 (3.2 read as 3.1) loading for keyhole.
//!
//! - [`yaml`] and [`json`] read text into one position-carrying [`tree::Tree`]: every node
//!   knows its byte range, so every finding renders a code frame at the right line. Both
//!   readers are iterative with depth and node limits; YAML aliases stay shared.
//! - [`Spec::load`] detects the version, resolves `$ref`s (local, and relative files
//!   through a [`FileSource`] the caller provides — URLs and paths leaving the root are
//!   recorded as problems and never read), and builds one normalised model of the
//!   operations, their parameters, bodies, responses and security, whatever the version.
//! - [`schema`] walks schemas through `$ref`, `allOf`/`oneOf`/`anyOf`, `items` and
//!   nesting, cycle-safe.
//!
//! No I/O happens here beyond what the caller's [`FileSource`] does.

pub mod json;
pub mod schema;
mod spec;
pub mod tree;
pub mod yaml;

pub use spec::{
    FileSource, Format, NodeRef, Operation, Param, Problem, ProblemKind, RequestBody, Response,
    SchemeKind, Security, SecurityScheme, Server, Spec, SpecError, Version,
};

/// Collections nested deeper than this are rejected (real specs stay well under 64).
pub const MAX_DEPTH: usize = 256;
/// Documents with more nodes than this are rejected (a 4 MB spec has about 400,000).
pub const MAX_NODES: usize = 8_000_000;

/// A reader error at a byte offset of the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(offset: usize, message: String) -> Self {
        ParseError { offset, message }
    }
}

/// What a reader produces: the tree and the keys written twice in one mapping
/// (key, first key span, later key span).
#[derive(Debug)]
pub struct ParseOutput {
    pub tree: tree::Tree,
    pub duplicates: Vec<(String, std::ops::Range<u32>, std::ops::Range<u32>)>,
}

/// Parse text as YAML or JSON.
pub fn parse(text: &str, format: Format) -> Result<ParseOutput, ParseError> {
    match format {
        Format::Json => json::parse(text),
        Format::Yaml => yaml::parse(text),
    }
}

/// A file's bytes that are not text keyhole can read, located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DecodeError {
    /// One-based line and column of the bad byte.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Decode a spec file's bytes: UTF-8 (a BOM is kept and skipped by the readers), or UTF-16
/// with a BOM (converted). Anything else is an error naming the line of the first bad byte.
pub fn decode(bytes: &[u8]) -> Result<String, DecodeError> {
    let utf16 = |le: bool| -> Result<String, DecodeError> {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| {
                let pair = [c[0], c.get(1).copied().unwrap_or(0)];
                if le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| DecodeError {
            line: 1,
            column: 1,
            message: "invalid UTF-16 (an unpaired surrogate)".into(),
        })
    };
    match bytes {
        [0xFF, 0xFE, ..] => return utf16(true),
        [0xFE, 0xFF, ..] => return utf16(false),
        _ => {}
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            if let Some(at) = text.find('\0') {
                let (line, column) = position(bytes, at);
                return Err(DecodeError {
                    line,
                    column,
                    message: "NUL byte in the text (YAML and JSON forbid it)".into(),
                });
            }
            Ok(text.to_string())
        }
        Err(err) => {
            let at = err.valid_up_to();
            let (line, column) = position(bytes, at);
            Err(DecodeError {
                line,
                column,
                message: format!(
                    "not valid UTF-8: invalid byte 0x{:02X} at offset {at}",
                    bytes.get(at).copied().unwrap_or(0)
                ),
            })
        }
    }
}

fn position(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}
