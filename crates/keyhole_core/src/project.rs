//! The linked project: what the inventory shows and the model rules read.

use crate::endpoint::{Endpoint, Framework, RouterId};
use crate::source::{SourceMap, Span};
use crate::vocabulary::Vocabulary;

/// A router after linking (an app, blueprint, `APIRouter`, `express.Router()`).
#[derive(Debug, Clone)]
pub struct RouterInfo {
    pub id: RouterId,
    pub name: String,
    pub framework: Framework,
    pub span: Span,
}

/// The project model.
#[derive(Debug, Default)]
pub struct Project {
    pub files: SourceMap,
    pub endpoints: Vec<Endpoint>,
    pub routers: Vec<RouterInfo>,
    pub vocabulary: Vocabulary,
}

impl Project {
    pub fn router(&self, id: RouterId) -> Option<&RouterInfo> {
        self.routers.get(id.0 as usize)
    }
}
