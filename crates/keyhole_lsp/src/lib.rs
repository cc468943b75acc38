//! `keyhole lsp`: a language server over stdio. It keeps the open documents in memory,
//! re-analyses the workspace (with those documents in place of what is on disk) on open,
//! change and save, and publishes each file's findings.
//!
//! Built on `lsp-server` and `lsp-types` (rust-analyzer's crates): synchronous, no async
//! runtime, which suits an engine that is already parallel with rayon; and
//! `Connection::memory()` gives in-process protocol tests for free.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyhole_core::vocabulary::Vocabulary;
use keyhole_core::{Severity, SourceMap, Span};
use keyhole_engine::{Options, Settings};
use lsp_server::{Connection, Message, Notification, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, WorkspaceEdit,
};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, InitializeParams, Location, NumberOrString,
    Position, PositionEncodingKind, PublishDiagnosticsParams, Range, SaveOptions,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

#[derive(Debug, thiserror::Error)]
pub enum LspError {
    #[error("protocol: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    #[error("bad message: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the client went away")]
    Disconnected,
    #[error("configuration: {0}")]
    Config(#[from] keyhole_config::ConfigError),
}

/// Serve on stdin/stdout until the client shuts the server down.
pub fn run_stdio() -> Result<(), LspError> {
    let (connection, threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    threads.join().map_err(|_| LspError::Disconnected)?;
    Ok(())
}

/// Serve on a connection: initialise, then handle messages until shutdown.
pub fn serve(connection: &Connection) -> Result<(), LspError> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let encoding = Encoding::negotiate(&params);
    let capabilities = ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        ..capabilities
    };
    let result = lsp_types::InitializeResult {
        capabilities,
        server_info: Some(lsp_types::ServerInfo {
            name: "keyhole".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let root = workspace_root(&params).unwrap_or_else(|| PathBuf::from("."));
    let mut server = Server {
        encoding,
        root,
        documents: HashMap::new(),
        published: BTreeSet::new(),
        cache: keyhole_engine::FactsCache::default(),
        last: None,
    };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                if request.method == HoverRequest::METHOD {
                    let params: HoverParams = serde_json::from_value(request.params)?;
                    let hover = server.hover(&params);
                    let response = Response::new_ok(request.id, hover);
                    send(connection, Message::Response(response))?;
                    continue;
                }
                if request.method == CodeActionRequest::METHOD {
                    let params: CodeActionParams = serde_json::from_value(request.params)?;
                    let actions = server.code_actions(&params);
                    let response = Response::new_ok(request.id, actions);
                    send(connection, Message::Response(response))?;
                    continue;
                }
                let response = Response::new_err(
                    request.id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("keyhole does not handle `{}`", request.method),
                );
                send(connection, Message::Response(response))?;
            }
            Message::Notification(n) => server.notification(connection, n)?,
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// How positions count characters within a line: UTF-16 code units (the protocol's
/// default) unless the client offers UTF-8 (`general.positionEncodings`), which keyhole
/// prefers since its offsets are UTF-8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    fn negotiate(params: &InitializeParams) -> Encoding {
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        match offered {
            Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    /// The width of `text` (a line's start up to a position) in this encoding.
    fn width(self, text: &str) -> usize {
        match self {
            Encoding::Utf8 => text.len(),
            Encoding::Utf16 => text.encode_utf16().count(),
        }
    }
}

struct Server {
    encoding: Encoding,
    root: PathBuf,
    /// Open documents: canonical path → text.
    documents: HashMap<PathBuf, Arc<str>>,
    /// Files with diagnostics published last time (so that they can be cleared).
    published: BTreeSet<PathBuf>,
    /// Facts of unchanged files, kept between analyses.
    cache: keyhole_engine::FactsCache,
    /// The last analysis, for hovers.
    last: Option<keyhole_engine::Analysis>,
}

impl Server {
    fn notification(&mut self, connection: &Connection, n: Notification) -> Result<(), LspError> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                if let Some(path) = uri_to_path(&p.text_document.uri) {
                    self.documents
                        .insert(canonical(&path), Arc::from(p.text_document.text));
                }
            }
            DidChangeTextDocument::METHOD => {
                let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
                // Full synchronisation: the last change holds the whole text.
                if let (Some(path), Some(change)) =
                    (uri_to_path(&p.text_document.uri), p.content_changes.last())
                {
                    self.documents
                        .insert(canonical(&path), Arc::from(change.text.as_str()));
                }
            }
            DidSaveTextDocument::METHOD => {}
            DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                if let Some(path) = uri_to_path(&p.text_document.uri) {
                    self.documents.remove(&canonical(&path));
                }
            }
            _ => return Ok(()),
        }
        self.publish(connection)
    }

    /// On a route registration: its inventory row — full route, framework, auth state and
    /// the evidence for it, the mounts that gave it its prefix.
    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let at = &params.text_document_position_params;
        let path = canonical(&uri_to_path(&at.text_document.uri)?);
        let analysis = self.last.as_ref()?;
        let files = &analysis.project.files;
        let file = files.iter().find(|f| canonical(&f.disk_path) == path)?;
        let line = at.position.line as usize + 1;
        let endpoints: Vec<&keyhole_core::Endpoint> = analysis
            .project
            .endpoints
            .iter()
            .filter(|e| {
                e.registration.file == file.id
                    && file.line_col(e.registration.start as usize).line <= line
                    && line <= file.line_col(e.registration.end as usize).line
            })
            .collect();
        if endpoints.is_empty() {
            return None;
        }
        let located = |span: Span| {
            files.get(span.file).map_or_else(String::new, |f| {
                format!("{}:{}", f.path, f.line_col(span.start as usize).line)
            })
        };
        let mut out = String::new();
        for e in endpoints {
            out.push_str(&format!(
                "**{} {}** · {} · auth: **{}**\n\n{}\n",
                e.method.as_str(),
                e.route.as_str(),
                e.framework.as_str(),
                e.auth.state().as_str(),
                e.auth.reason()
            ));
            for evidence in e.auth.evidence() {
                out.push_str(&format!(
                    "\n- {} ({})",
                    evidence.detail,
                    located(evidence.span)
                ));
            }
            for mount in &e.mounts {
                out.push_str(&format!(
                    "\n- `{}` mounted under `{}` ({})",
                    mount.router_name,
                    mount.prefix.as_deref().unwrap_or(""),
                    located(mount.span)
                ));
            }
            out.push_str("\n\n");
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: out.trim_end().to_string(),
            }),
            range: None,
        })
    }

    /// For each keyhole diagnostic in the request, an action inserting a suppression
    /// comment with a reason placeholder on the line above.
    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(path) = uri_to_path(uri) else {
            return Vec::new();
        };
        let text: Arc<str> = match self.documents.get(&canonical(&path)) {
            Some(text) => Arc::clone(text),
            None => match std::fs::read_to_string(&path) {
                Ok(text) => Arc::from(text),
                Err(_) => return Vec::new(),
            },
        };
        let leader = match path.extension().and_then(|e| e.to_str()) {
            Some("py" | "pyi" | "yaml" | "yml") => "#",
            Some("json") => return Vec::new(),
            _ => "//",
        };
        let mut out = Vec::new();
        for d in &params.context.diagnostics {
            let (Some("keyhole"), Some(NumberOrString::String(rule))) =
                (d.source.as_deref(), d.code.as_ref())
            else {
                continue;
            };
            if rule == "unused-suppression" {
                continue;
            }
            let line = d.range.start.line;
            let indent: String = text
                .lines()
                .nth(line as usize)
                .unwrap_or_default()
                .chars()
                .take_while(|c| c.is_whitespace())
                .collect();
            let edit = TextEdit::new(
                Range::new(Position::new(line, 0), Position::new(line, 0)),
                format!("{indent}{leader} keyhole: ignore[{rule}] <reason>\n"),
            );
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Suppress `{rule}` here, with a reason"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(
                    uri.clone(),
                    vec![edit],
                )]))),
                ..CodeAction::default()
            }));
        }
        out
    }

    /// Analyse the workspace with the open documents in place and publish every file's
    /// diagnostics (an empty list for files that had some and have none now).
    fn publish(&mut self, connection: &Connection) -> Result<(), LspError> {
        let mut vocabulary = Vocabulary::default();
        let mut specs = Vec::new();
        let settings = match keyhole_config::find(&self.root) {
            Some(file) => {
                let settings = keyhole_config::load(&file, &keyhole_rules::all_meta())?;
                settings.extend_vocabulary(&mut vocabulary);
                specs.extend(settings.specs.iter().cloned());
                Some(Arc::new(settings))
            }
            None => None,
        };
        let options = Options {
            paths: vec![self.root.clone()],
            specs,
            vocabulary,
            settings: settings.map(|s: Arc<Settings>| s),
            overlays: Arc::new(self.documents.clone()),
            ..Options::default()
        };
        let analysis = keyhole_engine::analyze_cached(&options, &mut self.cache);
        let files = &analysis.project.files;
        let mut by_file: HashMap<PathBuf, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for d in &analysis.diagnostics {
            let Some(file) = files.get(d.primary.span.file) else {
                continue;
            };
            by_file
                .entry(canonical(&file.disk_path))
                .or_default()
                .push(to_lsp(d, files, self.encoding));
        }
        let now: BTreeSet<PathBuf> = by_file.keys().cloned().collect();
        for path in self.published.difference(&now) {
            publish(connection, path, Vec::new())?;
        }
        for (path, diagnostics) in by_file {
            publish(connection, &path, diagnostics)?;
        }
        self.published = now;
        self.last = Some(analysis);
        Ok(())
    }
}

