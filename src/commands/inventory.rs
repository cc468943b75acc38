use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

#[derive(clap::Args)]
pub struct InventoryArgs {
    /// Files or directories to analyse (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// An OpenAPI/Swagger file to read, whether or not discovery finds it (repeatable).
    #[arg(long = "spec", value_name = "FILE")]
    pub specs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Show what was skipped and why.
    #[arg(long, short)]
    pub verbose: bool,
    #[command(flatten)]
    pub config: super::ConfigArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn run(args: InventoryArgs) -> Result<ExitCode> {
    let analysis = super::analyse(super::Request {
        paths: args.paths,
        specs: args.specs,
        verbose: args.verbose,
        config: args.config,
        report_only: None,
        project_context: false,
    })?;
    let project = &analysis.project;
    let out = match args.format {
        Format::Table => keyhole_report::inventory_table(&project.endpoints, &project.files),
        Format::Json => {
            keyhole_report::inventory_json(&project.endpoints, &project.files, &project.spec_links)
        }
    };
    print!("{out}");
    // As in `check`: the process exits next; freeing the analysis is work nobody waits for.
    std::mem::forget(analysis);
    Ok(ExitCode::SUCCESS)
}
