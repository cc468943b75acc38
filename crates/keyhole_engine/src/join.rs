//! The code–spec join: which code endpoint implements which spec operation, and the
//! secondary labels that follow from it (a code finding points at the operation that
//! documents the endpoint, a spec finding at the route that implements the operation).
//!
//! Two endpoints join when the methods agree (a code endpoint serving every method joins
//! each of the path's operations) and the paths are equal once parameter names are ignored
//! (`/users/{id}` = `/users/{user_id}`). Code often carries the spec's base path (2.0
//! `basePath`, the path of a 3.x server URL) and the spec's paths do not: each spec is
//! tried with and without each of its prefixes, and the reading that joins the most
//! operations wins. A spec that joins little of itself is taken to describe another API
//! (a client's copy of a third-party spec), and is not joined at all.

use std::collections::HashMap;

use keyhole_core::{
    Auth, Diagnostic, Endpoint, EndpointId, Framework, Label, Method, NoAuthReason, Project,
    RouteTemplate, Span, SpecLink,
};
use keyhole_openapi::{Operation, Spec};

/// At most this many related labels are added to one finding.
const MAX_RELATED: usize = 3;

/// The path with every parameter written `{}`: `/users/{id}/files.{ext}` → `/users/{}/files.{}`.
fn path_key(route: &str) -> String {
    let mut out = String::with_capacity(route.len());
    let mut depth = 0usize;
    for c in route.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push('{');
                }
                depth += 1;
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push('}');
                }
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

fn is_spec_side(project: &Project, e: &Endpoint) -> bool {
    e.framework == Framework::OpenApi
        || project
            .files
            .get(e.registration.file)
            .is_some_and(|f| !f.language.is_code())
}

