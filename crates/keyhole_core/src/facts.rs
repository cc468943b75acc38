//! Facts extracted from one file, before any cross-file linking.
//!
//! Every framework keyhole knows is described with the same small router graph: routers
//! (an app, a blueprint, an `APIRouter`, an `express.Router()`), routes registered on them,
//! `use` calls that mount a router under another or add middleware, request hooks, and the
//! functions and aliases a guard may be defined through. Names refer to bindings in the file
//! (`bp`, `api.router`); the engine resolves them through the module graph.

use crate::endpoint::{Framework, Method};
use crate::source::Span;

/// A dotted reference as written: `bp`, `api.router`, `auth.login_required`.
pub type SymbolPath = Vec<String>;

/// Everything one file contributes to the project.
#[derive(Debug, Default, Clone)]
pub struct FileFacts {
    pub routers: Vec<RouterDef>,
    pub routes: Vec<RouteDef>,
    pub uses: Vec<UseDef>,
    pub imports: Vec<ImportDef>,
    pub exports: Vec<ExportDef>,
    pub functions: Vec<FunctionDef>,
    pub aliases: Vec<AliasDef>,
    /// Class definitions, so subclasses of `Flask`, `Blueprint`, `APIRouter` … are known.
    pub classes: Vec<ClassDef>,
    /// `name = SomeClass(…)` where the class is not a known router constructor; a router
    /// if the class turns out to derive from one (`app = CTFdFlask(__name__)`).
    pub instances: Vec<InstanceDef>,
    /// String constants: module-level (`API_PREFIX`) and class-level (`Settings.API_V1_STR`),
    /// for paths held in names defined in other modules.
    pub constants: Vec<ConstantDef>,
    /// Path arguments that are names (`prefix=settings.API_V1_STR`), keyed by the span of
    /// the [`PathArg`], for the link pass to resolve across modules.
    pub path_refs: Vec<PathRef>,
    /// Functions and classes that handle requests with guards of their own (Django and DRF
    /// views, Flask `View`/`MethodView` classes); routes reach them through a
    /// [`GuardSite::View`] guard.
    pub views: Vec<ViewDef>,
    /// Project settings read statically from a Django settings module.
    pub settings: Vec<SettingDef>,
    /// Spec-first apps: `connexion.App(__name__, specification_dir=…)` and the like.
    pub spec_apps: Vec<SpecAppDef>,
    /// `app.add_api('openapi.yaml', base_path=…)`: a spec whose operations the app serves.
    pub spec_apis: Vec<SpecApiDef>,
    /// Declared response types of routes (`response_model=`, `-> Model`), keyed by the
    /// route's span.
    pub responses: Vec<ResponseRef>,
    /// Views put into a registry keyed by strings (`@register_model_view(Site, 'edit')`),
    /// for a URLconf elsewhere to read back.
    pub view_registrations: Vec<ViewRegistration>,
    /// URLconf entries that include what a registry holds
    /// (`path('sites/<int:pk>/', include(get_model_urls('dcim', 'site')))`).
    pub registry_reads: Vec<RegistryRead>,
    /// Problems worth one line to the user (syntax errors, unreadable constructs).
    pub problems: Vec<Problem>,
    /// Routes a function registers from its parameters (route templates), keyed by the
    /// [`RouteDef`]'s span; instantiated at each call site (see [`CallArgs`]).
    pub route_params: Vec<RouteParams>,
    /// The arguments of calls that hand a router to a function (`setupApiRoute(router,
    /// 'get', '/x', [auth], h)`), keyed by the call's span (the span of the [`UseDef`] that
    /// mounts the function's parameter router).
    pub call_args: Vec<CallArgs>,
    /// What a Next.js `middleware.ts` / `proxy.ts` does, when this file is one.
    pub next_middleware: Option<NextMiddleware>,
}

/// A Next.js `middleware.ts` (`proxy.ts` since Next.js 16): the paths it runs on and whether
/// it turns anonymous callers away there.
#[derive(Debug, Clone)]
pub struct NextMiddleware {
    /// `config.matcher` patterns as written (path-to-regexp syntax); `None`: no `config`, so it
    /// runs on every path.
    pub matcher: Option<Vec<String>>,
    /// Some of the matcher could not be read (a variable, `has`/`missing` conditions).
    pub matcher_unreadable: bool,
    pub guard: NextGuard,
    /// The middleware (its export), for evidence.
    pub span: Span,
}

