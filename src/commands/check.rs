use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
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
    let analysis = super::analyse(args.paths, args.specs, args.verbose);
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
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
