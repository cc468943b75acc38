//! connexion: spec-first Python apps. `app.add_api('openapi.yaml', base_path=…)` serves every
//! operation of a spec; each operation's `operationId` (relative to
//! `x-openapi-router-controller` when one is set) names its handler as a dotted Python path.
//!
//! The spec decides the route (the `add_api` `base_path=`, else the spec's `basePath` /
//! first server URL, then the operation's path) and, with connexion's rules, the auth:
//! a security requirement is enforced only when each of its schemes names a verifier
//! (`x-bearerInfoFunc`, `x-basicInfoFunc`, `x-apikeyInfoFunc`, `x-tokenInfoFunc`); without
//! one connexion logs a warning and lets the request through, unless the verifier is set in
//! the environment (`BEARERINFO_FUNC`, …) — which keyhole cannot see, so such an operation
//! is `unknown`. The handler's own decorators and inline checks guard it too.
//!
//! A served spec's operations are connexion endpoints instead of `openapi` ones: one row
//! per operation, not two.

use std::path::{Path, PathBuf};

use keyhole_core::endpoint::MountStep;
use keyhole_core::facts::{SpecApiDef, SpecAppDef};
use keyhole_core::route::ParamSyntax;
use keyhole_core::vocabulary::Vocabulary;
use keyhole_core::{
    Auth, Endpoint, Evidence, FileId, Framework, Method, NoAuthReason, RouteTemplate, Span,
};
use keyhole_openapi::{Operation, SchemeKind, Spec, Version};

use super::{evidence, kind_of, Linker, Position, Target, Verdict};

/// Resolvers that use the `operationId` when the operation has one.
const KNOWN_RESOLVERS: &[&str] = &[
    "Resolver",
    "RelativeResolver",
    "RestyResolver",
    "MethodResolver",
    "MethodViewResolver",
];

/// What the connexion pass produced.
pub struct Served {
    pub endpoints: Vec<Endpoint>,
    /// Indices of the specs some `add_api` serves.
    pub specs: Vec<usize>,
}

/// A handler found for an operation, or why not.
enum Handler {
    Found { file: FileId, function: usize },
    Unresolved(String),
}

