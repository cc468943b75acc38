//! Django, Django REST framework and Flask class-based views: everything that registers a
//! *view object* (a function or class with guards of its own) at a URL.
//!
//! - URLconfs: each module-level `urlpatterns` list is a router (`RouterDef` named
//!   `urlpatterns`, framework Django); `path()`/`re_path()`/`url()` entries are routes whose
//!   guards include a [`GuardSite::View`] guard naming the view; `include(…)` entries, `+
//!   router.urls` and `urlpatterns += …` are mounts (`UseDef` whose args carry the
//!   [`GuardSite::View`] site, so an unresolvable include is never taken for middleware).
//! - DRF `router.register('users', UserViewSet)` is a route on the router with no methods:
//!   the link pass expands it with DRF's URL conventions from the viewset's actions.
//! - Flask `add_url_rule(rule, view_func=View.as_view('x'))` is a route with a view guard.
//! - Views: decorated functions and classes with bases become [`ViewDef`]s.
//! - Settings: `ROOT_URLCONF`, `MIDDLEWARE`, `REST_FRAMEWORK['DEFAULT_PERMISSION_CLASSES']`.

use keyhole_core::facts::{
    DecoratorAttr, GetPermissions, GuardRef, GuardSite, GuardTarget, PermissionBranch,
    PermissionRef, PermissionSet, RegistryRead, RouteDef, RouterDef, RouterKind, SettingDef,
    SymbolPath, UseDef, UseScope, ViewAction, ViewDef, ViewHandler, ViewRegistration,
};
use keyhole_core::{Framework, Method};
use keyhole_lang::NodeExt;
use tree_sitter::Node;

use crate::syntax::{sequence_items, string_value, symbol_path, text, Args};
use crate::{templates, Extractor};
use keyhole_lang::Capture;

/// Bound on wrappers peeled off a view (`login_required(csrf_exempt(View.as_view()))`) and on
/// nested pattern expressions (`[…] + […] + router.urls`).
const MAX_NESTING: usize = 16;

/// The router name of a module's URLconf.
pub const URLPATTERNS: &str = "urlpatterns";

/// Function-view decorators that restrict or describe the view rather than guard it.
const NOT_GUARD_DECORATORS: &[&str] = &[
    "api_view",
    "permission_classes",
    "authentication_classes",
    "throttle_classes",
    "renderer_classes",
    "parser_classes",
    "schema",
    "require_http_methods",
    "require_GET",
    "require_POST",
    "require_safe",
    "login_not_required",
    "csrf_exempt",
    "action",
    "detail_route",
    "list_route",
];

