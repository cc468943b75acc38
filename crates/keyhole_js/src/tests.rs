//! Extraction tests: small realistic Express files in JavaScript, TypeScript and TSX, with the
//! facts they must produce written out as one line per fact.

use std::path::PathBuf;
use std::sync::Arc;

use keyhole_core::facts::{FileFacts, GuardRef, GuardTarget, ImportKind, RouterKind};
use keyhole_core::{FileId, Framework, Language, SourceFile};
use keyhole_lang::tree_sitter::{Parser, QueryCursor};

fn facts(language: Language, src: &str) -> FileFacts {
    let file = SourceFile::new(
        FileId(0),
        "x".into(),
        PathBuf::from("x"),
        language,
        Arc::from(src),
    );
    let mut parser = Parser::new();
    parser
        .set_language(&keyhole_lang::grammar(language))
        .expect("grammar");
    let tree = parser.parse(src, None).expect("parse");
    let queries = keyhole_lang::query_set(language).expect("queries");
    let mut cursor = QueryCursor::new();
    super::extract(&file, &tree, queries, &mut cursor)
}

fn js(src: &str) -> FileFacts {
    facts(Language::JavaScript, src)
}

fn ts(src: &str) -> FileFacts {
    facts(Language::TypeScript, src)
}

fn guard(g: &GuardRef) -> String {
    let mut s = match &g.target {
        GuardTarget::Inline(_) => "<inline>".to_string(),
        t => t.display(),
    };
    if g.called {
        s.push_str("()");
    }
    if g.optional {
        s.push('?');
    }
    s
}

fn guards(gs: &[GuardRef]) -> String {
    gs.iter().map(guard).collect::<Vec<_>>().join(", ")
}

fn routes(f: &FileFacts) -> Vec<String> {
    f.routes
        .iter()
        .map(|r| {
            let methods: Vec<&str> = r.methods.iter().map(|m| m.as_str()).collect();
            format!(
                "{} {} {} [{}] {}",
                r.router.join("."),
                methods.join("|"),
                r.path.value.as_deref().unwrap_or("?"),
                guards(&r.guards),
                r.handler.as_deref().unwrap_or("<inline>")
            )
        })
        .collect()
}

fn uses(f: &FileFacts) -> Vec<String> {
    f.uses
        .iter()
        .map(|u| {
            let prefix = match &u.prefix {
                Some(p) => p.value.clone().unwrap_or_else(|| "?".into()),
                None => "-".into(),
            };
            format!("{} {} [{}]", u.parent.join("."), prefix, guards(&u.args))
        })
        .collect()
}

fn routers(f: &FileFacts) -> Vec<String> {
    f.routers
        .iter()
        .map(|r| {
            let kind = match r.kind {
                RouterKind::App => "app",
                RouterKind::Router => "router",
            };
            format!("{} {}", r.name, kind)
        })
        .collect()
}

fn imports(f: &FileFacts) -> Vec<String> {
    f.imports
        .iter()
        .map(|i| {
            let kind = match &i.kind {
                ImportKind::Named(n) => format!("{{{n}}}"),
                ImportKind::Module => "*".to_string(),
                ImportKind::Default => "default".to_string(),
            };
            format!("{} = {} {}", i.local, i.module, kind)
        })
        .collect()
}

fn exports(f: &FileFacts) -> Vec<String> {
    f.exports
        .iter()
        .map(|e| {
            format!(
                "{} = {}",
                e.name.as_deref().unwrap_or("default"),
                e.local.join(".")
            )
        })
        .collect()
}

fn aliases(f: &FileFacts) -> Vec<String> {
    f.aliases
        .iter()
        .map(|a| match &a.points_to {
            Some(p) => format!("{} -> {}", a.name, p.join(".")),
            None => {
                let deps: Vec<String> = a
                    .dependencies
                    .iter()
                    .map(|d| {
                        format!(
                            "{}(){}",
                            d.target.join("."),
                            if d.optional { "?" } else { "" }
                        )
                    })
                    .collect();
                format!("{} = {}", a.name, deps.join(", "))
            }
        })
        .collect()
}

