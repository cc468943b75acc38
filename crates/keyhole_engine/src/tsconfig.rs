//! Path aliases of the JavaScript module graph: `compilerOptions.paths` and `baseUrl` of the
//! `tsconfig.json` / `jsconfig.json` nearest to a file (`import routes from '@/server/routes'`
//! with `"@/*": ["src/*"]`). The files are JSON with comments and trailing commas; `extends`
//! is followed to other config files found in the repository (a package such as
//! `@tsconfig/node20` is not read). As in TypeScript, `paths` targets are relative to the
//! `baseUrl` in effect, else to the config file that sets `paths`.

use std::path::PathBuf;

/// Bound on the size of a config file read.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;
/// Bound on `extends` hops, against cycles.
const MAX_EXTENDS: usize = 8;

/// The aliases in effect for the files under one config's directory.
#[derive(Debug, Clone, Default)]
pub struct PathConfig {
    /// The config's directory, as a display path ("" for the working directory).
    pub dir: String,
    /// Where `paths` targets are resolved from.
    pub paths_base: String,
    /// `baseUrl`, resolved: bare specifiers may name files below it.
    pub base_url: Option<String>,
    /// `"@/*": ["src/*"]`, in file order.
    pub paths: Vec<(String, Vec<String>)>,
}

/// Whether a file name is a TypeScript/JavaScript project config.
pub fn is_config_name(name: &str) -> bool {
    name == "jsconfig.json" || (name.starts_with("tsconfig") && name.ends_with(".json"))
}

/// One config file as read.
struct Raw {
    path: String,
    dir: String,
    /// `baseUrl` joined to the config's directory.
    base_url: Option<String>,
    paths: Option<Vec<(String, Vec<String>)>>,
    /// `extends`, as paths of other config files.
    extends: Vec<String>,
}

/// Read the config files found by discovery (display path, disk path) into the aliases of
/// each `tsconfig.json` / `jsconfig.json`.
pub fn load(files: &[(String, PathBuf)]) -> Vec<PathConfig> {
    let raws: Vec<Raw> = files
        .iter()
        .filter_map(|(display, disk)| {
            let size = disk.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
            if size > MAX_CONFIG_SIZE {
                return None;
            }
            let text = std::fs::read_to_string(disk).ok()?;
            parse(display, &text)
        })
        .collect();
    let mut out = Vec::new();
    for raw in &raws {
        let name = raw.path.rsplit('/').next().unwrap_or(&raw.path);
        if name != "tsconfig.json" && name != "jsconfig.json" {
            continue;
        }
        // The chain of configs, nearest first.
        let mut chain: Vec<&Raw> = vec![raw];
        let mut i = 0;
        while i < chain.len() && chain.len() < MAX_EXTENDS {
            for parent in &chain[i].extends {
                if let Some(p) = raws.iter().find(|r| &r.path == parent) {
                    if !chain.iter().any(|c| c.path == p.path) {
                        chain.push(p);
                    }
                }
            }
            i += 1;
        }
        let base_url = chain.iter().find_map(|c| c.base_url.clone());
        let Some(owner) = chain.iter().find(|c| c.paths.is_some()) else {
            if base_url.is_some() {
                out.push(PathConfig {
                    dir: raw.dir.clone(),
                    paths_base: raw.dir.clone(),
                    base_url,
                    paths: Vec::new(),
                });
            }
            continue;
        };
        out.push(PathConfig {
            dir: raw.dir.clone(),
            paths_base: base_url.clone().unwrap_or_else(|| owner.dir.clone()),
            base_url,
            paths: owner.paths.clone().unwrap_or_default(),
        });
    }
    out
}

fn parse(path: &str, text: &str) -> Option<Raw> {
    let value: serde_json::Value = serde_json::from_str(&strip_jsonc(text)).ok()?;
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let options = value.get("compilerOptions");
    let base_url = options
        .and_then(|o| o.get("baseUrl"))
        .and_then(|b| b.as_str())
        .map(|b| join(&dir, b));
    let paths = options
        .and_then(|o| o.get("paths"))
        .and_then(|p| p.as_object())
        .map(|map| {
            map.iter()
                .map(|(pattern, targets)| {
                    let targets = targets
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|t| t.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    (pattern.clone(), targets)
                })
                .collect()
        });
    let extends = match value.get("extends") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let extends = extends
        .into_iter()
        .filter(|e| e.starts_with('.'))
        .map(|e| {
            let e = if e.ends_with(".json") {
                e
            } else {
                format!("{e}.json")
            };
            join(&dir, &e)
        })
        .collect();
    Some(Raw {
        path: path.to_string(),
        dir,
        base_url,
        paths,
        extends,
    })
}

/// `dir` + `rel`, with `.` and `..` resolved.
pub fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        crate::modules::normalise(rel)
    } else {
        crate::modules::normalise(&format!("{dir}/{rel}"))
    }
}

/// JSON with comments (`//`, `/* */`) and trailing commas, as tsconfig files are written,
/// made plain JSON.
fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for n in chars.by_ref() {
                    if last == '*' && n == '/' {
                        break;
                    }
                    last = n;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    // Trailing commas: a comma followed (after whitespace) by `}` or `]`.
    let bytes: Vec<char> = out.chars().collect();
    let mut cleaned = String::with_capacity(out.len());
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            cleaned.push(c);
            if c == '\\' && i + 1 < bytes.len() {
                cleaned.push(bytes[i + 1]);
                i += 2;
                continue;
            }
            if c == '"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        if c == ',' {
            let next = bytes[i + 1..].iter().find(|n| !n.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                i += 1;
                continue;
            }
        }
        cleaned.push(c);
        i += 1;
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc() {
        let text = r#"{
            // comment
            "compilerOptions": { /* block */ "baseUrl": ".", "paths": { "@/*": ["src/*",], }, },
            "include": ["a//b"],
        }"#;
        let raw = parse("app/tsconfig.json", text).expect("parses");
        assert_eq!(raw.base_url.as_deref(), Some("app"));
        assert_eq!(
            raw.paths,
            Some(vec![("@/*".to_string(), vec!["src/*".to_string()])])
        );
    }
}
