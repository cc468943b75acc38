//! Names of fields that hold credentials or regulated personal data, judged by their words:
//! `password`, `password_hash`, `client_secret`, `access_token`, `api_key`, `card_number`,
//! `ssn` are; `password_reset_url`, `token_type`, `has_password`, `is_secret`,
//! `next_page_token` are not. Shared by the spec rules and the code rules.

use serde::Serialize;

use crate::vocabulary::split_words;

/// What a sensitive field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SensitiveKind {
    Password,
    PasswordHash,
    Secret,
    Token,
    ApiKey,
    CardNumber,
    NationalId,
    /// A field the configuration names as sensitive (`[sensitive] fields`).
    Declared,
}

impl SensitiveKind {
    pub fn describe(self) -> &'static str {
        match self {
            SensitiveKind::Password => "a password",
            SensitiveKind::PasswordHash => "a password hash",
            SensitiveKind::Secret => "a secret",
            SensitiveKind::Token => "a token",
            SensitiveKind::ApiKey => "an API key",
            SensitiveKind::CardNumber => "a payment card number",
            SensitiveKind::NationalId => "a national ID number",
            SensitiveKind::Declared => "data the configuration marks sensitive",
        }
    }

    /// Whether the value is a credential (as opposed to personal data).
    pub fn is_credential(self) -> bool {
        !matches!(
            self,
            SensitiveKind::CardNumber | SensitiveKind::NationalId | SensitiveKind::Declared
        )
    }
}

/// First words that make a name a flag or a question about the thing, not the thing.
const FLAG_PREFIXES: &[&str] = &[
    "is", "has", "have", "can", "should", "must", "needs", "need", "requires", "require", "allow",
    "allows", "enable", "enabled", "disable", "was", "did", "does", "use", "uses", "show",
    "supports", "num", "count", "max", "min",
];

/// Last words that make a name metadata about the thing (`token_type`, `password_reset_url`).
const METADATA_SUFFIXES: &[&str] = &[
    "url",
    "uri",
    "link",
    "href",
    "type",
    "types",
    "kind",
    "expires",
    "expiry",
    "expiration",
    "expired",
    "at",
    "ttl",
    "length",
    "len",
    "policy",
    "policies",
    "hint",
    "count",
    "enabled",
    "required",
    "set",
    "changed",
    "updated",
    "created",
    "last",
    "date",
    "time",
    "timestamp",
    "format",
    "strength",
    "rule",
    "rules",
    "field",
    "fields",
    "label",
    "description",
    "reset",
    "status",
    "scope",
    "scopes",
    "method",
    "methods",
    "version",
    "prefix",
    "last4",
    "masked",
    "mask",
    "endpoint",
    "path",
    "header",
    "location",
    "in",
    "flow",
    "age",
    "valid",
    "validated",
    "verified",
    "algorithm",
    "algo",
    "digits",
    "brand",
    "country",
    "fingerprint",
    "id",
    "ids",
    "name",
    "names",
    "lifetime",
    "duration",
    "seconds",
    "exists",
    "present",
    "configured",
    "required",
    "supported",
    "issuer",
    "audience",
    "usage",
    "error",
    "errors",
    "message",
    "template",
    "id_token_hint",
    "pattern",
    "regex",
    "min",
    "max",
    "size",
    "hash_algorithm",
    "salt_rounds",
    "display",
    "preview",
    "hinted",
    "settings",
    "config",
    "options",
    "mode",
    "state",
    "provider",
    "source",
    "holder",
    "owner",
    "title",
    "schema",
    "sent",
    "requested",
    "count",
    "attempts",
    "retries",
    "level",
    "redacted",
];

