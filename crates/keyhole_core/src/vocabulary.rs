//! The names keyhole recognises: guards (decorators, dependencies, middleware) and the
//! endpoints that exist to authenticate. One place, so configuration can extend it.

use crate::route::RouteTemplate;

/// Whether a name denotes a guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardMatch {
    Required,
    Optional,
}

/// Guard and authentication-endpoint vocabulary.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Full dotted names that are guards whatever their words say.
    pub guard_names: Vec<String>,
    /// Words (from splitting a name on `_`, `.`, `-` and case changes) that mark a guard.
    pub guard_words: Vec<String>,
    /// Word pairs that mark a guard only together (`current` + `user`).
    pub guard_word_pairs: Vec<(String, String)>,
    /// Words that make a guard optional (`get_current_user_optional`, `optional_auth`).
    pub optional_words: Vec<String>,
    /// Names that contain guard words but are not guards (`authorize_url`, `get_session`).
    pub not_guards: Vec<String>,
    /// Path segments of endpoints whose purpose is to authenticate.
    pub auth_endpoint_segments: Vec<String>,
    /// Last path segments of reads that are public everywhere (health probes, robots.txt).
    pub public_resource_segments: Vec<String>,
    /// Path segments under which everything is a public read (static assets).
    pub public_resource_prefixes: Vec<String>,
    /// Full dotted names (or last components) of guards that let anonymous requests through.
    pub optional_guard_names: Vec<String>,
    /// Decorators, dependencies or middleware that mark an endpoint public on purpose
    /// (from configuration; none by default).
    pub public_markers: Vec<String>,
    /// Extra field names (lower case) that hold sensitive data (from configuration).
    pub sensitive_fields: Vec<String>,
}

impl Default for Vocabulary {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        Vocabulary {
            guard_names: s(&[
                // flask-login, flask-jwt-extended, flask-httpauth
                "login_required",
                "fresh_login_required",
                "jwt_required",
                "auth.login_required",
                "verify_jwt_in_request",
                // passport, express-jwt, connect-ensure-login
                "passport.authenticate",
                "expressjwt",
                "expressJwt",
                "ensureLoggedIn",
                "ensureAuthenticated",
                // fastapi.security
                "OAuth2PasswordBearer",
                "OAuth2AuthorizationCodeBearer",
                "HTTPBearer",
                "HTTPBasic",
                "HTTPDigest",
                "APIKeyHeader",
                "APIKeyCookie",
                "APIKeyQuery",
                "OpenIdConnect",
                "SecurityScopes",
                // `@requires('authenticated')`, qualified by the extractor when imported
                // from Starlette (the bare word is too common to trust).
                "starlette.authentication.requires",
            ]),
            guard_words: s(&[
                "auth",
                "authed",
                "authn",
                "authz",
                "authenticate",
                "authenticated",
                "authenticator",
                "authentication",
                "authorize",
                "authorized",
                "authorizer",
                "authorization",
                "authorise",
                "authorised",
                "jwt",
                "login",
                "loggedin",
                "logged",
                "signedin",
                "bearer",
                "apikey",
                "oauth",
                "oauth2",
                "admin",
                "admins",
                "superuser",
                "staff",
                "permission",
                "permissions",
                "role",
                "roles",
                "protect",
                "protected",
                "guard",
                "guarded",
                "token",
                "verified",
                // Signature checks authenticate the sender (webhooks, ActivityPub, HMAC APIs).
                "verify",
                "signature",
                "signed",
                "hmac",
                "passport",
                "acl",
                "rbac",
                "scopes",
            ]),
            guard_word_pairs: vec![
                ("current".into(), "user".into()),
                ("require".into(), "user".into()),
                ("requires".into(), "user".into()),
                ("signed".into(), "in".into()),
                ("api".into(), "key".into()),
                ("is".into(), "owner".into()),
            ],
            optional_words: s(&["optional", "maybe", "try"]),
            not_guards: s(&[
                "authorize_url",
                "authorization_url",
                "login_user",
                "logout_user",
                "create_access_token",
                "create_refresh_token",
                "token_urlsafe",
                "get_token_from_header",
                // Starlette's and Django's: they populate `request.user`, they reject no one.
                "AuthenticationMiddleware",
            ]),
            public_resource_segments: s(&[
                PROBE_WORDS,
                &[
                    "robots.txt",
                    "favicon.ico",
                    "sitemap.xml",
                    "security.txt",
                    "openapi.json",
                    "openapi.yaml",
                    "swagger.json",
                    "docs",
                    "redoc",
                ],
            ]
            .concat()),
            public_resource_prefixes: s(&[".well-known", "static", "assets", "public"]),
            optional_guard_names: Vec::new(),
            public_markers: Vec::new(),
            sensitive_fields: Vec::new(),
            auth_endpoint_segments: s(&[
                "login",
                "logon",
                "signin",
                "sign-in",
                "sign_in",
                "signup",
                "sign-up",
                "sign_up",
                "register",
                "registration",
                "logout",
                "signout",
                "sign-out",
                "token",
                "refresh",
                "refresh-token",
                "refresh-tokens",
                "refresh_token",
                "access-token",
                "access_token",
                "oauth",
                "oauth2",
                "callback",
                "sso",
                "saml",
                // Webhook receivers are called by third parties and authenticated by a
                // signature checked in the handler, not by a user's session.
                "webhook",
                "webhooks",
                "authenticate",
                "openid",
                "forgot",
                "forgot-password",
                "forgot_password",
                "reset-password",
                "reset_password",
                "password-reset",
                "password_reset",
                "verify-email",
                "verify_email",
                "confirm",
                "confirm-email",
                "confirm_email",
            ]),
        }
    }
}

