//! Baselines: the fingerprints of the findings a project accepted at some point, so that a
//! run reports only what is new. Fingerprints name the rule, the file and the endpoint (or
//! the primary label's text), not line numbers, so they survive unrelated edits.

use std::collections::HashMap;
use std::path::Path;

use keyhole_core::{Diagnostic, SourceMap};
use serde::{Deserialize, Serialize};

const VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read the baseline: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: cannot write the baseline: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a keyhole baseline: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("{path}: baseline version {found}, this keyhole reads version {VERSION}")]
    Version { path: String, found: u32 },
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// One accepted finding. Rule, path and message are for people reading the file; only the
/// fingerprint is compared.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    rule: String,
    path: String,
    message: String,
}

/// The accepted findings, as fingerprint → how many.
#[derive(Debug, Default)]
pub struct Baseline {
    counts: HashMap<String, usize>,
}

/// Write the fingerprints of `diagnostics` to `path`; returns how many were written.
pub fn write(
    path: &Path,
    diagnostics: &[Diagnostic],
    files: &SourceMap,
) -> Result<usize, BaselineError> {
    let findings: Vec<Entry> = diagnostics
        .iter()
        .map(|d| Entry {
            fingerprint: d.fingerprint.clone(),
            rule: d.rule.to_string(),
            path: files
                .get(d.primary.span.file)
                .map(|f| f.path.clone())
                .unwrap_or_default(),
            message: d.message.clone(),
        })
        .collect();
    let count = findings.len();
    let file = File {
        version: VERSION,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text).map_err(|source| BaselineError::Write {
        path: path.display().to_string(),
        source,
    })?;
    Ok(count)
}

/// Read a baseline written by [`write`].
pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
        path: display.clone(),
        source,
    })?;
    let file: File = serde_json::from_str(&text).map_err(|source| BaselineError::Parse {
        path: display.clone(),
        source,
    })?;
    if file.version != VERSION {
        return Err(BaselineError::Version {
            path: display,
            found: file.version,
        });
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for entry in file.findings {
        *counts.entry(entry.fingerprint).or_default() += 1;
    }
    Ok(Baseline { counts })
}

impl Baseline {
    /// Drop the findings the baseline accepted (each entry accepts one finding); returns
    /// how many were dropped.
    pub fn filter(&self, diagnostics: &mut Vec<Diagnostic>) -> usize {
        let mut left = self.counts.clone();
        let before = diagnostics.len();
        diagnostics.retain(|d| match left.get_mut(&d.fingerprint) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        });
        before - diagnostics.len()
    }
}
