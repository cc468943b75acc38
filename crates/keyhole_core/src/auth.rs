//! What keyhole believes guards an endpoint, and the evidence for it.

use serde::Serialize;

use crate::source::Span;

/// A piece of code (or spec) that decided an endpoint's auth state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub span: Span,
    pub kind: EvidenceKind,
    /// Human-readable, e.g. "`@login_required` on the handler".
    pub detail: String,
    /// The guard's name as written (`login_required`, `passport.authenticate`), if any.
    pub guard: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    /// A decorator on the handler.
    Decorator,
    /// A FastAPI dependency (`Depends`, `Security`, an `Annotated` alias).
    Dependency,
    /// Middleware in the handler's chain (Express `app.use`, route-level middleware).
    Middleware,
    /// A request hook on the app or a blueprint (`before_request`).
    RequestHook,
    /// A check in the handler's own body that rejects anonymous callers.
    InlineCheck,
    /// The view a route dispatches to: its decorators, mixins or permission classes.
    View,
    /// A project setting (Django `MIDDLEWARE`, DRF `DEFAULT_PERMISSION_CLASSES`).
    Setting,
    /// Where the router carrying the endpoint was mounted.
    Mount,
    /// A rate limit (not a guard).
    RateLimit,
    /// The endpoint's own path or name (authentication endpoints).
    Purpose,
    /// A spec's `security` (on the operation, or the document's global one).
    SpecSecurity,
}

/// Why an endpoint has no guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoAuthReason {
    /// Nothing keyhole recognises as a guard is on the endpoint's chain.
    NoGuardFound,
    /// The code marks the endpoint public on purpose (`AllowAny`, `@Public()`, `security: []`).
    ExplicitlyPublic,
    /// The endpoint exists to authenticate (login, signup, token, password reset, OAuth callback).
    AuthenticationEndpoint,
    /// A read of something public everywhere: a health probe, `robots.txt`, static assets,
    /// the API's own documentation.
    PublicResource,
}

/// The auth state of one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    Required(Vec<Evidence>),
    Optional(Vec<Evidence>),
    None {
        reason: NoAuthReason,
        evidence: Vec<Evidence>,
    },
    Unknown(String),
}

/// The state alone, as printed in inventories and fixture expectations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthState {
    Required,
    Optional,
    None,
    Public,
    Unknown,
}

impl AuthState {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthState::Required => "required",
            AuthState::Optional => "optional",
            AuthState::None => "none",
            AuthState::Public => "public",
            AuthState::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<AuthState> {
        Some(match s {
            "required" => AuthState::Required,
            "optional" => AuthState::Optional,
            "none" => AuthState::None,
            "public" => AuthState::Public,
            "unknown" => AuthState::Unknown,
            _ => return None,
        })
    }
}

impl Auth {
    pub fn state(&self) -> AuthState {
        match self {
            Auth::Required(_) => AuthState::Required,
            Auth::Optional(_) => AuthState::Optional,
            Auth::None {
                reason: NoAuthReason::ExplicitlyPublic,
                ..
            } => AuthState::Public,
            Auth::None { .. } => AuthState::None,
            Auth::Unknown(_) => AuthState::Unknown,
        }
    }

    pub fn evidence(&self) -> &[Evidence] {
        match self {
            Auth::Required(e) | Auth::Optional(e) => e,
            Auth::None { evidence, .. } => evidence,
            Auth::Unknown(_) => &[],
        }
    }

    /// One sentence saying why keyhole thinks what it thinks.
    pub fn reason(&self) -> String {
        match self {
            Auth::Required(e) | Auth::Optional(e) => e
                .iter()
                .map(|e| e.detail.clone())
                .collect::<Vec<_>>()
                .join("; "),
            Auth::None { reason, evidence } => {
                let why = match reason {
                    NoAuthReason::NoGuardFound => {
                        "no guard recognised on the route, its routers or the app".to_string()
                    }
                    NoAuthReason::ExplicitlyPublic => "marked public".to_string(),
                    NoAuthReason::AuthenticationEndpoint => {
                        "authentication endpoint, public by design".to_string()
                    }
                    NoAuthReason::PublicResource => "public resource, public by design".to_string(),
                };
                match evidence.first() {
                    Some(e) => format!("{why}: {}", e.detail),
                    None => why,
                }
            }
            Auth::Unknown(reason) => reason.clone(),
        }
    }
}
