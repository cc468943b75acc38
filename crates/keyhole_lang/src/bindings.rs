//! Finding what a name was last bound to before a use, inside one function body.

use tree_sitter::Node;

/// The binding that starts last among the named nodes of `body` that start before byte
/// `before` and that `binding` accepts, with what it returned. Nested scopes (`is_scope`)
/// are not entered: their names are their own. At most `limit` nodes are looked at.
pub fn last_binding_before<'t, T>(
    body: Node<'t>,
    before: usize,
    limit: usize,
    is_scope: impl Fn(Node<'t>) -> bool,
    binding: impl FnMut(Node<'t>) -> Option<T>,
) -> Option<(Node<'t>, T)> {
    let mut best: Option<(Node<'t>, T)> = None;
    each_binding(body, before, limit, is_scope, binding, |node, found| {
        if best
            .as_ref()
            .is_none_or(|(b, _)| node.start_byte() > b.start_byte())
        {
            best = Some((node, found));
        }
    });
    best
}

/// Every binding [`last_binding_before`] would look at in `body` (all of them: no `before`),
/// in the order it looks at them: for a body asked about many times, one walk.
pub fn bindings_in<'t, T>(
    body: Node<'t>,
    limit: usize,
    is_scope: impl Fn(Node<'t>) -> bool,
    binding: impl FnMut(Node<'t>) -> Option<T>,
) -> Vec<(Node<'t>, T)> {
    let mut all = Vec::new();
    each_binding(body, usize::MAX, limit, is_scope, binding, |node, found| {
        all.push((node, found));
    });
    all
}

fn each_binding<'t, T>(
    body: Node<'t>,
    before: usize,
    limit: usize,
    is_scope: impl Fn(Node<'t>) -> bool,
    mut binding: impl FnMut(Node<'t>) -> Option<T>,
    mut found: impl FnMut(Node<'t>, T),
) {
    let mut stack = vec![body];
    let mut seen = 0usize;
    let mut cursor = body.walk();
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > limit {
            break;
        }
        if node.start_byte() >= before || is_scope(node) {
            continue;
        }
        if let Some(value) = binding(node) {
            found(node, value);
        }
        stack.extend(node.named_children(&mut cursor));
    }
}
