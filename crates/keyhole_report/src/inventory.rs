//! The endpoint inventory: an aligned table for people, versioned JSON for programs.

use keyhole_core::auth::EvidenceKind;
use keyhole_core::{Auth, Endpoint, EndpointId, NoAuthReason, SourceMap, SpecLink};
use serde::Serialize;

use crate::json::to_string;
use crate::{one_line, truncate_chars, Located};

/// Version of the inventory JSON schema; same policy as [`crate::JSON_VERSION`].
pub const INVENTORY_JSON_VERSION: u32 = 1;

/// Longest reason printed in the table's last column, in characters.
const REASON_WIDTH: usize = 60;

const HEADERS: [&str; 6] = ["METHOD", "ROUTE", "AUTH", "FRAMEWORK", "LOCATION", "REASON"];

/// An aligned table, one endpoint per row in the order given:
/// `METHOD ROUTE AUTH FRAMEWORK LOCATION REASON`. Always prints the header.
pub fn inventory_table(endpoints: &[Endpoint], files: &SourceMap) -> String {
    let rows: Vec<[String; 6]> = endpoints
        .iter()
        .map(|e| {
            // A connexion endpoint is registered in the spec; where its code is says more.
            let loc = Located::new(files, e.handler_location.unwrap_or(e.registration));
            [
                e.method.as_str().to_string(),
                e.route.as_str().to_string(),
                e.auth.state().as_str().to_string(),
                e.framework.as_str().to_string(),
                format!("{}:{}", loc.path, loc.start.line),
                truncate_chars(&one_line(&e.auth.reason()), REASON_WIDTH),
            ]
        })
        .collect();

    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }

    let mut out = String::new();
    let header = HEADERS.map(str::to_string);
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            let pad = width.saturating_sub(cell.chars().count());
            line.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
struct Inventory<'a> {
    version: u32,
    endpoints: Vec<JsonEndpoint<'a>>,
}

#[derive(Serialize)]
struct JsonEndpoint<'a> {
    method: &'a str,
    route: &'a str,
    route_resolved: bool,
    framework: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    handler: Option<&'a str>,
    /// Where the handler is defined, when that is not at the registration (connexion).
    handler_location: Option<JsonPlace<'a>>,
    auth: JsonAuth<'a>,
    mounts: Vec<JsonMount<'a>>,
    /// Rate limits on the endpoint's chain (facts, not guards).
    rate_limits: Vec<JsonEvidence<'a>>,
    /// The declared response type (FastAPI `response_model=`, a return annotation).
    response: Option<JsonResponse<'a>>,
    /// For a code endpoint: the spec operations documenting it.
    spec_operations: Vec<JsonLink<'a>>,
    /// For a spec operation: the code endpoints implementing it.
    implementations: Vec<JsonLink<'a>>,
}

#[derive(Serialize)]
struct JsonPlace<'a> {
    file: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonResponse<'a> {
    name: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    /// The class the name resolves to, when the repository defines it.
    definition: Option<JsonPlace<'a>>,
}

#[derive(Serialize)]
struct JsonLink<'a> {
    method: &'a str,
    route: &'a str,
    file: &'a str,
    line: usize,
    handler: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonAuth<'a> {
    state: &'a str,
    /// Why there is no guard, for `none` and `public`.
    no_auth_reason: Option<NoAuthReason>,
    reason: String,
    evidence: Vec<JsonEvidence<'a>>,
}

#[derive(Serialize)]
struct JsonEvidence<'a> {
    kind: EvidenceKind,
    detail: &'a str,
    guard: Option<&'a str>,
    file: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonMount<'a> {
    file: &'a str,
    line: usize,
    prefix: Option<&'a str>,
    router: &'a str,
}

/// Every endpoint as JSON: `{"version": 1, "endpoints": […]}`. `links` joins code
/// endpoints to the spec operations documenting them (indices into `endpoints`).
pub fn inventory_json(endpoints: &[Endpoint], files: &SourceMap, links: &[SpecLink]) -> String {
    let link = |id: EndpointId| {
        let e = endpoints.get(id.0 as usize)?;
        let at = Located::new(files, e.registration);
        Some(JsonLink {
            method: e.method.as_str(),
            route: e.route.as_str(),
            file: at.path,
            line: at.start.line,
            handler: e.handler.as_deref(),
        })
    };
    let doc = Inventory {
        version: INVENTORY_JSON_VERSION,
        endpoints: endpoints
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let id = EndpointId(i as u32);
                let mut json = endpoint(e, files);
                json.spec_operations = links
                    .iter()
                    .filter(|l| l.code == id)
                    .filter_map(|l| link(l.spec))
                    .collect();
                json.implementations = links
                    .iter()
                    .filter(|l| l.spec == id)
                    .filter_map(|l| link(l.code))
                    .collect();
                json
            })
            .collect(),
    };
    to_string(&doc)
}

fn evidence<'a>(ev: &'a keyhole_core::Evidence, files: &'a SourceMap) -> JsonEvidence<'a> {
    let at = Located::new(files, ev.span);
    JsonEvidence {
        kind: ev.kind,
        detail: &ev.detail,
        guard: ev.guard.as_deref(),
        file: at.path,
        line: at.start.line,
        column: at.start.column,
    }
}

fn place(span: keyhole_core::Span, files: &SourceMap) -> JsonPlace<'_> {
    let at = Located::new(files, span);
    JsonPlace {
        file: at.path,
        line: at.start.line,
        column: at.start.column,
    }
}

fn endpoint<'a>(e: &'a Endpoint, files: &'a SourceMap) -> JsonEndpoint<'a> {
    let loc = Located::new(files, e.registration);
    JsonEndpoint {
        method: e.method.as_str(),
        route: e.route.as_str(),
        route_resolved: e.route_resolved,
        framework: e.framework.as_str(),
        file: loc.path,
        line: loc.start.line,
        column: loc.start.column,
        handler: e.handler.as_deref(),
        handler_location: e.handler_location.map(|span| place(span, files)),
        auth: JsonAuth {
            state: e.auth.state().as_str(),
            no_auth_reason: match &e.auth {
                Auth::None { reason, .. } => Some(*reason),
                _ => None,
            },
            reason: e.auth.reason(),
            evidence: e
                .auth
                .evidence()
                .iter()
                .map(|ev| evidence(ev, files))
                .collect(),
        },
        rate_limits: e.rate_limits.iter().map(|ev| evidence(ev, files)).collect(),
        response: e.response.as_ref().map(|r| {
            let at = Located::new(files, r.span);
            JsonResponse {
                name: &r.name,
                file: at.path,
                line: at.start.line,
                column: at.start.column,
                definition: r.definition.map(|span| place(span, files)),
            }
        }),
        spec_operations: Vec::new(),
        implementations: Vec::new(),
        mounts: e
            .mounts
            .iter()
            .map(|m| {
                let at = Located::new(files, m.span);
                JsonMount {
                    file: at.path,
                    line: at.start.line,
                    prefix: m.prefix.as_deref(),
                    router: &m.router_name,
                }
            })
            .collect(),
    }
}
