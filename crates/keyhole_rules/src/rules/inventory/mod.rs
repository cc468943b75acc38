pub mod unresolved_ref;
