use std::process::ExitCode;

use anyhow::Result;

#[derive(clap::Args)]
pub struct RulesArgs {}

pub fn run(_: RulesArgs) -> Result<ExitCode> {
    for meta in keyhole_rules::all_meta() {
        println!(
            "{:<24} {:<10} {:<8} {}",
            meta.name,
            meta.family,
            meta.default_severity.as_str(),
            meta.summary
        );
    }
    Ok(ExitCode::SUCCESS)
}