impl Extractor<'_> {
    /// `urlpatterns = […]`, `urlpatterns += […]`, `api_patterns = […]`.
    pub(crate) fn urlconf(&mut self, node: Node<'_>, name: Node<'_>, value: Node<'_>) {
        let name = text(name, self.src).to_string();
        // A list named like patterns is a URLconf only if it holds patterns.
        if name != URLPATTERNS && !self.holds_patterns(value) {
            return;
        }
        self.ensure_urlconf(&name, node);
        self.patterns(&name, value, 0);
    }

    fn ensure_urlconf(&mut self, name: &str, node: Node<'_>) {
        if self.facts.routers.iter().any(|r| r.name == name) {
            return;
        }
        self.facts.routers.push(RouterDef {
            name: name.to_string(),
            kind: RouterKind::Router,
            framework: Framework::Django,
            prefix: None,
            guards: Vec::new(),
            shares_parent_scope: false,
            span: self.span(node),
        });
    }

    fn holds_patterns(&self, value: Node<'_>) -> bool {
        sequence_items(value).into_iter().any(|item| {
            item.kind_name() == "call"
                && item
                    .field("function")
                    .and_then(|f| symbol_path(f, self.src))
                    .and_then(|p| p.last().cloned())
                    .is_some_and(|l| matches!(l.as_str(), "path" | "re_path" | "url"))
        })
    }

    /// The entries of a pattern expression, added to URLconf `parent`.
    fn patterns(&mut self, parent: &str, value: Node<'_>, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        match value.kind_name() {
            "list" | "tuple" | "parenthesized_expression" => {
                for item in sequence_items(value) {
                    self.pattern(parent, item, depth + 1);
                }
            }
            "binary_operator" => {
                for side in ["left", "right"] {
                    if let Some(n) = value.child_by_field_name(side) {
                        self.patterns(parent, n, depth + 1);
                    }
                }
            }
            "call" => self.pattern(parent, value, depth + 1),
            // `[path(…), *router.urls]`
            "list_splat" => {
                if let Some(inner) = value.named_child(0) {
                    self.patterns(parent, inner, depth + 1);
                }
            }
            // `+ router.urls`, `+ api_patterns`
            "identifier" | "attribute" => {
                if let Some(path) = symbol_path(value, self.src) {
                    if path.len() == 1 && path[0] == parent {
                        return;
                    }
                    self.mount(parent, None, view_symbol(path, self.span(value)), value);
                }
            }
            _ => {}
        }
    }

    /// One entry: `path(…)`, `re_path(…)`, `url(…)`, or a helper returning patterns.
    fn pattern(&mut self, parent: &str, item: Node<'_>, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        if item.kind_name() != "call" {
            return self.patterns(parent, item, depth + 1);
        }
        let src = self.src;
        let (Some(callee), Some(args)) = (
            item.field("function").and_then(|f| symbol_path(f, src)),
            item.field("arguments"),
        ) else {
            return;
        };
        let args = Args::of(args, src);
        let last = callee.last().map(String::as_str).unwrap_or_default();
        match last {
            "path" | "re_path" | "url" => {}
            // `format_suffix_patterns(urlpatterns)`, `i18n_patterns(path(…), …)`
            "format_suffix_patterns" | "i18n_patterns" => {
                for arg in args.positional {
                    self.patterns(parent, arg, depth + 1);
                }
                return;
            }
            _ => return,
        }
        let (Some(route), Some(target)) = (args.arg(0, "route"), args.arg(1, "view")) else {
            return;
        };
        let prefix = self.path_arg(route);
        if let Some(included) = include_call(target, src) {
            self.include(parent, prefix, included, item, depth);
            return;
        }
        // `path('admin/', admin.site.urls)`: the admin site, mounted whole; one endpoint for
        // all its pages, judged by the link pass from what `admin.site` resolves to.
        if let Some(site) =
            symbol_path(target, src).filter(|p| p.ends_with(&["site".into(), "urls".into()]))
        {
            let mut path = prefix;
            path.value = path.value.map(|p| {
                if p.starts_with('^') {
                    format!("{}(?P<path>.*)", p.trim_end_matches('$'))
                } else {
                    format!("{p}<path:path>")
                }
            });
            self.facts.routes.push(RouteDef {
                router: vec![parent.to_string()],
                framework_hint: Some(Framework::Django),
                methods: Vec::new(),
                path,
                guards: vec![view_symbol(site, self.span(target))],
                handler: None,
                span: self.span(item),
                order: item.order(),
            });
            return;
        }
        let (mut guards, view) = self.view_reference(target);
        let handler = view.as_ref().and_then(|v| match &v.target {
            GuardTarget::Symbol(p) => p.iter().rfind(|c| !c.starts_with('#')).cloned(),
            _ => None,
        });
        let methods = if view.is_some() {
            Vec::new()
        } else {
            vec![Method::Any]
        };
        guards.extend(view);
        self.facts.routes.push(RouteDef {
            router: vec![parent.to_string()],
            framework_hint: Some(Framework::Django),
            methods,
            path: prefix,
            guards,
            handler,
            span: self.span(item),
            order: item.order(),
        });
    }

    /// `include('app.urls')`, `include(router.urls)`, `include((patterns, 'ns'))`,
    /// `include([path(…), …])`.
    fn include(
        &mut self,
        parent: &str,
        prefix: keyhole_core::facts::PathArg,
        args: Node<'_>,
        item: Node<'_>,
        depth: usize,
    ) {
        let src = self.src;
        let args = Args::of(args, src);
        let Some(mut arg) = args.arg(0, "arg") else {
            return;
        };
        // `include((patterns, 'app_name'))`: the first element is the URLconf.
        if arg.kind_name() == "tuple" || arg.kind_name() == "parenthesized_expression" {
            match sequence_items(arg).first() {
                Some(first) => arg = *first,
                None => return,
            }
        }
        if arg.kind_name() == "call" {
            self.registry_read(parent, prefix, arg, item);
            return;
        }
        let target = match arg.kind_name() {
            "string" | "concatenated_string" => match string_value(arg, src, &self.constants) {
                Some(module) => GuardRef {
                    site: GuardSite::View,
                    target: GuardTarget::Module(module),
                    called: false,
                    optional: false,
                    span: self.span(arg),
                },
                None => return,
            },
            "list" => {
                // Inline patterns: a URLconf of their own, named after where they stand.
                let name = format!("{URLPATTERNS}@{}", arg.start_byte());
                self.ensure_urlconf(&name, arg);
                self.patterns(&name, arg, depth + 1);
                view_symbol(vec![name], self.span(arg))
            }
            _ => match symbol_path(arg, src) {
                Some(path) => view_symbol(path, self.span(arg)),
                None => return,
            },
        };
        self.facts.uses.push(UseDef {
            parent: vec![parent.to_string()],
            prefix: Some(prefix),
            args: vec![target],
            guards: Vec::new(),
            scope: UseScope::Whole,
            unless: None,
            only: Vec::new(),
            span: self.span(item),
            order: item.order(),
        });
    }

    fn mount(
        &mut self,
        parent: &str,
        prefix: Option<keyhole_core::facts::PathArg>,
        target: GuardRef,
        at: Node<'_>,
    ) {
        self.facts.uses.push(UseDef {
            parent: vec![parent.to_string()],
            prefix,
            args: vec![target],
            guards: Vec::new(),
            scope: UseScope::Whole,
            unless: None,
            only: Vec::new(),
            span: self.span(at),
            order: at.order(),
        });
    }

    /// A view expression in a URLconf or `view_func=`: wrappers peeled off as guard
    /// candidates (`login_required(View.as_view())`), then the view itself.
    pub(crate) fn view_reference(&self, mut node: Node<'_>) -> (Vec<GuardRef>, Option<GuardRef>) {
        let src = self.src;
        let mut wrappers = Vec::new();
        for _ in 0..MAX_NESTING {
            match node.kind_name() {
                "identifier" | "attribute" => {
                    let view = symbol_path(node, src).map(|p| view_symbol(p, self.span(node)));
                    return (wrappers, view);
                }
                "call" => {
                    let Some(function) = node.field("function") else {
                        break;
                    };
                    let Some(args) = node.field("arguments") else {
                        break;
                    };
                    let args = Args::of(args, src);
                    // `View.as_view(…)`: the class, with a DRF action map if given.
                    if function.kind_name() == "attribute"
                        && function
                            .field("attribute")
                            .is_some_and(|a| text(a, src) == "as_view")
                    {
                        let Some(mut path) =
                            function.field("object").and_then(|o| symbol_path(o, src))
                        else {
                            break;
                        };
                        if let Some(map) = args
                            .arg(0, "actions")
                            .filter(|n| n.kind_name() == "dictionary")
                        {
                            path.extend(action_map(map, src, &self.constants));
                        }
                        return (wrappers, Some(view_symbol(path, self.span(node))));
                    }
                    // A wrapper `guard(view)`; `cache_page(60)(view)` is peeled silently.
                    if let Some(callee) = symbol_path(function, src) {
                        wrappers.push(GuardRef {
                            site: GuardSite::Decorator,
                            target: GuardTarget::Symbol(callee),
                            called: false,
                            optional: false,
                            span: self.span(function),
                        });
                    }
                    match args.positional.first() {
                        Some(inner) => node = *inner,
                        None => break,
                    }
                }
                "parenthesized_expression" => match node.named_child(0) {
                    Some(inner) => node = inner,
                    None => break,
                },
                _ => break,
            }
        }
        (wrappers, None)
    }

    /// `router.register(…)`, `bp.add_url_rule(…)`, `urlpatterns.append(…)` / `.extend(…)`.
    pub(crate) fn view_call(
        &mut self,
        call: Node<'_>,
        receiver: Node<'_>,
        method: Node<'_>,
        args: Node<'_>,
    ) {
        let src = self.src;
        let Some(receiver_path) = symbol_path(receiver, src) else {
            return;
        };
        let list = Args::of(args, src);
        let order = call.order();
        match text(method, src) {
            m if m.starts_with("add_") && m.ends_with("resource") => {
                self.add_resource(call, receiver_path, &list);
            }
            "register" => {
                // DRF: `router.register(r'users', UserViewSet, basename='user')`.
                let (Some(prefix), Some(viewset)) = (list.arg(0, "prefix"), list.arg(1, "viewset"))
                else {
                    return;
                };
                if !matches!(
                    prefix.kind_name(),
                    "string" | "concatenated_string" | "identifier"
                ) {
                    return;
                }
                let Some(view) = symbol_path(viewset, src) else {
                    return;
                };
                let handler = view.last().cloned();
                self.facts.routes.push(RouteDef {
                    router: receiver_path,
                    framework_hint: Some(Framework::DjangoRestFramework),
                    methods: Vec::new(),
                    path: self.path_arg(prefix),
                    guards: vec![view_symbol(view, self.span(viewset))],
                    handler,
                    span: self.span(call),
                    order,
                });
            }
            "add_url_rule" => self.add_url_rule(call, receiver, &list),
            "append" | "extend" => {
                let [name] = &receiver_path[..] else {
                    return;
                };
                if !self.facts.routers.iter().any(|r| &r.name == name) {
                    return;
                }
                let name = name.clone();
                for arg in list.positional {
                    self.patterns(&name, arg, 0);
                }
            }
            _ => {}
        }
    }

    /// Flask: `add_url_rule(rule, endpoint=None, view_func=None, **options)`. Inside a function
    /// that receives the router, the rule and the view may come from its parameters (a route
    /// template, see `templates`).
    fn add_url_rule(&mut self, call: Node<'_>, receiver: Node<'_>, list: &Args<'_>) {
        // Positions count up to the first `*args` / `**kwargs`.
        let positional = |i: usize| {
            list.positional
                .iter()
                .take_while(|a| !matches!(a.kind_name(), "list_splat" | "dictionary_splat"))
                .nth(i)
                .copied()
        };
        let Some(rule) = positional(0).or_else(|| list.keyword("rule")) else {
            return;
        };
        let Some(view_func) = positional(2).or_else(|| list.keyword("view_func")) else {
            return;
        };
        let Some(router) = self.receiver_path(receiver) else {
            return;
        };
        let on_param = router.first().is_some_and(|r| r.ends_with(')'));
        let scope = on_param
            .then(|| templates::Scope::enclosing(self, call))
            .flatten();
        let mut path = self.path_arg(rule);
        let mut params = None;
        let mut view_node = view_func;
        let mut view_conditional = false;
        if let Some(scope) = &scope {
            let pieces = scope.path(self, rule, 0);
            let view_param = scope.param(self, view_func);
            (view_node, view_conditional) = scope.expression(self, view_func);
            params = scope.route_params(self.span(call), pieces.clone(), view_param);
            if params.is_some() {
                path.value = templates::written_path(&pieces);
            }
        }
        if path
            .value
            .as_deref()
            .is_some_and(|p| !p.starts_with('/') && !p.is_empty())
        {
            return;
        }
        // A view from a parameter is filled in at each call; none is written here.
        let from_param = params.as_ref().is_some_and(|p| p.handler.is_some());
        let (mut guards, view) = if from_param {
            (Vec::new(), None)
        } else {
            match self.view_reference(view_node) {
                // `if admins_only: view = guard(view)`: the guard holds only sometimes.
                (mut guards, Some(view)) if view_conditional && !guards.is_empty() => {
                    for g in &mut guards {
                        g.optional = true;
                    }
                    (guards, Some(view))
                }
                // The view itself differs by branch: which one is unknown.
                (guards, Some(mut view)) if view_conditional => {
                    view.target = GuardTarget::Symbol(vec![format!(
                        "{} (assigned under a condition)",
                        text(view_func, self.src)
                    )]);
                    (guards, Some(view))
                }
                (guards, Some(view)) => (guards, Some(view)),
                (_, None) => return,
            }
        };
        let handler = match view.as_ref().map(|v| &v.target) {
            Some(GuardTarget::Symbol(p)) => p.iter().rfind(|c| !c.starts_with('#')).cloned(),
            _ => None,
        };
        guards.extend(view);
        let methods = list
            .keyword("methods")
            .map(|m| match m.kind_name() {
                "list" | "tuple" => self.method_list(m),
                // Methods from a parameter or computed: any, not a guess.
                _ => vec![Method::Any],
            })
            .unwrap_or_default();
        self.facts.routes.push(RouteDef {
            router,
            framework_hint: None,
            methods,
            path,
            guards,
            handler,
            span: self.span(call),
            order: call.order(),
        });
        self.facts.route_params.extend(params);
    }

    /// `[login_required, auth.check()]`, `(a, b)`, `Base.decorators + [c]`: the decorators as
    /// guard candidates, and whether the base class's value is kept.
    fn decorator_list(&self, node: Node<'_>) -> (Vec<GuardRef>, bool) {
        let src = self.src;
        let mut items = Vec::new();
        let mut extends_base = false;
        let mut pending = vec![node];
        let mut steps = 0;
        while let Some(n) = pending.pop() {
            steps += 1;
            if steps > MAX_NESTING {
                break;
            }
            match n.kind_name() {
                "binary_operator" => {
                    for side in ["right", "left"] {
                        if let Some(part) = n.child_by_field_name(side) {
                            pending.push(part);
                        }
                    }
                }
                "list" | "tuple" | "parenthesized_expression" => {
                    items.extend(sequence_items(n));
                }
                // `BaseResource.decorators`, `base.method_decorators`
                "attribute"
                    if symbol_path(n, src).is_some_and(|p| {
                        p.last()
                            .is_some_and(|l| l == "decorators" || l == "method_decorators")
                    }) =>
                {
                    extends_base = true;
                }
                _ => {}
            }
        }
        let guards = items
            .into_iter()
            .filter_map(|item| {
                let (callee, called) = match item.kind_name() {
                    "call" => (
                        item.field("function").and_then(|f| symbol_path(f, src))?,
                        true,
                    ),
                    _ => (symbol_path(item, src)?, false),
                };
                Some(GuardRef {
                    site: GuardSite::Decorator,
                    target: GuardTarget::Symbol(callee),
                    called,
                    optional: false,
                    span: self.span(item),
                })
            })
            .collect();
        (guards, extends_base)
    }

    /// The branches of a `get_permissions()` body: `if self.action in (…): return [AllowAny()]`
    /// (or `self.permission_classes = […]`), `elif`/`else`, a final `return […]` or
    /// `return super().get_permissions()`. `None` when a statement is anything else.
    fn permission_branches(
        &self,
        block: Node<'_>,
        pending: Option<Option<PermissionSet>>,
        depth: usize,
    ) -> Option<Vec<PermissionBranch>> {
        if depth > 8 {
            return None;
        }
        let src = self.src;
        let mut branches = Vec::new();
        // What an assignment to `permission_classes` chose, returned by a later `return`.
        let mut chosen: Option<Option<PermissionSet>> = pending;
        let mut cursor = block.walk();
        for statement in block.named_children(&mut cursor) {
            match statement.kind_name() {
                "comment" | "pass_statement" => {}
                "expression_statement" => {
                    let assign = statement
                        .named_child(0)
                        .filter(|n| n.kind_name() == "assignment")?;
                    let left = text(assign.field("left")?, src);
                    if !matches!(left, "self.permission_classes" | "permission_classes") {
                        return None;
                    }
                    chosen = Some(Some(self.permission_set(assign.field("right")?)));
                }
                "return_statement" => {
                    let value = statement.named_child(0)?;
                    let t = text(value, src);
                    let permissions = if t.starts_with("super()") {
                        chosen.clone().unwrap_or(None)
                    } else if value.kind_name() == "list_comprehension"
                        && t.contains("permission_classes")
                    {
                        // `[p() for p in self.permission_classes]`
                        chosen.clone().unwrap_or(None)
                    } else if matches!(value.kind_name(), "list" | "tuple") {
                        Some(self.permission_set(value))
                    } else {
                        return None;
                    };
                    branches.push(PermissionBranch {
                        actions: Vec::new(),
                        methods: Vec::new(),
                        negated: false,
                        permissions,
                    });
                    return Some(branches);
                }
                "if_statement" => {
                    let condition = statement.field("condition")?;
                    let (actions, methods, negated) = self.permission_condition(condition)?;
                    let consequence = statement.field("consequence")?;
                    let mut alternatives = Vec::new();
                    let mut inner = statement.walk();
                    for alt in statement.children_by_field_name("alternative", &mut inner) {
                        alternatives.push(alt);
                    }
                    // A branch that returns by itself, or one that sets `permission_classes`
                    // for the final `return` (read with the statements after the `if`).
                    let rest_start = statement.end_byte();
                    let rest: Vec<Node<'_>> = {
                        let mut c = block.walk();
                        block
                            .named_children(&mut c)
                            .filter(|n| n.start_byte() >= rest_start)
                            .collect()
                    };
                    let read_branch = |body: Node<'_>| -> Option<Option<PermissionSet>> {
                        let found = self.permission_branches(body, chosen.clone(), depth + 1);
                        if let Some(found) = found {
                            if found.len() == 1
                                && found[0].actions.is_empty()
                                && found[0].methods.is_empty()
                            {
                                return Some(found[0].permissions.clone());
                            }
                            return None;
                        }
                        // No return in the branch: an assignment, then the statements after.
                        let set = self.assigned_permissions(body)?;
                        let after = self.permission_tail(&rest, Some(Some(set)), depth)?;
                        Some(after)
                    };
                    branches.push(PermissionBranch {
                        actions,
                        methods,
                        negated,
                        permissions: read_branch(consequence)?,
                    });
                    match alternatives.first() {
                        None => {}
                        Some(alt)
                            if alt.kind_name() == "else_clause" && alternatives.len() == 1 =>
                        {
                            let body = alt.field("body")?;
                            branches.push(PermissionBranch {
                                actions: Vec::new(),
                                methods: Vec::new(),
                                negated: false,
                                permissions: read_branch(body)?,
                            });
                            return Some(branches);
                        }
                        Some(_) => return None,
                    }
                    // Statements after an `if` that only assigned are read by the branch.
                    if self
                        .permission_branches(consequence, None, depth + 1)
                        .is_none()
                    {
                        let tail = self.permission_tail(&rest, chosen.clone(), depth)?;
                        branches.push(PermissionBranch {
                            actions: Vec::new(),
                            methods: Vec::new(),
                            negated: false,
                            permissions: tail,
                        });
                        return Some(branches);
                    }
                }
                _ => return None,
            }
        }
        None
    }

    /// `self.permission_classes = […]` as the only statement of a block.
    fn assigned_permissions(&self, body: Node<'_>) -> Option<PermissionSet> {
        let mut cursor = body.walk();
        let statements: Vec<Node<'_>> = body
            .named_children(&mut cursor)
            .filter(|n| n.kind_name() != "comment")
            .collect();
        let [statement] = statements.as_slice() else {
            return None;
        };
        let assign = statement
            .named_child(0)
            .filter(|n| n.kind_name() == "assignment")?;
        let left = text(assign.field("left")?, self.src);
        if !matches!(left, "self.permission_classes" | "permission_classes") {
            return None;
        }
        Some(self.permission_set(assign.field("right")?))
    }

    /// What the statements after an `if` return, given what was assigned: a single final
    /// `return super().get_permissions()` / `return [p() for p in …]`.
    fn permission_tail(
        &self,
        rest: &[Node<'_>],
        chosen: Option<Option<PermissionSet>>,
        _depth: usize,
    ) -> Option<Option<PermissionSet>> {
        let [statement] = rest else {
            return None;
        };
        if statement.kind_name() != "return_statement" {
            return None;
        }
        let value = statement.named_child(0)?;
        let t = text(value, self.src);
        if t.starts_with("super()")
            || (value.kind_name() == "list_comprehension" && t.contains("permission_classes"))
        {
            return Some(chosen.unwrap_or(None));
        }
        None
    }

    /// `self.action in ('list', 'retrieve')`, `self.action == 'create'`,
    /// `self.request.method in permissions.SAFE_METHODS`, `self.request.method == 'GET'`, and
    /// their negations: (actions, methods, negated).
    fn permission_condition(
        &self,
        condition: Node<'_>,
    ) -> Option<(Vec<String>, Vec<Method>, bool)> {
        let src = self.src;
        if condition.kind_name() != "comparison_operator" || condition.named_child_count() != 2 {
            return None;
        }
        let subject = text(condition.named_child(0)?, src);
        let value = condition.named_child(1)?;
        let mut cursor = condition.walk();
        let operator = condition
            .children(&mut cursor)
            .find(|c| !c.is_named())
            .map(|c| c.kind_name())?;
        let negated = match operator {
            "in" | "==" => false,
            "not in" | "!=" => true,
            _ => return None,
        };
        let strings: Vec<String> = match value.kind_name() {
            "string" => vec![string_value(value, src, &self.constants)?],
            "list" | "tuple" | "set" => sequence_items(value)
                .into_iter()
                .map(|n| string_value(n, src, &self.constants))
                .collect::<Option<Vec<_>>>()?,
            _ if text(value, src).ends_with("SAFE_METHODS") => {
                vec!["GET".into(), "HEAD".into(), "OPTIONS".into()]
            }
            _ => return None,
        };
        match subject {
            "self.action" => Some((strings, Vec::new(), negated)),
            "self.request.method" | "request.method" => Some((
                Vec::new(),
                strings.iter().filter_map(|m| Method::parse(m)).collect(),
                negated,
            )),
            _ => None,
        }
    }

    fn method_list(&self, node: Node<'_>) -> Vec<Method> {
        sequence_items(node)
            .into_iter()
            .filter_map(|m| string_value(m, self.src, &self.constants))
            .filter_map(|m| Method::parse(&m))
            .collect()
    }

    /// A decorated function at module level: a candidate function view.
    pub(crate) fn view_function(&mut self, decorated: Node<'_>) {
        // Methods are read with their class.
        if decorated
            .parent()
            .and_then(|b| b.parent())
            .is_some_and(|c| c.kind_name() == "class_definition")
        {
            return;
        }
        let Some(function) = decorated.field("definition") else {
            return;
        };
        let Some(name) = function.field("name") else {
            return;
        };
        let mut view = ViewDef {
            name: text(name, self.src).to_string(),
            is_class: false,
            bases: Vec::new(),
            guards: Vec::new(),
            decorator_attrs: Vec::new(),
            handlers: Vec::new(),
            methods: Vec::new(),
            permissions: None,
            get_permissions: None,
            public: None,
            api_view: false,
            lookup: None,
            span: self.span(function),
        };
        let mut cursor = decorated.walk();
        for dec in decorated.named_children(&mut cursor) {
            if dec.kind_name() != "decorator" {
                continue;
            }
            self.view_decorator(dec, &mut view);
        }
        self.facts.views.push(view);
    }

    /// One decorator of a function view (or of a class, with `method_decorator`).
    fn view_decorator(&self, dec: Node<'_>, view: &mut ViewDef) {
        let src = self.src;
        let Some(expr) = dec.named_child(0) else {
            return;
        };
        let (callee, args) = match expr.kind_name() {
            "call" => (
                expr.field("function").and_then(|f| symbol_path(f, src)),
                expr.field("arguments").map(|a| Args::of(a, src)),
            ),
            _ => (symbol_path(expr, src), None),
        };
        let Some(callee) = callee else {
            // `@(login_required if settings.X else (lambda f: f))`: read as a guard alone.
            if let Some(guard) = self.decorator_guard(dec) {
                view.guards.push(guard);
            }
            return;
        };
        let first = args.as_ref().and_then(|a| a.positional.first().copied());
        match callee.last().map(String::as_str).unwrap_or_default() {
            "require_http_methods" => {
                if let Some(list) = first {
                    view.methods = self.method_list(list);
                }
            }
            "require_GET" => view.methods = vec![Method::Get],
            "require_POST" => view.methods = vec![Method::Post],
            "require_safe" => view.methods = vec![Method::Get, Method::Head],
            "api_view" => {
                view.api_view = true;
                view.methods = first
                    .or_else(|| args.as_ref().and_then(|a| a.keyword("http_method_names")))
                    .map(|l| self.method_list(l))
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| vec![Method::Get]);
            }
            "permission_classes" => {
                if let Some(list) = first {
                    view.permissions = Some(self.permission_set(list));
                }
            }
            "login_not_required" => view.public = Some(self.span(dec)),
            "method_decorator" => {
                // `@method_decorator(login_required, name='dispatch')` on a class.
                let Some(args) = args else { return };
                let Some(target) = args.positional.first().copied() else {
                    return;
                };
                let name = args
                    .keyword("name")
                    .and_then(|n| string_value(n, src, &self.constants));
                let guards = self.decorator_targets(target);
                let public = guards.iter().any(|g| is_login_not_required(&g.target));
                let guards: Vec<GuardRef> = guards
                    .into_iter()
                    .filter(|g| !is_login_not_required(&g.target))
                    .collect();
                match name.as_deref() {
                    None | Some("dispatch") => {
                        if public {
                            view.public = Some(self.span(dec));
                        }
                        view.guards.extend(guards);
                    }
                    Some(method) => {
                        let handler = match view.handlers.iter_mut().find(|h| h.name == method) {
                            Some(h) => h,
                            None => {
                                view.handlers.push(ViewHandler {
                                    name: method.to_string(),
                                    guards: Vec::new(),
                                    action: None,
                                    public: None,
                                    span: self.span(dec),
                                });
                                let last = view.handlers.len() - 1;
                                &mut view.handlers[last]
                            }
                        };
                        if public {
                            handler.public = Some(self.span(dec));
                        }
                        handler.guards.extend(guards);
                    }
                }
            }
            last if NOT_GUARD_DECORATORS.contains(&last) => {}
            _ => {
                if let Some(guard) = self.decorator_guard(dec) {
                    view.guards.push(guard);
                }
            }
        }
    }

    /// The guards inside `method_decorator(…)`: one name, a call, or a list of them.
    fn decorator_targets(&self, node: Node<'_>) -> Vec<GuardRef> {
        let items = match node.kind_name() {
            "list" | "tuple" => sequence_items(node),
            _ => vec![node],
        };
        items
            .into_iter()
            .filter_map(|item| {
                let (callee, called) = match item.kind_name() {
                    "call" => (
                        item.field("function")
                            .and_then(|f| symbol_path(f, self.src))?,
                        true,
                    ),
                    _ => (symbol_path(item, self.src)?, false),
                };
                Some(GuardRef {
                    site: GuardSite::Decorator,
                    target: GuardTarget::Symbol(callee),
                    called,
                    optional: false,
                    span: self.span(item),
                })
            })
            .collect()
    }

    /// A class: a candidate class-based view, viewset, mixin or permission class.
    pub(crate) fn view_class(&mut self, node: Node<'_>) {
        let src = self.src;
        let Some(name) = node.field("name") else {
            return;
        };
        let bases: Vec<SymbolPath> = node
            .field("superclasses")
            .map(|list| {
                Args::of(list, src)
                    .positional
                    .into_iter()
                    .filter_map(|b| crate::syntax::base_class_path(b, src))
                    .collect()
            })
            .unwrap_or_default();
        let mut view = ViewDef {
            name: text(name, src).to_string(),
            is_class: true,
            bases,
            guards: Vec::new(),
            decorator_attrs: Vec::new(),
            handlers: Vec::new(),
            methods: Vec::new(),
            permissions: None,
            get_permissions: None,
            public: None,
            api_view: false,
            lookup: None,
            span: self.span(node),
        };
        // Class decorators: `@method_decorator(login_required, name='dispatch')`.
        if let Some(decorated) = node
            .parent()
            .filter(|p| p.kind_name() == "decorated_definition")
        {
            let mut cursor = decorated.walk();
            for dec in decorated.named_children(&mut cursor) {
                if dec.kind_name() == "decorator" {
                    self.view_decorator(dec, &mut view);
                    if let Some(call) = dec.named_child(0).filter(|e| e.kind_name() == "call") {
                        let view = view_symbol(vec![view.name.clone()], self.span(name));
                        self.view_registration(call, view, dec);
                    }
                }
            }
        }
        let Some(body) = node.field("body") else {
            self.facts.views.push(view);
            return;
        };
        let mut cursor = body.walk();
        for stmt in body.named_children(&mut cursor) {
            match stmt.kind_name() {
                "expression_statement" => {
                    let Some(assign) = stmt
                        .named_child(0)
                        .filter(|n| n.kind_name() == "assignment")
                    else {
                        continue;
                    };
                    self.class_attribute(assign, &mut view);
                }
                "function_definition" => self.handler(stmt, None, &mut view),
                "decorated_definition" => {
                    if let Some(function) = stmt
                        .field("definition")
                        .filter(|d| d.kind_name() == "function_definition")
                    {
                        self.handler(function, Some(stmt), &mut view);
                    }
                }
                _ => {}
            }
        }
        self.facts.views.push(view);
    }

    fn class_attribute(&self, assign: Node<'_>, view: &mut ViewDef) {
        let src = self.src;
        let (Some(left), Some(right)) = (assign.field("left"), assign.field("right")) else {
            return;
        };
        match text(left, src) {
            "permission_classes" => view.permissions = Some(self.permission_set(right)),
            // Flask `View.decorators`, applied to the view function `as_view` returns;
            // flask-restful `Resource.method_decorators`, applied to each method.
            attr @ ("decorators" | "method_decorators") => {
                let attr = attr.to_string();
                if right.kind_name() == "dictionary" {
                    let mut cursor = right.walk();
                    for pair in right.named_children(&mut cursor) {
                        let (Some(key), Some(value)) = (pair.field("key"), pair.field("value"))
                        else {
                            continue;
                        };
                        let Some(method) = string_value(key, src, &self.constants) else {
                            continue;
                        };
                        let (guards, extends_base) = self.decorator_list(value);
                        view.decorator_attrs.push(DecoratorAttr {
                            attr: attr.clone(),
                            method: Some(method.to_ascii_lowercase()),
                            guards,
                            extends_base,
                            span: self.span(pair),
                        });
                    }
                } else {
                    let (guards, extends_base) = self.decorator_list(right);
                    view.decorator_attrs.push(DecoratorAttr {
                        attr,
                        method: None,
                        guards,
                        extends_base,
                        span: self.span(assign),
                    });
                }
            }
            "methods" | "http_method_names" => {
                view.methods = self
                    .method_list(right)
                    .into_iter()
                    .filter(|m| !matches!(m, Method::Head | Method::Options))
                    .collect();
            }
            "lookup_url_kwarg" => view.lookup = string_value(right, src, &self.constants),
            "lookup_field" if view.lookup.is_none() => {
                view.lookup = string_value(right, src, &self.constants);
            }
            _ => {}
        }
    }

    /// A method of a view class, with its decorators.
    fn handler(&self, function: Node<'_>, decorated: Option<Node<'_>>, view: &mut ViewDef) {
        let src = self.src;
        let Some(name) = function.field("name") else {
            return;
        };
        let name = text(name, src).to_string();
        if name == "get_permissions" {
            view.get_permissions = Some(GetPermissions {
                branches: function
                    .field("body")
                    .and_then(|b| self.permission_branches(b, None, 0)),
                span: self.span(function),
            });
        }
        let mut handler = ViewHandler {
            name,
            guards: Vec::new(),
            action: None,
            public: None,
            span: self.span(function),
        };
        if let Some(decorated) = decorated {
            let mut cursor = decorated.walk();
            for dec in decorated.named_children(&mut cursor) {
                if dec.kind_name() != "decorator" {
                    continue;
                }
                let Some(expr) = dec.named_child(0) else {
                    continue;
                };
                let (callee, args) = match expr.kind_name() {
                    "call" => (
                        expr.field("function").and_then(|f| symbol_path(f, src)),
                        expr.field("arguments").map(|a| Args::of(a, src)),
                    ),
                    _ => (symbol_path(expr, src), None),
                };
                let Some(callee) = callee else { continue };
                match callee.last().map(String::as_str).unwrap_or_default() {
                    "action" | "detail_route" | "list_route" => {
                        let last = callee.last().map(String::as_str).unwrap_or_default();
                        let kw = |k: &str| args.as_ref().and_then(|a| a.keyword(k));
                        let detail = match last {
                            "detail_route" => true,
                            "list_route" => false,
                            _ => kw("detail").is_some_and(|d| text(d, src) == "True"),
                        };
                        let methods = kw("methods")
                            .map(|m| self.method_list(m))
                            .filter(|m| !m.is_empty())
                            .unwrap_or_else(|| vec![Method::Get]);
                        handler.action = Some(ViewAction {
                            detail,
                            methods,
                            url_path: kw("url_path")
                                .and_then(|u| string_value(u, src, &self.constants)),
                            permissions: kw("permission_classes").map(|p| self.permission_set(p)),
                        });
                    }
                    "method_decorator" => {
                        if let Some(target) = args.as_ref().and_then(|a| a.positional.first()) {
                            for guard in self.decorator_targets(*target) {
                                if is_login_not_required(&guard.target) {
                                    handler.public = Some(self.span(dec));
                                } else {
                                    handler.guards.push(guard);
                                }
                            }
                        }
                    }
                    "login_not_required" => handler.public = Some(self.span(dec)),
                    last if NOT_GUARD_DECORATORS.contains(&last) => {}
                    _ => {
                        if let Some(guard) = self.decorator_guard(dec) {
                            handler.guards.push(guard);
                        }
                    }
                }
            }
        }
        // `dispatch` guards the whole view.
        if handler.name == "dispatch" {
            view.guards.extend(handler.guards.iter().cloned());
            if handler.public.is_some() {
                view.public = handler.public;
            }
        }
        match view.handlers.iter_mut().find(|h| h.name == handler.name) {
            // A `method_decorator(…, name='get')` seen first on the class.
            Some(existing) => {
                existing.guards.extend(handler.guards);
                existing.action = handler.action;
                existing.public = existing.public.or(handler.public);
                existing.span = handler.span;
            }
            None => view.handlers.push(handler),
        }
    }

    /// `[IsAuthenticated, permissions.IsAdminUser | ReadOnly]`, `(AllowAny,)`.
    fn permission_set(&self, node: Node<'_>) -> PermissionSet {
        let mut all_of = Vec::new();
        let items = match node.kind_name() {
            "list" | "tuple" | "parenthesized_expression" => sequence_items(node),
            // `BaseView.permission_classes + [IsOwner]`: what can be read.
            "binary_operator" => {
                let mut items = Vec::new();
                for side in ["left", "right"] {
                    if let Some(n) = node.child_by_field_name(side) {
                        match n.kind_name() {
                            "list" | "tuple" => items.extend(sequence_items(n)),
                            _ => items.push(n),
                        }
                    }
                }
                items
            }
            _ => vec![node],
        };
        for item in items {
            let mut and_groups = Vec::new();
            self.permission_expr(item, &mut and_groups, 0);
            all_of.extend(and_groups);
        }
        PermissionSet {
            all_of,
            span: self.span(node),
        }
    }

    /// One permission expression, as AND-groups of OR-alternatives.
    fn permission_expr(&self, node: Node<'_>, out: &mut Vec<Vec<PermissionRef>>, depth: usize) {
        if depth > MAX_NESTING {
            out.push(vec![self.unknown_permission(node)]);
            return;
        }
        match node.kind_name() {
            "binary_operator" => {
                let op = node
                    .field("operator")
                    .map(|o| text(o, self.src))
                    .unwrap_or_default();
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                    return;
                };
                match op {
                    "&" => {
                        self.permission_expr(left, out, depth + 1);
                        self.permission_expr(right, out, depth + 1);
                    }
                    "|" => {
                        let mut l = Vec::new();
                        let mut r = Vec::new();
                        self.permission_expr(left, &mut l, depth + 1);
                        self.permission_expr(right, &mut r, depth + 1);
                        // (a & b) | c is read as a | b | c: weaker, never stronger.
                        let group: Vec<PermissionRef> = l.into_iter().chain(r).flatten().collect();
                        out.push(group);
                    }
                    _ => out.push(vec![self.unknown_permission(node)]),
                }
            }
            "parenthesized_expression" => {
                if let Some(inner) = node.named_child(0) {
                    self.permission_expr(inner, out, depth + 1);
                }
            }
            "call" => match node
                .field("function")
                .and_then(|f| symbol_path(f, self.src))
            {
                Some(path) => out.push(vec![PermissionRef {
                    path,
                    dotted: false,
                    span: self.span(node),
                }]),
                None => out.push(vec![self.unknown_permission(node)]),
            },
            "identifier" | "attribute" => match symbol_path(node, self.src) {
                Some(path) => out.push(vec![PermissionRef {
                    path,
                    dotted: false,
                    span: self.span(node),
                }]),
                None => out.push(vec![self.unknown_permission(node)]),
            },
            "comment" => {}
            // `~IsAuthenticated`, `*base`, computed: unknown.
            _ => out.push(vec![self.unknown_permission(node)]),
        }
    }

    fn unknown_permission(&self, node: Node<'_>) -> PermissionRef {
        PermissionRef {
            path: vec![UNKNOWN_PERMISSION.to_string()],
            dotted: false,
            span: self.span(node),
        }
    }

    /// A Django setting at module level.
    pub(crate) fn setting(&mut self, name: Node<'_>, value: Node<'_>) {
        let src = self.src;
        match text(name, src) {
            "ROOT_URLCONF" => {
                if let Some(module) = string_value(value, src, &self.constants) {
                    self.facts.settings.push(SettingDef::RootUrlconf {
                        module,
                        span: self.span(value),
                    });
                }
            }
            "MIDDLEWARE" | "MIDDLEWARE_CLASSES" => {
                for item in sequence_items(value) {
                    if let Some(path) = string_value(item, src, &self.constants) {
                        self.facts.settings.push(SettingDef::Middleware {
                            path,
                            span: self.span(item),
                        });
                    }
                }
            }
            "REST_FRAMEWORK" => {
                if value.kind_name() != "dictionary" {
                    return;
                }
                let mut cursor = value.walk();
                for pair in value.named_children(&mut cursor) {
                    if pair.kind_name() != "pair" {
                        continue;
                    }
                    let (Some(key), Some(list)) = (pair.field("key"), pair.field("value")) else {
                        continue;
                    };
                    if string_value(key, src, &self.constants).as_deref()
                        != Some("DEFAULT_PERMISSION_CLASSES")
                    {
                        continue;
                    }
                    let all_of = sequence_items(list)
                        .into_iter()
                        .map(|item| {
                            let path = match string_value(item, src, &self.constants) {
                                Some(s) => s.split('.').map(str::to_string).collect(),
                                None => vec![UNKNOWN_PERMISSION.to_string()],
                            };
                            vec![PermissionRef {
                                path,
                                dotted: true,
                                span: self.span(item),
                            }]
                        })
                        .collect();
                    self.facts
                        .settings
                        .push(SettingDef::DefaultPermissions(PermissionSet {
                            all_of,
                            span: self.span(list),
                        }));
                }
            }
            _ => {}
        }
    }
}