fn publish(
    connection: &Connection,
    path: &Path,
    diagnostics: Vec<lsp_types::Diagnostic>,
) -> Result<(), LspError> {
    let Some(uri) = path_to_uri(path) else {
        return Ok(());
    };
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version: None,
    };
    let n = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
    send(connection, Message::Notification(n))
}

fn send(connection: &Connection, message: Message) -> Result<(), LspError> {
    connection
        .sender
        .send(message)
        .map_err(|_| LspError::Disconnected)
}

fn range(files: &SourceMap, span: Span, encoding: Encoding) -> Range {
    let Some(file) = files.get(span.file) else {
        return Range::default();
    };
    let at = |offset: u32| {
        let text: &str = &file.text;
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = file.line_col(offset).line.saturating_sub(1);
        Position::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(encoding.width(&text[line_start..offset])).unwrap_or(u32::MAX),
        )
    };
    Range::new(at(span.start), at(span.end))
}

fn to_lsp(
    d: &keyhole_core::Diagnostic,
    files: &SourceMap,
    encoding: Encoding,
) -> lsp_types::Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|label| {
            let file = files.get(label.span.file)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(
                    path_to_uri(&canonical(&file.disk_path))?,
                    range(files, label.span, encoding),
                ),
                message: label.message.clone(),
            })
        })
        .collect();
    let mut message = d.message.clone();
    for note in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    lsp_types::Diagnostic {
        range: range(files, d.primary.span, encoding),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.rule.to_string())),
        source: Some("keyhole".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

fn workspace_root(params: &InitializeParams) -> Option<PathBuf> {
    if let Some(folder) = params.workspace_folders.as_ref().and_then(|f| f.first()) {
        return uri_to_path(&folder.uri);
    }
    #[allow(deprecated)]
    params.root_uri.as_ref().and_then(uri_to_path)
}

fn canonical(path: &Path) -> PathBuf {
    keyhole_engine::canonical(path)
}

/// `file:///a%20b/c.py` → `/a b/c.py`.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = rest.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}

/// `/a b/c.py` → `file:///a%20b/c.py`.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let s = path.to_str()?;
    let mut out = String::from("file://");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.parse().ok()
}