/// Whether a Next.js middleware turns anonymous callers away, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextGuard {
    /// On every path it runs on; the text says how.
    All(String),
    /// Only on paths matching these patterns (Clerk `createRouteMatcher([…])` + `protect()`).
    Only(Vec<String>, String),
    /// On every path it runs on but these (a public-routes matcher).
    Except(Vec<String>, String),
    /// It does not guard (locales, headers, rewrites).
    NotGuard,
    /// It may guard; why keyhole cannot tell.
    Unknown(String),
}

/// A view registered under a model (NetBox's `@register_model_view(Site, 'edit', path=…,
/// detail=…)`): served at `path/` (or the including path itself when empty) wherever a
/// URLconf includes the registry's views for that model.
#[derive(Debug, Clone)]
pub struct ViewRegistration {
    /// The model class as written (`Site`, `models.Site`); Django names it by its class name
    /// in lower case.
    pub model: SymbolPath,
    /// Whether the view acts on one object (included under `…/<int:pk>/`) or on the list.
    pub detail: bool,
    /// The URL segment under the including path, `edit/`, or empty.
    pub path: String,
    /// The view, as a [`GuardSite::View`] guard.
    pub view: GuardRef,
    pub span: Span,
    pub order: u32,
}

/// `include(get_model_urls('dcim', 'site', detail=False))` under a URLconf entry.
#[derive(Debug, Clone)]
pub struct RegistryRead {
    /// The URLconf the entry belongs to.
    pub parent: String,
    pub prefix: PathArg,
    /// The app label and model name the registry is read by.
    pub app: String,
    pub model: String,
    pub detail: bool,
    pub span: Span,
    pub order: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouterKind {
    /// The application object (`Flask(…)`, `FastAPI(…)`, `express()`): a root of the graph.
    App,
    /// A mountable collection of routes (Blueprint, APIRouter, express.Router).
    Router,
}

/// A router object bound to a name.
#[derive(Debug, Clone)]
pub struct RouterDef {
    pub name: String,
    pub kind: RouterKind,
    pub framework: Framework,
    /// The prefix given where it is constructed (`url_prefix=`, `prefix=`).
    pub prefix: Option<PathArg>,
    /// Guards given where it is constructed (`dependencies=[Depends(…)]`).
    pub guards: Vec<GuardRef>,
    /// A Fastify plugin wrapped in `fastify-plugin` (`fp(async (fastify) => …)`): its hooks and
    /// routes belong to the scope that registers it, not to a scope of its own.
    pub shares_parent_scope: bool,
    pub span: Span,
}

/// A path argument: its text when it is a literal (or a constant resolved in the file).
#[derive(Debug, Clone)]
pub struct PathArg {
    pub value: Option<String>,
    pub span: Span,
}

/// A route registered on a router.
#[derive(Debug, Clone)]
pub struct RouteDef {
    pub router: SymbolPath,
    pub framework_hint: Option<Framework>,
    pub methods: Vec<Method>,
    pub path: PathArg,
    /// Guards on the route itself: decorators, dependencies, route-level middleware.
    pub guards: Vec<GuardRef>,
    pub handler: Option<String>,
    /// The registration (decorator or call) — the primary label of findings.
    pub span: Span,
    /// Position in the file, for order-sensitive middleware.
    pub order: u32,
}

/// `parent.use(…)`, `register_blueprint`, `include_router`: mounts routers and/or adds
/// middleware to `parent`. Arguments that resolve to routers are mounted; the rest are
/// middleware that apply to what the parent registers after this call.
#[derive(Debug, Clone)]
pub struct UseDef {
    pub parent: SymbolPath,
    pub prefix: Option<PathArg>,
    /// Arguments that may be routers or middleware.
    pub args: Vec<GuardRef>,
    /// Guards that are certainly guards of what is mounted (`dependencies=[…]`).
    pub guards: Vec<GuardRef>,
    pub scope: UseScope,
    /// Paths the middleware skips (`jwt(…).unless({ path: […] })`).
    pub unless: Option<Exclusions>,
    /// Routes the middleware is limited to (NestJS `forRoutes({ path, method })`); empty:
    /// every route in its scope.
    pub only: Vec<RouteSpec>,
    pub span: Span,
    pub order: u32,
}

impl UseDef {
    /// A mount or `use` (`app.use('/api', router)`, `fastify.register(plugin, { prefix })`):
    /// `args` apply to what `parent` registers after it, on every route, without exclusions.
    pub fn after(
        parent: SymbolPath,
        prefix: Option<PathArg>,
        args: Vec<GuardRef>,
        span: Span,
        order: u32,
    ) -> UseDef {
        UseDef {
            parent,
            prefix,
            args,
            guards: Vec::new(),
            scope: UseScope::After,
            unless: None,
            only: Vec::new(),
            span,
            order,
        }
    }
}

/// A route a middleware is applied to: NestJS `forRoutes('cats')`,
/// `forRoutes({ path: 'cats/:id', method: RequestMethod.GET })`. The path is relative to the
/// app's global prefix; one ending in `*` covers everything below it.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub path: String,
    /// Empty, or `Method::Any`: every method.
    pub methods: Vec<Method>,
}

