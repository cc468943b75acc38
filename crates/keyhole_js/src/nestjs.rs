//! NestJS: `@Controller('prefix')` classes become routers named after the class, their
//! `@Get/@Post/…(path)` methods routes; `@UseGuards(…)` on the class or the method are guards;
//! `@Public()` / `@SetMetadata('isPublic', true)` (and `@AllowAnonymous()`, `@SkipAuth()`)
//! mark a route public on purpose, given as a guard reference to [`PUBLIC_MARKER`].
//!
//! The application (`const app = await NestFactory.create(AppModule)`) is an app router;
//! `app.setGlobalPrefix('api')` is its prefix, `app.useGlobalGuards(new JwtAuthGuard())` its
//! guards; `{ provide: APP_GUARD, useClass: JwtAuthGuard }` in any module is a guard of every
//! app. Nest wires controllers through modules, which keyhole does not follow: the linker
//! mounts every controller under the Nest application it finds.

use keyhole_core::endpoint::{Framework, Method};
use keyhole_core::facts::{
    DependencyRef, Exclusions, FunctionDef, FunctionSummary, GuardRef, GuardSite, GuardTarget,
    RouteDef, RouteSpec, RouterDef, RouterKind, UseDef, UseScope,
};
use keyhole_lang::NodeExt;
use tree_sitter::Node;

use crate::syntax::{string_value, symbol_path, unwrap};
use crate::{arguments, Extractor};

/// Guard target that marks a route or controller public on purpose.
pub const PUBLIC_MARKER: &str = "#public";

/// The all-apps marker the linker understands (`keyhole_python::ALL_APPS`).
const ALL_APPS: &str = "*app*";

const HTTP_DECORATORS: &[&str] = &[
    "Get", "Post", "Put", "Patch", "Delete", "All", "Head", "Options",
];

const PUBLIC_DECORATORS: &[&str] = &[
    "Public",
    "IsPublic",
    "AllowAnonymous",
    "SkipAuth",
    "PublicRoute",
    "NoAuth",
];

/// `NestFactory.create(…)` / `NestFactory.createMicroservice` is not HTTP.
pub(crate) fn is_factory_create(value: Node<'_>, src: &str) -> bool {
    if value.kind_name() != "call_expression" {
        return false;
    }
    value
        .field("function")
        .and_then(|f| symbol_path(f, src))
        .is_some_and(|p| p.len() == 2 && p[0] == "NestFactory" && p[1] == "create")
}

/// A decorator's name and arguments: `@Get(':id')` → (`Get`, [`':id'`]), `@Public` → (`Public`, []).
fn decorator_parts<'t>(decorator: Node<'t>, x: &Extractor<'_>) -> Option<(String, Vec<Node<'t>>)> {
    let expr = unwrap(decorator.named_child(0)?);
    match expr.kind_name() {
        "call_expression" => {
            let name = symbol_path(expr.field("function")?, x.src)?;
            let args = expr.field("arguments").map(arguments).unwrap_or_default();
            Some((name.last()?.clone(), args))
        }
        "identifier" | "member_expression" => {
            let name = symbol_path(expr, x.src)?;
            Some((name.last()?.clone(), Vec::new()))
        }
        _ => None,
    }
}

/// Decorators written on a class: its own, and those in front of `export` / `export default`.
fn class_decorators(class: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut cursor = class.walk();
    out.extend(
        class
            .children(&mut cursor)
            .filter(|c| c.kind_name() == "decorator"),
    );
    if let Some(parent) = class
        .parent()
        .filter(|p| p.kind_name() == "export_statement")
    {
        let mut cursor = parent.walk();
        out.extend(
            parent
                .children(&mut cursor)
                .filter(|c| c.kind_name() == "decorator"),
        );
    }
    out
}

