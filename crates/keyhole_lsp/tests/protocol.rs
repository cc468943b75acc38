//! The server in process, over `Connection::memory()`: initialise, open a file with an
//! unguarded route, see the diagnostic; fix it in the buffer (unsaved), see it cleared;
//! save; shut down.

use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use lsp_types::notification::Notification as _;
use serde_json::{json, Value};

const APP: &str = "from flask import Flask\napp = Flask(__name__)\n\n@app.delete('/items/<int:id>')\ndef delete(id):\n    return 'ok'\n";
const FIXED: &str = "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n\n@app.delete('/items/<int:id>')\n@login_required\ndef delete(id):\n    return 'ok'\n";

fn notify(client: &Connection, method: &str, params: Value) {
    client
        .sender
        .send(Message::Notification(Notification::new(
            method.into(),
            params,
        )))
        .unwrap();
}

/// The next `publishDiagnostics` for `uri`, and how long it took.
fn diagnostics_for(client: &Connection, uri: &str) -> (Vec<Value>, Duration) {
    let start = Instant::now();
    loop {
        let message = client
            .receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("the server publishes");
        if let Message::Notification(n) = message {
            if n.method == lsp_types::notification::PublishDiagnostics::METHOD
                && n.params["uri"] == uri
            {
                let list = n.params["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                return (list, start.elapsed());
            }
        }
    }
}

#[test]
fn diagnostics_on_open_change_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let file = root.join("app.py");
    std::fs::write(&file, APP).unwrap();
    let root_uri = keyhole_lsp::path_to_uri(&root)
        .unwrap()
        .as_str()
        .to_string();
    let uri = keyhole_lsp::path_to_uri(&file)
        .unwrap()
        .as_str()
        .to_string();

    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || keyhole_lsp::serve(&server));

    client
        .sender
        .send(Message::Request(Request::new(
            RequestId::from(1),
            "initialize".into(),
            json!({"capabilities": {}, "rootUri": root_uri, "workspaceFolders": [{"uri": root_uri, "name": "w"}]}),
        )))
        .unwrap();
    let Message::Response(init) = client.receiver.recv().unwrap() else {
        panic!("expected the initialize response");
    };
    assert_eq!(
        init.result.unwrap()["capabilities"]["textDocumentSync"]["change"],
        1
    );
    notify(&client, "initialized", json!({}));

    notify(
        &client,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": APP}}),
    );
    let (list, _) = diagnostics_for(&client, &uri);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["code"], "missing-auth");
    assert_eq!(list[0]["range"]["start"]["line"], 3);
    assert_eq!(list[0]["severity"], 1);

    // A quick fix inserts a suppression with a reason placeholder above the route.
    client
        .sender
        .send(Message::Request(Request::new(
            RequestId::from(9),
            "textDocument/codeAction".into(),
            json!({"textDocument": {"uri": uri}, "range": list[0]["range"], "context": {"diagnostics": [list[0]]}}),
        )))
        .unwrap();
    let actions = loop {
        if let Message::Response(r) = client.receiver.recv().unwrap() {
            break r.result.unwrap();
        }
    };
    let edit = &actions[0]["edit"]["changes"][&uri][0];
    assert_eq!(
        edit["newText"],
        "# keyhole: ignore[missing-auth] <reason>\n"
    );
    assert_eq!(edit["range"]["start"]["line"], 3);

    // The fix, unsaved: the buffer is analysed, not the file on disk.
    notify(
        &client,
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": FIXED}]}),
    );
    let (list, took) = diagnostics_for(&client, &uri);
    assert!(list.is_empty(), "{list:?}");
    eprintln!("change to diagnostics: {took:?}");

    // Saved as it was on disk: the buffer still wins while the document is open.
    notify(
        &client,
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    // Nothing to clear and nothing to report: no notification for the file is required,
    // so check the server is alive with a hover: on the route, its inventory row.
    client
        .sender
        .send(Message::Request(Request::new(
            RequestId::from(2),
            "textDocument/hover".into(),
            json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 3}}),
        )))
        .unwrap();
    loop {
        if let Message::Response(r) = client
            .receiver
            .recv_timeout(Duration::from_secs(30))
            .unwrap()
        {
            assert_eq!(r.id, RequestId::from(2));
            let value = r.result.unwrap()["contents"]["value"].clone();
            let text = value.as_str().unwrap_or_default().to_string();
            assert!(
                text.contains("**DELETE /items/{id}** · flask · auth: **required**"),
                "{text}"
            );
            assert!(text.contains("login_required"), "{text}");
            break;
        }
    }

    // Closing the document goes back to the file on disk, which is still unguarded.
    notify(
        &client,
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let (list, _) = diagnostics_for(&client, &uri);
    assert_eq!(list.len(), 1, "{list:?}");

    client
        .sender
        .send(Message::Request(Request::new(
            RequestId::from(3),
            "shutdown".into(),
            Value::Null,
        )))
        .unwrap();
    loop {
        if let Message::Response(r) = client.receiver.recv().unwrap() {
            assert_eq!(r.id, RequestId::from(3));
            break;
        }
    }
    notify(&client, "exit", Value::Null);
    thread.join().unwrap().unwrap();
}
