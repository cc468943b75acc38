//! Views: routes that dispatch to a view object (a Django/DRF view function or class, a DRF
//! viewset on a router, a Flask `View`/`MethodView`) rather than to a decorated handler.
//!
//! A route's [`GuardSite::View`] guard names its view. Here the view is resolved through the
//! module graph, its class hierarchy walked (in-repository bases, bounded; known framework
//! bases by name), and the route expanded into one route per method (and, for a viewset on a
//! DRF router, per action with DRF's URL conventions). Each expanded route is then linked like
//! any other: its chain of routers gives the prefix and the router-level guards, and the view
//! guard is evaluated for the method and action in focus.
//!
//! Auth of a view, strongest first: guards on the view (decorators, `method_decorator`,
//! Flask `decorators`, mixins such as `LoginRequiredMixin`, a `dispatch`/handler that denies
//! with 401/403), DRF permission classes (the view's, the action's, or
//! `DEFAULT_PERMISSION_CLASSES` from settings), Django's `LoginRequiredMiddleware`. `AllowAny`
//! and `@login_not_required` make an endpoint explicitly public; `IsAuthenticatedOrReadOnly`
//! (and any `…ReadOnly` permission) requires auth for writes and makes reads optional.

use std::collections::HashSet;

use keyhole_core::auth::EvidenceKind;
use keyhole_core::facts::{
    GetPermissions, GuardRef, GuardSite, GuardTarget, PathArg, PermissionRef, PermissionSet,
    RouteDef, RouterKind, SettingDef, ViewDef,
};
use keyhole_core::{
    Auth, Endpoint, Evidence, FileId, Framework, Method, NoAuthReason, RouterId, Span,
};

use super::{Linker, Target, Verdict};

/// Bound on the class hierarchy walked for one view.
const MAX_BASES: usize = 32;
/// Bound on base-class depth.
const MAX_BASE_DEPTH: usize = 8;

const URLPATTERNS: &str = "urlpatterns";

/// Linker state for views.
#[derive(Default, Clone)]
pub(super) struct ViewState {
    /// The method and action being linked, and the span of the route's view guard.
    focus: Option<Focus>,
    /// What the view said when it gave no guard: public, public resource, unknown.
    note: Option<Note>,
    settings: Option<Settings>,
}

#[derive(Clone)]
struct Focus {
    method: Method,
    action: Option<String>,
    detail: bool,
    view_span: Span,
}

#[derive(Clone)]
enum Note {
    None(NoAuthReason, Evidence),
    Unknown(String),
}

#[derive(Default, Clone)]
struct Settings {
    root_urlconfs: Vec<(FileId, String)>,
    login_required_middleware: Option<Span>,
    default_permissions: Option<(FileId, PermissionSet)>,
}

/// The resolved view of a route.
enum ViewTarget {
    Function(FileId, usize),
    Class(FileId, usize),
    External(String),
    Unresolved(String),
}

/// A class view with its in-repository bases folded in (own class first).
#[derive(Default)]
struct ClassInfo {
    name: String,
    /// (file, view index) of the class and its in-repository bases, nearest first.
    chain: Vec<(FileId, usize)>,
    /// Last names of bases outside the repository (`LoginRequiredMixin`, `ModelViewSet`).
    external: Vec<(String, Span)>,
}

/// How one permission class treats the request in focus.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Perm {
    /// `AllowAny` (or a read through `…OrReadOnly`).
    Open,
    Unknown,
    Required,
}

/// Django/DRF/Flask view base classes known by name: the HTTP methods they serve.
fn known_view_methods(name: &str) -> Option<&'static [Method]> {
    use Method::*;
    Some(match name {
        "TemplateView" | "ListView" | "DetailView" | "ArchiveIndexView" | "YearArchiveView"
        | "MonthArchiveView" | "WeekArchiveView" | "DayArchiveView" | "TodayArchiveView"
        | "DateDetailView" | "ListAPIView" | "RetrieveAPIView" => &[Get],
        "FormView"
        | "CreateView"
        | "UpdateView"
        | "LoginView"
        | "PasswordChangeView"
        | "PasswordResetView"
        | "PasswordResetConfirmView" => &[Get, Post],
        "DeleteView" => &[Get, Post],
        "LogoutView" => &[Post],
        "RedirectView" => &[Any],
        "CreateAPIView" => &[Post],
        "DestroyAPIView" => &[Delete],
        "UpdateAPIView" => &[Put, Patch],
        "ListCreateAPIView" => &[Get, Post],
        "RetrieveUpdateAPIView" => &[Get, Put, Patch],
        "RetrieveDestroyAPIView" => &[Get, Delete],
        "RetrieveUpdateDestroyAPIView" => &[Get, Put, Patch, Delete],
        _ => return None,
    })
}

/// DRF viewset bases and mixins known by name: the standard actions they bring.
fn known_actions(name: &str) -> Option<&'static [&'static str]> {
    const ALL: &[&str] = &[
        "list",
        "create",
        "retrieve",
        "update",
        "partial_update",
        "destroy",
    ];
    Some(match name {
        "ModelViewSet" => ALL,
        "ReadOnlyModelViewSet" => &["list", "retrieve"],
        "ListModelMixin" => &["list"],
        "CreateModelMixin" => &["create"],
        "RetrieveModelMixin" => &["retrieve"],
        "UpdateModelMixin" => &["update", "partial_update"],
        "DestroyModelMixin" => &["destroy"],
        "ViewSet" | "GenericViewSet" | "ViewSetMixin" => &[],
        _ => return None,
    })
}

fn is_drf_base(name: &str) -> bool {
    known_actions(name).is_some()
        || matches!(name, "APIView" | "GenericAPIView")
        || (name.ends_with("APIView") && known_view_methods(name).is_some())
}