fn public_marker(
    x: &Extractor<'_>,
    name: &str,
    args: &[Node<'_>],
    at: Node<'_>,
) -> Option<GuardRef> {
    let public = PUBLIC_DECORATORS.contains(&name)
        || (name == "SetMetadata"
            && args.first().is_some_and(|k| {
                let k = unwrap(*k);
                let key = if k.kind_name() == "string" {
                    string_value(k, x.src)
                } else {
                    x.text(k).to_string()
                };
                let key = key.to_ascii_lowercase().replace('_', "");
                key.contains("ispublic") || key.contains("public") || key.contains("skipauth")
            })
            && args.get(1).is_some_and(|v| x.text(unwrap(*v)) == "true"));
    public.then(|| GuardRef {
        site: GuardSite::Decorator,
        target: GuardTarget::Symbol(vec![PUBLIC_MARKER.to_string()]),
        called: true,
        optional: false,
        span: x.span(at),
    })
}

/// Nest's own decorators and Swagger's, which never apply guards.
const BUILTIN_DECORATORS: &[&str] = &[
    "Controller",
    "HttpCode",
    "Header",
    "Redirect",
    "Render",
    "Version",
    "UseInterceptors",
    "UsePipes",
    "UseFilters",
    "Sse",
    "Search",
    "Injectable",
    "Module",
];

/// Any other decorator (`@Authenticated()`, `@Auth(Role.Admin)`): a guard only when it
/// resolves to a function of the repository that applies guards (`applyDecorators(
/// UseGuards(AuthGuard), …)`, see [`applied_guards`]), never by its name —
/// `@ApiBearerAuth()` only documents a scheme.
fn custom_decorator(x: &Extractor<'_>, name: &str, decorator: Node<'_>) -> Option<GuardRef> {
    if BUILTIN_DECORATORS.contains(&name) || name.starts_with("Api") {
        return None;
    }
    let expr = unwrap(decorator.named_child(0)?);
    let (callee, called) = match expr.kind_name() {
        "call_expression" => (expr.field("function")?, true),
        _ => (expr, false),
    };
    Some(GuardRef {
        site: GuardSite::Annotation,
        target: GuardTarget::Symbol(symbol_path(callee, x.src)?),
        called,
        optional: false,
        span: x.span(decorator),
    })
}

/// The guards a decorator factory applies: `UseGuards(A, B)` among the arguments of an
/// `applyDecorators(…)` call in its body, as dependencies of its summary.
pub(crate) fn applied_guards(x: &Extractor<'_>, function: Node<'_>, out: &mut Vec<DependencyRef>) {
    let Some(body) = function.field("body") else {
        return;
    };
    if !x.text(body).contains("applyDecorators") {
        return;
    }
    visit(body, &mut |n| {
        if n.kind_name() != "call_expression" {
            return;
        }
        let callee = n.field("function").and_then(|f| symbol_path(f, x.src));
        if callee.is_none_or(|p| p.last().is_none_or(|l| l != "applyDecorators")) {
            return;
        }
        let args = n.field("arguments").map(arguments).unwrap_or_default();
        for arg in args {
            let arg = unwrap(arg);
            if arg.kind_name() != "call_expression" {
                continue;
            }
            let Some((name, inner)) = decorator_call(x, arg) else {
                continue;
            };
            if name != "UseGuards" {
                continue;
            }
            let mut refs = Vec::new();
            use_guards(x, &inner, &mut refs);
            out.extend(refs.into_iter().filter_map(|r| match r.target {
                GuardTarget::Symbol(target) => Some(DependencyRef {
                    target,
                    optional: false,
                    via_alias: false,
                    span: r.span,
                }),
                _ => None,
            }));
        }
    });
}

/// `UseGuards(A, B)` → (`UseGuards`, [A, B]).
fn decorator_call<'t>(x: &Extractor<'_>, call: Node<'t>) -> Option<(String, Vec<Node<'t>>)> {
    let name = symbol_path(call.field("function")?, x.src)?;
    let args = call.field("arguments").map(arguments).unwrap_or_default();
    Some((name.last()?.clone(), args))
}

/// `@UseGuards(A, new B(), AuthGuard('jwt'))`: one guard per argument.
fn use_guards(x: &Extractor<'_>, args: &[Node<'_>], out: &mut Vec<GuardRef>) {
    for arg in args {
        let mut refs = Vec::new();
        x.guard_refs(*arg, &mut refs);
        for mut r in refs {
            r.site = GuardSite::Decorator;
            out.push(r);
        }
    }
}

