; Bindings: `const app = express()`, `const router = express.Router()`, path constants.
(variable_declarator
  name: (identifier) @assign.name
  value: (_) @assign.value) @assign

; Late bindings: `let app; app = express();`, `app = module.exports = express()`.
(assignment_expression
  left: (identifier) @assign.name
  right: (_) @assign.value) @assign
