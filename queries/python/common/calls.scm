; Method calls that compose the router graph:
;   Flask:   app.register_blueprint(bp, url_prefix=…), app.before_request(fn)
;   FastAPI: app.include_router(router, prefix=…, dependencies=[…])
(call
  function: (attribute
    object: (_) @call.receiver
    attribute: (identifier) @call.method)
  arguments: (argument_list) @call.args
  (#match? @call.method "^(register_blueprint|include_router|before_request|before_app_request)$")) @call