impl Extractor<'_> {
    /// drf-nested-routers: `NestedSimpleRouter(parent_router, r'parents', lookup='parent')`
    /// serves its viewsets under `parents/<parent_pk>/` (the parent's lookup prefixed by
    /// `lookup_`; `pk` unless the parent viewset says otherwise). Without a readable parent
    /// prefix the path is unknown.
    pub(crate) fn nested_router_prefix(
        &self,
        args: &Args<'_>,
        at: Node<'_>,
    ) -> keyhole_core::facts::PathArg {
        let src = self.src;
        let parent = args
            .arg(1, "parent_prefix")
            .and_then(|p| string_value(p, src, &self.constants));
        let lookup = args
            .keyword("lookup")
            .and_then(|l| string_value(l, src, &self.constants))
            .unwrap_or_else(|| "nested_1".to_string());
        keyhole_core::facts::PathArg {
            value: parent.map(|p| {
                let p = p.trim_start_matches('^').trim_end_matches('$');
                format!("{}/<{lookup}_pk>/", p.trim_end_matches('/'))
            }),
            span: self.span(at),
        }
    }

    /// `router = DefaultRouter()`: `GET` at the router's root lists its viewsets, with DRF's
    /// default permissions.
    pub(crate) fn drf_api_root(&mut self, router: &str, at: Node<'_>) {
        let span = self.span(at);
        self.facts.routes.push(RouteDef {
            router: vec![router.to_string()],
            framework_hint: Some(Framework::DjangoRestFramework),
            methods: Vec::new(),
            path: keyhole_core::facts::PathArg {
                value: Some(String::new()),
                span,
            },
            guards: vec![view_symbol(vec![crate::DRF_API_ROOT.to_string()], span)],
            handler: Some("api_root".to_string()),
            span,
            order: at.order(),
        });
    }

    /// `include(get_model_urls('dcim', 'site', detail=False))`: the views a registry holds
    /// for a model. Keys that are not literals are not read.
    fn registry_read(
        &mut self,
        parent: &str,
        prefix: keyhole_core::facts::PathArg,
        call: Node<'_>,
        item: Node<'_>,
    ) {
        let src = self.src;
        let (Some(callee), Some(args)) = (
            call.field("function").and_then(|f| symbol_path(f, src)),
            call.field("arguments"),
        ) else {
            return;
        };
        if callee.last().map(String::as_str) != Some(REGISTRY_READER) {
            return;
        }
        let args = Args::of(args, src);
        let literal = |n: Option<Node<'_>>| n.and_then(|n| string_value(n, src, &self.constants));
        let (Some(app), Some(model)) = (
            literal(args.arg(0, "app_label")),
            literal(args.arg(1, "model_name")),
        ) else {
            return;
        };
        let Some(detail) = bool_arg(args.arg(2, "detail"), true, src) else {
            return;
        };
        self.facts.registry_reads.push(RegistryRead {
            parent: parent.to_string(),
            prefix,
            app,
            model,
            detail,
            span: self.span(item),
            order: item.order(),
        });
    }

    /// `register_model_view(Model, 'trace', kwargs={…})(PathTraceView)` at module level.
    fn view_registration_call(&mut self, outer: Node<'_>) {
        let src = self.src;
        let (Some(call), Some(args)) = (outer.field("function"), outer.field("arguments")) else {
            return;
        };
        let Some(view) = Args::of(args, src).positional.first().copied() else {
            return;
        };
        let Some(path) = symbol_path(view, src) else {
            return;
        };
        let view = view_symbol(path, self.span(view));
        self.view_registration(call, view, outer);
    }

    /// `register_model_view(model, name='', path=None, detail=True, …)` applied to `view`.
    /// Only literal names and a model written as a class name are read: a registration in a
    /// loop over models (`register_model_view(model, 'journal')`) says nothing static.
    fn view_registration(&mut self, call: Node<'_>, view: GuardRef, at: Node<'_>) {
        let src = self.src;
        let (Some(callee), Some(args)) = (
            call.field("function").and_then(|f| symbol_path(f, src)),
            call.field("arguments"),
        ) else {
            return;
        };
        if callee.last().map(String::as_str) != Some(REGISTRY_WRITER) {
            return;
        }
        let args = Args::of(args, src);
        let Some(model) = args.arg(0, "model").and_then(|m| symbol_path(m, src)) else {
            return;
        };
        if !model
            .last()
            .and_then(|m| m.chars().next())
            .is_some_and(char::is_uppercase)
        {
            return;
        }
        let name = match args.arg(1, "name") {
            Some(n) => match string_value(n, src, &self.constants) {
                Some(n) => n,
                None => return,
            },
            None => String::new(),
        };
        let segment = match args.arg(2, "path") {
            Some(p) if text(p, src) == "None" => name,
            Some(p) => match string_value(p, src, &self.constants) {
                Some(p) => p,
                None => return,
            },
            None => name,
        };
        let Some(detail) = bool_arg(args.arg(3, "detail"), true, src) else {
            return;
        };
        // NetBox's `get_model_urls` serves the view at `f"{path}/"`, or at the including
        // path itself when the path is empty.
        let path = if segment.is_empty() {
            segment
        } else {
            format!("{segment}/")
        };
        self.facts.view_registrations.push(ViewRegistration {
            model,
            detail,
            path,
            view,
            span: self.span(at),
            order: at.order(),
        });
    }
}

