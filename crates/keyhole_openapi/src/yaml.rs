//! YAML into a [`Tree`], from saphyr-parser's event stream (which carries positions).
//! Built with an explicit stack: no recursion, a depth limit, a node limit, and aliases
//! kept as shared references rather than expanded.

use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

use crate::tree::{Entry, NodeId, Tree, Value};
use crate::{ParseError, ParseOutput, MAX_DEPTH, MAX_NODES};

/// Character index → byte offset, for texts that are not pure ASCII.
struct Offsets<'a> {
    text: &'a str,
    /// Byte offset of every 64th character.
    checkpoints: Option<Vec<u32>>,
}

const STRIDE: usize = 64;

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let checkpoints = (!text.is_ascii()).then(|| {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(b, _)| u32::try_from(b).unwrap_or(u32::MAX))
                .collect()
        });
        Offsets { text, checkpoints }
    }

    fn byte(&self, char_index: usize) -> usize {
        let Some(checkpoints) = &self.checkpoints else {
            return char_index.min(self.text.len());
        };
        let Some(&base) = checkpoints.get(char_index / STRIDE) else {
            return self.text.len();
        };
        let base = base as usize;
        let rest = char_index % STRIDE;
        self.text
            .get(base..)
            .and_then(|t| t.char_indices().nth(rest).map(|(b, _)| base + b))
            .unwrap_or(self.text.len())
    }

    fn range(&self, span: &YSpan) -> Range<u32> {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index()).max(start);
        clamp(start)..clamp(end)
    }
}

enum Frame {
    Seq {
        id: NodeId,
        items: Vec<NodeId>,
    },
    Map {
        id: NodeId,
        entries: Vec<Entry>,
        key: Option<(String, Range<u32>)>,
    },
}

/// Parse one YAML document.
pub fn parse(text: &str) -> Result<ParseOutput, ParseError> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut tree = Tree::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, NodeId> = HashMap::new();
    let mut duplicates = Vec::new();
    let mut documents = 0usize;
    let mut root_done = false;

    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| {
            let marker = e.marker();
            ParseError::new(
                offsets.byte(marker.index()),
                format!("YAML syntax error: {}", e.info()),
            )
        })?;
        let range = offsets.range(&span);
        let completed: Option<NodeId> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => None,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(ParseError::new(
                        range.start as usize,
                        "a second YAML document starts here (`---`); a spec file holds one document"
                            .into(),
                    ));
                }
                None
            }
            Event::Alias(anchor) => {
                let Some(&target) = anchors.get(&anchor) else {
                    return Err(ParseError::new(
                        range.start as usize,
                        "alias of an unknown anchor".into(),
                    ));
                };
                Some(tree.push(Value::Alias(target), range.clone()))
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag_suffix = tag.as_ref().map(|t| t.suffix.as_str());
                let v = scalar(&value, style, tag_suffix);
                let id = tree.push(v, range.clone());
                if anchor > 0 {
                    anchors.insert(anchor, id);
                }
                Some(id)
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::new(
                        range.start as usize,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let is_map = matches!(event, Event::MappingStart(..));
                let id = tree.push(Value::Null, range.clone());
                if anchor > 0 {
                    anchors.insert(anchor, id);
                }
                stack.push(if is_map {
                    Frame::Map {
                        id,
                        entries: Vec::new(),
                        key: None,
                    }
                } else {
                    Frame::Seq {
                        id,
                        items: Vec::new(),
                    }
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else {
                    return Err(ParseError::new(
                        range.start as usize,
                        "unbalanced YAML collection".into(),
                    ));
                };
                let (id, value) = match frame {
                    Frame::Seq { id, items } => (id, Value::Seq(items)),
                    Frame::Map { id, entries, .. } => {
                        find_duplicates(&entries, &mut duplicates);
                        (id, Value::Map(entries))
                    }
                };
                if let Some(node) = tree.nodes.get_mut(id.0 as usize) {
                    node.value = value;
                    node.span.end = node.span.end.max(range.end);
                }
                Some(id)
            }
        };
        if tree.nodes.len() > MAX_NODES {
            return Err(ParseError::new(
                range.start as usize,
                format!("more than {MAX_NODES} nodes; not read further"),
            ));
        }
        let Some(id) = completed else { continue };
        match stack.last_mut() {
            None => root_done = true,
            Some(Frame::Seq { items, .. }) => items.push(id),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let text = match tree.value(id) {
                        Some(Value::String(s) | Value::Number(s)) => s.clone(),
                        Some(Value::Bool(b)) => b.to_string(),
                        Some(Value::Null) => String::new(),
                        _ => "<complex key>".to_string(),
                    };
                    *key = Some((text, tree.span(id)));
                }
                Some((k, key_span)) => entries.push(Entry {
                    key: k,
                    key_span,
                    value: id,
                }),
            },
        }
    }
    if !root_done || tree.nodes.is_empty() {
        return Err(ParseError::new(0, "empty document: no YAML content".into()));
    }
    Ok(ParseOutput { tree, duplicates })
}

