; flask-restx / flask-restful class decorators that register a Resource class:
; `@ns.route('/users/<int:id>', '/u/<int:id>')`, `@api.resource('/todos')`.
(decorated_definition
  (decorator
    (call
      function: (attribute
        object: (_) @resource.receiver
        attribute: (identifier) @_resource_verb)
      arguments: (argument_list) @resource.args)) @resource.decorator
  definition: (class_definition) @resource.class
  (#match? @_resource_verb "^(route|resource)$"))