/// Words qualifying `token` that make it something handed out on purpose.
const HARMLESS_TOKEN_QUALIFIERS: &[&str] = &[
    "page",
    "next",
    "previous",
    "prev",
    "continuation",
    "pagination",
    "sync",
    "csrf",
    "xsrf",
    "cursor",
    "idempotency",
    "etag",
    "verification",
    "push",
    "device",
    "registration",
    "link",
    "invite",
    "invitation",
    "share",
    "public",
    "nonce",
    "state",
    "upload",
    "request",
    "resume",
    "marker",
    "offset",
    "delta",
    "change",
    "changes",
];

/// Classify a field name; `None` for anything that is not plainly a sensitive value.
pub fn classify(name: &str) -> Option<SensitiveKind> {
    let words = split_words(name);
    let (first, last) = (words.first()?, words.last()?);
    if words.len() > 1 && FLAG_PREFIXES.contains(&first.as_str()) {
        return None;
    }
    if words.len() > 1 && METADATA_SUFFIXES.contains(&last.as_str()) {
        return None;
    }
    let has = |w: &str| words.iter().any(|x| x == w);
    let joined: String = words.concat();
    if has("ssn") || joined.contains("socialsecuritynumber") {
        return Some(SensitiveKind::NationalId);
    }
    if has("cvv")
        || has("cvc")
        || has("cvv2")
        || joined.contains("cardnumber")
        || joined.contains("creditcardnumber")
        || joined == "pan"
    {
        return Some(SensitiveKind::CardNumber);
    }
    let password = has("password") || has("passwd") || has("pwd") || has("passphrase");
    if password && (has("hash") || has("hashed") || has("digest") || has("salt")) {
        return Some(SensitiveKind::PasswordHash);
    }
    if password {
        return Some(SensitiveKind::Password);
    }
    if has("secret") || joined.contains("clientsecret") {
        return Some(SensitiveKind::Secret);
    }
    if has("apikey")
        || joined.contains("apikey")
        || (has("private") && has("key"))
        || (has("access") && has("key"))
        || (has("secret") && has("key"))
    {
        return Some(SensitiveKind::ApiKey);
    }
    if has("token") || has("jwt") || joined.ends_with("token") {
        if words
            .iter()
            .any(|w| HARMLESS_TOKEN_QUALIFIERS.contains(&w.as_str()))
        {
            return None;
        }
        return Some(SensitiveKind::Token);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_names() {
        for (name, kind) in [
            ("password", SensitiveKind::Password),
            ("userPassword", SensitiveKind::Password),
            ("password_hash", SensitiveKind::PasswordHash),
            ("hashedPassword", SensitiveKind::PasswordHash),
            ("client_secret", SensitiveKind::Secret),
            ("secret", SensitiveKind::Secret),
            ("access_token", SensitiveKind::Token),
            ("refreshToken", SensitiveKind::Token),
            ("password_reset_token", SensitiveKind::Password),
            ("api_key", SensitiveKind::ApiKey),
            ("apiKey", SensitiveKind::ApiKey),
            ("private_key", SensitiveKind::ApiKey),
            ("card_number", SensitiveKind::CardNumber),
            ("cvv", SensitiveKind::CardNumber),
            ("ssn", SensitiveKind::NationalId),
            ("social_security_number", SensitiveKind::NationalId),
        ] {
            assert_eq!(classify(name), Some(kind), "{name}");
        }
    }

    #[test]
    fn names_about_sensitive_things_are_not_sensitive() {
        for name in [
            "password_reset_url",
            "token_type",
            "has_password",
            "is_secret",
            "isSecret",
            "hasPassword",
            "password_changed_at",
            "passwordPolicy",
            "token_expires_at",
            "expires_in",
            "next_page_token",
            "nextPageToken",
            "csrf_token",
            "secret_name",
            "api_key_id",
            "card_last4",
            "password_required",
            "token_url",
            "tokenUrl",
            "requires_password",
            "hash",
            "key",
            "username",
            "email",
            "author",
            "tokens_count",
        ] {
            assert_eq!(classify(name), None, "{name}");
        }
    }
}
