//! A position-carrying document tree shared by the YAML and JSON readers.
//!
//! Nodes live in one arena and refer to each other by index, so nothing here recurses:
//! a 10,000-deep document is rejected by the readers' depth limit before it gets here,
//! and every walk over the tree is an explicit loop with its own bounds. YAML aliases stay
//! shared (an [`Value::Alias`] points at the anchored node) instead of being expanded, so
//! an alias bomb costs one node per alias.

use std::ops::Range;

/// Index of a node in its [`Tree`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// A key of a mapping, with where it is written.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_span: Range<u32>,
    pub value: NodeId,
}

#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number, as written.
    Number(String),
    String(String),
    Seq(Vec<NodeId>),
    Map(Vec<Entry>),
    /// A YAML alias of an anchored node.
    Alias(NodeId),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    /// Byte range in the file's text.
    pub span: Range<u32>,
}

/// How many alias hops [`Tree::deref`] follows before giving up (a recursive alias).
const MAX_ALIAS_HOPS: usize = 64;

/// One parsed file.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

impl Tree {
    pub fn root(&self) -> NodeId {
        NodeId(0)
    }

    pub fn push(&mut self, value: Value, span: Range<u32>) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(Node { value, span });
        id
    }

    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id.0 as usize)
    }

    /// The node behind any aliases.
    pub fn deref(&self, mut id: NodeId) -> NodeId {
        for _ in 0..MAX_ALIAS_HOPS {
            match self.node(id).map(|n| &n.value) {
                Some(Value::Alias(target)) => id = *target,
                _ => return id,
            }
        }
        id
    }

    pub fn value(&self, id: NodeId) -> Option<&Value> {
        self.node(self.deref(id)).map(|n| &n.value)
    }

    pub fn span(&self, id: NodeId) -> Range<u32> {
        self.node(id).map_or(0..0, |n| n.span.clone())
    }

    pub fn entries(&self, id: NodeId) -> &[Entry] {
        match self.value(id) {
            Some(Value::Map(entries)) => entries,
            _ => &[],
        }
    }

    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match self.value(id) {
            Some(Value::Seq(items)) => items,
            _ => &[],
        }
    }

    pub fn is_map(&self, id: NodeId) -> bool {
        matches!(self.value(id), Some(Value::Map(_)))
    }

    pub fn is_seq(&self, id: NodeId) -> bool {
        matches!(self.value(id), Some(Value::Seq(_)))
    }

    /// The last entry with this key (the one YAML and JSON readers use).
    pub fn entry(&self, id: NodeId, key: &str) -> Option<&Entry> {
        self.entries(id).iter().rev().find(|e| e.key == key)
    }

    pub fn get(&self, id: NodeId, key: &str) -> Option<NodeId> {
        self.entry(id, key).map(|e| e.value)
    }

    pub fn str(&self, id: NodeId) -> Option<&str> {
        match self.value(id) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// A scalar as text, whatever its type (`3.1` read as a number is still `"3.1"`).
    pub fn scalar_text(&self, id: NodeId) -> Option<String> {
        match self.value(id)? {
            Value::String(s) | Value::Number(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn get_str(&self, id: NodeId, key: &str) -> Option<&str> {
        self.get(id, key).and_then(|v| self.str(v))
    }

    pub fn get_bool(&self, id: NodeId, key: &str) -> Option<bool> {
        match self.get(id, key).and_then(|v| self.value(v)) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// The node at a JSON pointer (`/paths/~1users/get`), within this file.
    pub fn lookup(&self, pointer: &str) -> Option<NodeId> {
        let mut id = self.root();
        if pointer.is_empty() {
            return Some(id);
        }
        let rest = pointer.strip_prefix('/')?;
        for raw in rest.split('/') {
            let token = unescape_pointer(raw)?;
            id = match self.value(id)? {
                Value::Map(entries) => entries.iter().rev().find(|e| e.key == token)?.value,
                Value::Seq(items) => *items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(id)
    }
}

/// `~1` → `/`, `~0` → `~`; any other `~` escape is invalid.
pub fn unescape_pointer(token: &str) -> Option<String> {
    if !token.contains('~') {
        return Some(token.to_string());
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Escape a key for use in a JSON pointer.
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Percent-decode a URI fragment (`#/paths/~1users~1%7Bid%7D`).
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
