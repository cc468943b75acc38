//! Normalised route templates: parameters as `{name}` whatever syntax the framework used,
//! prefixes joined, one rule for trailing slashes (dropped, except for the root).

use std::fmt;

use serde::Serialize;

/// A normalised route path such as `/users/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RouteTemplate(String);

/// The syntax a framework uses for path parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamSyntax {
    /// Flask/Werkzeug: `<id>`, `<int:id>`, `<path:rest>`.
    AngleBrackets,
    /// FastAPI/Starlette and OpenAPI: `{id}`, `{rest:path}`.
    Braces,
    /// Express, Koa, Fastify, Hono: `:id`, `:id?`, `:id(\\d+)`, `*`.
    Colon,
    /// Django: `path()` converters (`<int:pk>`) and `re_path()` regular expressions
    /// (`^users/(?P<pk>[0-9]+)/$`): named groups become `{name}`, anchors are dropped.
    Django,
}

impl RouteTemplate {
    pub fn root() -> Self {
        RouteTemplate("/".to_string())
    }

    /// Normalise a path written in a framework's syntax.
    pub fn parse(raw: &str, syntax: ParamSyntax) -> Self {
        let prepared;
        let raw = if syntax == ParamSyntax::Django {
            prepared = django_regex(raw);
            prepared.as_str()
        } else {
            raw
        };
        let mut segments = Vec::new();
        for segment in raw.split('/') {
            if segment.is_empty() {
                continue;
            }
            segments.push(normalise_segment(segment, syntax));
        }
        RouteTemplate::from_segments(segments)
    }

    fn from_segments(segments: Vec<String>) -> Self {
        if segments.is_empty() {
            return RouteTemplate::root();
        }
        let mut out = String::new();
        for s in segments {
            out.push('/');
            out.push_str(&s);
        }
        RouteTemplate(out)
    }

