//! Endpoints: what the inventory lists and the model rules read.

use std::fmt;

use serde::Serialize;

use crate::auth::Auth;
use crate::route::RouteTemplate;
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
    /// Every method (Express `app.all`, a view without a method restriction).
    Any,
}

impl Method {
    pub fn parse(s: &str) -> Option<Method> {
        Some(match s.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" | "DEL" => Method::Delete,
            "OPTIONS" => Method::Options,
            "ALL" | "ANY" | "*" => Method::Any,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Any => "ANY",
        }
    }

    /// Whether the method changes state (and an open door is exploitable as written).
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Method::Post | Method::Put | Method::Patch | Method::Delete | Method::Any
        )
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    Flask,
    FastApi,
    Express,
    /// Declared in an OpenAPI/Swagger spec rather than served by code.
    OpenApi,
    /// Django URLconfs (`path`, `re_path`, `include`) and the views they route to.
    Django,
    /// Django REST framework routers (`DefaultRouter`, `SimpleRouter`) and their viewsets.
    #[serde(rename = "django-rest-framework")]
    DjangoRestFramework,
    /// Koa with `@koa/router` / `koa-router`.
    Koa,
    /// Fastify: routes, plugins (`register`) and hooks.
    Fastify,
    /// NestJS controllers and guards.
    #[serde(rename = "nestjs")]
    NestJs,
    /// Next.js file routes (`pages/api/**`, app-router `route.ts` files).
    #[serde(rename = "nextjs")]
    NextJs,
    /// connexion: routes declared in an OpenAPI/Swagger spec registered with `add_api`, each
    /// operation's `operationId` naming its Python handler.
    Connexion,
    /// Hono apps (`new Hono()`): routes, `app.route` mounts, `app.use` middleware.
    Hono,
}

impl Framework {
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Flask => "flask",
            Framework::FastApi => "fastapi",
            Framework::Express => "express",
            Framework::OpenApi => "openapi",
            Framework::Django => "django",
            Framework::DjangoRestFramework => "django-rest-framework",
            Framework::Koa => "koa",
            Framework::Fastify => "fastify",
            Framework::NestJs => "nestjs",
            Framework::NextJs => "nextjs",
            Framework::Connexion => "connexion",
            Framework::Hono => "hono",
        }
    }
}

/// Index of an endpoint in the project's inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EndpointId(pub u32);

/// Index of a router (app, blueprint, APIRouter, express.Router) in the linked project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RouterId(pub u32);

/// One HTTP endpoint served by code.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub method: Method,
    pub route: RouteTemplate,
    /// Whether every part of the route was read from literals (false: a part was computed).
    pub route_resolved: bool,
    pub framework: Framework,
    /// The route registration (decorator, `app.get(…)` call): the primary label.
    pub registration: Span,
    /// The handler function's name, where it has one.
    pub handler: Option<String>,
    /// Where the handler is defined, when that is not at the registration: the Python
    /// function a connexion spec operation's `operationId` names.
    pub handler_location: Option<Span>,
    /// The router the route was registered on.
    pub router: Option<RouterId>,
    /// Where the routers carrying this endpoint were mounted, outermost first.
    pub mounts: Vec<MountStep>,
    pub auth: Auth,
    /// Rate limits on the endpoint's chain (`@limiter.limit(…)`, `rateLimit(…)` middleware):
    /// facts for the data and AI rules, not guards.
    pub rate_limits: Vec<crate::auth::Evidence>,
    /// The type the endpoint declares it returns (FastAPI `response_model=`, the handler's
    /// return annotation), for the data rules.
    pub response: Option<ResponseType>,
}

/// A declared response type: its name as written, and its class when defined in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseType {
    /// As written (`UserOut`, `list[UserOut]`, `schemas.UserOut`).
    pub name: String,
    /// Where it is written (the `response_model=` value or the annotation).
    pub span: Span,
    /// The class definition the name resolves to, when it is in the repository.
    pub definition: Option<Span>,
}

/// One step of a mount chain: the call that mounted a router under a prefix.
#[derive(Debug, Clone)]
pub struct MountStep {
    pub span: Span,
    /// The prefix the mount added (`/api`), if any.
    pub prefix: Option<String>,
    /// Display name of the mounted router.
    pub router_name: String,
}