/// Join the code endpoints of `project` to the operations of `specs`.
pub fn join(project: &Project, specs: &[Spec]) -> Vec<SpecLink> {
    let mut code: HashMap<String, Vec<(EndpointId, Method)>> = HashMap::new();
    let mut spec_endpoints: HashMap<Span, EndpointId> = HashMap::new();
    for (i, e) in project.endpoints.iter().enumerate() {
        let id = EndpointId(i as u32);
        if e.framework == Framework::OpenApi {
            spec_endpoints.insert(e.registration, id);
        } else if !is_spec_side(project, e) {
            code.entry(path_key(e.route.as_str()))
                .or_default()
                .push((id, e.method));
        }
    }
    let mut links = Vec::new();
    for spec in specs {
        let ops: Vec<(EndpointId, Method, &Operation)> = spec
            .operations
            .iter()
            .filter_map(|op| {
                let id = *spec_endpoints.get(&op.key_span)?;
                let method = project.endpoint(id)?.method;
                Some((id, method, op))
            })
            .collect();
        if ops.is_empty() {
            continue;
        }
        let implementations = |prefix: &str, op: &Operation, method: Method| {
            let full = RouteTemplate::parse(prefix, keyhole_core::route::ParamSyntax::Braces).join(
                &RouteTemplate::parse(&op.path, keyhole_core::route::ParamSyntax::Braces),
            );
            code.get(&path_key(full.as_str()))
                .map(|list| {
                    list.iter()
                        .filter(|(_, m)| *m == method || *m == Method::Any)
                        .map(|(id, _)| *id)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        let mut best: Option<(usize, String)> = None;
        for prefix in std::iter::once(String::new()).chain(spec.path_prefixes()) {
            let joined = ops
                .iter()
                .filter(|(_, method, op)| !implementations(&prefix, op, *method).is_empty())
                .count();
            if best.as_ref().is_none_or(|(n, _)| joined > *n) {
                best = Some((joined, prefix));
            }
        }
        let Some((joined, prefix)) = best else {
            continue;
        };
        // One or two coincidences (`GET /health`) do not make a large spec this API's.
        if joined == 0 || (joined < 3 && joined * 2 < ops.len()) {
            continue;
        }
        let spec_describes_code = joined * 2 > ops.len();
        for (spec_id, method, op) in &ops {
            for code_id in implementations(&prefix, op, *method) {
                links.push(SpecLink {
                    code: code_id,
                    spec: *spec_id,
                    spec_describes_code,
                });
            }
        }
    }
    links.sort();
    links.dedup();
    links
}

/// The joined endpoint a finding is about: the one with the finding's method and route
/// whose registration holds the primary label, else the only one on the same side (code or
/// spec) with that method and route. Only joined endpoints (`linked`) are considered: the
/// others have no counterpart to point at, and a duplicate registration of a joined route
/// is joined too.
fn endpoint_of(project: &Project, linked: &[EndpointId], d: &Diagnostic) -> Option<EndpointId> {
    let about = d.endpoint.as_ref()?;
    let primary = d.primary.span;
    let spec_side = project
        .files
        .get(primary.file)
        .is_some_and(|f| !f.language.is_code());
    let candidates: Vec<(EndpointId, &Endpoint)> = linked
        .iter()
        .filter_map(|&id| Some((id, project.endpoint(id)?)))
        .filter(|(_, e)| e.method == about.method && e.route == about.route)
        .filter(|(_, e)| is_spec_side(project, e) == spec_side)
        .collect();
    if let Some((id, _)) = candidates.iter().find(|(_, e)| {
        e.registration.file == primary.file
            && e.registration.start <= primary.start
            && primary.start <= e.registration.end
    }) {
        return Some(*id);
    }
    match candidates.as_slice() {
        [(id, _)] => Some(*id),
        _ => None,
    }
}

/// What the spec says about an operation's security, for a label on it.
fn documented(spec: &Spec, op: &Operation) -> String {
    match spec.effective_security(op) {
        None => "documented here, without `security`".to_string(),
        Some(s) if s.is_public() => "documented here as public (`security: []`)".to_string(),
        Some(s) => {
            let names: Vec<String> = s
                .requirements
                .iter()
                .filter(|r| !r.is_empty())
                .map(|r| r.join(" + "))
                .collect();
            let global = if op.security.is_some() { "" } else { "global " };
            if names.is_empty() {
                return format!(
                    "documented here, with {global}`security` making credentials optional (`{{}}`)"
                );
            }
            let optional = if s.is_optional() {
                ", credentials optional"
            } else {
                ""
            };
            format!(
                "documented here, with {global}`security: {}`{optional}",
                names.join(" | ")
            )
        }
    }
}

/// What the code does about an endpoint's authentication, for a label on its route.
fn implemented(e: &Endpoint) -> String {
    let by = e
        .handler
        .as_deref()
        .map(|h| format!(" by `{h}`"))
        .unwrap_or_default();
    let how = match &e.auth {
        Auth::Required(ev) => match ev.first() {
            Some(ev) => match &ev.guard {
                Some(guard) => format!(", guarded by `{guard}`"),
                None => format!(", guarded: {}", ev.detail),
            },
            None => ", guarded".to_string(),
        },
        Auth::Optional(_) => ", authentication optional".to_string(),
        Auth::None {
            reason: NoAuthReason::NoGuardFound,
            ..
        } => ", with no guard found".to_string(),
        Auth::None {
            reason: NoAuthReason::ExplicitlyPublic,
            ..
        } => ", marked public in the code".to_string(),
        Auth::None { .. } => String::new(),
        Auth::Unknown(_) => ", guard not resolved".to_string(),
    };
    format!("implemented here{by}{how}")
}

/// Give every finding about a joined endpoint a label on its counterpart.
pub fn relate(diagnostics: &mut [Diagnostic], project: &Project, specs: &[Spec]) {
    if project.spec_links.is_empty() {
        return;
    }
    let operations: HashMap<Span, (&Spec, &Operation)> = specs
        .iter()
        .flat_map(|s| s.operations.iter().map(move |op| (op.key_span, (s, op))))
        .collect();
    let mut linked: Vec<EndpointId> = project
        .spec_links
        .iter()
        .flat_map(|l| [l.code, l.spec])
        .collect();
    linked.sort();
    linked.dedup();
    for d in diagnostics {
        let Some(id) = endpoint_of(project, &linked, d) else {
            continue;
        };
        let Some(endpoint) = project.endpoint(id) else {
            continue;
        };
        let counterparts: Vec<EndpointId> = if is_spec_side(project, endpoint) {
            project.implemented_by(id).collect()
        } else {
            project.documented_by(id).collect()
        };
        for other in counterparts.into_iter().take(MAX_RELATED) {
            let Some(other) = project.endpoint(other) else {
                continue;
            };
            let message = if other.framework == Framework::OpenApi {
                match operations.get(&other.registration) {
                    Some((spec, op)) => documented(spec, op),
                    None => "documented here".to_string(),
                }
            } else {
                implemented(other)
            };
            if d.secondary.iter().any(|l| l.span == other.registration) {
                continue;
            }
            d.secondary.push(Label::new(other.registration, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::path_key;

    #[test]
    fn parameters_lose_their_names() {
        assert_eq!(path_key("/users/{id}/files.{ext}"), "/users/{}/files.{}");
        assert_eq!(path_key("/a/{b{c}}"), "/a/{}");
        assert_eq!(path_key("/plain"), "/plain");
    }
}
