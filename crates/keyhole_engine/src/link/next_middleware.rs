//! Next.js `middleware.ts` / `proxy.ts`: whether it runs on a route (`config.matcher`, in
//! path-to-regexp syntax: `/dashboard/:path*`, `/api/(.*)`, and the negative-lookahead idiom
//! `/((?!api|_next/static|favicon.ico).*)`) and whether it guards it there.

use keyhole_core::auth::EvidenceKind;
use keyhole_core::facts::{NextGuard, NextMiddleware};
use keyhole_core::{Evidence, FileId, RouteTemplate};
use regex::Regex;

use super::{evidence, Linker};

/// What the app's middleware does for one route.
pub(super) enum NextVerdict {
    /// No middleware, or it does not run on the route, or it does not guard.
    Off,
    Required(Evidence),
    Unknown(String),
}

impl Linker<'_> {
    /// The middleware beside the Next.js app of router `router` (`#next:<folder>`).
    fn next_middleware_file(&self, router: &str) -> Option<FileId> {
        let dir = router.strip_prefix(keyhole_js::nextjs::ROUTER_PREFIX)?;
        let mut found: Option<FileId> = None;
        for (i, f) in self.files.iter().enumerate() {
            let is_middleware = f
                .path
                .strip_prefix(dir)
                .and_then(|rest| rest.strip_prefix("src/").or(Some(rest)))
                // Next.js 16 renamed `middleware.ts` to `proxy.ts`.
                .and_then(|rest| {
                    rest.strip_prefix("middleware.")
                        .or_else(|| rest.strip_prefix("proxy."))
                })
                .is_some_and(|ext| matches!(ext, "ts" | "js" | "mjs" | "tsx" | "jsx"));
            if is_middleware {
                found = Some(FileId(i as u32));
                // One with facts read wins over one without.
                if self.facts[i].next_middleware.is_some() {
                    break;
                }
            }
        }
        found
    }

    pub(super) fn next_middleware_verdict(
        &self,
        router: &str,
        route: &RouteTemplate,
    ) -> NextVerdict {
        let Some(file) = self.next_middleware_file(router) else {
            return NextVerdict::Off;
        };
        let Some(mw) = &self.facts[file.index()].next_middleware else {
            return NextVerdict::Unknown(
                "the app's middleware.ts (or proxy.ts) may guard this route".to_string(),
            );
        };
        let path = concrete(route);
        match runs_on(mw, &path) {
            Some(false) => return NextVerdict::Off,
            None => {
                return NextVerdict::Unknown(
                    "the app's middleware.ts (or proxy.ts) may guard this route, but its `config.matcher` cannot be read".to_string(),
                )
            }
            Some(true) => {}
        }
        let required = |detail: &str| {
            NextVerdict::Required(evidence(
                mw.span,
                EvidenceKind::Middleware,
                detail.to_string(),
                String::new(),
            ))
        };
        match &mw.guard {
            NextGuard::All(detail) => required(detail),
            NextGuard::Only(patterns, detail) => match any_matches(patterns, &path) {
                Some(true) => required(detail),
                Some(false) => NextVerdict::Off,
                None => NextVerdict::Unknown(
                    "the app's middleware protects paths keyhole cannot read".to_string(),
                ),
            },
            NextGuard::Except(patterns, detail) => match any_matches(patterns, &path) {
                Some(true) => NextVerdict::Off,
                Some(false) => required(detail),
                None => NextVerdict::Unknown(
                    "the app's middleware exempts paths keyhole cannot read".to_string(),
                ),
            },
            NextGuard::NotGuard => NextVerdict::Off,
            NextGuard::Unknown(reason) => NextVerdict::Unknown(reason.clone()),
        }
    }
}

/// Whether the middleware runs on `path`: `None` when its matcher cannot be read.
fn runs_on(mw: &NextMiddleware, path: &str) -> Option<bool> {
    let Some(patterns) = &mw.matcher else {
        return (!mw.matcher_unreadable).then_some(true);
    };
    match any_matches(patterns, path) {
        Some(true) => Some(true),
        // An unreadable entry may be the one that matches.
        Some(false) if mw.matcher_unreadable => None,
        other => other,
    }
}