/// A class with `@Controller(…)`: a router, and a route per HTTP-decorated method.
pub(crate) fn controller(x: &mut Extractor<'_>, class: Node<'_>) {
    let decorators = class_decorators(class);
    if decorators.is_empty() {
        return;
    }
    let Some(name) = class.field("name").map(|n| x.text(n).to_string()) else {
        return;
    };
    let mut is_controller = false;
    let mut prefix = None;
    let mut guards = Vec::new();
    for d in &decorators {
        let Some((dname, args)) = decorator_parts(*d, x) else {
            continue;
        };
        match dname.as_str() {
            "Controller" => {
                is_controller = true;
                prefix = match args.first().map(|a| unwrap(*a)) {
                    Some(o) if o.kind_name() == "object" => {
                        x.object_value(o, "path").and_then(|p| x.use_prefix(p))
                    }
                    Some(a) => x.use_prefix(a),
                    None => None,
                };
            }
            "UseGuards" => use_guards(x, &args, &mut guards),
            _ => match public_marker(x, &dname, &args, *d) {
                Some(p) => guards.push(p),
                None => guards.extend(custom_decorator(x, &dname, *d)),
            },
        }
    }
    if !is_controller {
        return;
    }
    x.router_names.insert(name.clone());
    x.facts.routers.push(RouterDef {
        name: name.clone(),
        kind: RouterKind::Router,
        framework: Framework::NestJs,
        prefix,
        guards,
        shares_parent_scope: false,
        span: x.span(class),
    });
    let Some(body) = class.field("body") else {
        return;
    };
    let mut cursor = body.walk();
    let members: Vec<Node<'_>> = body.named_children(&mut cursor).collect();
    let mut pending: Vec<Node<'_>> = Vec::new();
    for member in members {
        match member.kind_name() {
            "decorator" => pending.push(member),
            "method_definition" => {
                let mut decorators = std::mem::take(&mut pending);
                // Some grammars attach method decorators to the method itself.
                let mut c = member.walk();
                decorators.extend(
                    member
                        .children(&mut c)
                        .filter(|n| n.kind_name() == "decorator"),
                );
                method(x, &name, member, &decorators);
            }
            "comment" => {}
            _ => pending.clear(),
        }
    }
}

fn method(x: &mut Extractor<'_>, class: &str, member: Node<'_>, decorators: &[Node<'_>]) {
    let mut routes: Vec<(Method, Node<'_>, Vec<Node<'_>>)> = Vec::new();
    let mut guards = Vec::new();
    for d in decorators {
        let Some((dname, args)) = decorator_parts(*d, x) else {
            continue;
        };
        if HTTP_DECORATORS.contains(&dname.as_str()) {
            if let Some(m) = Method::parse(&dname) {
                routes.push((m, *d, args));
            }
            continue;
        }
        match dname.as_str() {
            "UseGuards" => use_guards(x, &args, &mut guards),
            _ => match public_marker(x, &dname, &args, *d) {
                Some(p) => guards.push(p),
                None => guards.extend(custom_decorator(x, &dname, *d)),
            },
        }
    }
    let handler = member
        .field("name")
        .map(|n| format!("{class}.{}", x.text(n)));
    for (m, decorator, args) in routes {
        let paths: Vec<Node<'_>> = match args.first().map(|a| unwrap(*a)) {
            Some(a) if a.kind_name() == "array" => crate::named_elements(a),
            Some(a) => vec![a],
            None => Vec::new(),
        };
        let mut path_args = Vec::new();
        if paths.is_empty() {
            path_args.push(keyhole_core::facts::PathArg {
                value: Some(String::new()),
                span: x.span(decorator),
            });
        }
        for p in paths {
            match x.use_prefix(p) {
                Some(arg) => path_args.push(arg),
                // `@Get(SOME_CONSTANT)` keyhole cannot read: a path it does not know.
                None => path_args.push(keyhole_core::facts::PathArg {
                    value: None,
                    span: x.span(p),
                }),
            }
        }
        for path in path_args {
            x.facts.routes.push(RouteDef {
                router: vec![class.to_string()],
                framework_hint: Some(Framework::NestJs),
                methods: vec![m],
                path,
                guards: guards.clone(),
                handler: handler.clone(),
                span: x.span(decorator),
                order: decorator.order(),
            });
        }
    }
}

