pub mod check;
pub mod explain;
pub mod inventory;
pub mod parse;
pub mod rules;

use std::io::IsTerminal;
use std::path::PathBuf;

use keyhole_engine::{Analysis, Options};

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

/// Run the engine and print input problems (one line each) and, with `verbose`, the skips.
pub fn analyse(paths: Vec<PathBuf>, specs: Vec<PathBuf>, verbose: bool) -> Analysis {
    let paths = if paths.is_empty() && specs.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let options = Options {
        paths,
        specs,
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
    analysis
}
