; Express: `app.get(path, …middleware, handler)`, `router.use([path], …)`, `app.route(path)`.
(call_expression
  function: (member_expression
    object: (_) @call.receiver
    property: (property_identifier) @call.method)
  arguments: (arguments) @call.args
  (#match? @call.method "^(get|post|put|patch|delete|del|all|head|options|use|route)$")) @call
