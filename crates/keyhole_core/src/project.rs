//! The linked project: what the inventory shows and the model rules read.

use crate::endpoint::{Endpoint, EndpointId, Framework, RouterId};
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
    /// Code endpoints joined to the spec operations that document them.
    pub spec_links: Vec<SpecLink>,
}

/// A code endpoint and a spec operation (an `openapi` endpoint) that describe the same
/// route: same method, same path once parameters are ignored and the spec's base path is
/// applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SpecLink {
    pub code: EndpointId,
    pub spec: EndpointId,
    /// Whether most of the spec's operations are found in the code: the spec describes this
    /// codebase, and where the two disagree, one of them is wrong.
    pub spec_describes_code: bool,
}

impl Project {
    pub fn router(&self, id: RouterId) -> Option<&RouterInfo> {
        self.routers.get(id.0 as usize)
    }

    pub fn endpoint(&self, id: EndpointId) -> Option<&Endpoint> {
        self.endpoints.get(id.0 as usize)
    }

    /// The spec operations documenting the code endpoint `code`.
    pub fn documented_by(&self, code: EndpointId) -> impl Iterator<Item = EndpointId> + '_ {
        self.spec_links
            .iter()
            .filter(move |l| l.code == code)
            .map(|l| l.spec)
    }

    /// The code endpoints implementing the spec operation `spec`.
    pub fn implemented_by(&self, spec: EndpointId) -> impl Iterator<Item = EndpointId> + '_ {
        self.spec_links
            .iter()
            .filter(move |l| l.spec == spec)
            .map(|l| l.code)
    }
}
