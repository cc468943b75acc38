use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use keyhole_core::Severity;
use keyhole_report::Report;

use super::ColorChoice;

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Files or directories to analyse (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// An OpenAPI/Swagger file to read, whether or not discovery finds it (repeatable).
    #[arg(long = "spec", value_name = "FILE")]
    pub specs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with 1 when there are findings at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Show what was skipped and why.
    #[arg(long, short)]
    pub verbose: bool,
    #[command(flatten)]
    pub config: super::ConfigArgs,
    /// Record the fingerprints of the current findings in FILE and report nothing
    /// (`--baseline FILE` later reports only what is new).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings not recorded in this baseline (written by `--write-baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report only findings in files changed since this git revision (committed, staged,
    /// unstaged or untracked); the whole project is still analysed for context.
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
    /// Never fail on findings.
    Never,
}

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let report_only = match &args.changed_since {
        Some(rev) => Some(changed_files(rev)?),
        None => None,
    };
    let mut analysis = super::analyse(super::Request {
        paths: args.paths,
        specs: args.specs,
        verbose: args.verbose,
        config: args.config,
        report_only,
        project_context: true,
    })?;
    if let Some(path) = &args.write_baseline {
        let count =
            keyhole_engine::baseline::write(path, &analysis.diagnostics, &analysis.project.files)?;
        eprintln!(
            "keyhole: recorded {count} findings in {}; `--baseline {}` reports only new ones",
            path.display(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(path) = &args.baseline {
        let baseline = keyhole_engine::baseline::read(path)?;
        let known = baseline.filter(&mut analysis.diagnostics);
        if args.verbose {
            eprintln!("keyhole: {known} findings are in the baseline (not shown)");
        }
    }
    let rules = keyhole_rules::all_meta();
    let report = Report {
        diagnostics: &analysis.diagnostics,
        files: &analysis.project.files,
        rules: &rules,
        tool_version: env!("CARGO_PKG_VERSION"),
    };
    let out = match args.format {
        Format::Human => {
            let mut out = keyhole_report::human(&report, super::colour(args.color));
            out.push_str(&keyhole_report::summary_line(&report));
            out.push('\n');
            out
        }
        Format::Concise => keyhole_report::concise(&report),
        Format::Json => keyhole_report::json(&report),
        Format::Sarif => keyhole_report::sarif(&report),
        Format::Github => keyhole_report::github(&report),
    };
    print!("{out}");
    let threshold = match args.fail_on {
        FailOn::Info => Some(Severity::Info),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Error => Some(Severity::Error),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| analysis.diagnostics.iter().any(|d| d.severity >= t));
    // The process exits next: freeing every file's text and the endpoints one by one is
    // serial work nobody waits for (about 15 ms on 5,000 files).
    std::mem::forget(analysis);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Files changed since `rev` in the git work tree holding the current directory: what
/// `git diff --name-only REV` lists (committed, staged and unstaged changes) and untracked
/// files, as absolute paths.
fn changed_files(rev: &str) -> Result<Vec<PathBuf>> {
    let here = std::path::Path::new(".");
    let top = super::git_toplevel(here).context("`--changed-since` needs a git repository")?;
    let diff = super::git(&top, &["diff", "--name-only", rev, "--"])
        .with_context(|| format!("cannot list the files changed since `{rev}`"))?;
    let untracked = super::git(&top, &["ls-files", "--others", "--exclude-standard"])?;
    Ok(diff
        .lines()
        .chain(untracked.lines())
        .filter(|l| !l.is_empty())
        .map(|l| top.join(l))
        .filter(|p| p.is_file())
        .collect())
}
