; Every function is summarised (dependencies, denials) so a guard can be followed to the
; guard it depends on. Assignments bind routers, Annotated aliases, security schemes and
; path constants.
(function_definition) @function

(class_definition) @class

(assignment
  left: (identifier) @assign.name
  right: (_) @assign.value) @assign

; `routes += [Route(…)]`: more entries for a list of routes.
(augmented_assignment
  left: (identifier) @assign.name
  right: (list) @assign.value) @assign
