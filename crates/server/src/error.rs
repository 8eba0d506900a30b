//! [`ApiError`]: every error answer is JSON `{code, message, details}` with the right status.

use crate::i18n::{self, Lang};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use senda_core::engine::plan::NoPlan;
use senda_core::engine::EngineError;
use serde_json::{json, Value};

/// An error answer. Caller mistakes are 4xx and name the bad parameter or record.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    /// A stable machine-readable code (`bad_request`, `unauthorized`, ...).
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Value::Null,
        }
    }

    /// A bad query parameter or body field: 400, naming it.
    pub fn bad_param(param: &str, message: impl std::fmt::Display) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("{param}: {message}"),
        );
        e.details = json!({ "parameter": param });
        e
    }

    /// A body over the one body limit (`ServerConfig::max_body_bytes`), naming it.
    pub fn body_too_large(limit_bytes: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than {limit_bytes} bytes"),
        )
        .with_details(serde_json::json!({ "limit_bytes": limit_bytes }))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// An engine error for a query: what the caller sent is named (422 when the query is
    /// valid but has no answer, e.g. no route joins the points).
    pub fn from_engine(e: EngineError) -> Self {
        match e {
            EngineError::Snap { what, source } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unreachable_point",
                format!("{what}: {source}"),
            )
            .with_details(json!({ "parameter": what })),
            EngineError::Invalid(v) => {
                let field = v.field.to_string();
                Self::bad_param(&field, v)
            }
            EngineError::NoPlan(ref np) => {
                let details = match **np {
                    NoPlan::Unreachable { profile } => json!({ "profile": profile.as_str() }),
                    NoPlan::TooManyDays {
                        days,
                        max_days,
                        max_daily_hours,
                    } => json!({
                        "days": days,
                        "max_days": max_days,
                        "max_daily_hours": max_daily_hours,
                    }),
                    _ => Value::Null,
                };
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, np.code(), e.to_string())
                    .with_details(details)
            }
            EngineError::Unreachable { .. } => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "no_answer", e.to_string())
            }
            EngineError::EmptyNetwork => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "no_data", e.to_string())
            }
            other => Self::internal(other.to_string()),
        }
    }
}

impl ApiError {
    /// [`ApiError::from_engine`] for a caller who reads `lang`: the errors a traveller meets
    /// (no route joins the places, too many days, a point off the roads) keep their code and
    /// details and carry their message in that language ([`i18n::engine_error`]); caller
    /// mistakes stay in English, naming the parameter.
    pub fn from_engine_in(e: EngineError, lang: Lang) -> Self {
        let message = i18n::engine_error(lang, &e);
        let mut err = Self::from_engine(e);
        if let Some(m) = message {
            err.message = m;
        }
        err
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "code": self.code, "message": self.message, "details": self.details });
        let mut res = (self.status, Json(body)).into_response();
        res.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        res
    }
}