/// NetBox's view registry (also used by NetBox plugins): `register_model_view` writes it,
/// `get_model_urls` reads it by app label and model name.
const REGISTRY_WRITER: &str = "register_model_view";
const REGISTRY_READER: &str = "get_model_urls";

/// A `True`/`False` literal argument; `default` when absent, `None` when not a literal.
fn bool_arg(node: Option<Node<'_>>, default: bool, src: &str) -> Option<bool> {
    match node.map(|n| text(n, src)) {
        None => Some(default),
        Some("True") => Some(true),
        Some("False") => Some(false),
        Some(_) => None,
    }
}

/// The name a permission class that cannot be read statically is recorded under.
pub const UNKNOWN_PERMISSION: &str = "?";

fn view_symbol(path: SymbolPath, span: keyhole_core::Span) -> GuardRef {
    GuardRef {
        site: GuardSite::View,
        target: GuardTarget::Symbol(path),
        called: false,
        optional: false,
        span,
    }
}

fn is_login_not_required(target: &GuardTarget) -> bool {
    matches!(target, GuardTarget::Symbol(p) if p.last().is_some_and(|l| l == "login_not_required"))
}

/// The argument list of an `include(…)` call.
fn include_call<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    if node.kind_name() != "call" {
        return None;
    }
    let callee = symbol_path(node.field("function")?, src)?;
    (callee.last()? == "include").then(|| node.field("arguments"))?
}

