use std::fmt;

/// A value that failed validation: which field, the offending value (as text) and why.
///
/// Modelled on h3o's `InvalidValue`: small, cheap to build, and enough for a person to find
/// and fix the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct InvalidValue {
    /// The field (or property) that holds the value, e.g. `lat`, `severity`.
    pub field: &'static str,
    /// The offending value, rendered as text (truncated to 80 characters).
    pub value: String,
    /// Why it is invalid.
    pub reason: &'static str,
}

impl InvalidValue {
    pub fn new(field: &'static str, value: impl fmt::Display, reason: &'static str) -> Self {
        let mut value = value.to_string();
        if value.chars().count() > 80 {
            value = value.chars().take(77).collect::<String>() + "...";
        }
        Self {
            field,
            value,
            reason,
        }
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}: {}", self.field, self.reason)
        } else {
            write!(f, "{} = {:?}: {}", self.field, self.value, self.reason)
        }
    }
}
