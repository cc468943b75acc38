use std::process::ExitCode;

use anyhow::{bail, Result};

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The rule's name, e.g. `missing-auth`.
    pub rule: String,
}

pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let Some(rule) = keyhole_rules::find(&args.rule) else {
        let names: Vec<&str> = keyhole_rules::all_rules()
            .iter()
            .map(|r| r.meta().name)
            .collect();
        bail!(
            "no rule named `{}` (rules: {})",
            args.rule,
            names.join(", ")
        );
    };
    print!("{}", keyhole_rules::markdown(rule.meta()));
    Ok(ExitCode::SUCCESS)
}
