; Decorator-registered routes, shared by Flask (`@bp.route`, `@app.get`) and FastAPI
; (`@router.get`, `@app.api_route`). Which framework a route belongs to is decided when the
; receiver is resolved to its router.
(decorated_definition
  (decorator
    (call
      function: (attribute
        object: (_) @route.receiver
        attribute: (identifier) @route.verb)
      arguments: (argument_list) @route.args)) @route.decorator
  definition: (function_definition) @route.function
  (#match? @route.verb "^(route|get|post|put|patch|delete|head|options|api_route)$"))

; The same decorators applied by a call: `router.post("/register")(register_user)`,
; `app.route("/x", methods=["POST"])(view)` (often under a condition).
(call
  function: (call
    function: (attribute
      object: (_) @route.receiver
      attribute: (identifier) @route.verb)
    arguments: (argument_list) @route.args)
  arguments: (argument_list . [(identifier) (attribute)] @route.endpoint .)
  (#match? @route.verb "^(route|get|post|put|patch|delete|api_route)$")) @route.call
