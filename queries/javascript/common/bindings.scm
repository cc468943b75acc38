; Bindings: `const app = express()`, `const router = express.Router()`, path constants.
(variable_declarator
  name: (identifier) @assign.name
  value: (_) @assign.value) @assign
