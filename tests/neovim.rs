//! A real client: Neovim headless, with `editors/neovim`, starts `keyhole lsp` on a small
//! Flask project, opens the file with an unguarded route, and receives its diagnostic.
//! Skipped (with a message) where `nvim` is not installed; `.ci/run` installs it.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn neovim_receives_the_diagnostics() {
    if Command::new("nvim").arg("--version").output().is_err() {
        eprintln!("skipped: nvim is not installed");
        return;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::Builder::new().prefix("nvim").tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let app = dir.path().join("app.py");
    std::fs::write(
        &app,
        "from flask import Flask\napp = Flask(__name__)\n\n@app.delete('/items/<int:id>')\ndef delete(id):\n    return ''\n",
    )
    .unwrap();
    let out = dir.path().join("out.txt");
    let status = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-c"])
        .arg(format!(
            "luafile {}",
            repo.join("tests/editors/neovim.lua").display()
        ))
        .env("KEYHOLE_BIN", env!("CARGO_BIN_EXE_keyhole"))
        .env("KEYHOLE_PLUGIN", repo.join("editors/neovim"))
        .env("KEYHOLE_FILE", &app)
        .env("KEYHOLE_OUT", &out)
        .current_dir(dir.path())
        .status()
        .expect("nvim runs");
    assert!(status.success());
    let got = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        got.trim_end(),
        "4 keyhole `DELETE /items/{id}` is served without authentication"
    );
}
