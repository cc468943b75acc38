; Functions, summarised for guard resolution (`res.status(401)`, `ctx.throw(401)`, …) when
; they are bound to a name the extractor can read (`function requireAuth`, `const f = (req,
; res, next) => …`, `exports.f = …`, `{ f(req, res, next) {…} }`), and inline middleware and
; handlers.
(function_declaration) @function
(arrow_function) @function
(function_expression) @function
(method_definition) @function
