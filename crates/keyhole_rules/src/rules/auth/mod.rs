pub mod missing_auth;
