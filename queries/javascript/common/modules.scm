; ES modules and CommonJS: imports, requires and exports feed the module graph.
(import_statement) @import
(export_statement) @export

(variable_declarator
  name: (_) @require.binding
  value: (call_expression
    function: (identifier) @_require
    arguments: (arguments . (string) @require.source))
  (#eq? @_require "require")) @require

(assignment_expression
  left: (member_expression) @export.target
  right: (_) @export.value) @export.assign
