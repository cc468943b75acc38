//! A text prefilter: whether any of a few words occurs in a stretch of source.
//!
//! Walking a function body node by node costs far more than scanning its bytes, and most
//! bodies can be ruled out by their text alone (a function that never writes `401`, `403`,
//! `Unauthorized` or `redirect` cannot deny a request). Extractors ask [`Needles::any_in`]
//! before they walk.

use aho_corasick::AhoCorasick;

/// A compiled set of words, searched for all at once.
#[derive(Debug)]
pub struct Needles(AhoCorasick);

impl Needles {
    /// Compile a set of words (matched exactly, case-sensitively).
    ///
    /// # Panics
    /// Only if the automaton cannot be built, which for a handful of short literal words
    /// does not happen; callers build their sets once, from constants.
    pub fn new(words: &[&str]) -> Needles {
        Needles(AhoCorasick::new(words).expect("literal needles compile"))
    }

    /// Whether any of the words occurs in `text`.
    pub fn any_in(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_any_word_and_only_those() {
        let needles = Needles::new(&["401", "Unauthorized"]);
        assert!(needles.any_in("abort(401)"));
        assert!(needles.any_in("raise Unauthorized()"));
        assert!(!needles.any_in("return render(page)"));
        assert!(!needles.any_in("unauthorized"));
    }
}
