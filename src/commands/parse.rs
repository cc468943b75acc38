use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use keyhole_engine::Options;

#[derive(clap::Args)]
pub struct ParseArgs {
    pub paths: Vec<PathBuf>,
}

pub fn run(args: ParseArgs) -> Result<ExitCode> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let (files, nodes) = keyhole_engine::parse_only(&Options {
        paths,
        ..Options::default()
    });
    println!("parsed {files} files, {nodes} nodes");
    Ok(ExitCode::SUCCESS)
}