/// A route as a request path: each parameter filled with one segment.
fn concrete(route: &RouteTemplate) -> String {
    let segments: Vec<String> = route
        .segments()
        .map(|s| {
            if s.starts_with('{') {
                "x1".to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    format!("/{}", segments.join("/"))
}

/// Whether any pattern matches `path`; `None` when one that does not match cannot be read.
fn any_matches(patterns: &[String], path: &str) -> Option<bool> {
    let mut unreadable = false;
    for p in patterns {
        match matches(p, path) {
            Some(true) => return Some(true),
            Some(false) => {}
            None => unreadable = true,
        }
    }
    (!unreadable).then_some(false)
}

/// Whether a path-to-regexp pattern (Next.js matcher, Clerk `createRouteMatcher`) matches a
/// path; `None` when keyhole cannot read it.
fn matches(pattern: &str, path: &str) -> Option<bool> {
    // `/((?!api|_next/static|favicon.ico).*)`: everything but what starts with an alternative.
    if let Some(rest) = pattern.strip_prefix("/((?!") {
        let alternatives = rest.strip_suffix(").*)")?;
        let below = path.strip_prefix('/').unwrap_or(path);
        for alt in split_alternatives(alternatives) {
            let re = Regex::new(&format!("^(?:{alt})")).ok()?;
            if re.is_match(below) {
                return Some(false);
            }
        }
        return Some(true);
    }
    let re = Regex::new(&to_regex(pattern)?).ok()?;
    Some(re.is_match(path))
}

/// Split `a|b|(c|d)` at its top-level `|`.
fn split_alternatives(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            '|' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// A path-to-regexp pattern as an anchored regular expression: `:name` one segment,
/// `:name*` / `:name+` / `:name?` zero-or-more / one-or-more / optional segments,
/// `:name(re)` and `(re)` groups as written. `None` for lookarounds elsewhere.
fn to_regex(pattern: &str) -> Option<String> {
    if pattern.contains("(?") {
        return None;
    }
    let mut out = String::from("^");
    for segment in pattern.split('/').filter(|s| !s.is_empty()) {
        if let Some(param) = segment.strip_prefix(':') {
            let name_end = param
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(param.len());
            let rest = &param[name_end..];
            let piece = match rest {
                "" => "/[^/]+".to_string(),
                "*" => "(?:/[^/]+)*".to_string(),
                "+" => "(?:/[^/]+)+".to_string(),
                "?" => "(?:/[^/]+)?".to_string(),
                _ if rest.starts_with('(') && rest.ends_with(')') => {
                    format!("/(?:{})", &rest[1..rest.len() - 1])
                }
                _ => return None,
            };
            out.push_str(&piece);
            continue;
        }
        out.push('/');
        // Literal text with `(re)` groups and bare `*` wildcards.
        let mut depth = 0usize;
        for c in segment.chars() {
            match c {
                '(' => {
                    depth += 1;
                    out.push_str("(?:");
                }
                ')' => {
                    depth = depth.checked_sub(1)?;
                    out.push(')');
                }
                '*' if depth == 0 => out.push_str(".*"),
                _ if depth > 0 => out.push(c),
                _ => out.push_str(&regex::escape(&c.to_string())),
            }
        }
        if depth != 0 {
            return None;
        }
    }
    out.push_str("/?$");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn matcher_patterns() {
        assert_eq!(matches("/api/:path*", "/api"), Some(true));
        assert_eq!(matches("/api/:path*", "/api/chat/x1"), Some(true));
        assert_eq!(matches("/api/:path*", "/apis"), Some(false));
        assert_eq!(matches("/dashboard/:path+", "/dashboard"), Some(false));
        assert_eq!(matches("/chat/:id", "/chat/x1"), Some(true));
        assert_eq!(matches("/chat/:id", "/chat/x1/more"), Some(false));
        assert_eq!(matches("/", "/"), Some(true));
        assert_eq!(matches("/", "/api"), Some(false));
        assert_eq!(matches("/dashboard(.*)", "/dashboard/settings"), Some(true));
        assert_eq!(matches("/api/(.*)", "/api/users"), Some(true));
        let negative = "/((?!api|_next/static|_next/image|favicon.ico).*)";
        assert_eq!(matches(negative, "/api/users"), Some(false));
        assert_eq!(matches(negative, "/dashboard"), Some(true));
        assert_eq!(matches(negative, "/"), Some(true));
        assert_eq!(matches("/(?<x>a)", "/a"), None);
    }
}