impl Vocabulary {
    /// The default vocabulary, built once per process.
    pub fn shared() -> &'static Vocabulary {
        static DEFAULT: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
        DEFAULT.get_or_init(Vocabulary::default)
    }

    /// Whether a dotted name (`login_required`, `passport.authenticate`, `requireAuth`) is a
    /// guard by its name alone.
    pub fn guard_by_name(&self, dotted: &str) -> Option<GuardMatch> {
        let last = dotted.rsplit('.').next().unwrap_or(dotted);
        if self.not_guards.iter().any(|n| n == dotted || n == last) {
            return None;
        }
        let words = split_words(dotted);
        // CSRF checks (`verifyCSRFToken`, `csrfProtection`) protect sessions; they
        // authenticate no one.
        if words.iter().any(|w| w == "csrf" || w == "xsrf") {
            return None;
        }
        // Rate limiters and caches (`ThrottlerGuard`, `RateLimitGuard`, `CacheGuard`) turn
        // requests away for other reasons than who is calling.
        if words.iter().any(|w| {
            matches!(
                w.as_str(),
                "throttle" | "throttler" | "throttling" | "ratelimit" | "limiter" | "cache"
            )
        }) || (words.iter().any(|w| w == "rate") && words.iter().any(|w| w == "limit"))
        {
            return None;
        }
        // Error handlers (`oauthErrorHandler`, `authErrors`) turn failures into responses.
        let last_component = dotted.rsplit('.').next().unwrap_or(dotted);
        if split_words(last_component)
            .iter()
            .any(|w| w == "error" || w == "errors")
        {
            return None;
        }
        let optional = words
            .iter()
            .any(|w| self.optional_words.iter().any(|o| o == w));
        let verdict = if optional {
            GuardMatch::Optional
        } else {
            GuardMatch::Required
        };
        if self
            .optional_guard_names
            .iter()
            .any(|n| n == dotted || n == last)
        {
            return Some(GuardMatch::Optional);
        }
        if self.guard_names.iter().any(|n| n == dotted || n == last) {
            return Some(verdict);
        }
        // Judge by the last component's words, with the receiver's words as context only
        // when the receiver itself is a guard library (`auth.login_required`).
        let last_words = split_words(last);
        let has = |w: &str| last_words.iter().any(|x| x == w);
        if last_words
            .iter()
            .any(|w| self.guard_words.iter().any(|g| g == w))
        {
            return Some(verdict);
        }
        if self.guard_word_pairs.iter().any(|(a, b)| has(a) && has(b)) {
            return Some(verdict);
        }
        None
    }

    /// Whether a dotted name (a decorator, dependency or middleware) marks an endpoint
    /// public on purpose.
    pub fn public_marker(&self, dotted: &str) -> bool {
        let last = dotted.rsplit('.').next().unwrap_or(dotted);
        self.public_markers.iter().any(|n| n == dotted || n == last)
    }

    /// Whether a field name holds sensitive data: the built-in classifier, then the names
    /// the configuration adds.
    pub fn classify_sensitive(&self, name: &str) -> Option<crate::sensitive::SensitiveKind> {
        crate::sensitive::classify(name).or_else(|| {
            let lower = name.to_ascii_lowercase();
            self.sensitive_fields
                .contains(&lower)
                .then_some(crate::sensitive::SensitiveKind::Declared)
        })
    }

    /// Whether a read is of something public everywhere (a health probe, static assets).
    /// Returns the segment that decided it.
    pub fn public_resource(&self, route: &RouteTemplate) -> Option<String> {
        let segments: Vec<String> = route.segments().map(str::to_ascii_lowercase).collect();
        if let Some(last) = segments.last() {
            if self.public_resource_segments.iter().any(|s| s == last) {
                return Some(last.clone());
            }
            // Static assets and syndication: `app.css`, `service-worker.js`, `topics.rss`,
            // `sitemap.xml`, `manifest.webmanifest`.
            const ASSET_EXTENSIONS: &[&str] = &[
                ".css",
                ".js",
                ".map",
                ".ico",
                ".png",
                ".svg",
                ".jpg",
                ".gif",
                ".webp",
                ".woff",
                ".woff2",
                ".ttf",
                ".txt",
                ".rss",
                ".atom",
                ".webmanifest",
            ];
            let feed_xml = last.ends_with(".xml")
                && ["sitemap", "feed", "rss", "atom", "osd", "opensearch"]
                    .iter()
                    .any(|w| last.contains(w));
            if feed_xml || ASSET_EXTENSIONS.iter().any(|e| last.ends_with(e)) {
                return Some(last.clone());
            }
        }
        if let Some(word) = app_probe(&segments, &self.public_resource_segments) {
            return Some(word);
        }
        if let Some(feed) = segments.iter().find(|s| {
            matches!(
                s.as_str(),
                "feed" | "feeds" | "rss" | "sitemap" | "sitemaps"
            )
        }) {
            return Some(feed.clone());
        }
        segments
            .iter()
            .find(|s| self.public_resource_prefixes.iter().any(|p| p == *s))
            .cloned()
    }

    /// Whether a decorator or middleware name is a rate limiter (`limiter.limit`,
    /// `rateLimit`, `apiLimiter`, `ThrottlerGuard`, `slowapi`'s `limiter.limit`).
    pub fn rate_limit_by_name(&self, dotted: &str) -> bool {
        let words = split_words(dotted);
        let has = |w: &str| words.iter().any(|x| x == w);
        has("limiter")
            || has("ratelimit")
            || has("ratelimiter")
            || has("throttle")
            || has("throttler")
            || has("throttling")
            || (has("rate") && (has("limit") || has("limited")))
            || dotted.ends_with(".limit")
    }

    /// Whether an endpoint exists to authenticate, judged by its route and handler name.
    /// Returns the word that decided it.
    pub fn authentication_purpose(
        &self,
        route: &RouteTemplate,
        handler: Option<&str>,
    ) -> Option<String> {
        let segments: Vec<String> = route.segments().map(str::to_ascii_lowercase).collect();
        for (i, seg) in segments.iter().enumerate() {
            // Capability URLs — `/invite/{token}`, `/checkouts/{client_secret}` — are
            // authorised by the secret in the path, not by a session (`{token_id}` is not one).
            if let Some(name) = seg.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                let words = split_words(name);
                let secret = words
                    .iter()
                    .any(|w| matches!(w.as_str(), "token" | "secret" | "signature"));
                if secret && words.last().is_some_and(|w| w != "id" && w != "ids") {
                    return Some(format!("{seg} in the path"));
                }
                continue;
            }
            if self.auth_endpoint_segments.iter().any(|s| s == seg) {
                return Some(seg.clone());
            }
            // RPC-style paths (`/api/auth.login`, `/api/users.signup`): the method after the dot.
            if let Some((_, method)) = seg.rsplit_once('.') {
                if self.auth_endpoint_segments.iter().any(|s| s == method) {
                    return Some(seg.clone());
                }
            }
            let words = split_words(seg);
            // `/webhook-connect`, `/webhook_account_risk`: an inbound webhook, authenticated
            // by its sender's signature if at all (`/webhooks-config` is not one).
            if words.len() > 1 && words.first().is_some_and(|w| w == "webhook") {
                return Some(seg.clone());
            }
            // `/password-recovery`, `/forgot_password`, `/reset-password`
            if words.iter().any(|w| w == "password")
                && words.iter().any(|w| {
                    matches!(
                        w.as_str(),
                        "reset" | "recover" | "recovery" | "forgot" | "forgotten"
                    )
                })
            {
                return Some(seg.clone());
            }
            // `/password/reset`, `/reset/password`
            if seg == "reset"
                && segments
                    .iter()
                    .enumerate()
                    .any(|(j, s)| j != i && s.contains("password"))
            {
                return Some("password reset".to_string());
            }
        }
        let handler = handler?;
        let words = split_words(handler);
        let has = |w: &str| words.iter().any(|x| x == w);
        for w in ["login", "signin", "signup", "logout", "register"] {
            if has(w) {
                return Some(w.to_string());
            }
        }
        if has("password") && (has("reset") || has("forgot")) {
            return Some("password reset".to_string());
        }
        if has("oauth") || has("oauth2") || has("sso") || has("saml") {
            return Some("oauth".to_string());
        }
        None
    }
}