/// The paths a middleware is told to skip: `koa-jwt`/`express-jwt` `.unless({ path: […] })`.
#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    /// String paths as written (`/login`).
    pub paths: Vec<String>,
    /// Regular-expression literals as written, slashes and flags included (`/^\/public/i`).
    pub patterns: Vec<String>,
    /// Something could not be read (a variable, a `custom` function, a method filter): which
    /// routes are skipped is unknown.
    pub unreadable: bool,
    /// NestJS `consumer.apply(mw).exclude('health', { path: 'cats/:id', method:
    /// RequestMethod.GET })`: routes named as in `forRoutes` (below the app's global prefix).
    pub routes: Vec<RouteSpec>,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseScope {
    /// Applies to routes and mounts of the parent registered after it (Express `use`).
    After,
    /// Applies to every route of the parent and its children (Flask `before_request`,
    /// FastAPI `include_router`, app dependencies).
    Whole,
}

/// Something that may guard a route: a decorator, a dependency, a middleware argument.
#[derive(Debug, Clone)]
pub struct GuardRef {
    pub site: GuardSite,
    /// The callee or name as written (`login_required`, `passport.authenticate`).
    pub target: GuardTarget,
    /// Whether it was written as a call (`jwt_required()`).
    pub called: bool,
    /// Whether the code asks for optional auth (`jwt_required(optional=True)`, `auto_error=False`).
    pub optional: bool,
    pub span: Span,
}