/// `app.setGlobalPrefix('api')`.
pub(crate) fn global_prefix(x: &mut Extractor<'_>, receiver: Node<'_>, args: &[Node<'_>]) {
    let Some(name) = symbol_path(receiver, x.src).map(|p| p.join(".")) else {
        return;
    };
    let Some(first) = args.first() else {
        return;
    };
    let prefix = x.use_prefix(*first);
    if let Some(router) = x
        .facts
        .routers
        .iter_mut()
        .find(|r| r.name == name && r.framework == Framework::NestJs)
    {
        router.prefix = prefix;
    }
}

/// `app.useGlobalGuards(new JwtAuthGuard(reflector))`.
pub(crate) fn global_guards(
    x: &mut Extractor<'_>,
    call: Node<'_>,
    receiver: Node<'_>,
    args: &[Node<'_>],
) {
    let Some(parent) = symbol_path(receiver, x.src) else {
        return;
    };
    let mut guards = Vec::new();
    use_guards(x, args, &mut guards);
    if guards.is_empty() {
        return;
    }
    x.facts.uses.push(UseDef {
        parent,
        prefix: None,
        args: Vec::new(),
        guards,
        scope: UseScope::Whole,
        unless: None,
        only: Vec::new(),
        span: x.span(call),
        order: call.order(),
    });
}

/// `{ provide: APP_GUARD, useClass: JwtAuthGuard }` in a module's providers: a guard of
/// every app.
pub(crate) fn app_guard_provider(x: &mut Extractor<'_>, object: Node<'_>) {
    let Some(provide) = x.object_value(object, "provide") else {
        return;
    };
    if x.text(provide) != "APP_GUARD" {
        return;
    }
    let Some(class) = x
        .object_value(object, "useClass")
        .or_else(|| x.object_value(object, "useExisting"))
    else {
        return;
    };
    let Some(path) = symbol_path(class, x.src) else {
        return;
    };
    x.facts.uses.push(UseDef {
        parent: vec![ALL_APPS.to_string()],
        prefix: None,
        args: Vec::new(),
        guards: vec![GuardRef {
            site: GuardSite::Decorator,
            target: GuardTarget::Symbol(path),
            called: false,
            optional: false,
            span: x.span(object),
        }],
        scope: UseScope::Whole,
        unless: None,
        only: Vec::new(),
        span: x.span(object),
        order: object.order(),
    });
}

/// `consumer.apply(AuthMiddleware).exclude(…).forRoutes(CatsController, 'dogs', { path:
/// 'cats/:id', method: RequestMethod.GET })` in a module's `configure`: the middleware
/// guards the routes named (a controller: all of its routes). `exclude(…)` entries written as
/// strings or `{ path, method }` objects are skipped exactly; others make the guard optional.
pub(crate) fn for_routes(
    x: &mut Extractor<'_>,
    call: Node<'_>,
    receiver: Node<'_>,
    args: &[Node<'_>],
) {
    let mut middleware: Vec<GuardRef> = Vec::new();
    let mut excludes = false;
    let mut excluded_routes = Vec::new();
    let mut unreadable_exclusion = false;
    let mut cur = unwrap(receiver);
    for _ in 0..16 {
        if cur.kind_name() != "call_expression" {
            break;
        }
        let Some(callee) = cur.field("function").map(unwrap) else {
            break;
        };
        if callee.kind_name() != "member_expression" {
            break;
        }
        let method = callee.field("property").map_or("", |p| x.text(p));
        let inner = cur.field("arguments").map(arguments).unwrap_or_default();
        match method {
            "apply" => {
                for arg in &inner {
                    let mut refs = Vec::new();
                    x.guard_refs(*arg, &mut refs);
                    middleware.extend(refs);
                }
            }
            "exclude" => {
                excludes = true;
                for arg in &inner {
                    match route_spec(x, *arg) {
                        Some(spec) => excluded_routes.push(spec),
                        None => unreadable_exclusion = true,
                    }
                }
            }
            _ => {}
        }
        match callee.field("object") {
            Some(o) => cur = unwrap(o),
            None => break,
        }
    }
    if middleware.is_empty() {
        return;
    }
    // Exclusions written as literals are exact; any other (a constant, a spread) leaves the
    // middleware optional, since which routes it skips is unknown.
    let unless = excludes.then(|| Exclusions {
        unreadable: unreadable_exclusion,
        routes: excluded_routes,
        span: Some(x.span(call)),
        ..Exclusions::default()
    });
    let mut specs: Vec<RouteSpec> = Vec::new();
    let mut everything = false;
    for arg in args {
        let arg = unwrap(*arg);
        match arg.kind_name() {
            "identifier" | "member_expression" => {
                // A controller class: every route of it.
                if let Some(path) = symbol_path(arg, x.src) {
                    x.facts.uses.push(UseDef {
                        parent: path,
                        prefix: None,
                        args: Vec::new(),
                        guards: middleware.clone(),
                        scope: UseScope::Whole,
                        unless: unless.clone(),
                        only: Vec::new(),
                        span: x.span(call),
                        order: call.order(),
                    });
                }
            }
            "string" | "template_string" => {
                let path = string_value(arg, x.src);
                if matches!(
                    path.as_str(),
                    "*" | "/*" | "(.*)" | "/(.*)" | "*path" | "{*path}"
                ) {
                    everything = true;
                } else {
                    specs.push(RouteSpec {
                        path,
                        methods: Vec::new(),
                    });
                }
            }
            "object" => {
                let Some(path) = x
                    .object_value(arg, "path")
                    .filter(|p| p.kind_name() == "string")
                    .map(|p| string_value(p, x.src))
                else {
                    continue;
                };
                let methods = x
                    .object_value(arg, "method")
                    .and_then(|m| symbol_path(m, x.src))
                    .and_then(|p| p.last().and_then(|m| Method::parse(m)))
                    .into_iter()
                    .collect();
                specs.push(RouteSpec { path, methods });
            }
            _ => {}
        }
    }
    if everything || !specs.is_empty() {
        x.facts.uses.push(UseDef {
            parent: vec![ALL_APPS.to_string()],
            prefix: None,
            args: Vec::new(),
            guards: middleware,
            scope: UseScope::Whole,
            unless,
            only: if everything { Vec::new() } else { specs },
            span: x.span(call),
            order: call.order(),
        });
    }
}

/// Properties whose reading inside `canActivate` looks at who is calling.
const CALLER_READS: &[&str] = &[
    "user",
    "authorization",
    "Authorization",
    "verify",
    "verifyAsync",
    "jwtVerify",
    "isAuthenticated",
    "session",
];

/// Words in a `throw` that may be about who is calling (`InvalidTokenException`,
/// `HttpException('…', 401)`).
const CALLER_THROW_WORDS: &[&str] = &[
    "auth",
    "token",
    "forbidden",
    "permission",
    "login",
    "session",
    "credential",
    "denied",
    "401",
    "403",
    "user",
    "access",
];

/// A NestJS guard class (`implements CanActivate`, a `canActivate` method, or `extends
/// AuthGuard('jwt')` from @nestjs/passport) becomes a [`FunctionDef`] named after the class,
/// summarised by what its `canActivate` does, so that `@UseGuards(X)` is judged by the class
/// and not by its name:
///
/// - a `throw new UnauthorizedException()` / `ForbiddenException` after looking at the caller,
///   or a `return false` in a body that reads `request.user` / the `authorization` header /
///   `jwtService.verify…`, denies (Nest answers `false` with 403), as does a `return` of an
///   expression over the caller (a roles guard's `roles.includes(request.user?.role)`, false
///   for anonymous callers);
/// - `extends AuthGuard(…)` with no `canActivate` of its own, or one that ends in
///   `super.canActivate(…)`, is passport's guard, which answers 401;
/// - a `canActivate` whose every `return` is `true` and that throws nothing about the caller
///   (a quota's 429 is not) lets everyone through ([`FunctionSummary::passes_through`]), whatever the class is called.
///
/// [`FunctionDef`]: keyhole_core::facts::FunctionDef
/// [`FunctionSummary::passes_through`]: keyhole_core::facts::FunctionSummary
pub(crate) fn guard_class(x: &mut Extractor<'_>, class: Node<'_>) {
    let Some(name) = class.field("name").map(|n| x.text(n).to_string()) else {
        return;
    };
    let mut passport_base = None;
    let mut implements = false;
    let mut cursor = class.walk();
    for child in class.children(&mut cursor) {
        if child.kind_name() != "class_heritage" {
            continue;
        }
        let mut c = child.walk();
        for clause in child.children(&mut c) {
            match clause.kind_name() {
                "extends_clause" => {
                    let value = clause.field("value").map(unwrap);
                    if let Some(v) = value.filter(|v| v.kind_name() == "call_expression") {
                        let callee = v.field("function").and_then(|f| symbol_path(f, x.src));
                        if callee.is_some_and(|p| p.last().is_some_and(|l| l == "AuthGuard")) {
                            passport_base = Some(v);
                        }
                    }
                }
                "implements_clause" => implements |= x.text(clause).contains("CanActivate"),
                _ => {}
            }
        }
    }
    let body = class.field("body");
    let can_activate = body.and_then(|b| {
        let mut c = b.walk();
        let found = b.named_children(&mut c).find(|m| {
            m.kind_name() == "method_definition"
                && m.field("name").is_some_and(|n| x.text(n) == "canActivate")
        });
        found
    });
    if passport_base.is_none() && !implements && can_activate.is_none() {
        return;
    }
    let mut summary = match can_activate {
        Some(m) => crate::summary::summarise(m, x.file, x.src, &x.denial_hits),
        None => FunctionSummary::default(),
    };
    // `passes_through` is about `next()`; a guard has none.
    summary.passes_through = None;
    let method_body = can_activate.and_then(|m| m.field("body"));
    if summary.denies.is_none() {
        if let Some(base) = passport_base {
            let delegates = method_body.is_none_or(|b| x.text(b).contains("super.canActivate"));
            if delegates {
                summary.denies = Some(x.span(base));
            }
        }
    }
    if let (None, Some(body)) = (summary.denies, method_body) {
        let mut reads_caller = None;
        let mut returns_false = None;
        let mut only_true = true;
        let mut returns = 0usize;
        visit(body, &mut |n| match n.kind_name() {
            "member_expression"
                if reads_caller.is_none()
                    && n.field("property")
                        .is_some_and(|p| CALLER_READS.contains(&x.text(p))) =>
            {
                reads_caller = Some(n);
            }
            "return_statement" => {
                returns += 1;
                let value = n.named_child(0).map(unwrap);
                match value.map(|v| x.text(v)) {
                    Some("false") => {
                        returns_false = returns_false.or(Some(n));
                        only_true = false;
                    }
                    Some("true") => {}
                    // `return roles.includes(request.user?.role)`: false for anonymous callers
                    // (a roles guard: it denies whoever is not signed in with a role).
                    Some(_) if value.is_some_and(|v| reads_caller_in(x, v)) => {
                        returns_false = returns_false.or(Some(n));
                        only_true = false;
                    }
                    _ => only_true = false,
                }
            }
            // A throw for another reason (`HttpException('Too Many Requests', 429)`) keeps
            // the guard out of authentication; one that may be about the caller does not.
            "throw_statement" => {
                let thrown = x.text(n).to_ascii_lowercase();
                if CALLER_THROW_WORDS.iter().any(|w| thrown.contains(w)) {
                    only_true = false;
                }
            }
            _ => {}
        });
        if let (Some(_), Some(ret)) = (reads_caller, returns_false) {
            summary.denies = Some(x.span(ret));
            summary.checks = reads_caller.map(|n| x.span(n));
        } else if only_true && returns > 0 {
            summary.passes_through = Some(x.span(body));
        }
    }
    x.facts.functions.push(FunctionDef {
        name,
        span: x.span(class),
        summary,
        guards: Vec::new(),
    });
}

/// Whether an expression reads the caller (`request.user?.role`, `headers.authorization`).
fn reads_caller_in(x: &Extractor<'_>, value: Node<'_>) -> bool {
    let mut found = false;
    visit(value, &mut |n| {
        found |= n.kind_name() == "member_expression"
            && n.field("property")
                .is_some_and(|p| CALLER_READS.contains(&x.text(p)));
    });
    found
}

/// Visit the named nodes under `root` (not inside nested functions), at most 20,000.
fn visit<'t>(root: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    let mut stack = vec![root];
    let mut seen = 0usize;
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > 20_000 {
            return;
        }
        if node.id() != root.id()
            && matches!(
                node.kind_name(),
                "arrow_function" | "function_expression" | "function_declaration"
            )
        {
            continue;
        }
        f(node);
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
}

/// A route named by a string (`'cats/*'`) or `{ path: 'cats/:id', method: RequestMethod.GET }`
/// in `exclude(…)`; `None` when it is not written as a literal.
fn route_spec(x: &Extractor<'_>, arg: Node<'_>) -> Option<RouteSpec> {
    let arg = unwrap(arg);
    match arg.kind_name() {
        "string" => Some(RouteSpec {
            path: string_value(arg, x.src),
            methods: Vec::new(),
        }),
        "object" => {
            let path = x
                .object_value(arg, "path")
                .filter(|p| p.kind_name() == "string")
                .map(|p| string_value(p, x.src))?;
            let methods = match x.object_value(arg, "method") {
                None => Vec::new(),
                Some(m) => {
                    let name = symbol_path(m, x.src)?;
                    match name.last()?.as_str() {
                        "ALL" => vec![Method::Any],
                        other => vec![Method::parse(other)?],
                    }
                }
            };
            Some(RouteSpec { path, methods })
        }
        _ => None,
    }
}
