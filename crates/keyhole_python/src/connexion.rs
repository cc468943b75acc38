//! connexion (2 and 3): spec-first apps. Routes live in an OpenAPI/Swagger spec, not in the
//! code; the code contributes the app (`connexion.App(__name__, specification_dir='spec/')`,
//! `FlaskApp`, `AsyncApp`) and `app.add_api('openapi.yaml', base_path='/v1', resolver=…)`,
//! which the link pass joins to the loaded spec and whose operations' `operationId`s it
//! resolves to handler functions.

use keyhole_core::facts::{RouterDef, RouterKind, SpecApiDef, SpecAppDef, SpecResolver};
use keyhole_core::Framework;
use keyhole_lang::NodeExt;
use tree_sitter::Node;

use crate::syntax::{string_value, symbol_path, walk_bounded, Args, Walk};
use crate::Extractor;

/// connexion's application classes.
const APP_CLASSES: &[&str] = &[
    "App",
    "FlaskApp",
    "AsyncApp",
    "AioHttpApp",
    "ConnexionMiddleware",
];

impl Extractor<'_> {
    /// Whether the file imports connexion.
    fn imports_connexion(&self) -> bool {
        self.facts
            .imports
            .iter()
            .any(|i| i.module.split('.').next() == Some("connexion"))
    }

    /// `app = connexion.App(…)` / `app = FlaskApp(…)` (imported from connexion); true when handled.
    pub(crate) fn connexion_app(
        &mut self,
        name: &str,
        callee: &[String],
        args: &Args<'_>,
        value: Node<'_>,
    ) -> bool {
        let is_app = match callee {
            [module, class] => module == "connexion" && APP_CLASSES.contains(&class.as_str()),
            [class] => {
                APP_CLASSES.contains(&class.as_str())
                    && self.facts.imports.iter().any(|i| {
                        &i.local == class && i.module.split('.').next() == Some("connexion")
                    })
            }
            _ => false,
        };
        if !is_app {
            return false;
        }
        let specification_dir = args
            .keyword("specification_dir")
            .and_then(|n| string_value(n, self.src, &self.constants));
        let resolver = args.keyword("resolver").and_then(|r| self.resolver(r));
        // `app.app` is the Flask app inside (connexion 2's `App`, 3's `FlaskApp`): routes added
        // on it with `@app.app.route(…)`, or through `flask_app = app.app`, are the app's.
        let class = callee.last().map(String::as_str);
        if matches!(class, Some("App" | "FlaskApp")) {
            self.facts.routers.push(RouterDef {
                name: format!("{name}.app"),
                kind: RouterKind::App,
                framework: Framework::Flask,
                prefix: None,
                guards: Vec::new(),
                shares_parent_scope: false,
                span: self.span(value),
            });
        }
        self.facts.spec_apps.push(SpecAppDef {
            name: name.to_string(),
            specification_dir,
            resolver,
            span: self.span(value),
        });
        true
    }

    /// `resolver=RestyResolver('api')`: (`RestyResolver`, `api`).
    fn resolver(&self, node: Node<'_>) -> Option<SpecResolver> {
        if node.kind_name() != "call" {
            return symbol_path(node, self.src).map(|p| (p.join("."), None));
        }
        let callee = symbol_path(node.field("function")?, self.src)?;
        let first = node
            .field("arguments")
            .and_then(|a| Args::of(a, self.src).positional.first().copied())
            .and_then(|a| string_value(a, self.src, &self.constants));
        Some((callee.last().cloned().unwrap_or_default(), first))
    }

    /// `app.add_api('openapi.yaml', base_path='/v1', resolver=RestyResolver('api'))`.
    pub(crate) fn add_api(&mut self, call: Node<'_>, app: Vec<String>, args: &Args<'_>) {
        let Some(spec) = args.arg(0, "specification") else {
            return;
        };
        let spec =
            string_value(spec, self.src, &self.constants).or_else(|| spec_name_in(spec, self.src));
        // Only a spec file keyhole can find joins; `add_api` of other libraries (and of a
        // dict built in code) is left alone.
        let connexion = self.imports_connexion()
            || self
                .facts
                .spec_apps
                .iter()
                .any(|a| Some(&a.name) == app.first());
        if !connexion || !spec.as_deref().is_some_and(is_spec_file_name) {
            return;
        }
        let base_path = args.keyword("base_path").map(|n| self.path_arg(n));
        let resolver = args.keyword("resolver").and_then(|r| self.resolver(r));
        self.facts.spec_apis.push(SpecApiDef {
            app,
            spec,
            base_path,
            resolver,
            span: self.span(call),
        });
    }
}

/// The file name in a computed spec path (`Path(__file__).parent / 'openapi.yaml'`): its last
/// string literal that names a YAML or JSON file.
fn spec_name_in(node: Node<'_>, src: &str) -> Option<String> {
    let mut found = None;
    walk_bounded(node, 200, |n| {
        if n.kind_name() == "string" {
            if let Some(value) = string_value(n, src, &Default::default()) {
                if is_spec_file_name(&value) {
                    found = Some(value);
                }
            }
            return Walk::SkipChildren;
        }
        Walk::Continue
    });
    found
}

fn is_spec_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|e| lower.ends_with(e))
}
