//! The commented starter configuration `keyhole init` writes.

use std::fmt::Write as _;

/// What `keyhole init` found in the project.
#[derive(Debug, Clone, Default)]
pub struct Detected {
    /// Frameworks serving endpoints (`fastapi`, `express`, …), sorted.
    pub frameworks: Vec<String>,
    /// Spec files discovery found, relative to the configuration's directory.
    pub specs: Vec<String>,
    /// How many endpoints were found.
    pub endpoints: usize,
}

fn guard_examples(frameworks: &[String]) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    for f in frameworks {
        let example = match f.as_str() {
            "flask" => ("tenant_required", "a Flask decorator"),
            "fastapi" => ("current_account", "a FastAPI dependency"),
            "django" | "django-rest-framework" => (
                "IsTenantMember",
                "a Django/DRF permission class or decorator",
            ),
            "express" | "koa" | "fastify" | "hono" => ("ensureSession", "a middleware"),
            "nestjs" => ("TenantGuard", "a NestJS guard"),
            _ => continue,
        };
        if !out.contains(&example) {
            out.push(example);
        }
    }
    out
}

/// A commented `keyhole.toml` for what was detected. It parses as it is.
pub fn starter(detected: &Detected) -> String {
    let mut s = String::new();
    s.push_str(
        "# keyhole configuration: https://example.invalid/keyhole/docs/keyhole.schema.json\n",
    );
    s.push_str("# Paths and globs are relative to this file's directory.\n");
    if detected.frameworks.is_empty() {
        s.push_str("# keyhole found no endpoints yet.\n");
    } else {
        let _ = writeln!(
            s,
            "# Detected: {} ({} endpoints).",
            detected.frameworks.join(", "),
            detected.endpoints
        );
    }
    s.push('\n');
    s.push_str(
        "# Rules to run (names or families: auth, data, inventory, config, meta) and not to run.\n",
    );
    s.push_str("# select = [\"all\"]\n");
    s.push_str("ignore = []\n\n");
    s.push_str("# Files and directories not to analyse.\n");
    s.push_str("exclude = [\n    # \"legacy/**\",\n    # \"**/migrations/**\",\n]\n\n");
    s.push_str("# OpenAPI/Swagger specs keyhole should read even where discovery does not look.\n");
    if detected.specs.is_empty() {
        s.push_str("specs = []\n");
    } else {
        s.push_str("# Found by discovery (read anyway; listed here for the record):\n");
        s.push_str("specs = [\n");
        for spec in &detected.specs {
            let _ = writeln!(s, "    {},", toml_string(spec));
        }
        s.push_str("]\n");
    }
    s.push_str("\n[severity]\n# auth-outlier = \"error\"\n# missing-rate-limit = \"off\"\n\n");
    s.push_str("# Teach keyhole the guards it does not recognise by name.\n[guards]\nnames = [\n");
    let examples = guard_examples(&detected.frameworks);
    if examples.is_empty() {
        s.push_str("    # \"require_tenant\",\n");
    }
    for (name, what) in examples {
        let _ = writeln!(s, "    # \"{name}\",  # {what}");
    }
    s.push_str("]\n# Guards that let anonymous requests through.\noptional = []\n\n");
    s.push_str("# Endpoints that are public on purpose.\n[public]\n");
    s.push_str(
        "# Decorators, dependencies or middleware that mark a route public.\nmarkers = []\n",
    );
    s.push_str("# Last path segments of reads that are public everywhere (health, robots.txt… are built in).\npaths = []\n\n");
    s.push_str("# Field names that hold credentials or regulated data, beyond the built-in ones.\n[sensitive]\nfields = []\n\n");
    s.push_str("# Settings for some files only.\n# [[overrides]]\n# files = [\"scripts/**\"]\n# ignore = [\"missing-auth\"]\n");
    s
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
