//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

use std::collections::BTreeMap;

use keyhole_core::{Diagnostic, RuleMeta, Severity, SourceMap, Span};
use serde_json::Value;
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    Sarif, Tool, ToolComponent,
};

use crate::json::to_string;
use crate::{Located, Report, INFORMATION_URI, TOOL_NAME};

/// The schema URI written to `$schema`.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key under which the finding's fingerprint goes in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "keyhole/v1";

/// The base URI id that relative artifact paths are resolved against.
const SRCROOT: &str = "%SRCROOT%";

/// One SARIF log with one run: every rule in `report.rules` as a reporting descriptor, every
/// diagnostic as a result pointing at its rule by id and index.
pub fn sarif(report: &Report) -> String {
    let rules = RuleTable::new(report.rules, report.diagnostics);
    let results: Vec<SarifResult> = report
        .diagnostics
        .iter()
        .map(|d| result(d, report.files, &rules))
        .collect();

    let mut driver = ToolComponent::builder()
        .name(TOOL_NAME)
        .version(report.tool_version)
        .semantic_version(report.tool_version)
        .rules(rules.descriptors())
        .build();
    if !INFORMATION_URI.is_empty() {
        driver.information_uri = Some(INFORMATION_URI.to_string());
    }

    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        // Columns count characters (code points), not UTF-16 code units.
        .column_kind(Value::from("unicodeCodePoints"))
        .build();

    let log = Sarif::builder()
        .schema(SARIF_SCHEMA)
        .version(Value::from("2.1.0"))
        .runs(vec![run])
        .build();
    to_string(&log)
}

/// The rules of the run: the enabled rules first, in the order given, then any rule a
/// diagnostic names that was not among them (an internal error, say), so that every result's
/// `ruleIndex` points at a descriptor. Ids are unique.
struct RuleTable<'a> {
    entries: Vec<RuleEntry<'a>>,
}

enum RuleEntry<'a> {
    Known(&'a RuleMeta),
    Unlisted(&'a str),
}

impl RuleEntry<'_> {
    fn id(&self) -> &str {
        match self {
            RuleEntry::Known(meta) => meta.name,
            RuleEntry::Unlisted(name) => name,
        }
    }
}

impl<'a> RuleTable<'a> {
    fn new(rules: &'a [RuleMeta], diagnostics: &'a [Diagnostic]) -> Self {
        let mut table = RuleTable {
            entries: Vec::new(),
        };
        for meta in rules {
            if table.index(meta.name).is_none() {
                table.entries.push(RuleEntry::Known(meta));
            }
        }
        for d in diagnostics {
            if table.index(d.rule).is_none() {
                table.entries.push(RuleEntry::Unlisted(d.rule));
            }
        }
        table
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.id() == id)
    }

    fn descriptors(&self) -> Vec<ReportingDescriptor> {
        self.entries.iter().map(descriptor).collect()
    }
}

fn descriptor(entry: &RuleEntry) -> ReportingDescriptor {
    match entry {
        RuleEntry::Known(meta) => {
            let mut extra = BTreeMap::new();
            extra.insert("evidence".to_string(), Value::from(meta.evidence));
            // GitHub code scanning ranks security alerts by this score.
            extra.insert(
                "security-severity".to_string(),
                Value::from(security_severity(meta.default_severity)),
            );
            let doc = meta.doc_markdown();
            let doc = doc.trim();
            let doc = if doc.is_empty() { meta.summary } else { doc };
            ReportingDescriptor::builder()
                .id(meta.name)
                .name(meta.name)
                .short_description(text_message(meta.summary))
                .full_description(text_message(doc))
                .help(
                    MultiformatMessageString::builder()
                        .text(doc)
                        .markdown(doc)
                        .build(),
                )
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(Value::from(level_str(meta.default_severity)))
                        .build(),
                )
                .properties(
                    PropertyBag::builder()
                        .tags(vec!["security".to_string(), meta.family.to_string()])
                        .additional_properties(extra)
                        .build(),
                )
                .build()
        }
        RuleEntry::Unlisted(name) => ReportingDescriptor::builder().id(*name).name(*name).build(),
    }
}

fn result(d: &Diagnostic, files: &SourceMap, rules: &RuleTable) -> SarifResult {
    let mut text = d.message.clone();
    let mut first = true;
    for line in d
        .notes
        .iter()
        .map(|n| format!("note: {n}"))
        .chain(d.help.iter().map(|h| format!("help: {h}")))
    {
        text.push_str(if first { "\n\n" } else { "\n" });
        text.push_str(&line);
        first = false;
    }

    let related: Vec<Location> = d
        .secondary
        .iter()
        .enumerate()
        .map(|(i, l)| {
            Location::builder()
                .id(i64::try_from(i).unwrap_or(i64::MAX))
                .physical_location(physical(files, l.span))
                .message(Message::builder().text(l.message.clone()).build())
                .build()
        })
        .collect();

    let primary = Location::builder()
        .physical_location(physical(files, d.primary.span))
        .message(Message::builder().text(d.primary.message.clone()).build())
        .build();

    let rule_index = rules
        .index(d.rule)
        .and_then(|i| i64::try_from(i).ok())
        .unwrap_or(-1);

    // The typed builder changes type with every field set, so optional fields are set after.
    let mut result = SarifResult::builder()
        .rule_id(d.rule)
        .rule_index(rule_index)
        .level(level(d.severity))
        .message(Message::builder().text(text).build())
        .locations(vec![primary])
        .build();
    if !related.is_empty() {
        result.related_locations = Some(related);
    }
    if !d.fingerprint.is_empty() {
        result.partial_fingerprints = Some(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            d.fingerprint.clone(),
        )]));
    }
    if let Some(e) = &d.endpoint {
        let props = BTreeMap::from([
            ("method".to_string(), Value::from(e.method.as_str())),
            ("route".to_string(), Value::from(e.route.as_str())),
        ]);
        result.properties = Some(PropertyBag::builder().additional_properties(props).build());
    }
    result
}

fn physical(files: &SourceMap, span: Span) -> PhysicalLocation {
    let loc = Located::new(files, span);
    let to_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    PhysicalLocation::builder()
        .artifact_location(
            ArtifactLocation::builder()
                .uri(uri_encode(loc.path))
                .uri_base_id(SRCROOT)
                .build(),
        )
        .region(
            Region::builder()
                .start_line(to_i64(loc.start.line))
                .start_column(to_i64(loc.start.column))
                .end_line(to_i64(loc.end.line))
                .end_column(to_i64(loc.end.column))
                .build(),
        )
        .build()
}

/// A relative path as a URI reference: `/` kept, anything outside the URI's unreserved and
/// sub-delimiter characters percent-encoded (`my app/x.py` → `my%20app/x.py`).
fn uri_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn text_message(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text).build()
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn level_str(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}