/// Standard DRF actions: (method, detail).
fn action_route(action: &str) -> Option<(Method, bool)> {
    Some(match action {
        "list" => (Method::Get, false),
        "create" => (Method::Post, false),
        "retrieve" => (Method::Get, true),
        "update" => (Method::Put, true),
        "partial_update" => (Method::Patch, true),
        "destroy" => (Method::Delete, true),
        _ => return None,
    })
}

/// `admin.site.urls` (`from django.contrib import admin`, an import from outside the
/// repository): the default admin site, mounted whole.
const DJANGO_ADMIN_SITE_URLS: &str = "admin.site.urls";

/// Mixins and external views that require a login by themselves.
fn guard_base(name: &str) -> bool {
    matches!(
        name,
        "LoginRequiredMixin"
            | "PermissionRequiredMixin"
            | "UserPassesTestMixin"
            | "MultiplePermissionsRequiredMixin"
            | "GroupRequiredMixin"
            | "SuperuserRequiredMixin"
            | "StaffuserRequiredMixin"
            | "PasswordChangeView"
            | "PasswordChangeDoneView"
    )
}

/// Django function-view decorators that require a login whatever their words say.
fn guard_decorator(name: &str) -> bool {
    matches!(
        name,
        "login_required"
            | "permission_required"
            | "user_passes_test"
            | "staff_member_required"
            | "superuser_required"
    )
}

const HTTP_HANDLERS: &[(&str, Method)] = &[
    ("get", Method::Get),
    ("post", Method::Post),
    ("put", Method::Put),
    ("patch", Method::Patch),
    ("delete", Method::Delete),
];

