//! Strict JSON (RFC 8259) into a [`Tree`], with byte positions.
//!
//! serde_json reports no positions for values, and the JSON crates that do either recurse
//! (a 10,000-deep file overflows the stack) or accept JSON5 extensions (comments, trailing
//! commas) that a spec linter must reject. This reader is a small iterative state machine:
//! an explicit stack, a depth limit, a node limit, duplicate keys recorded.

use std::ops::Range;

use crate::tree::{Entry, NodeId, Tree, Value};
use crate::yaml::find_duplicates;
use crate::{ParseError, ParseOutput, MAX_DEPTH, MAX_NODES};

enum Frame {
    Array {
        id: NodeId,
        items: Vec<NodeId>,
    },
    Object {
        id: NodeId,
        entries: Vec<Entry>,
        key: Option<(String, Range<u32>)>,
    },
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Reader<'_> {
    fn skip_ws(&mut self) {
        while let Some(b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                _ => break,
            }
        }
    }

    fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError::new(self.pos, message.into())
    }

    fn unexpected(&self, wanted: &str) -> ParseError {
        match self.text.get(self.pos..).and_then(|t| t.chars().next()) {
            None => self.err(format!("unexpected end of file; expected {wanted}")),
            Some('/') => self.err(format!(
                "comments are not allowed in JSON; expected {wanted}"
            )),
            Some(c) => self.err(format!(
                "unexpected `{}`; expected {wanted}",
                c.escape_debug()
            )),
        }
    }

    fn expect_literal(&mut self, word: &str) -> Result<(), ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.unexpected("a JSON value"))
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
            match self.bytes.get(self.pos) {
                None => {
                    return Err(ParseError::new(
                        start,
                        "unterminated string (the file ends inside it)".into(),
                    ))
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let Some(&e) = self.bytes.get(self.pos) else {
                        return Err(self.err("unterminated escape"));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let unit = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&unit) {
                                if self.bytes[self.pos..].starts_with(b"\\u") {
                                    self.pos += 2;
                                    let low = self.hex4()?;
                                    char::from_u32(
                                        0x10000
                                            + ((unit - 0xD800) << 10)
                                            + (low.wrapping_sub(0xDC00) & 0x3FF),
                                    )
                                } else {
                                    None
                                }
                            } else {
                                char::from_u32(unit)
                            };
                            out.push(c.unwrap_or('\u{FFFD}'));
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.err("invalid escape in string"));
                        }
                    }
                }
                Some(_) => return Err(self.err("control character inside a string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let hex = self
            .text
            .get(self.pos..self.pos + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.err("invalid \\u escape"))?;
        self.pos += 4;
        Ok(hex)
    }

    fn number(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits = |r: &mut Self| {
            let s = r.pos;
            while r.bytes.get(r.pos).is_some_and(u8::is_ascii_digit) {
                r.pos += 1;
            }
            r.pos - s
        };
        if digits(self) == 0 {
            return Err(self.unexpected("a digit"));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.unexpected("a digit after `.`"));
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.unexpected("an exponent"));
            }
        }
        Ok(self
            .text
            .get(start..self.pos)
            .unwrap_or_default()
            .to_string())
    }
}

