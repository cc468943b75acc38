; NestJS: classes that may be `@Controller(…)`s; the extractor reads their decorators (on the
; class, or on the `export` statement in front of it) and the decorators of their methods.
(class_declaration) @class
