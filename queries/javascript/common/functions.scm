; Functions, summarised for guard resolution (`res.status(401)`, `ctx.throw(401)`, …) when
; they are bound to a name the extractor can read (`function requireAuth`, `const f = (req,
; res, next) => …`, `exports.f = …`, `{ f(req, res, next) {…} }`), and inline middleware and
; handlers.
(function_declaration) @function
(arrow_function) @function
(function_expression) @function
(method_definition) @function

; Where a function gets its name, read downwards from the binding (through parentheses,
; `as T` and single-argument wrappers) so that no function has to look up its parents.
(variable_declarator value: (_)) @function.site
(assignment_expression right: (_)) @function.site
(call_expression
  function: (member_expression property: (property_identifier) @_decorate)
  (#eq? @_decorate "decorate")) @function.site
(call_expression
  function: (_ (member_expression property: (property_identifier) @_decorate))
  (#eq? @_decorate "decorate")) @function.site
(call_expression function: (parenthesized_expression)) @function.site