impl GuardRef {
    /// A router or middleware passed by reference (`app.use(router)`, `register(plugin)`):
    /// not called, not optional.
    pub fn middleware(target: GuardTarget, span: Span) -> GuardRef {
        GuardRef {
            site: GuardSite::Middleware,
            target,
            called: false,
            optional: false,
            span,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardTarget {
    /// A name in scope.
    Symbol(SymbolPath),
    /// A module loaded inline (`require('./routes')`).
    Module(String),
    /// A function inline (`def`, arrow function) summarised where it stands.
    Inline(Box<FunctionSummary>),
}

impl GuardTarget {
    pub fn display(&self) -> String {
        match self {
            GuardTarget::Symbol(path) => path.join("."),
            GuardTarget::Module(spec) => format!("require('{spec}')"),
            GuardTarget::Inline(_) => "inline function".to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GuardSite {
    Decorator,
    Dependency,
    Middleware,
    RequestHook,
    /// A check at the top of the handler itself that turns away anonymous callers
    /// (`if not current_user.is_authenticated: abort(401)`).
    InlineCheck,
    /// A parameter's type annotation that may name an `Annotated[…, Depends(…)]` alias;
    /// a guard only if it resolves to such an alias, never by its name alone.
    Annotation,
    /// A middleware class added to an ASGI/WSGI app (`app.add_middleware(Cls)`,
    /// `Middleware(Cls)`): a guard only when the class is in the repository and its
    /// `__call__`/`dispatch` rejects requests with 401/403 — never by its name, since most
    /// authentication middleware (Starlette's `AuthenticationMiddleware`) only identifies the
    /// caller and lets anonymous requests through.
    ClassMiddleware,
    /// The view the route dispatches to (a Django/DRF view function or class, a Flask
    /// `View`): its decorators, mixins and permission classes are its guards. The target
    /// names the view; components starting with `#` that follow the name carry a DRF
    /// `as_view({'get': 'list'})` mapping as `#get=list`.
    View,
    /// The class a FastAPI route method is defined in (a class-based view: `@cbv(router)`,
    /// fastapi-utils / fastapi-restful and look-alikes): the dependencies its class attributes
    /// declare, its own or inherited, run for every route of the class. The target names
    /// the class; a class that declares none guards nothing.
    ClassView,
}

/// A function or callable summarised for guard resolution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionSummary {
    /// Dependencies it declares (`Depends(…)` parameters, `Annotated` aliases).
    pub dependencies: Vec<DependencyRef>,
    /// Where it denies a request: `abort(401)`, `raise HTTPException(status_code=403)`,
    /// `return …, 401`, `res.status(401)`.
    pub denies: Option<Span>,
    /// The denial sits under a condition that does not turn on the caller alone
    /// (`if current_forum and not user.is_authenticated:`): only some anonymous requests are
    /// turned away.
    pub denies_conditionally: bool,
    /// Where it checks authentication (`current_user.is_authenticated`,
    /// `verify_jwt_in_request()`), when a denial follows.
    pub checks: Option<Span>,
    /// A JavaScript middleware that ends by calling `next()` unconditionally without denying
    /// anything: it may authenticate a caller who sends credentials, but lets everyone else
    /// through (optional auth at most).
    pub passes_through: Option<Span>,
    /// Python: the functions a view hands every request to — each `return` in its body is
    /// `f(request, …)`, passing on its own first parameter (`if request.method == "POST":
    /// return create(request)` … `return list_all(request)`). Empty unless every return is one.
    pub delegates: Vec<SymbolPath>,
    /// Python: a secret sent with the request (`token`, `body.license_key`) is looked up and
    /// the request turned away when nothing matches — the secret is the credential.
    pub secret_gate: Option<SecretGate>,
    /// Python: calls made by the function's own statements that pass request values on; a
    /// gate when the callee is one ([`SecretGate`] on the parameter they are passed to).
    pub gate_calls: Vec<GateCall>,
}

/// A lookup of a secret sent with the request, whose failure turns the request away:
/// `lk = get_or_raise_by_key(key=body.key)`, `seat = repo.by_token(token)` followed by
/// `if not seat: raise NotFound()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretGate {
    /// The parameter the secret comes through; `None` when it is read off the request itself
    /// (`request.args["token"]`).
    pub param: Option<String>,
    /// That parameter's position in a call (`self`/`cls` not counted); `None` for a
    /// keyword-only one.
    pub position: Option<usize>,
    /// Whether that parameter is a request value (not `self`, not a `Depends(…)`): the
    /// function gates by itself when it is a handler or a dependency.
    pub request_value: bool,
    /// The secret as written (`body.token`).
    pub secret: String,
    pub span: Span,
}

/// A call passing request values on (`svc.verify(session, body.token)`): a gate when the
/// callee gates on a parameter one of them is passed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateCall {
    pub callee: SymbolPath,
    /// Positions of the positional arguments that are request values.
    pub positional: Vec<usize>,
    /// Keyword arguments that are request values.
    pub keywords: Vec<String>,
    pub span: Span,
}

/// A dependency reference inside a function signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyRef {
    pub target: SymbolPath,
    pub optional: bool,
    /// True for an annotation naming an alias (`user: CurrentUser`) rather than `Depends(x)`.
    pub via_alias: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub name: String,
    pub span: Span,
    pub summary: FunctionSummary,
    /// Python: its decorators that may be guards, and a check at the top of its body that
    /// turns away anonymous callers — what guards it when a spec routes to it by name
    /// (a connexion `operationId`) rather than a route decorator.
    pub guards: Vec<GuardRef>,
}

/// A spec-first application object: `app = connexion.App(__name__, specification_dir='spec/')`
/// (also `FlaskApp`, `AsyncApp`, and `ConnexionMiddleware(app, …)` around another framework's app).
#[derive(Debug, Clone)]
pub struct SpecAppDef {
    pub name: String,
    /// `specification_dir=`, relative to the file's folder.
    pub specification_dir: Option<String>,
    /// `resolver=` given to the app (connexion 3): the default of its `add_api` calls.
    pub resolver: Option<SpecResolver>,
    pub span: Span,
}

/// A connexion `resolver=`: the constructor as written (`RestyResolver`) and its first
/// string argument (`'api'`).
pub type SpecResolver = (String, Option<String>);

/// `app.add_api('openapi.yaml', base_path='/v1', resolver=…)`.
#[derive(Debug, Clone)]
pub struct SpecApiDef {
    /// The app it is called on, as written.
    pub app: SymbolPath,
    /// The specification's path as written, when it is a literal (`None`: a dict or a name).
    pub spec: Option<String>,
    /// `base_path=`: replaces the spec's own `basePath` / `servers` path.
    pub base_path: Option<PathArg>,
    /// `resolver=`, as the constructor written (`RestyResolver`) and its first string
    /// argument (`'api'`); `None`: connexion's default resolver.
    pub resolver: Option<SpecResolver>,
    pub span: Span,
}

/// A route's declared response type.
#[derive(Debug, Clone)]
pub struct ResponseRef {
    /// The route's span ([`RouteDef::span`]).
    pub route: Span,
    /// The type as written (`UserOut`, `list[UserOut]`).
    pub text: String,
    /// The name to resolve to a class (`UserOut` in `list[UserOut]`), when there is one.
    pub class: Option<SymbolPath>,
    pub span: Span,
}

/// `CurrentUser = Annotated[User, Depends(get_current_user)]`, or an object such as
/// `oauth2_scheme = OAuth2PasswordBearer(…)` that is itself a dependency.
#[derive(Debug, Clone)]
pub struct AliasDef {
    pub name: String,
    pub dependencies: Vec<DependencyRef>,
    /// Set when the value is itself an auth scheme (`OAuth2PasswordBearer(…)`); the text is
    /// the constructor's name.
    pub auth_scheme: Option<String>,
    /// Another name this one is bound to (`router = other.router`).
    pub points_to: Option<SymbolPath>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ImportDef {
    /// The name bound in this file.
    pub local: String,
    /// The module as written (`.views`, `app.api`, `./routes/users`, `express`).
    pub module: String,
    pub kind: ImportKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportKind {
    /// `from m import name` / `import { name } from 'm'` / `const { name } = require('m')`.
    Named(String),
    /// `import m` (binds the module) / `import * as m`.
    Module,
    /// `import x from 'm'` / `const x = require('m')`.
    Default,
}

/// What a JavaScript module exports.
#[derive(Debug, Clone)]
pub struct ExportDef {
    /// Exported name; `None` for the default export (`module.exports =`, `export default`).
    pub name: Option<String>,
    /// The local binding it exports.
    pub local: SymbolPath,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct ClassDef {
    pub name: String,
    /// Base classes as written (`Flask`, `flask.Blueprint`).
    pub bases: Vec<SymbolPath>,
    /// FastAPI dependencies its body declares as class attributes, by attribute name
    /// (`user: User = Depends(get_current_user)`): a class-based view (`@cbv(router)`) runs
    /// them for every route method; a subclass's attribute replaces its base's of that name.
    pub attribute_dependencies: Vec<(String, DependencyRef)>,
    /// `dependencies=[…]` its `__init__` hands to the base constructor
    /// (`super().__init__(dependencies=[Depends(auth)])`): an `APIRouter` subclass whose
    /// every instance is guarded.
    pub constructor_guards: Vec<GuardRef>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct InstanceDef {
    pub name: String,
    pub class: SymbolPath,
    /// `url_prefix=` / `prefix=` given to the constructor, should it be a router.
    pub prefix: Option<PathArg>,
    /// `dependencies=[…]` given to the constructor.
    pub guards: Vec<GuardRef>,
    /// The constructor lets anonymous callers through, should the instance be a guard:
    /// an argument names `Anonymous`/`AnonymousUser` (`allowed_subjects={User, Anonymous}`),
    /// or says `allow_anonymous=True`, `optional=True`, `auto_error=False`.
    pub allows_anonymous: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ConstantDef {
    /// `NAME`, or `Class.NAME` for a class attribute.
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct PathRef {
    pub span: Span,
    pub expr: SymbolPath,
}

/// A request handler with guards of its own: a Django function view, a class-based view
/// (Django, DRF, Flask `View`/`MethodView`), a DRF viewset. Whether a class really is a view
/// is decided in the link pass from its bases.
#[derive(Debug, Clone)]
pub struct ViewDef {
    pub name: String,
    pub is_class: bool,
    /// Base classes as written (mixins, `APIView`, `ModelViewSet`, `MethodView`).
    pub bases: Vec<SymbolPath>,
    /// Guards on the whole view: decorators of a function view; on a class,
    /// `@method_decorator(guard, name='dispatch')` and decorators of `dispatch`.
    pub guards: Vec<GuardRef>,
    /// Flask `decorators = […]` and flask-restful/flask-restx `method_decorators = […]` (or
    /// `{'get': […]}`) class attributes. Unlike [`ViewDef::guards`] they follow Python's
    /// attribute lookup: the nearest class in the hierarchy that sets one wins, so a subclass
    /// that sets `decorators = []` drops its base's guards.
    pub decorator_attrs: Vec<DecoratorAttr>,
    /// Methods defined in a class body (`get`, `post`, `list`, `@action`s) with their own guards.
    pub handlers: Vec<ViewHandler>,
    /// Methods a view is restricted to: `@require_http_methods([…])`, `@require_POST`,
    /// `@api_view([…])`, Flask `methods = […]`, Django `http_method_names`. Empty: not restricted.
    pub methods: Vec<Method>,
    /// `permission_classes` set on the view (class attribute or `@permission_classes`).
    pub permissions: Option<PermissionSet>,
    /// DRF `get_permissions()` defined on the class, as read.
    pub get_permissions: Option<GetPermissions>,
    /// `@login_not_required` (or `method_decorator(login_not_required, …)`): public on purpose.
    pub public: Option<Span>,
    /// `@api_view`: a DRF function view.
    pub api_view: bool,
    /// DRF `lookup_url_kwarg` / `lookup_field`, naming the detail route's parameter.
    pub lookup: Option<String>,
    pub span: Span,
}

/// A DRF `get_permissions()` that picks permissions by `self.action` or
/// `self.request.method`: its branches in order, or `None` when it does something else.
#[derive(Debug, Clone)]
pub struct GetPermissions {
    pub branches: Option<Vec<PermissionBranch>>,
    pub span: Span,
}

/// One branch of a `get_permissions()`: the requests it applies to and what it returns.
#[derive(Debug, Clone)]
pub struct PermissionBranch {
    /// `self.action in ('list', 'retrieve')` (lowercase names); empty with `methods` empty:
    /// every request.
    pub actions: Vec<String>,
    /// `self.request.method in SAFE_METHODS`, `== 'POST'`.
    pub methods: Vec<Method>,
    /// `not in` / `!=`: every request but those.
    pub negated: bool,
    /// What the branch returns; `None`: the class's `permission_classes`
    /// (`super().get_permissions()`).
    pub permissions: Option<PermissionSet>,
}

/// One `decorators` / `method_decorators` class attribute (or one method's entry of a
/// `method_decorators` dictionary).
#[derive(Debug, Clone)]
pub struct DecoratorAttr {
    /// `decorators` or `method_decorators`.
    pub attr: String,
    /// The method a `method_decorators = {'get': […]}` entry applies to; `None`: every method.
    pub method: Option<String>,
    pub guards: Vec<GuardRef>,
    /// `Base.decorators + […]`: the base's value is kept.
    pub extends_base: bool,
    pub span: Span,
}

/// A method defined in a view class.
#[derive(Debug, Clone)]
pub struct ViewHandler {
    pub name: String,
    /// Its decorators that may be guards (`@method_decorator(login_required)`, `@login_required`).
    pub guards: Vec<GuardRef>,
    /// `@action(detail=…, methods=[…], url_path=…)` on a viewset method.
    pub action: Option<ViewAction>,
    pub public: Option<Span>,
    pub span: Span,
}

/// A DRF `@action`.
#[derive(Debug, Clone)]
pub struct ViewAction {
    pub detail: bool,
    /// Defaults to GET.
    pub methods: Vec<Method>,
    /// `url_path=`; the method name when absent.
    pub url_path: Option<String>,
    /// `permission_classes=` given to the action.
    pub permissions: Option<PermissionSet>,
}

/// DRF permission classes: every group must allow (the list), a group allows when any of its
/// members does (`IsAdminUser | ReadOnly`).
#[derive(Debug, Clone)]
pub struct PermissionSet {
    pub all_of: Vec<Vec<PermissionRef>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct PermissionRef {
    /// The class as written (`IsAuthenticated`, `permissions.IsAdminUser`) or, from settings,
    /// the dotted string split on `.`.
    pub path: SymbolPath,
    /// True when read from a dotted string in settings (resolve by module path).
    pub dotted: bool,
    pub span: Span,
}

/// A Django setting read statically (settings modules are parsed, never imported).
#[derive(Debug, Clone)]
pub enum SettingDef {
    /// `ROOT_URLCONF = 'project.urls'`.
    RootUrlconf { module: String, span: Span },
    /// One entry of `MIDDLEWARE = […]`.
    Middleware { path: String, span: Span },
    /// `REST_FRAMEWORK['DEFAULT_PERMISSION_CLASSES']`.
    DefaultPermissions(PermissionSet),
}

/// A parameter of a function by position: `Front(0)` is the first; `Back(1)` the last
/// (`args[args.length - 1]` of a rest parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIndex {
    Front(usize),
    Back(usize),
}

/// A piece of a route path computed in a function: text, or a parameter's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPiece {
    Text(String),
    Param(ParamIndex),
    /// Each item of a list parameter (`for route in routes: bp.add_url_rule(route, …)`): one
    /// route per item of the list the call passes.
    Item(ParamIndex),
}

impl PathPiece {
    /// `pieces` with adjacent text joined (`"/api"` `"/"` `name` → `"/api/"` `name`).
    pub fn merge_text(pieces: Vec<PathPiece>) -> Vec<PathPiece> {
        let mut out: Vec<PathPiece> = Vec::new();
        for piece in pieces {
            match (out.last_mut(), piece) {
                (Some(PathPiece::Text(a)), PathPiece::Text(b)) => a.push_str(&b),
                (_, piece) => out.push(piece),
            }
        }
        out
    }
}

/// A route registered on a router parameter of a function with its path, method or
/// middleware taken from other parameters (`router[verb](`/api${name}`, middlewares, h)`).
/// Each call of the function that passes a router is one route.
#[derive(Debug, Clone)]
pub struct RouteParams {
    /// The span of the [`RouteDef`] it completes.
    pub route: Span,
    /// The path, when it is made of parameters (and text).
    pub path: Option<Vec<PathPiece>>,
    /// The parameter naming the method (`router[verb](…)`).
    pub method: Option<ParamIndex>,
    /// Parameters whose arguments are middleware of the route.
    pub guards: Vec<ParamIndex>,
    /// The parameter holding the handler.
    pub handler: Option<ParamIndex>,
    /// The function's parameters by position, for calls that pass arguments by keyword or
    /// leave them to their defaults (Python); empty when only positions matter.
    pub formal: Vec<FormalParam>,
}

/// A parameter of a route template's function: its name and default value.
#[derive(Debug, Clone)]
pub struct FormalParam {
    pub name: String,
    /// Whether a positional argument can fill it (not keyword-only, not `*args`/`**kwargs`).
    pub positional: bool,
    pub default: Option<CallArg>,
}

impl RouteParams {
    /// The argument a call gives parameter `index`: by position, by keyword, or the default.
    pub fn arg<'a>(&'a self, call: &'a CallArgs, index: ParamIndex) -> Option<&'a CallArg> {
        let ParamIndex::Front(i) = index else {
            return call.get(index);
        };
        let Some(formal) = self.formal.get(i) else {
            return call.get(index);
        };
        if formal.positional {
            if let Some(arg) = call.args.get(i) {
                return Some(arg);
            }
        }
        call.keywords
            .iter()
            .find(|(name, _)| *name == formal.name)
            .map(|(_, arg)| arg)
            .or(formal.default.as_ref())
    }
}

/// The arguments of one call, as far as a route template needs them.
#[derive(Debug, Clone)]
pub struct CallArgs {
    /// The call's span.
    pub span: Span,
    /// Positional arguments.
    pub args: Vec<CallArg>,
    /// Keyword arguments (Python `register_view(bp, routes=[…])`).
    pub keywords: Vec<(String, CallArg)>,
}

#[derive(Debug, Clone, Default)]
pub struct CallArg {
    /// The string it holds, when known (`'/login'`, `'get'`, a constant).
    pub text: Option<String>,
    /// Middleware it names (arrays and spreads flattened); empty for strings.
    pub guards: Vec<GuardRef>,
    /// The handler it names (`controllers.login`).
    pub handler: Option<String>,
    /// The strings of a literal list (`['/a', '/b']`); `None` where an item is computed.
    pub items: Option<Vec<Option<String>>>,
}

impl CallArgs {
    /// The argument a parameter receives.
    pub fn get(&self, index: ParamIndex) -> Option<&CallArg> {
        match index {
            ParamIndex::Front(i) => self.args.get(i),
            ParamIndex::Back(k) => self
                .args
                .len()
                .checked_sub(k)
                .and_then(|i| self.args.get(i)),
        }
    }
}
