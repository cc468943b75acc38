pub mod check;
pub mod explain;
pub mod init;
pub mod inventory;
pub mod parse;
pub mod rules;

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use keyhole_core::vocabulary::Vocabulary;
use keyhole_engine::{Analysis, Options, Settings};

/// Whether to colour output written to stdout.
pub fn colour(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Which configuration file to read.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ConfigArgs {
    /// Read this configuration file instead of the nearest `keyhole.toml`,
    /// `.keyhole.toml` or `pyproject.toml` with `[tool.keyhole]`.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no configuration file.
    #[arg(long)]
    pub no_config: bool,
}

/// What to analyse and how.
#[derive(Debug, Default)]
pub struct Request {
    pub paths: Vec<PathBuf>,
    pub specs: Vec<PathBuf>,
    pub verbose: bool,
    pub config: ConfigArgs,
    /// Report only findings in these files (`--changed-since`).
    pub report_only: Option<Vec<PathBuf>>,
    /// When only files are named, analyse their whole project and report on them alone.
    pub project_context: bool,
}

/// The configuration for `start` (the first analysed path), if any.
pub fn settings(config: &ConfigArgs, start: &Path) -> Result<Option<Settings>> {
    if config.no_config {
        return Ok(None);
    }
    let file = match &config.config {
        Some(file) => file.clone(),
        None => match keyhole_config::find(start) {
            Some(file) => file,
            None => return Ok(None),
        },
    };
    let rules = keyhole_rules::all_meta();
    Ok(Some(keyhole_config::load(&file, &rules)?))
}

/// The project a set of files belongs to: the configuration's directory, else the git
/// work tree, else the current directory — as a path relative to the current directory.
fn project_root(settings: Option<&Settings>, first: &Path) -> PathBuf {
    let root = settings.map(|s| s.root.clone()).or_else(|| {
        let dir = first.parent().filter(|p| !p.as_os_str().is_empty());
        git_toplevel(dir.unwrap_or(Path::new("."))).ok()
    });
    let Some(root) = root else {
        return PathBuf::from(".");
    };
    let Ok(cwd) = std::env::current_dir().map(|c| keyhole_engine::canonical(&c)) else {
        return root;
    };
    let root = keyhole_engine::canonical(&root);
    if let Ok(below) = root.strip_prefix(&cwd) {
        return if below.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            below.to_path_buf()
        };
    }
    if let Ok(above) = cwd.strip_prefix(&root) {
        return above.components().map(|_| "..").collect();
    }
    root
}

/// `git rev-parse --show-toplevel`, run in `dir`.
pub fn git_toplevel(dir: &Path) -> Result<PathBuf> {
    let out = git(dir, &["rev-parse", "--show-toplevel"])?;
    Ok(PathBuf::from(out.trim_end()))
}

/// Run git in `dir`; its stdout, or an error carrying its stderr.
pub fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .context("cannot run `git`")?;
    if !output.status.success() {
        anyhow::bail!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Run the engine and print input problems (one line each) and, with `verbose`, the skips.
///
/// Files named alone on the command line (the pre-commit case) are analysed with their
/// whole project for context, and only their findings are reported.
pub fn analyse(request: Request) -> Result<Analysis> {
    let Request {
        paths,
        mut specs,
        verbose,
        config,
        report_only,
        project_context,
    } = request;
    let paths = if paths.is_empty() && specs.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let start = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let settings = settings(&config, &start)?;
    let mut vocabulary = Vocabulary::default();
    if let Some(settings) = &settings {
        settings.extend_vocabulary(&mut vocabulary);
        specs.extend(settings.specs.iter().cloned());
    }
    let files_only = project_context && !paths.is_empty() && paths.iter().all(|p| p.is_file());
    let (paths, report_only) = if files_only && report_only.is_none() {
        let root = project_root(settings.as_ref(), &start);
        // What the configuration excludes is not reported even when named (pre-commit
        // names every changed file).
        let only = paths
            .iter()
            .filter(|p| !settings.as_ref().is_some_and(|s| s.is_excluded(p)))
            .cloned()
            .collect();
        let mut all = vec![root];
        all.extend(paths);
        (all, Some(only))
    } else {
        (paths, report_only)
    };
    let report_only: Option<HashSet<PathBuf>> =
        report_only.map(|files| files.iter().map(|f| keyhole_engine::canonical(f)).collect());
    let options = Options {
        paths,
        specs,
        vocabulary,
        settings: settings.map(Arc::new),
        report_only,
        ..Options::default()
    };
    let analysis = keyhole_engine::analyze(&options);
    for notice in &analysis.notices {
        eprintln!("keyhole: warning: {notice}");
    }
    if verbose {
        let stats = &analysis.stats;
        eprintln!(
            "keyhole: analysed {} files, {} endpoints; skipped {}",
            stats.files_analysed,
            analysis.project.endpoints.len(),
            stats.skipped.total()
        );
        for (reason, count) in &stats.skipped.by_reason {
            eprintln!("keyhole:   {count:>6}  {reason}");
        }
        for (phase, time) in &stats.timings {
            eprintln!("keyhole: {:>8.1} ms  {phase}", time.as_secs_f64() * 1000.0);
        }
        if stats.quiet_syntax_errors > 0 {
            eprintln!(
                "keyhole: {} files without routes had syntax errors (not shown)",
                stats.quiet_syntax_errors
            );
        }
    }
    Ok(analysis)
}
