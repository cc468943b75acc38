//! A cached run gives what a fresh run gives, after edits, additions and removals.

use keyhole_engine::{analyze, analyze_cached, FactsCache, Options};

fn summary(options: &Options, cache: Option<&mut FactsCache>) -> Vec<String> {
    let analysis = match cache {
        Some(cache) => analyze_cached(options, cache),
        None => analyze(options),
    };
    analysis
        .diagnostics
        .iter()
        .map(|d| format!("{} {} {}", d.rule, d.primary.span.start, d.message))
        .collect()
}

#[test]
fn cached_runs_match_fresh_runs() {
    // Not `.tmpXXXX`: a dot in a directory name breaks Python module names.
    let dir = tempfile::Builder::new().prefix("cache").tempdir().unwrap();
    let root = dir.path();
    let app = "from flask import Flask\nfrom views import bp\napp = Flask(__name__)\napp.register_blueprint(bp, url_prefix='/v')\n";
    let views = "from flask import Blueprint\nbp = Blueprint('v', __name__)\n\n@bp.delete('/items/<int:id>')\ndef delete(id):\n    return ''\n";
    std::fs::write(root.join("app.py"), app).unwrap();
    std::fs::write(root.join("views.py"), views).unwrap();
    let options = Options {
        paths: vec![root.to_path_buf()],
        ..Options::default()
    };
    let mut cache = FactsCache::default();
    let first = summary(&options, Some(&mut cache));
    assert_eq!(first, summary(&options, None));
    assert_eq!(first.len(), 1, "{first:?}");
    // Guard the route in views.py; app.py is reused from the cache.
    let guarded = views.replace("def delete", "@login_required\ndef delete");
    std::fs::write(root.join("views.py"), &guarded).unwrap();
    let second = summary(&options, Some(&mut cache));
    assert_eq!(second, summary(&options, None));
    assert!(second.is_empty(), "{second:?}");
    // A file sorted before the others shifts every file id.
    std::fs::write(root.join("a_first.py"), "x = 1\n").unwrap();
    std::fs::write(root.join("views.py"), views).unwrap();
    let third = summary(&options, Some(&mut cache));
    assert_eq!(third, summary(&options, None));
    assert_eq!(third.len(), 1, "{third:?}");
}
