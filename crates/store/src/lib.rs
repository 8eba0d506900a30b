//! senda-store