/// Split an identifier into lower-case words on `_`, `-`, `.`, and case changes:
/// `requireAuth` → [require, auth]; `get_current_user` → [get, current, user];
/// `HTTPBearer` → [http, bearer]; `isLoggedIn` → [is, logged, in]; `apiKey` → [api, key].
pub fn split_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_alphanumeric()) {
        // Names are nearly always ASCII: split them by bytes, without a char buffer.
        if part.is_ascii() {
            let bytes = part.as_bytes();
            let mut start = 0;
            for i in 1..bytes.len() {
                let (prev, c) = (bytes[i - 1], bytes[i]);
                let next_lower = bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
                if c.is_ascii_uppercase()
                    && (prev.is_ascii_lowercase()
                        || prev.is_ascii_digit()
                        || (prev.is_ascii_uppercase() && next_lower))
                {
                    words.push(part[start..i].to_ascii_lowercase());
                    start = i;
                }
            }
            if start < part.len() {
                words.push(part[start..].to_ascii_lowercase());
            }
            continue;
        }
        let chars: Vec<char> = part.chars().collect();
        let mut current = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let boundary = i > 0 && c.is_uppercase() && {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
                prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower)
            };
            if boundary && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            current.extend(c.to_lowercase());
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words
}

/// The application's own probes and metadata, right under its API base (`/api`, `/api/v1`):
/// a probe with one static check (`/health/db`, `/healthz/ready`), or one word that every
/// client reads before signing in (`/ready`, `/api/changelog`, `/manifest.json`). Deeper
/// routes are the application's resources (`/orders/ready`, `/documents/{id}/version`).
/// Returns the word that decided it.
fn app_probe(segments: &[String], probes: &[String]) -> Option<String> {
    // Not `status` nor `version`: what they return varies too much to call it public.
    const METADATA: &[&str] = &["ready", "live", "alive", "changelog", "manifest.json"];
    let is_base = |s: &str| {
        s == "api"
            || (s.len() > 1 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit()))
    };
    let rest: Vec<&str> = segments
        .iter()
        .map(String::as_str)
        .skip_while(|s| is_base(s))
        .collect();
    match rest[..] {
        [word] if METADATA.contains(&word) => Some(word.to_string()),
        [probe, check]
            if probes.iter().any(|p| p == probe)
                && PROBE_WORDS.contains(&probe)
                && !check.starts_with('{') =>
        {
            Some(probe.to_string())
        }
        _ => None,
    }
}

