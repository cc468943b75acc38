//! Field lookup by id: `Node::child_by_field_name` searches the grammar's field names with
//! string compares on every call, and the extractors ask for fields hundreds of thousands of
//! times per run. [`NodeExt::field`] resolves each name once per grammar and thread.

use std::cell::RefCell;
use std::sync::OnceLock;
use tree_sitter::{Language, Node};

type FieldId = std::num::NonZeroU16;

pub trait NodeExt<'t> {
    /// The child in field `name` (as `child_by_field_name`).
    fn field(&self, name: &'static str) -> Option<Node<'t>>;

    /// Where the node starts, as the `order` of the facts it gives (registration order).
    fn order(&self) -> u32;

    /// The node's kind (as `kind`), from a table of the grammar's kind names: `kind` reads
    /// a C string and checks it is UTF-8 on every call.
    fn kind_name(&self) -> &'static str;
}

impl<'t> NodeExt<'t> for Node<'t> {
    #[inline]
    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        field_id(self, name).and_then(|id| self.child_by_field_id(id.get()))
    }

    fn order(&self) -> u32 {
        u32::try_from(self.start_byte()).unwrap_or(u32::MAX)
    }

    #[inline]
    fn kind_name(&self) -> &'static str {
        kind_name(self)
    }
}

/// Each grammar seen, with its kind names by id: shared by every thread, so that a lookup
/// is a few compares (a thread-local table costs more than the lookup itself).
static KIND_NAMES: [OnceLock<KindNames>; 8] = [const { OnceLock::new() }; 8];

/// A grammar and its kind names by id.
type KindNames = (Language, Box<[&'static str]>);

fn kind_name(node: &Node<'_>) -> &'static str {
    let id = usize::from(node.kind_id());
    let language = node.language();
    for slot in &KIND_NAMES {
        let (grammar, names) = slot.get_or_init(|| {
            let names = (0..language.node_kind_count())
                .map(|id| {
                    u16::try_from(id)
                        .ok()
                        .and_then(|id| language.node_kind_for_id(id))
                        .unwrap_or("")
                })
                .collect();
            ((*language).clone(), names)
        });
        if *grammar == *language {
            return names.get(id).copied().unwrap_or_else(|| node.kind());
        }
    }
    // More grammars than slots: ask tree-sitter.
    node.kind()
}

/// The per-thread cache: the grammars seen, and slots of (address and length of a
/// field-name literal, grammar index, id), direct-mapped by the literal's address — the
/// extractors name a few hundred fields, so a hit costs one compare and a collision only
/// recomputes.
struct FieldIds {
    grammars: Vec<Language>,
    slots: Vec<Option<Slot>>,
}

/// Address and length of the literal, grammar index, id.
type Slot = (usize, usize, usize, Option<FieldId>);

const SLOTS: usize = 1024;

fn field_id(node: &Node<'_>, name: &'static str) -> Option<FieldId> {
    thread_local! {
        static IDS: RefCell<FieldIds> = const {
            RefCell::new(FieldIds { grammars: Vec::new(), slots: Vec::new() })
        };
    }
    let language = node.language();
    let key = (name.as_ptr() as usize, name.len());
    IDS.with_borrow_mut(|ids| {
        let grammar = match ids.grammars.iter().position(|l| *l == *language) {
            Some(i) => i,
            None => {
                ids.grammars.push((*language).clone());
                ids.grammars.len() - 1
            }
        };
        if ids.slots.is_empty() {
            ids.slots.resize(SLOTS, None);
        }
        let index = (key.0 ^ (key.0 >> 10) ^ grammar.wrapping_mul(0x9E37)) % SLOTS;
        match ids.slots[index] {
            Some((address, length, g, id)) if (address, length, g) == (key.0, key.1, grammar) => id,
            _ => {
                let id = language.field_id_for_name(name);
                ids.slots[index] = Some((key.0, key.1, grammar, id));
                id
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_finds_what_child_by_field_name_finds() {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&crate::grammar(keyhole_core::Language::Python))
            .unwrap();
        let tree = parser.parse("def f(x):\n    return x\n", None).unwrap();
        let function = tree.root_node().named_child(0).unwrap();
        for name in ["name", "parameters", "body", "return_type", "nonexistent"] {
            assert_eq!(
                function.field(name),
                function.child_by_field_name(name),
                "{name}"
            );
        }
        // Another grammar with the same field names gets its own ids.
        parser
            .set_language(&crate::grammar(keyhole_core::Language::TypeScript))
            .unwrap();
        let tree = parser
            .parse("function f(x: number) { return x }", None)
            .unwrap();
        let function = tree.root_node().named_child(0).unwrap();
        for name in ["name", "parameters", "body", "return_type"] {
            assert_eq!(
                function.field(name),
                function.child_by_field_name(name),
                "{name}"
            );
        }
    }

    #[test]
    fn kind_name_is_kind() {
        let samples = [
            (keyhole_core::Language::Python, "@app.route('/x')\ndef f(x: int = 1):\n    return {x: [y for y in x]}\nclass C(B): pass\n)("),
            (keyhole_core::Language::JavaScript, "router.get('/a', (req, res) => res.json({a: `x${y}`})); class A {} )("),
            (keyhole_core::Language::TypeScript, "const x: Array<number> = [1]; interface I { a?: string } enum E { A }"),
            (keyhole_core::Language::Tsx, "export default function P() { return <div a={1}>{x}</div> }"),
        ];
        let mut checked = 0;
        for (language, src) in samples {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&crate::grammar(language)).unwrap();
            let tree = parser.parse(src, None).unwrap();
            let mut cursor = tree.walk();
            loop {
                let node = cursor.node();
                assert_eq!(node.kind_name(), node.kind(), "{language:?}");
                checked += 1;
                if cursor.goto_first_child() {
                    continue;
                }
                while !cursor.goto_next_sibling() {
                    if !cursor.goto_parent() {
                        break;
                    }
                }
                if cursor.node() == tree.root_node() {
                    break;
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }
}