/// `{'get': 'list', 'post': 'create'}` → `#get=list`, `#post=create`.
fn action_map(
    dict: Node<'_>,
    src: &str,
    constants: &std::collections::HashMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = dict.walk();
    for pair in dict.named_children(&mut cursor) {
        if pair.kind_name() != "pair" {
            continue;
        }
        let (Some(k), Some(v)) = (
            pair.field("key")
                .and_then(|k| string_value(k, src, constants)),
            pair.field("value")
                .and_then(|v| string_value(v, src, constants)),
        ) else {
            continue;
        };
        out.push(format!("#{}={}", k.to_ascii_lowercase(), v));
    }
    out
}

impl<'t> Extractor<'_> {
    /// Dispatch a match of `queries/python/django/views.scm`; false for other matches.
    pub(crate) fn django_match(&mut self, get: &impl Fn(Capture) -> Option<Node<'t>>) -> bool {
        if let (Some(node), Some(name), Some(value)) = (
            get(Capture::Urlconf),
            get(Capture::UrlconfName),
            get(Capture::UrlconfValue),
        ) {
            self.urlconf(node, name, value);
        } else if let (Some(call), Some(receiver), Some(method), Some(args)) = (
            get(Capture::ViewCall),
            get(Capture::ViewReceiver),
            get(Capture::ViewMethod),
            get(Capture::ViewArgs),
        ) {
            self.view_call(call, receiver, method, args);
        } else if let Some(node) = get(Capture::ViewRegistration) {
            self.view_registration_call(node);
        } else if let Some(node) = get(Capture::ViewClass) {
            self.view_class(node);
        } else if let Some(node) = get(Capture::ViewFunction) {
            self.view_function(node);
        } else if let (Some(name), Some(value)) =
            (get(Capture::SettingsName), get(Capture::SettingsValue))
        {
            self.setting(name, value);
        } else {
            return false;
        }
        true
    }
}
