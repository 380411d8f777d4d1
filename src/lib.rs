//! sockbox: which sockets are open and who holds them, from /proc.
//!
//! The library holds everything the applets share; `main.rs` only
//! dispatches on the name the binary was called by.

pub mod addr;
pub mod alloc;
pub mod out;
pub mod proc;
#[cfg(feature = "resolver")]
pub mod resolv;
pub mod spill;
pub mod applets;
pub mod cli;
#[cfg(any(feature = "interfaces", feature = "conntrack"))]
pub mod ifconf;
#[cfg(feature = "install")]
pub mod install;
pub mod json;
pub mod names;
pub mod netns;
