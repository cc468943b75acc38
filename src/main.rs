//! keyhole: finds every HTTP endpoint a repository exposes and reports the unguarded ones.

mod commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "keyhole",
    version,
    about = "Finds every HTTP endpoint a repository exposes and reports the ones left open."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report findings (unauthenticated endpoints, …) as diagnostics.
    Check(commands::check::CheckArgs),
    /// List every endpoint with its full route and the evidence for its auth state.
    Inventory(commands::inventory::InventoryArgs),
    /// List the rules.
    Rules(commands::rules::RulesArgs),
    /// Print a rule's documentation.
    Explain(commands::explain::ExplainArgs),
    /// Run the language server over stdio (diagnostics on open, change and save).
    Lsp,
    /// Write a commented `keyhole.toml` for the project, from what keyhole detects in it.
    Init(commands::init::InitArgs),
    /// Parse the files without extracting anything (the benchmark's baseline).
    #[command(hide = true)]
    Parse(commands::parse::ParseArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            // Help and version are not usage errors.
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Check(args) => commands::check::run(args),
        Command::Inventory(args) => commands::inventory::run(args),
        Command::Rules(args) => commands::rules::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Lsp => keyhole_lsp::run_stdio()
            .map(|()| ExitCode::SUCCESS)
            .map_err(anyhow::Error::from),
        Command::Parse(args) => commands::parse::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("keyhole: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