#[test]
fn commonjs_app_with_routes_and_middleware() {
    let f = js(r#"
const express = require('express');
const passport = require('passport');
const { requireAuth, requireRole } = require('./middleware/auth');
const users = require('./controllers/users');

const app = express();
app.use(express.json());
app.use(passport.initialize());

app.get('/health', (req, res) => res.send('ok'));
app.post('/login', users.login);
app.get('/users', requireAuth, users.list);
app.delete('/users/:id', [requireAuth, requireRole('admin')], users.remove);
app.put('/users/:id', passport.authenticate('jwt', { session: false }), async (req, res) => {
  res.json({});
});
app.all('/anything', function (req, res) {});
app.listen(3000);
"#);
    assert_eq!(routers(&f), ["app app"]);
    assert_eq!(
        imports(&f),
        [
            "express = express default",
            "passport = passport default",
            "requireAuth = ./middleware/auth {requireAuth}",
            "requireRole = ./middleware/auth {requireRole}",
            "users = ./controllers/users default",
        ]
    );
    assert_eq!(
        uses(&f),
        ["app - [express.json()]", "app - [passport.initialize()]"]
    );
    assert_eq!(
        routes(&f),
        [
            "app GET /health [] <inline>",
            "app POST /login [] users.login",
            "app GET /users [requireAuth] users.list",
            "app DELETE /users/:id [requireAuth, requireRole()] users.remove",
            "app PUT /users/:id [passport.authenticate()] <inline>",
            "app ANY /anything [] <inline>",
        ]
    );
    assert!(f.problems.is_empty());
    let r = &f.routes[2];
    assert_eq!(r.order, r.span.start);
}

#[test]
fn route_span_is_the_call_and_path_span_is_the_argument() {
    let src = "const express = require('express');\nconst app = express();\napp.get('/a', h);\n";
    let f = js(src);
    let r = &f.routes[0];
    assert_eq!(&src[r.span.range()], "app.get('/a', h)");
    assert_eq!(&src[r.path.span.range()], "'/a'");
    assert_eq!(r.order as usize, src.find("app.get").unwrap_or(0));
    assert_eq!(
        r.framework_hint,
        Some(keyhole_core::endpoint::Framework::Express)
    );
}

#[test]
fn settings_getter_and_http_clients_are_not_routes() {
    let f = js(r#"
const express = require('express');
const axios = require('axios');
const app = express();
const env = app.get('env');
const port = app.get('port');
axios.get(url);
axios.get(url, { headers });
axios.get('https://example.com/api', config);
const cache = new Map();
cache.get(key);
function mw(req, res, next) {
  const h = req.get('Authorization');
  res.get('Content-Type');
  next();
}
config.get('db.host', 'localhost');
axios.get('/api/users', { params: { page: 1 } });
api.post('/users', { name: 'x' });
http.put('/items/1', JSON.stringify(body), 'utf8');
"#);
    assert!(routes(&f).is_empty(), "{:?}", routes(&f));
}

#[test]
fn es_module_router_file() {
    let f = js(r#"
import express, { Router } from 'express';
import { requireAuth as auth } from '../middleware/auth.js';
import * as ctrl from '../controllers/posts.js';

const router = Router();

router.get('/', ctrl.list);
router.use(auth);
router.post('/', ctrl.create);

export default router;
"#);
    assert_eq!(routers(&f), ["router router"]);
    assert_eq!(
        imports(&f),
        [
            "express = express default",
            "Router = express {Router}",
            "auth = ../middleware/auth.js {requireAuth}",
            "ctrl = ../controllers/posts.js *",
        ]
    );
    assert_eq!(
        routes(&f),
        ["router GET / [] ctrl.list", "router POST / [] ctrl.create"]
    );
    assert_eq!(uses(&f), ["router - [auth]"]);
    assert!(f.uses[0].order > f.routes[0].order && f.uses[0].order < f.routes[1].order);
    assert_eq!(exports(&f), ["default = router"]);
}

#[test]
fn router_constructors_must_come_from_a_known_framework() {
    let f = js(r#"
const Router = require('koa-router');
const express = require('express');
const a = Router();
const b = new Router();
const c = express.Router({ mergeParams: true });
const d = require('express').Router();
const e = require('express')();
const other = somethingElse();
const Thing = require('./thing');
const g = new Thing();
"#);
    // `koa-router` builds Koa routers; `somethingElse()` and `new Thing()` build nothing known.
    assert_eq!(
        routers(&f),
        ["a router", "b router", "c router", "d router", "e app"]
    );
    assert_eq!(f.routers[0].framework, Framework::Koa);
    assert_eq!(f.routers[2].framework, Framework::Express);
}

#[test]
fn destructured_and_aliased_router_constructors() {
    let f = js(r#"
const { Router } = require('express');
const R = require('express').Router;
const r1 = Router();
const r2 = new Router();
const r3 = R();
"#);
    assert_eq!(routers(&f), ["r1 router", "r2 router", "r3 router"]);
    assert_eq!(
        imports(&f),
        ["Router = express {Router}", "R = express {Router}"]
    );
}

#[test]
fn mounts_with_prefixes_requires_and_arrays() {
    let f = js(r#"
const express = require('express');
const usersRouter = require('./routes/users');
const { authenticate } = require('./auth');
const API = '/api/v1';
const app = express();

app.use('/users', usersRouter);
app.use(`${API}/posts`, authenticate, require('./routes/posts'));
app.use(API + '/admin', [authenticate, isAdmin], adminRouter);
app.use(['/a', '/b'], aRouter);
app.use(API_PREFIX, apiRouter);
app.use(config.basePath, apiRouter);
app.use(/^\/legacy/, legacyRouter);
app.use('/v2', require('./routes/v2')(db));
app.use((err, req, res, next) => res.status(500).end());
require('./routes/misc')(app);
"#);
    assert_eq!(
        uses(&f),
        [
            "app /users [usersRouter]",
            "app /api/v1/posts [authenticate, require('./routes/posts')]",
            "app /api/v1/admin [authenticate, isAdmin, adminRouter]",
            "app /a [aRouter]",
            "app ? [apiRouter]",
            "app ? [apiRouter]",
            r"app /^\/legacy/ [legacyRouter]",
            "app /v2 [require('./routes/v2')()]",
            "app - [<inline>]",
            // `require('./routes/misc')(app)`: `app` is bound to the module's parameter router.
            "app - [require('./routes/misc').(0)]",
        ]
    );
    for u in &f.uses {
        assert_eq!(u.scope, keyhole_core::facts::UseScope::After);
        assert!(u.guards.is_empty());
    }
}

#[test]
fn path_constants_resolve() {
    let f = js(r#"
const express = require('express');
const router = express.Router();
const BASE = '/items';
const ID = `${BASE}/:id`;
const PATHS = { list: '/things', nested: { one: '/things/:id' } };

router.get(BASE, list);
router.get(ID, show);
router.put(`${BASE}/:id/tags`, tag);
router.get(PATHS.list, things);
router.get(PATHS.nested.one, thing);
router.get(`/dyn/${someVar}`, dyn);
router.get(importedPath, other);
router.get(/^\/abc\/\d+$/, regex);
router.get(['/x', '/y'], xy);
"#);
    assert_eq!(
        routes(&f),
        [
            "router GET /items [] list",
            "router GET /items/:id [] show",
            "router PUT /items/:id/tags [] tag",
            "router GET /things [] things",
            "router GET /things/:id [] thing",
            "router GET ? [] dyn",
            "router GET ? [] other",
            r"router GET /^\/abc\/\d+$/ [] regex",
            "router GET /x [] xy",
            "router GET /y [] xy",
        ]
    );
}

#[test]
fn unresolved_paths_only_on_router_like_receivers() {
    let f = js(r#"
client.get(endpoint, opts);
api.get(endpoint, handler);
this.app.get(routes.users, this.list);
"#);
    assert_eq!(
        routes(&f),
        ["api GET ? [] handler", "this.app GET ? [] this.list"]
    );
}

#[test]
fn route_chains() {
    let f = js(r#"
const express = require('express');
const router = express.Router();
router
  .route('/books/:id')
  .all(requireAuth)
  .get(books.show)
  .put(validate, books.update)
  .delete(isAdmin, books.remove);
app.route('/open').get(open).post(csrf, openPost);
"#);
    assert_eq!(
        routes(&f),
        [
            "router GET /books/:id [requireAuth] books.show",
            "router PUT /books/:id [requireAuth, validate] books.update",
            "router DELETE /books/:id [requireAuth, isAdmin] books.remove",
            "app GET /open [] open",
            "app POST /open [csrf] openPost",
        ]
    );
}

#[test]
fn all_with_wildcard_is_middleware() {
    let f = js(r#"
const express = require('express');
const app = express();
app.get('/public', pub);
app.all('*', requireAuthentication);
app.all('/api/*', checkJwt, loadUser);
app.get('/private', priv);
"#);
    assert_eq!(
        routes(&f),
        ["app GET /public [] pub", "app GET /private [] priv"]
    );
    assert_eq!(
        uses(&f),
        [
            "app - [requireAuthentication]",
            "app /api [checkJwt, loadUser]"
        ]
    );
}

#[test]
fn commonjs_exports() {
    let f = js(r#"
const express = require('express');
const router = express.Router();
const other = express.Router();
module.exports = router;
module.exports.other = other;
exports.third = other;
"#);
    assert_eq!(
        exports(&f),
        ["default = router", "other = other", "third = other"]
    );

    let f = js(r#"
const { Router } = require('express');
const a = Router();
const b = Router();
module.exports = { a, admin: b };
"#);
    assert_eq!(exports(&f), ["a = a", "admin = b"]);

    let f = js(r#"
const express = require('express');
const router = module.exports = express.Router();
router.get('/x', h);
"#);
    assert_eq!(routers(&f), ["router router"]);
    assert_eq!(exports(&f), ["default = router"]);
    assert_eq!(routes(&f), ["router GET /x [] h"]);

    let f = js(r#"
const express = require('express');
module.exports = express.Router();
exports.admin = express.Router();
"#);
    assert_eq!(
        routers(&f),
        ["module.exports router", "exports.admin router"]
    );
    assert_eq!(
        exports(&f),
        ["default = module.exports", "admin = exports.admin"]
    );

    let f = js(r#"
const express = require('express');
let app;
app = module.exports = express();
"#);
    assert_eq!(routers(&f), ["app app"]);
    assert_eq!(exports(&f), ["default = app"]);
}

#[test]
fn es_exports() {
    let f = js(r#"
import express from 'express';
export const router = express.Router();
export const app = express(), n = 1;
export function requireAuth(req, res, next) { next(); }
const a = express.Router();
export { a, a as adminRouter };
export { default as usersRouter } from './users.js';
export { postsRouter } from './posts.js';
export * as helpers from './helpers.js';
export * from './everything.js';
"#);
    assert_eq!(routers(&f), ["router router", "app app", "a router"]);
    assert_eq!(
        exports(&f),
        [
            "router = router",
            "app = app",
            "n = n",
            "requireAuth = requireAuth",
            "a = a",
            "adminRouter = a",
            "usersRouter = usersRouter",
            "postsRouter = postsRouter",
            "helpers = helpers",
        ]
    );
    assert_eq!(
        imports(&f),
        [
            "express = express default",
            "usersRouter = ./users.js default",
            "postsRouter = ./posts.js {postsRouter}",
            "helpers = ./helpers.js *",
        ]
    );

    let f = js("const r = x;\nexport { r as default };\n");
    assert_eq!(exports(&f), ["default = r"]);
    let f = js("export default function routes(app) {}\n");
    assert_eq!(exports(&f), ["default = routes"]);
}

#[test]
fn aliases_and_guard_factories() {
    let f = js(r#"
const passport = require('passport');
const { expressjwt } = require('express-jwt');
const api = require('./api');
const router = api.router;
const r2 = router;
const requireJwt = passport.authenticate('jwt', { session: false });
const maybeUser = expressjwt({ secret, algorithms: ['HS256'], credentialsRequired: false });
const limiter = rateLimit({ windowMs: 1000 });
const { a: b } = api;
function f() {
  const inner = passport.authenticate('local');
}
"#);
    assert_eq!(
        aliases(&f),
        [
            "router -> api.router",
            "r2 -> router",
            "requireJwt = passport.authenticate()",
            "maybeUser = expressjwt()?",
            "limiter = rateLimit()",
            // Module-level destructuring reads a member (`const { setupPageRoute } = helpers`).
            "b -> api.a",
        ]
    );
}

#[test]
fn optional_auth_guards() {
    let f = js(r#"
router.get('/feed', jwt({ secret: s, algorithms: ['HS256'], credentialsRequired: false }), feed);
router.get('/me', passport.authenticate(['jwt', 'anonymous'], { session: false }), me);
router.get('/x', auth({ authRequired: false }), x);
router.get('/y', auth(), y);
app.use(jwt({ secret, algorithms: ['RS256'] }).unless({ path: ['/login'] }));
app.use(jwt({ secret, credentialsRequired: false }).unless({ path: ['/x'] }));
"#);
    assert_eq!(uses(&f), ["app - [jwt()]", "app - [jwt()?]"]);
    assert_eq!(
        routes(&f),
        [
            "router GET /feed [jwt()?] feed",
            "router GET /me [passport.authenticate()?] me",
            "router GET /x [auth()?] x",
            "router GET /y [auth()] y",
        ]
    );
}

#[test]
fn typescript_router_with_types() {
    let f = ts(r#"
import express, { Request, Response, NextFunction, Router } from 'express';
import type { User } from './types';
import { authenticateJWT } from '../middleware/auth';
import UserController from '../controllers/user.controller';

const router: Router = Router();
const controller = new UserController();

const isAdmin = (req: Request, res: Response, next: NextFunction): void => {
  next();
};

router.get('/users', authenticateJWT as express.RequestHandler, controller.getAll);
router.get('/users/:id', authenticateJWT!, (req: Request<{ id: string }>, res: Response) => {
  res.json({} as User);
});
router.post('/users', [authenticateJWT, isAdmin] as const, controller.create.bind(controller));
router.delete(('/users/:id' as string), authenticateJWT, asyncHandler(controller.remove));

export default router;
"#);
    assert_eq!(routers(&f), ["router router"]);
    assert_eq!(
        imports(&f),
        [
            "express = express default",
            "Request = express {Request}",
            "Response = express {Response}",
            "NextFunction = express {NextFunction}",
            "Router = express {Router}",
            "authenticateJWT = ../middleware/auth {authenticateJWT}",
            "UserController = ../controllers/user.controller default",
        ]
    );
    assert_eq!(
        routes(&f),
        [
            "router GET /users [authenticateJWT] controller.getAll",
            "router GET /users/:id [authenticateJWT] <inline>",
            "router POST /users [authenticateJWT, isAdmin] controller.create",
            "router DELETE /users/:id [authenticateJWT] controller.remove",
        ]
    );
    assert_eq!(exports(&f), ["default = router"]);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn typescript_app_class_and_import_equals() {
    let f = ts(r#"
import express = require('express');
import * as bodyParser from 'body-parser';
import { apiRouter } from './routes';

export class Server {
  private app: express.Application;
  constructor() {
    this.app = express();
    this.app.use(bodyParser.json());
    this.app.use('/api', apiRouter);
    this.app.get('/status', this.status);
  }
}
const app = express() as express.Express;
export = app;
"#);
    assert_eq!(routers(&f), ["app app"]);
    assert_eq!(
        imports(&f),
        [
            "express = express default",
            "bodyParser = body-parser *",
            "apiRouter = ./routes {apiRouter}",
        ]
    );
    assert_eq!(
        uses(&f),
        [
            "this.app - [bodyParser.json()]",
            "this.app /api [apiRouter]"
        ]
    );
    assert_eq!(routes(&f), ["this.app GET /status [] this.status"]);
    assert_eq!(exports(&f), ["Server = Server", "default = app"]);
}

#[test]
fn tsx_file_is_handled() {
    let f = facts(
        Language::Tsx,
        r#"
import { Router } from 'express';
export const router = Router();
router.get('/page', requireAuth, (req, res) => res.send(<div />));
"#,
    );
    assert_eq!(routers(&f), ["router router"]);
    assert_eq!(routes(&f), ["router GET /page [requireAuth] <inline>"]);
    assert_eq!(exports(&f), ["router = router"]);
}

#[test]
fn spreads_and_nested_arrays_are_flattened() {
    let f = js(r#"
const guards = [requireAuth, requireRole('admin')];
router.post('/a', ...guards, [validate, [sanitize]], handler);
"#);
    assert_eq!(
        routes(&f),
        ["router POST /a [requireAuth, requireRole(), validate, sanitize] handler"]
    );
}

#[test]
fn syntax_error_is_one_problem() {
    let src = "const express = require('express');\nconst app = express();\napp.get('/a', h);\napp.get('/b', (req, res) => { res.send( ;\n}\napp.get('/c', h);\n";
    let f = js(src);
    assert_eq!(f.problems.len(), 1);
    assert!(f.problems[0].message.contains("syntax error"));
    assert!(f.problems[0].span.start as usize >= src.find("app.get('/b'").unwrap_or(0));
    assert!(routes(&f).contains(&"app GET /a [] h".to_string()));
}

#[test]
fn deep_nesting_does_not_overflow() {
    let mut src = String::from("const express = require('express');\nconst app = express();\n");
    let depth = 5000;
    src.push_str("app.get('/deep', ");
    for _ in 0..depth {
        src.push('[');
    }
    src.push('a');
    for _ in 0..depth {
        src.push(']');
    }
    src.push_str(", h);\nconst x = ");
    for _ in 0..depth {
        src.push('(');
    }
    src.push('y');
    for _ in 0..depth {
        src.push(')');
    }
    src.push_str(";\n");
    let f = js(&src);
    assert_eq!(f.routes.len(), 1);
}

#[test]
fn typescript_generics_and_wrappers() {
    let f = ts(r#"
import { Router } from 'express';
const router = Router() satisfies Router;
router.get<{ id: string }>('/items/:id', (requireAuth) as any, show);
(router as Router).post('/items', requireAuth!, create);
"#);
    assert_eq!(routers(&f), ["router router"]);
    assert_eq!(
        routes(&f),
        [
            "router GET /items/:id [requireAuth] show",
            "router POST /items [requireAuth] create",
        ]
    );
}

#[test]
fn large_file_is_fast() {
    let mut src = String::from("const express = require('express');\nconst app = express();\n");
    for i in 0..20_000 {
        src.push_str(&format!(
            "app.get('/r{i}', auth, (req, res) => res.json({{ i: {i} }}));\n"
        ));
    }
    let start = std::time::Instant::now();
    let f = js(&src);
    assert_eq!(f.routes.len(), 20_000);
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

#[test]
fn framework_hint_only_where_express_is_known() {
    let f = js("api.get('/users', cb);\n");
    assert_eq!(routes(&f), ["api GET /users [] cb"]);
    assert_eq!(f.routes[0].framework_hint, None);
    let f = js("import { Router } from 'express';\nrouter.get('/users', cb);\n");
    assert_eq!(
        f.routes[0].framework_hint,
        Some(keyhole_core::endpoint::Framework::Express)
    );
}

#[test]
fn object_of_guards_gives_dotted_aliases() {
    // The RealWorld example app's `routes/auth.js`.
    let f = js(r#"
var jwt = require('express-jwt');
var auth = {
  required: jwt({ secret: secret, userProperty: 'payload', getToken: getTokenFromHeader }),
  optional: jwt({ secret: secret, userProperty: 'payload', credentialsRequired: false }),
  admin: requireAdmin,
  paths: { login: '/login' },
};
module.exports = auth;
"#);
    assert_eq!(
        aliases(&f),
        [
            "auth.required = jwt()",
            "auth.optional = jwt()?",
            "auth.admin -> requireAdmin",
        ]
    );
    assert_eq!(exports(&f), ["default = auth"]);
}

fn summary_of<'f>(f: &'f FileFacts, name: &str) -> &'f keyhole_core::facts::FunctionSummary {
    &f.functions
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no function {name}"))
        .summary
}

#[test]
fn middleware_is_summarised_by_what_it_does() {
    let f = js(r#"
function requireUser(req, res, next) {
  if (!req.user) return res.status(401).end();
  next();
}
const onlyStaff = (req, res, next) => (req.user.staff ? next() : res.sendStatus(403));
const jsonOnly = (req, res, next) => (req.is('json') ? next() : res.status(403).end());
exports.key = function (req, res, next) { next(createError(401)); };
module.exports.koa = async (ctx, next) => { if (!ctx.state.user) ctx.throw(401); await next(); };
const guards = { hook: async (request, reply) => { await request.jwtVerify(); } };
middleware.loose = helpers.try(async (req, res, next) => {
  await authenticate(req, res);
  next();
});
fastify.decorate('authenticate', async (request, reply) => { reply.code(401).send(); });
middleware.bannedHome = helpers.try(async (req, res, next) => {
  if (req.loggedIn) {
    if (await isBanned(req.uid)) {
      return controllers.helpers.notAllowed(req, res);
    }
  }
  next();
});
const staffOnly = (req, res, next) => {
  if (req.user && !req.user.staff) return res.sendStatus(403);
  if (!req.user) return res.sendStatus(401);
  next();
};
"#);
    // A denial only for signed-in callers lets anonymous ones through.
    let banned = summary_of(&f, "middleware.bannedHome");
    assert!(banned.denies.is_none() && banned.passes_through.is_some());
    assert!(summary_of(&f, "staffOnly").denies.is_some());
    assert!(summary_of(&f, "requireUser").denies.is_some());
    assert!(summary_of(&f, "onlyStaff").denies.is_some());
    // 403 without looking at the caller is no guard.
    assert!(summary_of(&f, "jsonOnly").denies.is_none());
    assert!(summary_of(&f, "exports.key").denies.is_some());
    assert!(summary_of(&f, "module.exports.koa").denies.is_some());
    assert!(summary_of(&f, "guards.hook").denies.is_some());
    let loose = summary_of(&f, "middleware.loose");
    assert!(loose.denies.is_none() && loose.passes_through.is_some());
    assert!(summary_of(&f, "fastify.authenticate").denies.is_some());
}

#[test]
fn inline_handler_checks_are_guards() {
    let f = js(r#"
const express = require('express');
const router = express.Router();
router.get('/me', (req, res) => {
  if (!req.user) { return res.status(401).end(); }
  res.json(req.user);
});
router.get('/post', async (req, res) => {
  if (post.private && !req.user) return res.sendStatus(401);
  res.json(post);
});
router.get('/open', (req, res) => res.json({}));
"#);
    let checks: Vec<(usize, bool)> = f
        .routes
        .iter()
        .map(|r| {
            let inline: Vec<&GuardRef> = r
                .guards
                .iter()
                .filter(|g| g.site == keyhole_core::facts::GuardSite::InlineCheck)
                .collect();
            (inline.len(), inline.first().is_some_and(|g| g.optional))
        })
        .collect();
    assert_eq!(checks, [(1, false), (1, true), (0, false)]);
}

#[test]
fn koa_and_fastify_registrations() {
    let f = js(r#"
const Router = require('@koa/router');
const jwt = require('koa-jwt');
const router = new Router({ prefix: '/api' });
router.get('users.list', '/users', list);
router.use('/nested', other.routes());
app.use(jwt({ secret }).unless({ path: [/^\/public/, '/login'] }));
app.use(router.allowedMethods());
"#);
    assert_eq!(
        f.routers[0]
            .prefix
            .as_ref()
            .and_then(|p| p.value.as_deref()),
        Some("/api")
    );
    assert_eq!(f.routes[0].path.value.as_deref(), Some("/users"));
    let unless = f
        .uses
        .iter()
        .find_map(|u| u.unless.as_ref())
        .expect("unless");
    assert_eq!(unless.paths, ["/login"]);
    assert_eq!(unless.patterns, [r"/^\/public/"]);
    assert!(!unless.unreadable);
    // `allowedMethods()` is neither a mount nor a guard.
    assert_eq!(f.uses.len(), 2);

    let f = js(r#"
const fp = require('fastify-plugin');
module.exports = fp(async function (fastify, opts) {
  fastify.addHook('onRequest', fastify.authenticate);
  fastify.register(require('./users'), { prefix: '/users' });
  fastify.route({ method: ['GET', 'HEAD'], url: '/x', preHandler: [check], handler: h });
});
"#);
    assert_eq!(f.routers.len(), 1);
    assert!(f.routers[0].shares_parent_scope);
    assert_eq!(f.routes[0].methods.len(), 2);
    assert_eq!(f.routes[0].guards.len(), 1);
    let mount = f
        .uses
        .iter()
        .find(|u| u.prefix.is_some())
        .expect("register");
    assert_eq!(
        mount.prefix.as_ref().and_then(|p| p.value.as_deref()),
        Some("/users")
    );
}

#[test]
fn early_return_on_a_missing_user_is_not_pass_through() {
    let f = js(r#"
function requireLogin(req, res, next) {
  if (!req.session.user) {
    return sendError(res, 'login required');
  }
  next();
}
"#);
    let s = summary_of(&f, "requireLogin");
    assert!(s.denies.is_none() && s.passes_through.is_none());
}

#[test]
fn functions_are_named_after_their_binding_site() {
    let f = ts(r#"
const plain = (req, res, next) => next();
const wrapped = (helpers.try(asyncHandler((async function (req, res, next) { next(); }) as any)));
const auth = { check(req, res, next) { next(); }, 'quoted': (req, res, next) => next(), nested: { deep: () => 1 } };
module.exports.hooks = { pre: fp(async (request, reply) => {}) };
exports.direct = function (req, res, next) { next(); };
a.b = c = (req, res, next) => next();
fastify.decorate('authenticate', fp(async (request, reply) => {}));
(fastify.decorate as any)('viaCast', async (request, reply) => {});
fastify.decorate!('viaBang', async (request, reply) => {});
router.get('/x', asyncHandler((req, res) => res.send()));
const notAWrapper = wrap(one, (req, res, next) => next());
const [destructured] = [(req, res, next) => next()];
class C { method(req, res, next) { next(); } }
app.use(function named(req, res, next) { next(); });
const seven = a(b(c(d(e(f(g((req, res, next) => next())))))));
const six = a(b(c(d(e(f((req, res, next) => next()))))));
"#);
    let names: Vec<&str> = f.functions.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "plain",
            "wrapped",
            "auth.check",
            "auth.quoted",
            "module.exports.hooks.pre",
            "exports.direct",
            "c",
            "fastify.authenticate",
            "fastify.viaCast",
            "fastify.viaBang",
            "six",
        ]
    );
}

#[test]
fn route_templates_read_parameters_through_rest_arguments_and_locals() {
    use keyhole_core::facts::{ParamIndex, PathPiece};
    let f = js(r#"
const helpers = module.exports;
helpers.setupPageRoute = function (...args) {
  const [router, name] = args;
  let middlewares = args.length > 3 ? args[args.length - 2] : [];
  const controller = args[args.length - 1];
  middlewares = [middleware.autoLocale, ...middlewares];
  router.get(`/api${name}`, middlewares, helpers.tryRoute(controller));
};
helpers.setupApiRoute = function (router, verb, name, middlewares, controller) {
  router[verb](name, [middleware.requireToken, ...middlewares], controller);
};
// No parameter fills the route in: an ordinary parameter router.
module.exports.plain = function (app) {
  app.get('/plain', auth, (req, res) => res.end());
};
function setup(app) {
  helpers.setupApiRoute(app, 'post', '/x', [auth], h);
}
"#);
    assert_eq!(f.route_params.len(), 2, "{:?}", f.route_params);
    let page = &f.route_params[0];
    assert_eq!(
        page.path,
        Some(vec![
            PathPiece::Text("/api".into()),
            PathPiece::Param(ParamIndex::Front(1))
        ])
    );
    assert_eq!(page.guards, vec![ParamIndex::Back(2)]);
    assert_eq!(page.handler, Some(ParamIndex::Back(1)));
    let api = &f.route_params[1];
    assert_eq!(api.method, Some(ParamIndex::Front(1)));
    assert_eq!(api.guards, vec![ParamIndex::Front(3)]);
    let r = routes(&f);
    assert!(
        r.iter().any(|r| r.contains("helpers.setupPageRoute.(0)")),
        "{r:?}"
    );
    // The call that passes a router records its arguments.
    assert_eq!(f.call_args.len(), 1);
    let args = &f.call_args[0].args;
    assert_eq!(args[1].text.as_deref(), Some("post"));
    assert_eq!(args[2].text.as_deref(), Some("/x"));
    assert_eq!(guards(&args[3].guards), "auth");
}
