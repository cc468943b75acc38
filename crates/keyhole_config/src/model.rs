//! The configuration as written: `keyhole.toml`, `.keyhole.toml`, or `[tool.keyhole]` in
//! `pyproject.toml`. The JSON schema in `docs/keyhole.schema.json` is generated from these
//! types; their doc comments are its descriptions.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// keyhole's configuration. Globs and paths are relative to the directory of the
/// configuration file keyhole found (the nearest one above the analysed path).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "keyhole configuration")]
pub struct Config {
    /// Another configuration file this one builds on, relative to this file. Its settings
    /// apply first; lists here add to its lists, and `select` and severities here replace
    /// its own.
    pub extend: Option<String>,
    /// The rules to run: rule names (`missing-auth`), families (`auth`, `data`,
    /// `inventory`, `config`, `ai`, `meta`) or `all`. Default: all.
    #[schemars(with = "Option<Vec<String>>")]
    pub select: Option<Vec<Spanned<String>>>,
    /// Rules not to run: rule names or families.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ignore: Vec<Spanned<String>>,
    /// Severity per rule name or family: `error`, `warning`, `info`, or `off`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Level>")]
    pub severity: BTreeMap<String, Spanned<Level>>,
    /// Files and directories not to analyse, as globs (`legacy/**`, `scripts`,
    /// `*_generated.py`). A pattern without `/` matches at any depth.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// OpenAPI/Swagger files to read even where discovery would not find them.
    #[serde(default)]
    pub specs: Vec<String>,
    /// What authenticates a request in this codebase.
    #[serde(default)]
    pub guards: Guards,
    /// What marks an endpoint public on purpose.
    #[serde(default)]
    pub public: Public,
    /// Field names that hold credentials or regulated data.
    #[serde(default)]
    pub sensitive: Sensitive,
    /// Settings for some files only: each entry's `files` globs select the files, and its
    /// rule settings apply on top of the ones above, in order.
    #[serde(default)]
    pub overrides: Vec<Override>,
}

/// A severity, or `off` to turn the rule off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
    Off,
}

/// Guards keyhole does not recognise by name: your own decorators, dependencies and
/// middleware (`require_tenant`, `ensureSession`, `deps.current_account`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Guards {
    /// Names (the last component or the full dotted name) of decorators, dependencies and
    /// middleware that reject anonymous requests.
    #[serde(default)]
    pub names: Vec<String>,
    /// Names of guards that let anonymous requests through (optional authentication).
    #[serde(default)]
    pub optional: Vec<String>,
    /// Names that look like guards but are not (`get_auth_header`, `token_counter`).
    #[serde(default)]
    pub not_guards: Vec<String>,
}

/// Endpoints that are public on purpose.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Public {
    /// Decorators, dependencies or middleware that mark an endpoint public on purpose
    /// (`public_route`, `allow_anonymous`, `Public`).
    #[serde(default)]
    pub markers: Vec<String>,
    /// Last path segments of reads that are public everywhere (`status`, `version`).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Path segments under which every read is public (`media`, `downloads`).
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// Path segments of endpoints that exist to authenticate (`magic-link`, `otp`).
    #[serde(default)]
    pub auth_endpoints: Vec<String>,
}

/// Sensitive data keyhole does not recognise by name.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Sensitive {
    /// Field names (exact, case-insensitive) that hold credentials or regulated personal
    /// data (`tax_id`, `medical_record_number`).
    #[serde(default)]
    pub fields: Vec<String>,
}

/// Rule settings for the files its globs select.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Override {
    /// Globs selecting the files (`legacy/**`, `**/admin/*.py`).
    #[schemars(with = "Vec<String>")]
    pub files: Vec<Spanned<String>>,
    /// Rules turned back on for these files: names or families.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub select: Vec<Spanned<String>>,
    /// Rules turned off for these files: names or families.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ignore: Vec<Spanned<String>>,
    /// Severity per rule name or family for these files.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Level>")]
    pub severity: BTreeMap<String, Spanned<Level>>,
}
