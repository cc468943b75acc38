//! The capture-name contract between `.scm` queries and the extractors.
//! `queries/README.md` documents each name; a test keeps the two in step.

use keyhole_core::Language;

macro_rules! captures {
    ($($variant:ident = $name:literal in [$($lang:ident),*];)*) => {
        /// A capture name the extractors understand.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Capture { $($variant),* }

        impl Capture {
            pub const ALL: &'static [Capture] = &[$(Capture::$variant),*];

            pub fn from_name(name: &str) -> Option<Capture> {
                match name { $($name => Some(Capture::$variant),)* _ => None }
            }

            pub fn name(self) -> &'static str {
                match self { $(Capture::$variant => $name),* }
            }

            /// Whether the capture belongs to the query language of `language`.
            pub fn allowed_in(self, language: Language) -> bool {
                let family = if language.is_javascript_family() { Family::JavaScript } else { Family::Python };
                match self { $(Capture::$variant => [$(Family::$lang),*].contains(&family)),* }
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Python,
    JavaScript,
}

captures! {
    Import = "import" in [Python, JavaScript];
    Function = "function" in [Python, JavaScript];
    FunctionSite = "function.site" in [JavaScript];
    Class = "class" in [Python, JavaScript];
    Assign = "assign" in [Python, JavaScript];
    AssignName = "assign.name" in [Python, JavaScript];
    AssignValue = "assign.value" in [Python, JavaScript];
    RouteDecorator = "route.decorator" in [Python];
    RouteReceiver = "route.receiver" in [Python];
    RouteVerb = "route.verb" in [Python];
    RouteArgs = "route.args" in [Python];
    RouteFunction = "route.function" in [Python];
    RouteCall = "route.call" in [Python];
    RouteEndpoint = "route.endpoint" in [Python];
    ResourceDecorator = "resource.decorator" in [Python];
    ResourceReceiver = "resource.receiver" in [Python];
    ResourceArgs = "resource.args" in [Python];
    ResourceClass = "resource.class" in [Python];
    HookDecorator = "hook.decorator" in [Python];
    HookReceiver = "hook.receiver" in [Python];
    HookKind = "hook.kind" in [Python];
    HookFunction = "hook.function" in [Python];
    Call = "call" in [Python, JavaScript];
    CallSite = "callsite" in [Python];
    CallSiteCallee = "callsite.callee" in [Python];
    CallSiteArgs = "callsite.args" in [Python];
    CallReceiver = "call.receiver" in [Python, JavaScript];
    CallMethod = "call.method" in [Python, JavaScript];
    CallArgs = "call.args" in [Python, JavaScript];
    Urlconf = "urlconf" in [Python];
    UrlconfName = "urlconf.name" in [Python];
    UrlconfValue = "urlconf.value" in [Python];
    ViewCall = "view.call" in [Python];
    ViewReceiver = "view.receiver" in [Python];
    ViewMethod = "view.method" in [Python];
    ViewArgs = "view.args" in [Python];
    ViewClass = "view.class" in [Python];
    ViewFunction = "view.function" in [Python];
    ViewRegistration = "view.registration" in [Python];
    Settings = "settings" in [Python];
    SettingsName = "settings.name" in [Python];
    SettingsValue = "settings.value" in [Python];
    Export = "export" in [JavaScript];
    ExportAssign = "export.assign" in [JavaScript];
    ExportTarget = "export.target" in [JavaScript];
    ExportValue = "export.value" in [JavaScript];
    Require = "require" in [JavaScript];
    RequireBinding = "require.binding" in [JavaScript];
    RequireSource = "require.source" in [JavaScript];
}
