; Express, Koa and Fastify: `app.get(path, …middleware, handler)`, `router.use([path], …)`,
; `app.route(path)`; Koa `router.prefix(p)`; Fastify `fastify.route({…})`, `register(plugin,
; { prefix })`, `addHook('onRequest', guard)`, `decorate('authenticate', fn)`; NestJS
; `app.setGlobalPrefix('api')`, `app.useGlobalGuards(new JwtAuthGuard())`; Hono `app.on(methods,
; path, …)`, `app.openapi(route, handler)`.
(call_expression
  function: (member_expression
    object: (_) @call.receiver
    property: (property_identifier) @call.method)
  arguments: (arguments) @call.args
  (#match? @call.method "^(get|post|put|patch|delete|del|all|head|options|use|route|prefix|register|addHook|decorate|setGlobalPrefix|useGlobalGuards|forRoutes|on|openapi)$")) @call

; `router[verb](name, …middleware, handler)` in a function whose parameters fill it in (a
; route template, see keyhole_js::templates).
(call_expression
  function: (subscript_expression
    object: (_) @call.receiver
    index: (identifier) @call.method)
  arguments: (arguments) @call.args) @call
