pub mod missing_rate_limit;
pub mod plaintext_server;
