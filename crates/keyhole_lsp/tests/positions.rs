//! Positions in the protocol: UTF-16 code units unless the client offers UTF-8; and
//! related information linking a code finding to the spec operation that documents it.

use std::path::Path;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use lsp_types::notification::Notification as _;
use serde_json::{json, Value};

/// A route after a comment with an accented letter and an emoji, on the same line.
const SERVER: &str = "const express = require('express');\nconst app = express();\n\n/* café 🎉 */ app.delete('/items/:id', (req, res) => res.send('ok'));\n\napp.listen(3000);\n";

const SPEC: &str = "openapi: 3.0.3\ninfo: {title: items, version: '1'}\ncomponents:\n  securitySchemes:\n    bearer: {type: http, scheme: bearer}\nsecurity:\n  - bearer: []\npaths:\n  /items/{id}:\n    delete:\n      responses: {'204': {description: gone}}\n";

fn uri(path: &Path) -> String {
    keyhole_lsp::path_to_uri(path).unwrap().as_str().to_string()
}

fn notify(client: &Connection, method: &str, params: Value) {
    client
        .sender
        .send(Message::Notification(Notification::new(
            method.into(),
            params,
        )))
        .unwrap();
}

fn request(client: &Connection, id: i32, method: &str, params: Value) -> Value {
    client
        .sender
        .send(Message::Request(Request::new(
            RequestId::from(id),
            method.into(),
            params,
        )))
        .unwrap();
    loop {
        let message = client
            .receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers");
        if let Message::Response(r) = message {
            if r.id == RequestId::from(id) {
                return r.result.unwrap_or(Value::Null);
            }
        }
    }
}

fn diagnostics_for(client: &Connection, uri: &str) -> Vec<Value> {
    loop {
        let message = client
            .receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("the server publishes");
        if let Message::Notification(n) = message {
            if n.method == lsp_types::notification::PublishDiagnostics::METHOD
                && n.params["uri"] == uri
            {
                return n.params["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
        }
    }
}

/// Start a server on a project holding `server.js` and `openapi.yaml`, initialise it with
/// `capabilities`, open `server.js`, and return the encoding the server chose and the
/// diagnostics it published for the file.
fn session(capabilities: Value) -> (Value, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let file = root.join("server.js");
    std::fs::write(&file, SERVER).unwrap();
    std::fs::write(root.join("openapi.yaml"), SPEC).unwrap();
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || keyhole_lsp::serve(&server));
    let init = request(
        &client,
        1,
        "initialize",
        json!({"capabilities": capabilities, "rootUri": uri(&root)}),
    );
    notify(&client, "initialized", json!({}));
    notify(
        &client,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&file), "languageId": "javascript", "version": 1, "text": SERVER}}),
    );
    let list = diagnostics_for(&client, &uri(&file));
    request(&client, 2, "shutdown", Value::Null);
    notify(&client, "exit", Value::Null);
    thread.join().unwrap().unwrap();
    let encoding = init["capabilities"]["positionEncoding"].clone();
    // Related information names the spec by URI: keep only the file name.
    let list = list
        .into_iter()
        .map(|mut d| {
            if let Some(related) = d["relatedInformation"].as_array_mut() {
                for r in related {
                    let u = r["location"]["uri"].as_str().unwrap_or_default();
                    let name = u.rsplit('/').next().unwrap_or_default().to_string();
                    r["location"]["uri"] = Value::String(name);
                }
            }
            d
        })
        .collect();
    (encoding, list)
}

fn route_line() -> &'static str {
    SERVER.lines().nth(3).unwrap()
}

#[test]
fn utf16_by_default() {
    let (encoding, list) = session(json!({}));
    assert_eq!(encoding, "utf-16");
    assert_eq!(list.len(), 1, "{list:?}");
    let line = route_line();
    let before = &line[..line.find("app.delete").unwrap()];
    let range = &list[0]["range"];
    assert_eq!(range["start"]["line"], 3);
    // `/* café 🎉 */ ` is 14 UTF-16 units (the emoji takes two), 18 bytes, 13 characters.
    assert_eq!(before.encode_utf16().count(), 14);
    assert_eq!(range["start"]["character"], 14);
    assert_eq!(range["end"]["line"], 3);
    assert_eq!(
        range["end"]["character"],
        line.trim_end_matches(';').encode_utf16().count()
    );
}

#[test]
fn utf8_when_the_client_offers_it() {
    let (encoding, list) = session(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}));
    assert_eq!(encoding, "utf-8");
    assert_eq!(list.len(), 1, "{list:?}");
    let line = route_line();
    assert_eq!(
        list[0]["range"]["start"]["character"],
        line.find("app.delete").unwrap()
    );
    // A client offering only UTF-32 gets the protocol's default.
    let (encoding, _) = session(json!({"general": {"positionEncodings": ["utf-32"]}}));
    assert_eq!(encoding, "utf-16");
}

#[test]
fn a_code_finding_points_at_the_spec_operation() {
    let (_, list) = session(json!({}));
    let related = list[0]["relatedInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let spec = related
        .iter()
        .find(|r| r["location"]["uri"] == "openapi.yaml")
        .unwrap_or_else(|| panic!("{related:?}"));
    assert_eq!(
        spec["message"],
        "documented here, with global `security: bearer`"
    );
    assert_eq!(spec["location"]["range"]["start"]["line"], 9);
    assert_eq!(spec["location"]["range"]["start"]["character"], 4);
}
