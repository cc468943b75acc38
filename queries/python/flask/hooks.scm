; Request hooks: `@app.before_request` / `@bp.before_request` / `@bp.before_app_request`.
(decorated_definition
  (decorator
    (attribute
      object: (_) @hook.receiver
      attribute: (identifier) @hook.kind)) @hook.decorator
  definition: (function_definition) @hook.function
  (#match? @hook.kind "^(before_request|before_app_request)$"))
