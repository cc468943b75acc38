; Imports: the module graph follows these to find routers, guards and aliases defined elsewhere.
(import_statement) @import
(import_from_statement) @import