    /// `self` followed by `child` (a prefix joined with a route).
    pub fn join(&self, child: &RouteTemplate) -> RouteTemplate {
        match (self.0.as_str(), child.0.as_str()) {
            ("/", _) => child.clone(),
            (_, "/") => self.clone(),
            (a, b) => RouteTemplate(format!("{a}{b}")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|s| !s.is_empty())
    }

    /// Whether this template lies under `prefix` (segment-wise).
    pub fn starts_with(&self, prefix: &RouteTemplate) -> bool {
        let mut mine = self.segments();
        prefix.segments().all(|p| mine.next() == Some(p))
    }
}

impl fmt::Display for RouteTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn normalise_segment(segment: &str, syntax: ParamSyntax) -> String {
    match syntax {
        ParamSyntax::AngleBrackets | ParamSyntax::Django => {
            replace_delimited(segment, '<', '>', |inner| {
                inner.rsplit(':').next().unwrap_or(inner).trim().to_string()
            })
        }
        ParamSyntax::Braces => replace_delimited(segment, '{', '}', |inner| {
            inner.split(':').next().unwrap_or(inner).trim().to_string()
        }),
        ParamSyntax::Colon => normalise_colon_segment(segment),
    }
}

/// Replace every `open … close` group with `{name}`.
fn replace_delimited(
    segment: &str,
    open: char,
    close: char,
    name_of: impl Fn(&str) -> String,
) -> String {
    let mut out = String::with_capacity(segment.len());
    let mut rest = segment;
    while let Some(start) = rest.find(open) {
        let Some(len) = rest[start..].find(close) else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = name_of(&rest[start + open.len_utf8()..start + len]);
        out.push('{');
        out.push_str(&name);
        out.push('}');
        rest = &rest[start + len + close.len_utf8()..];
    }
    out.push_str(rest);
    out
}

fn normalise_colon_segment(segment: &str) -> String {
    if segment == "*" {
        return "{*}".to_string();
    }
    let mut out = String::with_capacity(segment.len());
    let mut chars = segment.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != ':' {
            out.push(c);
            continue;
        }
        let mut name = String::new();
        while let Some(&(_, n)) = chars.peek() {
            if n.is_alphanumeric() || n == '_' || n == '$' {
                name.push(n);
                chars.next();
            } else {
                break;
            }
        }
        // A regex constraint `(\\d+)` and the optional/repeat modifiers are not part of the name.
        if let Some(&(_, '(')) = chars.peek() {
            let mut depth = 0;
            for (_, n) in chars.by_ref() {
                match n {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        while let Some(&(_, '?' | '+' | '*')) = chars.peek() {
            chars.next();
        }
        if name.is_empty() {
            out.push(':');
        } else {
            out.push('{');
            out.push_str(&name);
            out.push('}');
        }
    }
    out
}

/// A Django route (a `path()` string or a `re_path()` regex) with its regex syntax rewritten
/// to plain segments: anchors dropped, `(?P<name>…)` and `<conv:name>` to `<name>`, other
/// groups to `<param>`, escapes unescaped, optional slashes made plain. Converters are left
/// in angle brackets for [`normalise_segment`].
fn django_regex(raw: &str) -> String {
    let raw = raw.strip_prefix('^').unwrap_or(raw);
    let raw = raw
        .strip_suffix("\\Z")
        .or_else(|| raw.strip_suffix('$'))
        .unwrap_or(raw);
    let mut out = String::with_capacity(raw.len());
    let chars: Vec<char> = raw.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                // `\.` → `.`; character classes such as `\d` cannot appear in a literal path.
                if let Some(&next) = chars.get(i + 1) {
                    if !next.is_ascii_alphanumeric() {
                        out.push(next);
                    }
                }
                i += 2;
            }
            '(' => {
                // A group: find its end (balanced, bounded by the string).
                let mut depth = 0usize;
                let mut end = i;
                while end < chars.len() {
                    match chars[end] {
                        '\\' => end += 1,
                        '(' => depth += 1,
                        ')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    end += 1;
                }
                let inner: String = chars[i + 1..end.min(chars.len())].iter().collect();
                let name = inner
                    .strip_prefix("?P<")
                    .and_then(|rest| rest.split_once('>'))
                    .map(|(name, _)| name.to_string());
                match name {
                    Some(name) => {
                        out.push('<');
                        out.push_str(&name);
                        out.push('>');
                    }
                    // `(?:…)` non-capturing, `(/…)?` optional pieces: keep literal text only
                    // when it is plain; otherwise an unnamed parameter.
                    None if inner.starts_with("?:") || inner.starts_with('/') => {}
                    None => out.push_str("<param>"),
                }
                i = end + 1;
                // A quantifier on the group.
                while matches!(chars.get(i), Some('?' | '*' | '+')) {
                    i += 1;
                }
            }
            '?' | '*' | '+' if out.ends_with('/') || out.is_empty() => i += 1,
            '?' => i += 1,
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flask_converters() {
        let t = RouteTemplate::parse(
            "/users/<int:user_id>/files/<path:p>/",
            ParamSyntax::AngleBrackets,
        );
        assert_eq!(t.as_str(), "/users/{user_id}/files/{p}");
    }

    #[test]
    fn braces_with_converter() {
        let t = RouteTemplate::parse("/files/{file_path:path}", ParamSyntax::Braces);
        assert_eq!(t.as_str(), "/files/{file_path}");
    }

    #[test]
    fn express_params() {
        let t = RouteTemplate::parse("/users/:id(\\d+)/:tab?", ParamSyntax::Colon);
        assert_eq!(t.as_str(), "/users/{id}/{tab}");
        assert_eq!(
            RouteTemplate::parse("*", ParamSyntax::Colon).as_str(),
            "/{*}"
        );
    }

    #[test]
    fn join_and_root() {
        let api = RouteTemplate::parse("/api/", ParamSyntax::Colon);
        let root = RouteTemplate::parse("/", ParamSyntax::Colon);
        let users = RouteTemplate::parse("users", ParamSyntax::Colon);
        assert_eq!(api.join(&root).as_str(), "/api");
        assert_eq!(root.join(&users).as_str(), "/users");
        assert_eq!(api.join(&users).as_str(), "/api/users");
        assert!(api.join(&users).starts_with(&api));
        assert!(!users.starts_with(&api));
    }

    #[test]
    fn django_paths_and_regexes() {
        let d = |p| RouteTemplate::parse(p, ParamSyntax::Django).to_string();
        assert_eq!(d("users/<int:pk>/"), "/users/{pk}");
        assert_eq!(d("<slug:slug>/edit/"), "/{slug}/edit");
        assert_eq!(d(r"^users/(?P<pk>[0-9]+)/$"), "/users/{pk}");
        assert_eq!(d(r"^api/v1/"), "/api/v1");
        assert_eq!(d(r"^files/(?P<path>.*)$"), "/files/{path}");
        assert_eq!(d(r"^feed\.xml$"), "/feed.xml");
        assert_eq!(
            d(r"^(?P<year>[0-9]{4})/(?P<slug>[\w-]+)/?$"),
            "/{year}/{slug}"
        );
        assert_eq!(d(""), "/");
        assert_eq!(d("^$"), "/");
    }
}
