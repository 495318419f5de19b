//! interop-core: everything after the timed loop, as pure code over saved data.
//!
//! scenario list → (hosts measure) → [`results`] raw samples → [`stats`] → [`analysis`] → [`export`]
//!
//! Nothing here runs an engine or reads a clock: a report can always be rebuilt
//! from a results file.

pub mod analysis;
pub mod capabilities;
pub mod compare;
pub mod counts;
pub mod export;
pub mod files;
pub mod merge;
pub mod noise;
pub mod plugin;
pub mod results;
pub mod scenario;
pub mod stats;
pub mod units;
pub mod warnings;
