; Every function is summarised (dependencies, denials) so a guard can be followed to the
; guard it depends on. Assignments bind routers, Annotated aliases, security schemes and
; path constants.
(function_definition) @function

(class_definition) @class

(assignment
  left: (identifier) @assign.name
  right: (_) @assign.value) @assign
