//! The keyhole model: source files and spans, endpoints and their route templates, auth
//! evidence, extracted facts and diagnostics. No I/O happens here.

pub mod auth;
pub mod diagnostic;
pub mod endpoint;
pub mod facts;
pub mod project;
pub mod route;
pub mod sensitive;
pub mod source;
pub mod vocabulary;

pub use auth::{Auth, AuthState, Evidence, NoAuthReason};
pub use diagnostic::{Diagnostic, EndpointRef, Label, RuleMeta, Severity};
pub use endpoint::{Endpoint, EndpointId, Framework, Method, MountStep, RouterId};
pub use project::{Project, RouterInfo, SpecLink};
pub use route::RouteTemplate;
pub use source::{FileId, Language, LineCol, SourceFile, SourceMap, Span};