impl Linker<'_> {
    fn view_settings(&mut self) -> Settings {
        if let Some(s) = &self.views.settings {
            return s.clone();
        }
        let mut settings = Settings::default();
        let mut test_permissions = None;
        for (i, f) in self.facts.iter().enumerate() {
            let file = FileId(i as u32);
            // Test settings (`settings/test.py`, `test_settings.py`, `tests/settings.py`)
            // only count when nothing else sets the same.
            let is_test = self.files.get(file).is_some_and(|f| {
                let path = f.path.to_ascii_lowercase();
                let mut parts = path.rsplit('/');
                let name = parts.next().unwrap_or_default();
                let parent = parts.next().unwrap_or_default();
                name.contains("test") || parent == "tests" || parent == "test"
            });
            for setting in &f.settings {
                match setting {
                    SettingDef::RootUrlconf { module, .. } => {
                        settings.root_urlconfs.push((file, module.clone()));
                    }
                    SettingDef::Middleware { path, span } => {
                        if !is_test && path.rsplit('.').next() == Some("LoginRequiredMiddleware") {
                            settings.login_required_middleware.get_or_insert(*span);
                        }
                    }
                    SettingDef::DefaultPermissions(set) => {
                        if is_test {
                            test_permissions.get_or_insert((file, set.clone()));
                        } else if settings.default_permissions.is_none() {
                            settings.default_permissions = Some((file, set.clone()));
                        }
                    }
                }
            }
        }
        if settings.default_permissions.is_none() {
            settings.default_permissions = test_permissions;
        }
        self.views.settings = Some(settings.clone());
        settings
    }

    /// Root URLconfs become apps: the module `ROOT_URLCONF` names or, failing that, a
    /// URLconf included nowhere that sits next to a settings, wsgi or asgi module.
    pub(super) fn django_roots(&mut self) {
        let settings = self.view_settings();
        let mut roots = Vec::new();
        for (file, module) in &settings.root_urlconfs {
            if let Some(m) = self.modules.resolve_python(*file, module) {
                roots.extend(self.urlconf_of(m));
            }
        }
        if roots.is_empty() {
            let project_dirs: HashSet<&str> = self
                .files
                .iter()
                .filter_map(|f| {
                    let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", f.path.as_str()));
                    matches!(name, "settings.py" | "wsgi.py" | "asgi.py" | "manage.py")
                        .then_some(dir)
                })
                .collect();
            for (id, router) in self.routers.iter().enumerate() {
                let id = RouterId(id as u32);
                if router.name != URLPATTERNS
                    || router.framework != Framework::Django
                    || self.incoming.contains_key(&id)
                {
                    continue;
                }
                let dir = self
                    .files
                    .get(router.file)
                    .map(|f| f.path.rsplit_once('/').map_or("", |(d, _)| d))
                    .unwrap_or_default();
                if project_dirs.contains(dir) {
                    roots.push(id);
                }
            }
        }
        for id in roots {
            if let Some(r) = self.routers.get_mut(id.0 as usize) {
                r.kind = RouterKind::App;
            }
        }
    }

    fn urlconf_of(&self, m: FileId) -> Option<RouterId> {
        let facts = self.facts.get(m.index())?;
        let j = facts.routers.iter().position(|r| r.name == URLPATTERNS)?;
        self.router_ids.get(m.index())?.get(j).copied()
    }

    /// What an `include(…)` argument mounts: the URLconf of a module (`include('app.urls')`,
    /// `include(app_urls)`), or a DRF router (`include(router.urls)`).
    pub(super) fn view_mount(&self, file: FileId, arg: &GuardRef) -> Option<Target> {
        if arg.site != GuardSite::View {
            return None;
        }
        let found = self.resolve_guard_target(file, &arg.target);
        match found {
            Target::Module(m) => return self.urlconf_of(m).map(Target::Router),
            Target::Router(_) => return Some(found),
            _ => {}
        }
        if let GuardTarget::Symbol(path) = &arg.target {
            if path.len() > 1 && path.last().is_some_and(|l| l == "urls") {
                return match self.resolve(file, &path[..path.len() - 1], 0) {
                    Target::Router(r) => Some(Target::Router(r)),
                    Target::Module(m) => self.urlconf_of(m).map(Target::Router),
                    _ => None,
                };
            }
        }
        None
    }

    /// Link a route that dispatches to a view; false when the route has no view guard.
    pub(super) fn view_endpoints(
        &mut self,
        file: FileId,
        route: &RouteDef,
        out: &mut Vec<Endpoint>,
    ) -> bool {
        let Some(view_guard) = route.guards.iter().find(|g| g.site == GuardSite::View) else {
            return false;
        };
        let router = match self.resolve(file, &route.router, 0) {
            Target::Router(r) => Some(r),
            _ => None,
        };
        let framework = router.map(|r| self.routers[r.0 as usize].framework);
        let (view, mapping) = self.resolve_view(file, view_guard);
        let expanded = if framework == Some(Framework::DjangoRestFramework) {
            self.viewset_routes(route, &view, view_guard.span)
        } else {
            self.view_routes(route, &view, &mapping, framework, view_guard.span)
        };
        for (r, focus) in expanded {
            self.views.focus = Some(focus);
            match router {
                Some(rid) => {
                    for chain in self.chains(rid) {
                        self.views.note = None;
                        self.endpoints_on_chain(file, &r, rid, &chain, &[], out);
                    }
                }
                None => {
                    self.views.note = None;
                    self.unresolved_route(file, &r, out);
                }
            }
        }
        self.views.focus = None;
        self.views.note = None;
        true
    }

    /// A route template instantiated at a call that passed a view (`register_api(app, …,
    /// view_func=UserAPI.as_view('users'))`): the view, named in the calling file, expands the
    /// route into one route per method like a view written at the route. False when neither
    /// the route nor `extra` (what the call passed) holds a view.
    pub(super) fn template_view_endpoints(
        &mut self,
        file: FileId,
        route: &RouteDef,
        router: RouterId,
        chains: &[Vec<usize>],
        extra: &[(FileId, GuardRef)],
        out: &mut Vec<Endpoint>,
    ) -> bool {
        let written = route
            .guards
            .iter()
            .find(|g| g.site == GuardSite::View)
            .map(|g| (file, g));
        let passed = extra
            .iter()
            .find(|(_, g)| g.site == GuardSite::View)
            .map(|(f, g)| (*f, g));
        let Some((view_file, view_guard)) = written.or(passed) else {
            return false;
        };
        let framework = Some(self.routers[router.0 as usize].framework);
        let (view, mapping) = self.resolve_view(view_file, view_guard);
        let expanded = self.view_routes(route, &view, &mapping, framework, view_guard.span);
        for (r, focus) in expanded {
            self.views.focus = Some(focus);
            for chain in chains {
                self.views.note = None;
                self.endpoints_on_chain(file, &r, router, chain, extra, out);
            }
        }
        self.views.focus = None;
        self.views.note = None;
        true
    }

    fn resolve_view(&self, file: FileId, guard: &GuardRef) -> (ViewTarget, Vec<(Method, String)>) {
        let GuardTarget::Symbol(path) = &guard.target else {
            return (ViewTarget::Unresolved(guard.target.display()), Vec::new());
        };
        let name: Vec<String> = path
            .iter()
            .filter(|c| !c.starts_with('#'))
            .cloned()
            .collect();
        let mapping = path
            .iter()
            .filter_map(|c| c.strip_prefix('#')?.split_once('='))
            .filter_map(|(m, a)| Some((Method::parse(m)?, a.to_string())))
            .collect();
        if name.len() == 1 && name[0] == keyhole_python::DRF_API_ROOT {
            return (ViewTarget::External(name[0].clone()), mapping);
        }
        let target = match self.resolve(file, &name, 0) {
            Target::Function(f, i) => ViewTarget::Function(f, i),
            Target::Class(f, i) => ViewTarget::Class(f, i),
            Target::External(n) => ViewTarget::External(n),
            _ => ViewTarget::Unresolved(name.join(".")),
        };
        (target, mapping)
    }

    fn view_def_of_class(&self, file: FileId, class: usize) -> Option<usize> {
        let facts = self.facts.get(file.index())?;
        let span = facts.classes.get(class)?.span;
        facts
            .views
            .iter()
            .position(|v| v.is_class && v.span == span)
    }

    fn view_def_of_function(&self, file: FileId, function: usize) -> Option<usize> {
        let facts = self.facts.get(file.index())?;
        let span = facts.functions.get(function)?.span;
        facts
            .views
            .iter()
            .position(|v| !v.is_class && v.span == span)
    }

    fn view(&self, file: FileId, index: usize) -> &ViewDef {
        &self.facts[file.index()].views[index]
    }

    /// A class and its bases, in-repository ones followed (bounded, cycle-safe).
    fn class_info(&self, file: FileId, class: usize) -> ClassInfo {
        let mut info = ClassInfo {
            name: self.facts[file.index()].classes[class].name.clone(),
            ..ClassInfo::default()
        };
        let mut seen = HashSet::new();
        let mut queue = vec![(file, class, 0usize)];
        let mut next = 0;
        while next < queue.len() && info.chain.len() < MAX_BASES {
            let (f, c, depth) = queue[next];
            next += 1;
            if !seen.insert((f, c)) {
                continue;
            }
            let Some(v) = self.view_def_of_class(f, c) else {
                continue;
            };
            info.chain.push((f, v));
            if depth >= MAX_BASE_DEPTH {
                continue;
            }
            for base in &self.facts[f.index()].views[v].bases {
                match self.resolve(f, base, 0) {
                    Target::Class(bf, bc) => queue.push((bf, bc, depth + 1)),
                    Target::External(name) => {
                        let last = name.rsplit('.').next().unwrap_or(&name).to_string();
                        info.external
                            .push((last, self.facts[f.index()].views[v].span));
                    }
                    // Unresolved bases named like framework classes still count by name.
                    _ => {
                        if let Some(last) = base.last() {
                            info.external
                                .push((last.clone(), self.facts[f.index()].views[v].span));
                        }
                    }
                }
            }
        }
        info
    }

    fn handler_names(&self, info: &ClassInfo) -> Vec<String> {
        let mut names = Vec::new();
        for &(f, v) in &info.chain {
            for h in &self.view(f, v).handlers {
                if !names.contains(&h.name) {
                    names.push(h.name.clone());
                }
            }
        }
        names
    }

    fn method_restriction(&self, info: &ClassInfo) -> Vec<Method> {
        info.chain
            .iter()
            .map(|&(f, v)| &self.view(f, v).methods)
            .find(|m| !m.is_empty())
            .cloned()
            .unwrap_or_default()
    }

    /// One route per method for a view reached by `path()` or `add_url_rule`.
    fn view_routes(
        &self,
        route: &RouteDef,
        view: &ViewTarget,
        mapping: &[(Method, String)],
        framework: Option<Framework>,
        view_span: Span,
    ) -> Vec<(RouteDef, Focus)> {
        let detail = route
            .path
            .value
            .as_deref()
            .is_some_and(|p| p.contains('<') || p.contains("(?P"));
        let mut methods: Vec<(Method, Option<String>)> = Vec::new();
        if !mapping.is_empty() {
            methods = mapping.iter().map(|(m, a)| (*m, Some(a.clone()))).collect();
        } else if !route.methods.is_empty() {
            methods = route.methods.iter().map(|m| (*m, None)).collect();
        } else {
            match view {
                ViewTarget::Function(f, i) => {
                    let own = self
                        .view_def_of_function(*f, *i)
                        .map(|v| self.view(*f, v).methods.clone())
                        .unwrap_or_default();
                    let list = if !own.is_empty() {
                        own
                    } else if framework == Some(Framework::Flask) {
                        vec![Method::Get]
                    } else {
                        vec![Method::Any]
                    };
                    methods = list.into_iter().map(|m| (m, None)).collect();
                }
                ViewTarget::Class(f, c) => {
                    let info = self.class_info(*f, *c);
                    let restriction = self.method_restriction(&info);
                    let handlers = self.handler_names(&info);
                    for (name, m) in HTTP_HANDLERS {
                        if handlers.iter().any(|h| h == name) {
                            methods.push((*m, Some((*name).to_string())));
                        }
                    }
                    for (base, _) in &info.external {
                        for m in known_view_methods(base).unwrap_or_default() {
                            if !methods.iter().any(|(x, _)| x == m) {
                                methods.push((*m, None));
                            }
                        }
                    }
                    if !restriction.is_empty() {
                        methods.retain(|(m, _)| restriction.contains(m));
                        if methods.is_empty() {
                            methods = restriction.iter().map(|m| (*m, None)).collect();
                        }
                    }
                    if methods.is_empty() {
                        let flask_view = info.external.iter().any(|(b, _)| b == "View")
                            && framework == Some(Framework::Flask);
                        methods.push((if flask_view { Method::Get } else { Method::Any }, None));
                    }
                }
                ViewTarget::External(name) => {
                    let last = name.rsplit('.').next().unwrap_or(name);
                    let list = known_view_methods(last).unwrap_or(&[Method::Any]);
                    methods = list.iter().map(|m| (*m, None)).collect();
                }
                ViewTarget::Unresolved(_) => methods.push((Method::Any, None)),
            }
        }
        methods
            .into_iter()
            .map(|(method, action)| {
                let mut r = route.clone();
                r.methods = vec![method];
                (
                    r,
                    Focus {
                        method,
                        action,
                        detail,
                        view_span,
                    },
                )
            })
            .collect()
    }

    /// DRF router conventions: `prefix/` (list, create), `prefix/{lookup}/` (retrieve,
    /// update, partial_update, destroy), `@action`s at `prefix/[{lookup}/]url_path/`.
    fn viewset_routes(
        &self,
        route: &RouteDef,
        view: &ViewTarget,
        view_span: Span,
    ) -> Vec<(RouteDef, Focus)> {
        let prefix = route.path.value.clone();
        let join = |suffix: &str| -> PathArg {
            PathArg {
                value: prefix.as_ref().map(|p| {
                    let p = p
                        .trim_start_matches('^')
                        .trim_end_matches('$')
                        .trim_end_matches('/');
                    format!("{p}/{suffix}")
                }),
                span: route.path.span,
            }
        };
        // (action, method, detail, url_path)
        let mut actions: Vec<(String, Method, bool, Option<String>)> = Vec::new();
        let mut lookup = "pk".to_string();
        let view_name;
        match view {
            ViewTarget::Class(f, c) => {
                let info = self.class_info(*f, *c);
                view_name = info.name.clone();
                if let Some(l) = info
                    .chain
                    .iter()
                    .find_map(|&(f, v)| self.view(f, v).lookup.clone())
                {
                    lookup = l;
                }
                let mut standard: Vec<&str> = Vec::new();
                for (base, _) in &info.external {
                    standard.extend(known_actions(base).unwrap_or_default());
                }
                let handlers = self.handler_names(&info);
                for (name, _) in [
                    "list",
                    "create",
                    "retrieve",
                    "update",
                    "partial_update",
                    "destroy",
                ]
                .iter()
                .map(|a| (*a, ()))
                {
                    if standard.contains(&name) || handlers.iter().any(|h| h == name) {
                        if let Some((m, detail)) = action_route(name) {
                            actions.push((name.to_string(), m, detail, None));
                        }
                    }
                }
                let mut seen = HashSet::new();
                for &(f, v) in &info.chain {
                    for h in &self.view(f, v).handlers {
                        let Some(action) = &h.action else { continue };
                        if !seen.insert(h.name.clone()) {
                            continue;
                        }
                        for m in &action.methods {
                            actions.push((
                                h.name.clone(),
                                *m,
                                action.detail,
                                Some(action.url_path.clone().unwrap_or_else(|| h.name.clone())),
                            ));
                        }
                    }
                }
                let restriction = self.method_restriction(&info);
                if !restriction.is_empty() {
                    actions.retain(|(_, m, _, _)| restriction.contains(m));
                }
                if actions.is_empty() {
                    actions.push(("list".to_string(), Method::Any, false, None));
                }
            }
            ViewTarget::External(name) if name == keyhole_python::DRF_API_ROOT => {
                view_name = "APIRootView".to_string();
                actions.push(("api_root".to_string(), Method::Get, false, None));
            }
            ViewTarget::Function(..) | ViewTarget::External(_) | ViewTarget::Unresolved(_) => {
                view_name = route.handler.clone().unwrap_or_default();
                actions.push(("list".to_string(), Method::Any, false, None));
            }
        }
        actions
            .into_iter()
            .map(|(action, method, detail, url_path)| {
                let suffix = match (detail, url_path) {
                    (false, None) => String::new(),
                    (true, None) => format!("<{lookup}>/"),
                    (false, Some(u)) => format!("{u}/"),
                    (true, Some(u)) => format!("<{lookup}>/{u}/"),
                };
                let mut r = route.clone();
                r.methods = vec![method];
                r.path = join(&suffix);
                r.handler = Some(format!("{view_name}.{action}"));
                (
                    r,
                    Focus {
                        method,
                        action: Some(action),
                        detail,
                        view_span,
                    },
                )
            })
            .collect()
    }

    /// The verdict of a route's view guard for the method and action in focus.
    pub(super) fn view_verdict(&mut self, file: FileId, guard: &GuardRef, depth: usize) -> Verdict {
        let Some(focus) = self.views.focus.clone() else {
            return Verdict::NotGuard;
        };
        if focus.view_span != guard.span {
            return Verdict::NotGuard;
        }
        let settings = self.view_settings();
        let (view, _) = self.resolve_view(file, guard);
        let written = guard.target.display();
        let written = written.split(".#").next().unwrap_or(&written).to_string();
        let mut required: Option<(String, String)> = None;
        let mut optional: Option<(String, String)> = None;
        let mut public: Option<Evidence> = None;
        let mut unknown: Option<String> = None;
        let mut drf = false;
        let mut permissions: Option<(FileId, PermissionSet)> = None;
        let mut get_permissions = false;
        // The nearest `get_permissions()` in the class hierarchy, as read.
        let mut chosen_by: Option<(FileId, GetPermissions)> = None;
        // A viewset, on which `self.action` names the route's action.
        let mut viewset = false;
        // Where the permissions come from, when a `get_permissions()` branch chose them.
        let mut branch_source: Option<String> = None;
        let mut auth_view = false;
        let mut page_view = false;
        // Guards to evaluate in the view's own file: (file, guard, what).
        let mut guards: Vec<(FileId, GuardRef)> = Vec::new();
        match &view {
            ViewTarget::Function(f, i) => {
                if let Some(v) = self.view_def_of_function(*f, *i) {
                    let def = self.view(*f, v).clone();
                    guards.extend(def.guards.iter().map(|g| (*f, g.clone())));
                    drf = def.api_view;
                    permissions = def.permissions.clone().map(|p| (*f, p));
                    if let Some(span) = def.public {
                        public = Some(evidence(
                            span,
                            EvidenceKind::Decorator,
                            "`@login_not_required`",
                        ));
                    }
                }
                match self.function_verdict(*f, *i, depth + 1) {
                    Verdict::Required(why, g) => {
                        required = Some((format!("view `{written}`, which {why}"), g));
                    }
                    // `user = Depends(try_get_current_user)`: signed-in callers are known,
                    // anonymous ones served.
                    Verdict::Optional(why, g) => {
                        optional = Some((format!("view `{written}`, which {why}"), g));
                    }
                    Verdict::NotGuard => {}
                }
            }
            ViewTarget::Class(f, c) => {
                let info = self.class_info(*f, *c);
                let handler_name = focus.action.clone().or_else(|| {
                    HTTP_HANDLERS
                        .iter()
                        .find(|(_, m)| *m == focus.method)
                        .map(|(n, _)| (*n).to_string())
                });
                for (base, _) in &info.external {
                    if is_drf_base(base) {
                        drf = true;
                    }
                    // `ModelViewSet[Account]`: a generic base, subscripted.
                    let class = base.split('[').next().unwrap_or(base);
                    viewset |= class.ends_with("ViewSet") || class == "ViewSetMixin";
                    if required.is_none()
                        && (guard_base(base)
                            || (base.ends_with("Mixin")
                                && self.vocabulary.guard_by_name(base).is_some()))
                    {
                        required = Some((format!("view `{written}` (`{base}`)"), base.clone()));
                    }
                    if matches!(base.as_str(), "TemplateView" | "RedirectView") {
                        page_view = true;
                    }
                }
                let mut action_permissions = None;
                let access_mixin = info.external.iter().any(|(b, _)| b == "AccessMixin");
                // `decorators` / `method_decorators` follow attribute lookup: the nearest
                // class that sets one decides (unless it extends its base's value).
                let mut settled: Vec<&str> = Vec::new();
                for (k, &(vf, v)) in info.chain.iter().enumerate() {
                    let def = self.view(vf, v).clone();
                    for attr in ["decorators", "method_decorators"] {
                        if settled.contains(&attr) {
                            continue;
                        }
                        let entries: Vec<_> = def
                            .decorator_attrs
                            .iter()
                            .filter(|a| a.attr == attr)
                            .collect();
                        if entries.is_empty() {
                            continue;
                        }
                        for entry in &entries {
                            let applies = match &entry.method {
                                None => true,
                                Some(m) => handler_name.as_deref() == Some(m.as_str()),
                            };
                            if applies {
                                guards.extend(entry.guards.iter().map(|g| (vf, g.clone())));
                            }
                        }
                        if !entries.iter().any(|a| a.extends_base) {
                            settled.push(attr);
                        }
                    }
                    // An in-repository mixin named as a guard (`ObjectPermissionRequiredMixin`),
                    // or one built on Django's `AccessMixin` that overrides `dispatch`.
                    let base_guard = k > 0
                        && def.name.ends_with("Mixin")
                        && (self.vocabulary.guard_by_name(&def.name).is_some()
                            || (access_mixin && def.handlers.iter().any(|h| h.name == "dispatch")));
                    if required.is_none() && base_guard {
                        required = Some((
                            format!("view `{written}` (`{}`)", def.name),
                            def.name.clone(),
                        ));
                    }
                    guards.extend(def.guards.iter().map(|g| (vf, g.clone())));
                    if permissions.is_none() {
                        permissions = def.permissions.clone().map(|p| (vf, p));
                    }
                    if chosen_by.is_none() {
                        chosen_by = def.get_permissions.clone().map(|g| (vf, g));
                    }
                    if public.is_none() {
                        if let Some(span) = def.public {
                            public = Some(evidence(
                                span,
                                EvidenceKind::Decorator,
                                "`login_not_required`",
                            ));
                        }
                    }
                    for h in &def.handlers {
                        if h.name == "get_permissions" {
                            get_permissions = true;
                        }
                        let in_focus = handler_name.as_deref() == Some(h.name.as_str());
                        let dispatch = matches!(h.name.as_str(), "dispatch" | "dispatch_request");
                        if in_focus || dispatch {
                            if in_focus {
                                guards.extend(h.guards.iter().map(|g| (vf, g.clone())));
                                if let (Some(span), None) = (h.public, &public) {
                                    public = Some(evidence(
                                        span,
                                        EvidenceKind::Decorator,
                                        "`login_not_required`",
                                    ));
                                }
                                if let Some(a) = &h.action {
                                    if action_permissions.is_none() {
                                        action_permissions = a.permissions.clone().map(|p| (vf, p));
                                    }
                                }
                            }
                            // A handler that denies anonymous callers itself.
                            if required.is_none() {
                                if let Some(fi) = self.facts[vf.index()]
                                    .functions
                                    .iter()
                                    .position(|func| func.span == h.span)
                                {
                                    if let Verdict::Required(why, g) =
                                        self.function_verdict(vf, fi, depth + 1)
                                    {
                                        required = Some((
                                            format!("view `{written}`: `{}` {why}", h.name),
                                            g,
                                        ));
                                    }
                                }
                            }
                        }
                    }
                }
                if action_permissions.is_some() {
                    permissions = action_permissions;
                }
                if permissions.is_some() {
                    drf = true;
                }
            }
            ViewTarget::External(name) => {
                let last = name.rsplit('.').next().unwrap_or(name);
                if name == keyhole_python::DRF_API_ROOT {
                    // An `APIView` without permission classes of its own; when those let
                    // anyone in, it lists the API's URLs, as the API's documentation does.
                    drf = true;
                    self.views.note = Some(Note::None(
                        NoAuthReason::PublicResource,
                        evidence(
                            guard.span,
                            EvidenceKind::Purpose,
                            "the API root of a DRF `DefaultRouter` (lists the API's URLs)",
                        ),
                    ));
                } else if guard_base(last) {
                    required = Some((
                        format!("view `{written}` (Django's `{last}` requires a login)"),
                        last.to_string(),
                    ));
                } else if name == DJANGO_ADMIN_SITE_URLS {
                    // Every admin page but the login page requires an active staff user.
                    required = Some((
                        "Django admin site (staff login)".to_string(),
                        "admin.site".to_string(),
                    ));
                } else if matches!(last, "TemplateView" | "RedirectView") {
                    page_view = true;
                } else if matches!(
                    last,
                    "LoginView"
                        | "LogoutView"
                        | "PasswordResetView"
                        | "PasswordResetDoneView"
                        | "PasswordResetConfirmView"
                        | "PasswordResetCompleteView"
                ) {
                    auth_view = true;
                    self.views.note = Some(Note::None(
                        NoAuthReason::AuthenticationEndpoint,
                        evidence(guard.span, EvidenceKind::Purpose, &format!("`{last}`")),
                    ));
                } else if known_view_methods(last).is_none() {
                    unknown = Some(format!(
                        "the view `{written}` is defined outside the repository; its own guards are unknown"
                    ));
                }
            }
            ViewTarget::Unresolved(name) => {
                unknown = Some(format!(
                    "the view `{name}` could not be resolved, so its guards are unknown"
                ));
            }
        }
        // Decorators, `method_decorator`, Flask `decorators`, wrappers in urls.py.
        for (gfile, g) in &guards {
            if required.is_some() {
                break;
            }
            let name = g.target.display();
            let last = name.rsplit('.').next().unwrap_or(&name).to_string();
            if guard_decorator(&last) && g.optional {
                optional.get_or_insert((
                    format!("`@{name}` on view `{written}`, applied only when configuration turns it on"),
                    last,
                ));
                continue;
            }
            if guard_decorator(&last) {
                required = Some((format!("`@{name}` on view `{written}`"), last));
                continue;
            }
            match self.evaluate_target(*gfile, g, depth + 1) {
                Verdict::Required(why, gname) if g.optional => {
                    optional.get_or_insert((
                        format!("{why} on view `{written}`, applied only when configuration turns it on"),
                        gname,
                    ));
                }
                Verdict::Required(why, gname) => {
                    required = Some((format!("{why} on view `{written}`"), gname));
                }
                Verdict::Optional(why, gname) => {
                    optional.get_or_insert((format!("{why} on view `{written}`"), gname));
                }
                Verdict::NotGuard => {}
            }
        }
        // A view that hands every request to other views (`if request.method == "POST":
        // return create_check(request)` … `return get_checks(request)`) is as guarded as the
        // least guarded of them.
        if required.is_none() && optional.is_none() {
            if let ViewTarget::Function(f, i) = &view {
                match self.delegated_verdict(*f, *i, depth + 1) {
                    Verdict::Required(why, g) => {
                        required = Some((format!("view `{written}`, which {why}"), g));
                    }
                    Verdict::Optional(why, g) => {
                        optional = Some((format!("view `{written}`, which {why}"), g));
                    }
                    Verdict::NotGuard => {}
                }
            }
        }
        // A `get_permissions()` whose branches can be read: the branch for this route's
        // action or method decides (its own list, or the class's `permission_classes`).
        if let Some((gf, g)) = &chosen_by {
            let handler = focus.action.clone().filter(|_| viewset);
            let mut branch = None;
            for b in g.branches.iter().flatten() {
                let hit = if !b.actions.is_empty() {
                    // `self.action` exists on viewsets only; elsewhere, undecided.
                    let Some(action) = handler.as_deref() else {
                        break;
                    };
                    b.actions.iter().any(|a| a == action) != b.negated
                } else if !b.methods.is_empty() {
                    b.methods.contains(&focus.method) != b.negated
                } else {
                    true
                };
                if hit {
                    branch = Some(b);
                    break;
                }
            }
            if let Some(branch) = branch {
                get_permissions = false;
                let which = match &focus.action {
                    Some(a) => format!("`{a}`"),
                    None => format!("`{}`", focus.method.as_str()),
                };
                if let Some(set) = &branch.permissions {
                    permissions = Some((*gf, set.clone()));
                    branch_source =
                        Some(format!("`get_permissions` of view `{written}` for {which}"));
                }
            }
        }
        // DRF permission classes.
        if required.is_none() && drf {
            let (perm_file, set, from_settings) = match (permissions, &settings.default_permissions)
            {
                (Some((f, p)), _) => (Some(f), Some(p), false),
                (None, Some((f, p))) => (Some(*f), Some(p.clone()), true),
                (None, None) => (None, None, false),
            };
            match (perm_file, set) {
                (Some(pf), Some(set)) => {
                    let where_ = if from_settings {
                        "`DEFAULT_PERMISSION_CLASSES` in settings".to_string()
                    } else if let Some(source) = branch_source.clone() {
                        source
                    } else {
                        format!("`permission_classes` of view `{written}`")
                    };
                    let (level, name) = self.permission_level(pf, &set, &focus);
                    match level {
                        Perm::Required => required = Some((format!("{where_} (`{name}`)"), name)),
                        Perm::Unknown => {
                            unknown.get_or_insert(format!(
                                "{where_} includes `{name}`, whose effect keyhole cannot judge"
                            ));
                        }
                        Perm::Open if name == "AllowAny" || set.all_of.is_empty() => {
                            public.get_or_insert(Evidence {
                                span: set.span,
                                kind: if from_settings {
                                    EvidenceKind::Setting
                                } else {
                                    EvidenceKind::View
                                },
                                detail: format!("{where_} allows any caller"),
                                guard: Some(name),
                            });
                        }
                        Perm::Open => {
                            optional.get_or_insert((
                                format!("{where_} (`{name}`: reads without authentication)"),
                                name,
                            ));
                        }
                    }
                }
                _ => {
                    if get_permissions {
                        unknown.get_or_insert(format!(
                            "view `{written}` computes its permissions in `get_permissions`"
                        ));
                    }
                }
            }
            if get_permissions && required.is_none() && public.is_none() {
                unknown.get_or_insert(format!(
                    "view `{written}` computes its permissions in `get_permissions`"
                ));
            }
        }
        // Django's LoginRequiredMiddleware: every view not marked `login_not_required`.
        if required.is_none() && public.is_none() && !auth_view {
            if let Some(span) = settings.login_required_middleware {
                let _ = span;
                required = Some((
                    format!("`LoginRequiredMiddleware` in settings, for view `{written}`"),
                    "LoginRequiredMiddleware".to_string(),
                ));
            }
        }
        if let Some((d, g)) = required {
            return Verdict::Required(d, g);
        }
        if let Some((d, g)) = optional {
            return Verdict::Optional(d, g);
        }
        if let Some(e) = public {
            self.views.note = Some(Note::None(NoAuthReason::ExplicitlyPublic, e));
        } else if page_view {
            self.views.note = Some(Note::None(
                NoAuthReason::PublicResource,
                evidence(
                    guard.span,
                    EvidenceKind::View,
                    &format!("view `{written}` renders a template or redirects"),
                ),
            ));
        } else if let Some(reason) = unknown {
            if self.views.note.is_none() {
                self.views.note = Some(Note::Unknown(reason));
            }
        }
        Verdict::NotGuard
    }

    /// A dispatching function view's verdict: that of the least guarded view it hands
    /// requests to; no guard when one of them cannot be read.
    fn delegated_verdict(&mut self, file: FileId, function: usize, depth: usize) -> Verdict {
        const MAX_DELEGATION_DEPTH: usize = 6;
        if depth > MAX_DELEGATION_DEPTH {
            return Verdict::NotGuard;
        }
        let delegates = self.facts[file.index()].functions[function]
            .summary
            .delegates
            .clone();
        if delegates.is_empty() {
            return Verdict::NotGuard;
        }
        let mut weakest: Option<(bool, String, String)> = None;
        let mut names = Vec::new();
        for path in &delegates {
            let Target::Function(df, di) = self.resolve(file, path, 0) else {
                return Verdict::NotGuard;
            };
            let (required, why, g) = match self.function_view_verdict(df, di, depth + 1) {
                Verdict::Required(why, g) => (true, why, g),
                Verdict::Optional(why, g) => (false, why, g),
                Verdict::NotGuard => return Verdict::NotGuard,
            };
            names.push(format!("`{}` ({why})", path.join(".")));
            if weakest.as_ref().is_none_or(|(r, _, _)| *r && !required) {
                weakest = Some((required, why, g));
            }
        }
        let Some((required, _, g)) = weakest else {
            return Verdict::NotGuard;
        };
        let why = format!("hands every request to {}", names.join(", "));
        if required {
            Verdict::Required(why, g)
        } else {
            Verdict::Optional(why, g)
        }
    }

    /// The guards of a function view reached by delegation: its decorators, a check in its
    /// body, or the views it delegates to in turn.
    fn function_view_verdict(&mut self, file: FileId, function: usize, depth: usize) -> Verdict {
        let mut optional = None;
        if let Some(v) = self.view_def_of_function(file, function) {
            let guards = self.view(file, v).guards.clone();
            for g in &guards {
                let name = g.target.display();
                let last = name.rsplit('.').next().unwrap_or(&name).to_string();
                if guard_decorator(&last) && !g.optional {
                    return Verdict::Required(format!("`@{name}`"), last);
                }
                match self.evaluate_target(file, g, depth + 1) {
                    Verdict::Required(why, n) if !g.optional => return Verdict::Required(why, n),
                    Verdict::Required(why, n) | Verdict::Optional(why, n) => {
                        optional = optional.or(Some((why, n)));
                    }
                    Verdict::NotGuard => {}
                }
            }
        }
        match self.function_verdict(file, function, depth + 1) {
            Verdict::Required(why, n) => return Verdict::Required(why, n),
            Verdict::Optional(why, n) => optional = optional.or(Some((why, n))),
            Verdict::NotGuard => {}
        }
        if let Some((why, n)) = optional {
            return Verdict::Optional(why, n);
        }
        self.delegated_verdict(file, function, depth + 1)
    }

    /// The weakest alternative of each group, the strongest group.
    fn permission_level(&self, file: FileId, set: &PermissionSet, focus: &Focus) -> (Perm, String) {
        let mut result: Option<(Perm, String)> = None;
        for group in &set.all_of {
            let mut weakest: Option<(Perm, String)> = None;
            for p in group {
                let level = self.permission_of(file, p, focus);
                let name = p.path.last().cloned().unwrap_or_default();
                if weakest.as_ref().is_none_or(|(w, _)| level < *w) {
                    weakest = Some((level, name));
                }
            }
            if let Some((level, name)) = weakest {
                if result.as_ref().is_none_or(|(r, _)| level > *r) {
                    result = Some((level, name));
                }
            }
        }
        result.unwrap_or((Perm::Open, "[]".to_string()))
    }

    fn permission_of(&self, file: FileId, p: &PermissionRef, focus: &Focus) -> Perm {
        let Some(name) = p.path.last() else {
            return Perm::Unknown;
        };
        let safe = matches!(focus.method, Method::Get | Method::Head | Method::Options);
        let words = keyhole_core::vocabulary::split_words(name);
        let read_only = words.windows(2).any(|w| w[0] == "read" && w[1] == "only");
        match name.as_str() {
            "?" => return Perm::Unknown,
            "AllowAny" => return Perm::Open,
            _ if read_only => return if safe { Perm::Open } else { Perm::Required },
            _ => {}
        }
        // An in-repository class that only checks objects guards detail routes only.
        if !p.dotted {
            if let Target::Class(f, c) = self.resolve(file, &p.path, 0) {
                if let Some(v) = self.view_def_of_class(f, c) {
                    let def = self.view(f, v);
                    let has = |n: &str| def.handlers.iter().any(|h| h.name == n);
                    let extends_known = def.bases.iter().any(|b| {
                        b.last()
                            .is_some_and(|l| l != "BasePermission" && l != "object")
                    });
                    if has("has_object_permission") && !has("has_permission") && !extends_known {
                        return if focus.detail {
                            Perm::Required
                        } else {
                            Perm::Unknown
                        };
                    }
                }
            }
        }
        Perm::Required
    }

    /// The auth a view decided when no guard was found: explicitly public, a public
    /// resource, an authentication view.
    pub(super) fn view_none(&self) -> Option<Auth> {
        match self.views.note.as_ref()? {
            Note::None(reason, evidence) => Some(Auth::None {
                reason: *reason,
                evidence: vec![evidence.clone()],
            }),
            Note::Unknown(_) => None,
        }
    }

    /// The view could not be judged (defined outside the repository, computed permissions).
    pub(super) fn view_unknown(&self) -> Option<Auth> {
        match self.views.note.as_ref()? {
            Note::Unknown(reason) => Some(Auth::Unknown(reason.clone())),
            Note::None(..) => None,
        }
    }
}

fn evidence(span: Span, kind: EvidenceKind, detail: &str) -> Evidence {
    Evidence {
        span,
        kind,
        detail: detail.to_string(),
        guard: None,
    }
}
