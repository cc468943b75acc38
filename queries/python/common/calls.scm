; Method calls that compose the router graph:
;   Flask:   app.register_blueprint(bp, url_prefix=…), app.before_request(fn)
;   flask-restful/restx: api.add_namespace(ns, path=…), api.init_app(app)
;   FastAPI/Starlette: app.add_api_route(path, endpoint, …), app.add_route(…),
;                      app.mount('/sub', subapp), app.add_middleware(Cls, …)
;   FastAPI: app.include_router(router, prefix=…, dependencies=[…])
;   connexion: app.add_api('openapi.yaml', base_path=…, resolver=…)
(call
  function: (attribute
    object: (_) @call.receiver
    attribute: (identifier) @call.method)
  arguments: (argument_list) @call.args
  (#match? @call.method "^(register_blueprint|include_router|before_request|before_app_request|add_namespace|init_app|add_api_route|add_route|mount|add_middleware|add_api)$")) @call

; Calls made as statements with arguments (`init_app(app)`, `routes.register(app)`): a router
; passed to a function that registers routes on its parameter.
(expression_statement
  (call
    function: [(identifier) (attribute)] @callsite.callee
    arguments: (argument_list (identifier)) @callsite.args) @callsite)
