; Django URLconfs: `urlpatterns = […]`, `urlpatterns += […]`, and other module-level lists of
; patterns (`api_patterns = […]`) that may be included.
(assignment
  left: (identifier) @urlconf.name
  right: (_) @urlconf.value
  (#match? @urlconf.name "(^urlpatterns|_patterns|_urls|_urlpatterns)$")) @urlconf
(augmented_assignment
  left: (identifier) @urlconf.name
  right: (_) @urlconf.value
  (#match? @urlconf.name "(^urlpatterns|_patterns|_urls|_urlpatterns)$")) @urlconf

; Calls that register a view object: DRF `router.register('users', UserViewSet)`, Flask
; `bp.add_url_rule('/x', view_func=View.as_view('x'))`, `urlpatterns.append(path(…))`,
; flask-restful `api.add_resource(Res, '/x')` and project wrappers named `add_*resource`.
(call
  function: (attribute
    object: (_) @view.receiver
    attribute: (identifier) @view.method)
  arguments: (argument_list) @view.args
  (#match? @view.method "^(register|add_url_rule|append|extend|add_[a-z_]*resource)$")) @view.call

; A view put into a registry by a call applied to it, at module level:
; `register_model_view(CircuitTermination, 'trace', kwargs={…})(PathTraceView)`.
(module
  (expression_statement
    (call
      function: (call)
      arguments: (argument_list)) @view.registration))

; Class-based views (Django, DRF, Flask `View`/`MethodView`), their mixins and permission
; classes: any class; the link pass decides from the bases whether it is a view.
(class_definition) @view.class

; Decorated functions: Django function views with `@login_required`, `@require_POST`,
; DRF `@api_view`/`@permission_classes`.
(decorated_definition
  definition: (function_definition)) @view.function

; Django settings, read statically: `ROOT_URLCONF`, `MIDDLEWARE`, `REST_FRAMEWORK`.
(module
  (expression_statement
    (assignment
      left: (identifier) @settings.name
      right: (_) @settings.value) @settings)
  (#match? @settings.name "^(ROOT_URLCONF|MIDDLEWARE|MIDDLEWARE_CLASSES|REST_FRAMEWORK)$"))
(module
  (expression_statement
    (augmented_assignment
      left: (identifier) @settings.name
      right: (_) @settings.value) @settings)
  (#match? @settings.name "^(MIDDLEWARE|MIDDLEWARE_CLASSES)$"))