/// Record keys that occur twice in one mapping: (first, later) key spans and the key.
pub(crate) fn find_duplicates(entries: &[Entry], out: &mut Vec<(String, Range<u32>, Range<u32>)>) {
    if entries.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].key.cmp(&entries[b].key).then(a.cmp(&b)));
    for pair in order.windows(2) {
        let (a, b) = (&entries[pair[0]], &entries[pair[1]]);
        if a.key == b.key {
            out.push((b.key.clone(), a.key_span.clone(), b.key_span.clone()));
        }
    }
}

/// Resolve a scalar by the YAML 1.2 core schema (plain scalars only).
fn scalar(value: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    if style != ScalarStyle::Plain || tag == Some("str") {
        return Value::String(value.to_string());
    }
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "-.inf" | "-.Inf" | "-.INF"
        | "+.inf" => return Value::Number(value.to_string()),
        _ => {}
    }
    if is_number(value) {
        Value::Number(value.to_string())
    } else {
        Value::String(value.to_string())
    }
}

fn is_number(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(oct) = body.strip_prefix("0o") {
        return !oct.is_empty() && oct.chars().all(|c| ('0'..='7').contains(&c));
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mut digits = 0;
    let mut dots = 0;
    for c in mantissa.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' => dots += 1,
            _ => return false,
        }
    }
    if digits == 0 || dots > 1 {
        return false;
    }
    match exponent {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_follow_the_core_schema() {
        assert!(matches!(
            scalar("3.1", ScalarStyle::Plain, None),
            Value::Number(_)
        ));
        assert!(matches!(
            scalar("3.1.0", ScalarStyle::Plain, None),
            Value::String(_)
        ));
        assert!(matches!(
            scalar("yes", ScalarStyle::Plain, None),
            Value::String(_)
        ));
        assert!(matches!(
            scalar("true", ScalarStyle::Plain, None),
            Value::Bool(true)
        ));
        assert!(matches!(
            scalar("1e400", ScalarStyle::Plain, None),
            Value::Number(_)
        ));
        assert!(matches!(
            scalar("200", ScalarStyle::SingleQuoted, None),
            Value::String(_)
        ));
    }

    #[test]
    fn spans_are_bytes() {
        let text = "a: é\nb: [1, 2]\n";
        let out = parse(text).expect("parses");
        let tree = &out.tree;
        let b = tree.entry(tree.root(), "b").expect("b");
        assert_eq!(
            &text[b.key_span.start as usize..b.key_span.end as usize],
            "b"
        );
        let seq = tree.span(b.value);
        assert_eq!(&text[seq.start as usize..seq.end as usize], "[1, 2]");
    }

    #[test]
    fn aliases_stay_shared() {
        let text = "a: &x [1, 2]\nb: [*x, *x, *x]\n";
        let out = parse(text).expect("parses");
        assert!(out.tree.nodes.len() < 12);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse(&text).expect_err("too deep");
        assert!(
            err.message.contains("nesting") || err.message.contains("recursion"),
            "{err}"
        );
    }
}
