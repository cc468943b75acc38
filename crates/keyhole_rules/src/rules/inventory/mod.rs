pub mod spec_auth_mismatch;
pub mod unresolved_ref;
