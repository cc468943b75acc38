pub mod admin_route_weak_auth;
pub mod auth_outlier;
pub mod credential_in_url;
pub mod insecure_auth_scheme;
pub mod missing_auth;
pub mod missing_auth_spec;
pub mod predictable_object_id;
