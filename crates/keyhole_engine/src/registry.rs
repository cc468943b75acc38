//! View registries: views put into a registry keyed by strings in one module and read back
//! by a URLconf in another (NetBox's `@register_model_view(Site, 'edit')` in `dcim/views.py`,
//! `path('sites/<int:pk>/', include(get_model_urls('dcim', 'site')))` in `dcim/urls.py`).
//!
//! Before linking, each registry read becomes ordinary router-graph facts: the registering
//! module gets one URLconf per (model, detail) key holding its registered views as routes, and
//! the reading URLconf includes it through a synthesized import. The link pass then resolves
//! the views and their guards as for any `include()`. Only keys written as literals are read;
//! a registration the extractor could not read adds nothing, so the registry is listed as far
//! as it can be read and never guessed.

use std::collections::{BTreeMap, BTreeSet};

use keyhole_core::facts::{
    FileFacts, ImportDef, ImportKind, PathArg, RouteDef, RouterDef, RouterKind, UseDef, UseScope,
    ViewRegistration,
};
use keyhole_core::{Framework, SourceFile};

use crate::modules::python_module_name;

/// One registry key as held by one registering module.
#[derive(Default)]
struct Key {
    /// Package names the registration can belong to: the registering module's and the
    /// module the model class is imported from. The reader's app label must be among them.
    apps: BTreeSet<String>,
    registrations: Vec<usize>,
}

pub(crate) fn expand(files: &[std::sync::Arc<SourceFile>], facts: &mut [FileFacts]) {
    if facts.iter().all(|f| f.registry_reads.is_empty()) {
        return;
    }
    // (file, model name, detail) → key
    let mut keys: BTreeMap<(usize, String, bool), Key> = BTreeMap::new();
    for (i, f) in facts.iter().enumerate() {
        let Some((module, _)) = files.get(i).and_then(|file| python_module_name(&file.path)) else {
            continue;
        };
        for (j, registration) in f.view_registrations.iter().enumerate() {
            let Some(model) = registration.model.last() else {
                continue;
            };
            let key = keys
                .entry((i, model.to_lowercase(), registration.detail))
                .or_default();
            key.apps.extend(module.split('.').map(str::to_string));
            key.apps.extend(model_module(f, registration));
            key.registrations.push(j);
        }
    }
    if keys.is_empty() {
        return;
    }
    let mut read: BTreeSet<(usize, String, bool)> = BTreeSet::new();
    for reader in facts.iter_mut() {
        let mut imports = Vec::new();
        let mut uses = Vec::new();
        for r in &reader.registry_reads {
            for ((file, model, detail), key) in &keys {
                if *model != r.model || *detail != r.detail || !key.apps.contains(&r.app) {
                    continue;
                }
                let Some((module, _)) = files.get(*file).and_then(|f| python_module_name(&f.path))
                else {
                    continue;
                };
                let router = router_name(model, *detail);
                let local = format!("{router}@{file}");
                imports.push(ImportDef {
                    local: local.clone(),
                    module,
                    kind: ImportKind::Named(router),
                    span: r.span,
                });
                uses.push(UseDef {
                    parent: vec![r.parent.clone()],
                    prefix: Some(r.prefix.clone()),
                    args: vec![keyhole_core::facts::GuardRef {
                        site: keyhole_core::facts::GuardSite::View,
                        target: keyhole_core::facts::GuardTarget::Symbol(vec![local]),
                        called: false,
                        optional: false,
                        span: r.span,
                    }],
                    guards: Vec::new(),
                    scope: UseScope::Whole,
                    unless: None,
                    only: Vec::new(),
                    span: r.span,
                    order: r.order,
                });
                read.insert((*file, model.clone(), *detail));
            }
        }
        reader.imports.extend(imports);
        reader.uses.extend(uses);
    }
    // Only keys some URLconf reads become URLconfs: an unread one would be a root.
    for (file, model, detail) in read {
        let Some(key) = keys.get(&(file, model.clone(), detail)) else {
            continue;
        };
        let f = &mut facts[file];
        let name = router_name(&model, detail);
        let routes: Vec<RouteDef> = key
            .registrations
            .iter()
            .filter_map(|&j| f.view_registrations.get(j))
            .map(|registration| route(&name, registration))
            .collect();
        let Some(first) = routes.first() else {
            continue;
        };
        f.routers.push(RouterDef {
            name,
            kind: RouterKind::Router,
            framework: Framework::Django,
            prefix: None,
            guards: Vec::new(),
            shares_parent_scope: false,
            span: first.span,
        });
        f.routes.extend(routes);
    }
}

fn router_name(model: &str, detail: bool) -> String {
    let kind = if detail { "detail" } else { "list" };
    format!("registered views of {model} ({kind})")
}

/// Package names of the module the model class is imported from (`from dcim.models import
/// Site` → `dcim`, `models`).
fn model_module(f: &FileFacts, registration: &ViewRegistration) -> Vec<String> {
    let Some(first) = registration.model.first() else {
        return Vec::new();
    };
    f.imports
        .iter()
        .filter(|i| &i.local == first)
        .flat_map(|i| {
            i.module
                .split('.')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn route(router: &str, registration: &ViewRegistration) -> RouteDef {
    let handler = match &registration.view.target {
        keyhole_core::facts::GuardTarget::Symbol(p) => p.last().cloned(),
        _ => None,
    };
    RouteDef {
        router: vec![router.to_string()],
        framework_hint: Some(Framework::Django),
        methods: Vec::new(),
        path: PathArg {
            value: Some(registration.path.clone()),
            span: registration.span,
        },
        guards: vec![registration.view.clone()],
        handler,
        span: registration.span,
        order: registration.order,
    }
}
