//! Field lookup by id: `Node::child_by_field_name` searches the grammar's field names with
//! string compares on every call, and the extractors ask for fields hundreds of thousands of
//! times per run. [`NodeExt::field`] resolves each name once per grammar and thread.

use std::cell::RefCell;
use std::collections::HashMap;

use tree_sitter::{Language, Node};

type FieldId = std::num::NonZeroU16;

pub trait NodeExt<'t> {
    /// The child in field `name` (as `child_by_field_name`).
    fn field(&self, name: &'static str) -> Option<Node<'t>>;

    /// Where the node starts, as the `order` of the facts it gives (registration order).
    fn order(&self) -> u32;
}

impl<'t> NodeExt<'t> for Node<'t> {
    #[inline]
    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        field_id(self, name).and_then(|id| self.child_by_field_id(id.get()))
    }

    fn order(&self) -> u32 {
        u32::try_from(self.start_byte()).unwrap_or(u32::MAX)
    }
}

/// Per grammar: (address, length) of a field-name literal → its id.
type FieldIds = Vec<(Language, HashMap<(usize, usize), Option<FieldId>>)>;

fn field_id(node: &Node<'_>, name: &'static str) -> Option<FieldId> {
    thread_local! {
        static IDS: RefCell<FieldIds> = const { RefCell::new(Vec::new()) };
    }
    let language = node.language();
    IDS.with_borrow_mut(|grammars| {
        let index = match grammars.iter().position(|(l, _)| *l == *language) {
            Some(i) => i,
            None => {
                grammars.push(((*language).clone(), HashMap::new()));
                grammars.len() - 1
            }
        };
        *grammars[index]
            .1
            .entry((name.as_ptr() as usize, name.len()))
            .or_insert_with(|| language.field_id_for_name(name))
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
}
