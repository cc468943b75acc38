use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use keyhole_config::Detected;
use keyhole_core::endpoint::Framework;

#[derive(clap::Args)]
pub struct InitArgs {
    /// The project directory (default: the current directory); `keyhole.toml` is written there.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite an existing `keyhole.toml`.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: InitArgs) -> Result<ExitCode> {
    let target = args.dir.join("keyhole.toml");
    if target.exists() && !args.force {
        bail!(
            "{} exists; pass `--force` to overwrite it",
            target.display()
        );
    }
    let analysis = super::analyse(super::Request {
        paths: vec![args.dir.clone()],
        config: super::ConfigArgs {
            config: None,
            no_config: true,
        },
        ..super::Request::default()
    })?;
    let project = &analysis.project;
    let mut frameworks: Vec<String> = project
        .endpoints
        .iter()
        .map(|e| e.framework)
        .filter(|f| *f != Framework::OpenApi)
        .map(|f| f.as_str().to_string())
        .collect();
    frameworks.sort();
    frameworks.dedup();
    let root = keyhole_engine::canonical(&args.dir);
    let specs = project
        .files
        .iter()
        .filter(|f| !f.language.is_code())
        .filter_map(|f| {
            let disk = keyhole_engine::canonical(&f.disk_path);
            disk.strip_prefix(&root)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    let detected = Detected {
        frameworks,
        specs,
        endpoints: project.endpoints.len(),
    };
    std::fs::write(&target, keyhole_config::starter(&detected))
        .with_context(|| format!("cannot write {}", target.display()))?;
    let what = if detected.frameworks.is_empty() {
        "no endpoints yet".to_string()
    } else {
        detected.frameworks.join(", ")
    };
    eprintln!(
        "keyhole: wrote {} (detected: {what}; {} spec files)",
        target.display(),
        detected.specs.len()
    );
    Ok(ExitCode::SUCCESS)
}
