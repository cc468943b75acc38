pub mod open_request_schema;
pub mod sensitive_field_in_response;
pub mod unbounded_input;