/// Parse one JSON document.
pub fn parse(text: &str) -> Result<ParseOutput, ParseError> {
    let mut r = Reader {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    if text.starts_with('\u{FEFF}') {
        r.pos = 3;
    }
    let mut tree = Tree::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut duplicates = Vec::new();
    r.skip_ws();
    if r.pos >= r.bytes.len() {
        return Err(ParseError::new(0, "empty document: no JSON value".into()));
    }
    loop {
        // Expect a value (or the end of an empty container).
        r.skip_ws();
        let start = r.pos;
        let completed = match r.bytes.get(r.pos) {
            Some(b'{') | Some(b'[') => {
                if stack.len() >= MAX_DEPTH {
                    return Err(r.err(format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                let object = r.bytes[r.pos] == b'{';
                r.pos += 1;
                let id = tree.push(Value::Null, clamp(start)..clamp(start + 1));
                stack.push(if object {
                    Frame::Object {
                        id,
                        entries: Vec::new(),
                        key: None,
                    }
                } else {
                    Frame::Array {
                        id,
                        items: Vec::new(),
                    }
                });
                r.skip_ws();
                let close = if object { b'}' } else { b']' };
                if r.bytes.get(r.pos) == Some(&close) {
                    r.pos += 1;
                    Some(close_frame(&mut tree, &mut stack, r.pos, &mut duplicates))
                } else if object {
                    read_key(&mut r, &mut stack)?;
                    None
                } else {
                    None
                }
            }
            Some(b'"') => {
                let s = r.string()?;
                Some(tree.push(Value::String(s), clamp(start)..clamp(r.pos)))
            }
            Some(b't') => {
                r.expect_literal("true")?;
                Some(tree.push(Value::Bool(true), clamp(start)..clamp(r.pos)))
            }
            Some(b'f') => {
                r.expect_literal("false")?;
                Some(tree.push(Value::Bool(false), clamp(start)..clamp(r.pos)))
            }
            Some(b'n') => {
                r.expect_literal("null")?;
                Some(tree.push(Value::Null, clamp(start)..clamp(r.pos)))
            }
            Some(b'-' | b'0'..=b'9') => {
                let n = r.number()?;
                Some(tree.push(Value::Number(n), clamp(start)..clamp(r.pos)))
            }
            _ => return Err(r.unexpected("a JSON value")),
        };
        if tree.nodes.len() > MAX_NODES {
            return Err(r.err(format!("more than {MAX_NODES} nodes; not read further")));
        }
        let Some(mut id) = completed else { continue };
        // Attach the value, then read separators and closers until another value is due.
        loop {
            match stack.last_mut() {
                None => {
                    r.skip_ws();
                    if r.pos < r.bytes.len() {
                        return Err(r.err(
                            "unexpected content after the JSON value (a second value, or a comment)",
                        ));
                    }
                    return Ok(ParseOutput { tree, duplicates });
                }
                Some(Frame::Array { items, .. }) => items.push(id),
                Some(Frame::Object { entries, key, .. }) => {
                    if let Some((k, key_span)) = key.take() {
                        entries.push(Entry {
                            key: k,
                            key_span,
                            value: id,
                        });
                    }
                }
            }
            r.skip_ws();
            let is_object = matches!(stack.last(), Some(Frame::Object { .. }));
            let close = if is_object { b'}' } else { b']' };
            match r.bytes.get(r.pos) {
                Some(b',') => {
                    r.pos += 1;
                    r.skip_ws();
                    if matches!(r.bytes.get(r.pos), Some(b'}' | b']')) {
                        return Err(r.err("trailing comma is not allowed in JSON"));
                    }
                    if is_object {
                        read_key(&mut r, &mut stack)?;
                    }
                    break;
                }
                Some(&c) if c == close => {
                    r.pos += 1;
                    id = close_frame(&mut tree, &mut stack, r.pos, &mut duplicates);
                }
                _ => {
                    return Err(r.unexpected(if is_object {
                        "`,` or `}`"
                    } else {
                        "`,` or `]`"
                    }))
                }
            }
        }
    }
}

fn read_key(r: &mut Reader<'_>, stack: &mut [Frame]) -> Result<(), ParseError> {
    r.skip_ws();
    if r.bytes.get(r.pos) != Some(&b'"') {
        return Err(r.unexpected("a string key"));
    }
    let start = r.pos;
    let key = r.string()?;
    let span = clamp(start)..clamp(r.pos);
    r.skip_ws();
    if r.bytes.get(r.pos) != Some(&b':') {
        return Err(r.unexpected("`:`"));
    }
    r.pos += 1;
    if let Some(Frame::Object { key: slot, .. }) = stack.last_mut() {
        *slot = Some((key, span));
    }
    Ok(())
}

fn close_frame(
    tree: &mut Tree,
    stack: &mut Vec<Frame>,
    end: usize,
    duplicates: &mut Vec<(String, Range<u32>, Range<u32>)>,
) -> NodeId {
    let (id, value) = match stack.pop() {
        Some(Frame::Array { id, items }) => (id, Value::Seq(items)),
        Some(Frame::Object { id, entries, .. }) => {
            find_duplicates(&entries, duplicates);
            (id, Value::Map(entries))
        }
        None => return tree.root(),
    };
    if let Some(node) = tree.nodes.get_mut(id.0 as usize) {
        node.value = value;
        node.span.end = clamp(end);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_positions() {
        let text = r#"{"a": [1, -2.5e3, "x\u00e9"], "b": {"c": null, "d": true}}"#;
        let out = parse(text).expect("parses");
        let t = &out.tree;
        let b = t.get(t.root(), "b").expect("b");
        let span = t.span(b);
        assert_eq!(
            &text[span.start as usize..span.end as usize],
            r#"{"c": null, "d": true}"#
        );
        assert_eq!(t.items(t.get(t.root(), "a").expect("a")).len(), 3);
    }

    #[test]
    fn rejects_json5() {
        for bad in [
            r#"{"a": 1,}"#,
            "{\"a\": 1} // x",
            "[1] [2]",
            "{'a': 1}",
            "{\"a\": 1",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&text).is_err());
    }

    #[test]
    fn records_duplicate_keys() {
        let out = parse(r#"{"a": 1, "b": 2, "a": 3}"#).expect("parses");
        assert_eq!(out.duplicates.len(), 1);
    }

    #[test]
    fn empty_containers() {
        let out = parse(r#"{"a": {}, "b": [], "c": [{}]}"#).expect("parses");
        assert_eq!(out.tree.entries(out.tree.root()).len(), 3);
    }
}