impl Linker<'_> {
    pub(super) fn connexion(&mut self, specs: &[Spec], vocabulary: &Vocabulary) -> Served {
        let mut served = Served {
            endpoints: Vec::new(),
            specs: Vec::new(),
        };
        if specs.is_empty() {
            return served;
        }
        let roots: Vec<PathBuf> = specs
            .iter()
            .map(|s| {
                s.docs
                    .first()
                    .map(|d| crate::canonical(&d.path))
                    .unwrap_or_default()
            })
            .collect();
        let facts = self.facts;
        for (i, f) in facts.iter().enumerate() {
            let file = FileId(i as u32);
            for api in &f.spec_apis {
                let Some(index) = self.served_spec(file, api, &roots) else {
                    continue;
                };
                if !served.specs.contains(&index) {
                    served.specs.push(index);
                }
                self.spec_endpoints(file, api, &specs[index], vocabulary, &mut served.endpoints);
            }
        }
        super::sort_and_dedup(&mut served.endpoints);
        served
    }

    /// The spec an `add_api` names: relative to the app's `specification_dir` (itself
    /// relative to the folder of the module that creates the app), else to the calling
    /// file's folder, else the one loaded spec whose path ends with the name.
    fn served_spec(&self, file: FileId, api: &SpecApiDef, roots: &[PathBuf]) -> Option<usize> {
        let name = api.spec.as_deref()?;
        let here = self.files.get(file)?.disk_path.parent()?.to_path_buf();
        let mut tries = Vec::new();
        if let Some((app_file, app)) = self.spec_app(file, &api.app) {
            let dir = app.specification_dir.clone();
            let base = self
                .files
                .get(app_file)
                .and_then(|f| f.disk_path.parent())
                .map_or_else(|| here.clone(), Path::to_path_buf);
            tries.push(base.join(dir.unwrap_or_default()).join(name));
        }
        tries.push(here.join(name));
        for path in &tries {
            let path = crate::canonical(path);
            if let Some(i) = roots.iter().position(|r| *r == path) {
                return Some(i);
            }
        }
        // `Path(__file__).parent / 'openapi.yaml'`, a directory computed at run time: the spec
        // whose path ends with the name, nearest to the calling file.
        let tail: Vec<&str> = name
            .split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .collect();
        let here = crate::canonical(&here);
        roots
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                let components: Vec<String> = r
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                components.len() >= tail.len()
                    && components[components.len() - tail.len()..]
                        .iter()
                        .zip(&tail)
                        .all(|(a, b)| a == b)
            })
            .max_by_key(|(_, r)| {
                here.components()
                    .zip(r.components())
                    .take_while(|(a, b)| a == b)
                    .count()
            })
            .map(|(i, _)| i)
    }

    /// The connexion app `add_api` is called on, in this file or imported from another:
    /// its file and `specification_dir`.
    fn spec_app(&self, file: FileId, app: &[String]) -> Option<(FileId, &SpecAppDef)> {
        let [name] = app else {
            return None;
        };
        let facts = &self.facts[file.index()];
        if let Some(def) = facts.spec_apps.iter().find(|a| &a.name == name) {
            return Some((file, def));
        }
        let import = facts.imports.iter().find(|i| &i.local == name)?;
        let module = self.resolve_module(file, &import.module)?;
        let wanted = match &import.kind {
            keyhole_core::facts::ImportKind::Named(n) => n,
            _ => return None,
        };
        let def = self.facts[module.index()]
            .spec_apps
            .iter()
            .find(|a| &a.name == wanted)?;
        Some((module, def))
    }

    fn spec_endpoints(
        &mut self,
        file: FileId,
        api: &SpecApiDef,
        spec: &Spec,
        vocabulary: &Vocabulary,
        out: &mut Vec<Endpoint>,
    ) {
        let (base, resolved) = match &api.base_path {
            Some(arg) => match self.path_value(arg) {
                Some(v) => (v, true),
                None => (String::new(), false),
            },
            None => (spec_base_path(spec), true),
        };
        let spec_name = spec
            .docs
            .first()
            .and_then(|d| d.path.file_name())
            .map_or_else(
                || "the spec".to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
        let mount = MountStep {
            span: api.span,
            prefix: (!base.is_empty()).then(|| base.clone()),
            router_name: spec_name,
        };
        for op in &spec.operations {
            let Some(method) = Method::parse(&op.method) else {
                continue;
            };
            let path = format!("{}{}", base.trim_end_matches('/'), op.path);
            let route = RouteTemplate::parse(&path, ParamSyntax::Braces);
            let (dotted, handler) = self.operation_handler(file, api, spec, op);
            let auth = self.operation_auth(spec, op, &route, vocabulary, &handler);
            let handler_location = match handler {
                Handler::Found { file, function } => {
                    Some(self.first_line(self.facts[file.index()].functions[function].span))
                }
                Handler::Unresolved(_) => None,
            };
            out.push(Endpoint {
                method,
                route,
                route_resolved: resolved,
                framework: Framework::Connexion,
                registration: op.key_span,
                handler: dotted.or_else(|| op.operation_id.clone()),
                handler_location,
                router: None,
                mounts: vec![mount.clone()],
                auth,
                rate_limits: Vec::new(),
                response: None,
            });
        }
    }

    /// A definition's first line (`def get_pet(pet_id):`), where labels point.
    fn first_line(&self, span: Span) -> Span {
        let end = self
            .files
            .get(span.file)
            .and_then(|f| f.text.get(span.start as usize..span.end as usize))
            .and_then(|t| t.find('\n'))
            .map_or(span.end, |n| span.start + n as u32);
        Span { end, ..span }
    }

    /// The handler's dotted name and its definition, as connexion's resolver finds it.
    fn operation_handler(
        &self,
        file: FileId,
        api: &SpecApiDef,
        spec: &Spec,
        op: &Operation,
    ) -> (Option<String>, Handler) {
        let resolver = api
            .resolver
            .as_ref()
            .or_else(|| self.spec_app(file, &api.app)?.1.resolver.as_ref());
        if let Some((name, _)) = resolver.filter(|(n, _)| !KNOWN_RESOLVERS.contains(&n.as_str())) {
            return (
                op.operation_id.clone(),
                Handler::Unresolved(format!(
                    "the handler is chosen by the custom resolver `{name}`"
                )),
            );
        }
        let Some(id) = op.operation_id.as_deref() else {
            let why = match resolver {
                Some((name, _)) if name != "Resolver" && name != "RelativeResolver" => format!(
                    "the operation has no `operationId`; `{name}` derives its handler from the path, which keyhole does not follow"
                ),
                _ => "the operation has no `operationId`".to_string(),
            };
            return (None, Handler::Unresolved(why));
        };
        let controller = spec
            .get_str(op.node, "x-openapi-router-controller")
            .or_else(|| spec.get_str(op.path_item, "x-openapi-router-controller"));
        let dotted = match (controller, resolver) {
            (Some(c), _) => format!("{c}.{id}"),
            (None, Some((name, Some(root)))) if name == "RelativeResolver" => {
                format!("{root}.{id}")
            }
            (None, _) => id.to_string(),
        };
        let handler = match self.python_function(file, &dotted) {
            Some((file, function)) => Handler::Found { file, function },
            None => Handler::Unresolved(format!(
                "its handler `{dotted}` is not a function keyhole found in the repository"
            )),
        };
        (Some(dotted), handler)
    }

    /// `pkg.module.function` or `pkg.module.Class.method`: the longest prefix that is a module
    /// of the repository, then the rest looked up in it (through its imports).
    fn python_function(&self, from: FileId, dotted: &str) -> Option<(FileId, usize)> {
        let parts: Vec<String> = dotted.split('.').map(str::to_string).collect();
        for k in (1..parts.len()).rev() {
            let Some(module) = self.modules.resolve_python(from, &parts[..k].join(".")) else {
                continue;
            };
            let rest = &parts[k..];
            match self.resolve_in_module(module, rest, 0) {
                Target::Function(f, i) => return Some((f, i)),
                _ if rest.len() == 2 => {
                    let Target::Class(f, c) = self.resolve_in_module(module, &rest[..1], 0) else {
                        continue;
                    };
                    let facts = &self.facts[f.index()];
                    let class = facts.classes[c].span;
                    if let Some(i) = facts.functions.iter().position(|function| {
                        function.name == rest[1]
                            && class.start <= function.span.start
                            && function.span.end <= class.end
                    }) {
                        return Some((f, i));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The spec's `security` as connexion enforces it, joined with the handler's own guards.
    fn operation_auth(
        &mut self,
        spec: &Spec,
        op: &Operation,
        route: &RouteTemplate,
        vocabulary: &Vocabulary,
        handler: &Handler,
    ) -> Auth {
        let from_spec = match verified_security(spec, op) {
            Some(auth) => auth,
            None => crate::specs::operation_auth(spec, op, route, vocabulary),
        };
        let (mut required, mut optional) = (Vec::new(), Vec::new());
        if let Handler::Found { file, function } = handler {
            let guards = self.facts[file.index()].functions[*function].guards.clone();
            for guard in &guards {
                match self.evaluate(*file, guard, Position::Route) {
                    Verdict::Required(d, g) => {
                        required.push(evidence(guard.span, kind_of(guard.site), d, g));
                    }
                    Verdict::Optional(d, g) => {
                        optional.push(evidence(guard.span, kind_of(guard.site), d, g));
                    }
                    Verdict::NotGuard => {}
                }
            }
        }
        match from_spec {
            Auth::Required(mut e) => {
                e.extend(required);
                Auth::Required(e)
            }
            Auth::Optional(mut e) if !required.is_empty() => {
                e.extend(required);
                Auth::Required(e)
            }
            Auth::Optional(mut e) => {
                e.extend(optional);
                Auth::Optional(e)
            }
            _ if !required.is_empty() => Auth::Required(required),
            Auth::None {
                reason: NoAuthReason::NoGuardFound,
                ..
            } if !optional.is_empty() => Auth::Optional(optional),
            Auth::None {
                reason: NoAuthReason::NoGuardFound,
                evidence,
            } => match handler {
                Handler::Found { .. } => Auth::None {
                    reason: NoAuthReason::NoGuardFound,
                    evidence,
                },
                Handler::Unresolved(why) => Auth::Unknown(format!(
                    "the spec declares no `security` for this operation, and {why}, so guards on the handler are unknown"
                )),
            },
            other => other,
        }
    }
}

/// The operation's security when connexion can verify at least one of its requirements
/// (required, or optional with a `{}` alternative), or cannot verify any (unknown); `None`
/// when the spec declares none or declares it public — then the spec's reading stands.
fn verified_security(spec: &Spec, op: &Operation) -> Option<Auth> {
    let security = spec.effective_security(op)?;
    if security.is_public() {
        return None;
    }
    let place = if op.security.is_some() {
        "on the operation"
    } else {
        "global"
    };
    let mut evidence = Vec::new();
    let mut missing = None;
    for requirement in security.requirements.iter().filter(|r| !r.is_empty()) {
        let mut verifiers = Vec::new();
        for name in requirement {
            match verifier(spec, name) {
                Ok(v) => verifiers.push((name.as_str(), v)),
                Err(m) => {
                    missing.get_or_insert((name.clone(), m));
                    verifiers.clear();
                    break;
                }
            }
        }
        for (name, (extension, function)) in verifiers {
            evidence.push(Evidence {
                span: security.key_span,
                kind: keyhole_core::auth::EvidenceKind::SpecSecurity,
                detail: format!(
                    "`security` {place}: {name}, verified by `{extension}: {function}`"
                ),
                guard: Some(function.to_string()),
            });
        }
    }
    if !evidence.is_empty() {
        return Some(if security.is_optional() {
            Auth::Optional(evidence)
        } else {
            Auth::Required(evidence)
        });
    }
    // `None`: only `{}` alternatives, so anyone may call it.
    missing.map(|(name, why)| Auth::Unknown(format!("the spec's `security` names `{name}`, {why}")))
}

/// The verifier connexion calls for a scheme, (extension, function); or why connexion does
/// not check the scheme.
fn verifier<'s>(spec: &'s Spec, name: &str) -> Result<(&'static str, &'s str), String> {
    let Some(scheme) = spec.scheme(name) else {
        return Err("which no security scheme defines: connexion refuses or skips it".into());
    };
    let (extension, variable) = match &scheme.kind {
        SchemeKind::Http(s) if s == "basic" => ("x-basicInfoFunc", "BASICINFO_FUNC"),
        SchemeKind::Http(s) if s == "bearer" => ("x-bearerInfoFunc", "BEARERINFO_FUNC"),
        SchemeKind::ApiKey(_) => ("x-apikeyInfoFunc", "APIKEYINFO_FUNC"),
        SchemeKind::OAuth2(_) | SchemeKind::OpenIdConnect => {
            if let Some(url) = spec.get_str(scheme.node, "x-tokenInfoUrl") {
                return Ok(("x-tokenInfoUrl", url));
            }
            ("x-tokenInfoFunc", "TOKENINFO_FUNC")
        }
        _ => return Err(
            "a kind of scheme connexion does not verify itself: something outside the spec decides"
                .into(),
        ),
    };
    match spec.get_str(scheme.node, extension) {
        Some(function) => Ok((extension, function)),
        None => Err(format!(
            "whose scheme has no `{extension}`: connexion checks it only if `{variable}` is set in the environment"
        )),
    }
}

/// The path a spec serves under when `add_api` gives none: Swagger 2's `basePath`, or the path
/// of OpenAPI 3's first server URL (with its variables' defaults).
fn spec_base_path(spec: &Spec) -> String {
    let root = spec.root();
    if spec.version == Version::Swagger2 {
        return spec.get_str(root, "basePath").unwrap_or("").to_string();
    }
    let Some(server) = spec
        .get(root, "servers")
        .and_then(|list| spec.items(list).into_iter().next())
    else {
        return String::new();
    };
    let Some(url) = spec.get_str(server, "url") else {
        return String::new();
    };
    let mut url = url.to_string();
    if let Some(variables) = spec.get(server, "variables") {
        for (name, _, variable) in spec.entries(variables) {
            if let Some(default) = spec.get_str(variable, "default") {
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => url.as_str(),
    };
    if path.starts_with('/') && !path.contains('{') {
        path.trim_end_matches('/').to_string()
    } else {
        String::new()
    }
}