/// The health-probe words among the public resource segments (not `docs`, `robots.txt`…).
const PROBE_WORDS: &[&str] = &[
    "health",
    "_health",
    "healthz",
    "healthcheck",
    "health-check",
    "health_check",
    "livez",
    "readyz",
    "liveness",
    "readiness",
    "ping",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::ParamSyntax;

    #[test]
    fn splits_identifiers() {
        assert_eq!(split_words("requireAuth"), ["require", "auth"]);
        assert_eq!(split_words("get_current_user"), ["get", "current", "user"]);
        assert_eq!(split_words("HTTPBearer"), ["http", "bearer"]);
        assert_eq!(split_words("isLoggedIn"), ["is", "logged", "in"]);
        assert_eq!(
            split_words("OAuth2PasswordBearer"),
            ["o", "auth2", "password", "bearer"]
        );
        assert_eq!(split_words("__auth__"), ["auth"]);
        assert_eq!(split_words("ÜberAuth"), ["über", "auth"]);
        assert_eq!(
            split_words("passport.authenticate"),
            ["passport", "authenticate"]
        );
    }

    #[test]
    fn recognises_guard_names() {
        let v = Vocabulary::default();
        for name in [
            "login_required",
            "jwt_required",
            "auth.login_required",
            "requireAuth",
            "isAuthenticated",
            "verifyToken",
            "ensureLoggedIn",
            "authenticate",
            "passport.authenticate",
            "get_current_user",
            "get_current_active_superuser",
            "admins_only",
            "authed_only",
            "checkJwt",
            "require_api_key",
            "middleware.activitypub.verify",
            "verify_webhook_signature",
        ] {
            assert_eq!(v.guard_by_name(name), Some(GuardMatch::Required), "{name}");
        }
        assert_eq!(
            v.guard_by_name("get_current_user_optional"),
            Some(GuardMatch::Optional)
        );
    }

    #[test]
    fn ignores_ordinary_names() {
        let v = Vocabulary::default();
        for name in [
            "get_db",
            "get_session",
            "express.json",
            "cors",
            "bodyParser.json",
            "limiter.limit",
            "validate",
            "cache.cached",
            "authors",
            "login_user",
            "get_user",
            "helmet",
        ] {
            assert_eq!(v.guard_by_name(name), None, "{name}");
        }
    }

    #[test]
    fn rate_limiters() {
        let v = Vocabulary::default();
        for name in [
            "limiter.limit",
            "rateLimit",
            "apiLimiter",
            "ThrottlerGuard",
            "RateLimiter",
        ] {
            assert!(v.rate_limit_by_name(name), "{name}");
        }
        for name in [
            "limit_offset",
            "paginate",
            "bodyParser.json",
            "login_required",
        ] {
            assert!(!v.rate_limit_by_name(name), "{name}");
        }
    }

    #[test]
    fn public_resources() {
        let v = Vocabulary::default();
        let r = |p| RouteTemplate::parse(p, ParamSyntax::Colon);
        assert!(v.public_resource(&r("/healthz")).is_some());
        assert!(v.public_resource(&r("/static/:file")).is_some());
        assert!(v.public_resource(&r("/.well-known/jwks.json")).is_some());
        assert!(v.public_resource(&r("/api/users")).is_none());
        assert!(v.public_resource(&r("/topic/:id.rss")).is_some());
        assert!(v.public_resource(&r("/sitemap/pages.xml")).is_some());
        assert!(v.public_resource(&r("/reports/export.xml")).is_none());
        assert!(v.public_resource(&r("/users.json")).is_none());
        assert!(v.public_resource(&r("/health/:id/records")).is_none());
        assert!(v.public_resource(&r("/health/db")).is_some());
        assert!(v.public_resource(&r("/api/v1/healthz/ready")).is_some());
        assert!(v.public_resource(&r("/ready")).is_some());
        assert!(v.public_resource(&r("/api/v1/changelog")).is_some());
        assert!(v.public_resource(&r("/api/version")).is_none());
        assert!(v.public_resource(&r("/manifest.json")).is_some());
        assert!(v.public_resource(&r("/orders/ready")).is_none());
        assert!(v.public_resource(&r("/documents/:id/version")).is_none());
        assert!(v.public_resource(&r("/ollama/api/version")).is_none());
        assert!(v.public_resource(&r("/health/records/:id")).is_none());
    }

    #[test]
    fn authentication_endpoints() {
        let v = Vocabulary::default();
        let r = |p| RouteTemplate::parse(p, ParamSyntax::Colon);
        assert!(v.authentication_purpose(&r("/auth/login"), None).is_some());
        assert!(v.authentication_purpose(&r("/api/token"), None).is_some());
        assert!(v
            .authentication_purpose(&r("/password/reset"), None)
            .is_some());
        assert!(v.authentication_purpose(&r("/users/:id"), None).is_none());
        assert!(v.authentication_purpose(&r("/reset"), None).is_none());
        assert!(v
            .authentication_purpose(&r("/invite/:token"), None)
            .is_some());
        assert!(v.authentication_purpose(&r("/invite/:id"), None).is_none());
        assert!(v
            .authentication_purpose(&r("/checkouts/:client_secret"), None)
            .is_some());
        assert!(v
            .authentication_purpose(&r("/tokens/:token_id"), None)
            .is_none());
        assert!(v
            .authentication_purpose(&r("/x"), Some("oauth_callback"))
            .is_some());
        assert!(v
            .authentication_purpose(&r("/posts"), Some("create_post"))
            .is_none());
    }
}
