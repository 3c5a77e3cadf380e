//! The validator: handles first, then types and shapes; every problem collected.
