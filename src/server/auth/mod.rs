//! Who is asking: password hashing, sessions, and the guards that every server function and
//! route starts with.

pub mod guard;
pub mod password;
pub mod session;

pub use guard::CurrentUser;
pub use password::PasswordHasher;
